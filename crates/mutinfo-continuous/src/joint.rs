//! Nearest neighbours in the joint space of a kNN estimator: kiddo's immutable k-d tree where
//! it is faster, [`KdTree`] elsewhere, with the same answers either way.
//!
//! ## Which tree, and why (issue 16)
//! Trees alone (`RAYON_NUM_THREADS=1 cargo run --release -p mutinfo-continuous --example
//! kdtree_vs_kiddo`: build, then the k = 3 nearest neighbours of every point in row order;
//! best of 3; n = 10k and 100k; uniform data and data rounded to one decimal): kiddo 5.3.2's
//! `ImmutableKdTree` took 0.16–0.72 of [`KdTree`]'s time in 3, 4 and 6 dimensions and
//! 1.05–1.44 in 2, with identical k-th distances everywhere. Inside the estimators our tree
//! is queried in its own order, which kiddo's does not expose; queried along a Z-order curve
//! instead, whole estimates (`scripts/bench_knn_before_after.py`, n = 50k and 200k, 1 and 2
//! threads) took 0.74–0.76 of the time with a 6-D joint space, 0.84–0.98 in 4-D, but
//! 0.92–1.14 in 3-D. So:
//! - **4 to 8 dimensions, all points distinct:** kiddo. Its trees fix the dimension at compile
//!   time, so one tree is monomorphized per dimension up to [`KIDDO_MAX_DIM`];
//! - **1–3 dimensions, more than 8, or repeated points:** [`KdTree`]. A repeated point has
//!   its k-th neighbour at distance 0, and the estimators then count its copies: [`KdTree`]
//!   counts whole cells inside a ball (on rounded data its ball counts took 1/4–1/240 of the
//!   time of kiddo's, which can only list the points), while kiddo would list every copy for
//!   every copy. With the default seeded tie-breaking jitter, points are distinct.
//! - **Ball counts in the marginal spaces** stay on [`KdTree`] and [`crate::kdtree::Sorted1d`]
//!   for the same reason (kiddo has no count-only query).
//!
//! ## Same answers
//! kiddo's max-norm distance is `max |aᵢ − bᵢ|` computed as here, and its search prunes a
//! cell only when a lower bound of every distance in it (`|q − split|`, rounded the same
//! way) is at least the current k-th distance, so the k-th distance is exact. The neighbour
//! *set* (KSG-2 takes extents from it) is rebuilt from the k-th distance `ε`: every point
//! strictly inside `ε`, then the lowest rows at exactly `ε` — ties to the lowest row, as in
//! [`KdTree::knn`] and the brute-force scan. Property tests check both trees against the scan.

use std::num::NonZeroUsize;

use kiddo::immutable::float::kdtree::ImmutableKdTree;
use kiddo::Chebyshev;

use crate::kdtree::KdTree;

/// The highest joint dimension served by kiddo (one monomorphized tree per dimension).
pub const KIDDO_MAX_DIM: usize = 8;
/// The lowest: up to 3-D [`KdTree`] was as fast or faster in the estimators.
pub const KIDDO_MIN_DIM: usize = 4;

/// kiddo's bucket size (its default).
const BUCKET: usize = 32;

/// The k-th distance and ball listing, for one compile-time dimension of kiddo's tree.
trait KiddoIndex: Send + Sync + std::fmt::Debug {
    /// Distance from `q` (a stored point) to its `k`-th nearest other point.
    fn kth_distance(&self, q: &[f64], k: usize) -> f64;
    /// Appends `(distance, row)` of every stored point with distance `≤ r` from `q`.
    fn within(&self, q: &[f64], r: f64, out: &mut Vec<(f64, u32)>);
}

#[derive(Debug)]
struct Kiddo<const D: usize>(ImmutableKdTree<f64, u32, D, BUCKET>);

macro_rules! kiddo_dims {
    ($($d:literal),*) => {
        $(impl KiddoIndex for Kiddo<$d> {
            fn kth_distance(&self, q: &[f64], k: usize) -> f64 {
                let q: &[f64; $d] = q.try_into().expect("query of the tree's dimension");
                // The point itself is among the k + 1 nearest at distance 0, so the
                // (k + 1)-th distance of all points is the k-th of the others.
                let qty = NonZeroUsize::new(k + 1).expect("k + 1 > 0");
                self.0.nearest_n::<Chebyshev>(q, qty)[k].distance
            }

            fn within(&self, q: &[f64], r: f64, out: &mut Vec<(f64, u32)>) {
                let q: &[f64; $d] = q.try_into().expect("query of the tree's dimension");
                out.extend(
                    self.0
                        .within_unsorted_exclusive::<Chebyshev>(q, r, true)
                        .into_iter()
                        .map(|nb| (nb.distance, nb.item)),
                );
            }
        })*

        fn build_kiddo(data: &[f64], dim: usize) -> Option<Box<dyn KiddoIndex>> {
            match dim {
                $($d => {
                    let pts: Vec<[f64; $d]> = data
                        .chunks_exact($d)
                        .map(|c| c.try_into().expect("chunk of the dimension"))
                        .collect();
                    Some(Box::new(Kiddo::<$d>(ImmutableKdTree::new_from_slice(&pts))))
                })*
                _ => None,
            }
        }
    };
}
kiddo_dims!(4, 5, 6, 7, 8);

#[derive(Debug)]
enum Index {
    Ours(KdTree),
    Kiddo {
        tree: Box<dyn KiddoIndex>,
        data: Vec<f64>,
        order: Vec<u32>,
    },
}

/// k nearest neighbours (max norm, ties to the lowest row) of the points of a joint space.
#[derive(Debug)]
pub struct JointTree {
    dim: usize,
    index: Index,
}

impl JointTree {
    /// Builds the index over row-major coordinates (`data.len() == n * dim`), choosing the
    /// tree as the module documentation says.
    pub fn new(data: &[f64], dim: usize) -> Self {
        assert!(dim > 0 && data.len() % dim == 0);
        let n = data.len() / dim;
        let kiddo_fits =
            (KIDDO_MIN_DIM..=KIDDO_MAX_DIM).contains(&dim) && n > BUCKET && n < u32::MAX as usize;
        let order = kiddo_fits.then(|| z_order_of_distinct(data, dim)).flatten();
        let index = match order.and_then(|o| Some((o, build_kiddo(data, dim)?))) {
            Some((order, tree)) => Index::Kiddo {
                tree,
                data: data.to_vec(),
                order,
            },
            None => Index::Ours(KdTree::new(data, dim)),
        };
        JointTree { dim, index }
    }

    /// Which tree answers: `"kiddo"` or `"kdtree"` (for tests and benchmarks).
    pub fn backend(&self) -> &'static str {
        match self.index {
            Index::Ours(_) => "kdtree",
            Index::Kiddo { .. } => "kiddo",
        }
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        match &self.index {
            Index::Ours(t) => t.len(),
            Index::Kiddo { order, .. } => order.len(),
        }
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Coordinates of original row `row`.
    pub fn point(&self, row: usize) -> &[f64] {
        match &self.index {
            Index::Ours(t) => t.point(row),
            Index::Kiddo { data, .. } => &data[row * self.dim..(row + 1) * self.dim],
        }
    }

    /// Rows in the order that queries them with the best cache locality.
    pub fn rows_in_query_order(&self) -> &[u32] {
        match &self.index {
            Index::Ours(t) => t.rows_in_tree_order(),
            Index::Kiddo { order, .. } => order,
        }
    }

    /// Distance from row `row` to its `k`-th nearest other point (`1 <= k < len()`);
    /// `buf` is scratch space.
    pub fn kth_distance(&self, row: usize, k: usize, buf: &mut Vec<(f64, u32)>) -> f64 {
        match &self.index {
            Index::Ours(t) => {
                t.knn(row, k, buf);
                buf[k - 1].0
            }
            Index::Kiddo { tree, .. } => tree.kth_distance(self.point(row), k),
        }
    }

    /// The `k` nearest neighbours of row `row`, itself excluded, as `(distance, row)` sorted
    /// by distance then row, as [`KdTree::knn`].
    pub fn knn(&self, row: usize, k: usize, out: &mut Vec<(f64, u32)>) {
        match &self.index {
            Index::Ours(t) => t.knn(row, k, out),
            Index::Kiddo { tree, .. } => {
                let q = self.point(row);
                let eps = tree.kth_distance(q, k);
                out.clear();
                tree.within(q, eps, out);
                out.retain(|&(_, r)| r as usize != row);
                out.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                out.truncate(k);
            }
        }
    }

    /// Number of points equal to row `row`'s, itself included.
    pub fn copies(&self, row: usize) -> usize {
        match &self.index {
            Index::Ours(t) => t.count_within(t.point(row), 0.0, false),
            Index::Kiddo { tree, .. } => {
                let mut out = Vec::new();
                tree.within(self.point(row), 0.0, &mut out);
                out.len()
            }
        }
    }
}

/// Rows sorted along a Z-order (Morton) curve of their coordinates, so that consecutive
/// queries visit nearby points (kiddo's tree does not expose its own order, and querying in
/// row order of shuffled data misses the cache); `None` if two rows are the same point
/// (`-0` and `0` are the same). Equal points have equal keys, so only rows of equal keys
/// are compared.
fn z_order_of_distinct(data: &[f64], dim: usize) -> Option<Vec<u32>> {
    let bits = (63 / dim).min(16) as u32;
    let cells = ((1u64 << bits) - 1) as f64;
    let mut lo = vec![f64::INFINITY; dim];
    let mut hi = vec![f64::NEG_INFINITY; dim];
    for row in data.chunks_exact(dim) {
        for (c, &v) in row.iter().enumerate() {
            lo[c] = lo[c].min(v);
            hi[c] = hi[c].max(v);
        }
    }
    let mut cell = vec![0u64; dim];
    let mut keys: Vec<(u64, u32)> = data
        .chunks_exact(dim)
        .enumerate()
        .map(|(r, row)| {
            for (c, &v) in row.iter().enumerate() {
                let span = hi[c] - lo[c];
                cell[c] = if span > 0.0 {
                    ((v - lo[c]) / span * cells) as u64
                } else {
                    0
                };
            }
            let mut key = 0u64;
            for b in (0..bits).rev() {
                for &q in &cell {
                    key = (key << 1) | ((q >> b) & 1);
                }
            }
            (key, r as u32)
        })
        .collect();
    keys.sort_unstable();
    let point_bits = |r: u32| {
        data[r as usize * dim..(r as usize + 1) * dim]
            .iter()
            .map(|&v| (v + 0.0).to_bits())
    };
    for run in keys.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        let mut rows: Vec<u32> = run.iter().map(|&(_, r)| r).collect();
        rows.sort_unstable_by(|&a, &b| point_bits(a).cmp(point_bits(b)));
        if rows
            .windows(2)
            .any(|w| point_bits(w[0]).eq(point_bits(w[1])))
        {
            return None;
        }
    }
    Some(keys.into_iter().map(|(_, r)| r).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kdtree::brute;
    use proptest::prelude::*;

    /// Points on a coarse grid (many equal coordinates and equal distances) or spread out.
    fn points(dim: usize) -> impl Strategy<Value = Vec<f64>> {
        (40usize..160, any::<bool>()).prop_flat_map(move |(n, coarse)| {
            let v = if coarse {
                (0i32..6).prop_map(|c| c as f64 * 0.5).boxed()
            } else {
                (-1000i32..1000).prop_map(|c| c as f64 / 7.0).boxed()
            };
            proptest::collection::vec(v, n * dim)
        })
    }

    fn check(data: &[f64], dim: usize, k: usize) {
        let tree = JointTree::new(data, dim);
        let n = data.len() / dim;
        let mut buf = Vec::new();
        for row in 0..n {
            let q = &data[row * dim..(row + 1) * dim];
            let want = brute::kth_distance(data, dim, row, k);
            assert_eq!(tree.kth_distance(row, k, &mut buf), want, "row {row}");
            // The neighbour set: sorted by distance then row, itself excluded.
            let mut all: Vec<(f64, u32)> = (0..n)
                .filter(|&j| j != row)
                .map(|j| {
                    let p = &data[j * dim..(j + 1) * dim];
                    (crate::kdtree::chebyshev(q, p), j as u32)
                })
                .collect();
            all.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            all.truncate(k);
            tree.knn(row, k, &mut buf);
            assert_eq!(buf, all, "row {row}");
            assert_eq!(
                tree.copies(row),
                brute::count_within(data, dim, q, 0.0, false),
                "row {row}"
            );
            assert_eq!(tree.point(row), q);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn matches_the_brute_force_scan(
            (dim, data) in (1usize..=9).prop_flat_map(|d| (Just(d), points(d))),
            k in 1usize..6,
        ) {
            check(&data, dim, k);
        }

        #[test]
        fn repeated_points_are_found(
            (dim, data) in (1usize..=9).prop_flat_map(|d| (Just(d), points(d))),
        ) {
            let rows: Vec<Vec<u64>> = data
                .chunks_exact(dim)
                .map(|r| r.iter().map(|&v| (v + 0.0).to_bits()).collect())
                .collect();
            let distinct = rows
                .iter()
                .enumerate()
                .all(|(i, a)| rows[..i].iter().all(|b| a != b));
            let order = z_order_of_distinct(&data, dim);
            prop_assert_eq!(order.is_some(), distinct);
            if let Some(mut o) = order {
                o.sort_unstable();
                prop_assert_eq!(o, (0..rows.len() as u32).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn kiddo_serves_distinct_points_in_four_to_eight_dimensions() {
        let n = 200;
        for dim in 1..=10 {
            let data: Vec<f64> = (0..n * dim)
                .map(|i| ((i * 7919) % 1009) as f64 / 13.0)
                .collect();
            let tree = JointTree::new(&data, dim);
            let want = if (KIDDO_MIN_DIM..=KIDDO_MAX_DIM).contains(&dim) {
                "kiddo"
            } else {
                "kdtree"
            };
            assert_eq!(tree.backend(), want, "dim {dim}");
            check(&data, dim, 3);
            // A repeated point sends the same data to our tree.
            let mut dup = data.clone();
            dup.extend_from_slice(&data[..dim]);
            assert_eq!(JointTree::new(&dup, dim).backend(), "kdtree", "dim {dim}");
            check(&dup, dim, 3);
        }
    }

    #[test]
    fn kiddo_breaks_distance_ties_by_row_on_a_grid() {
        // 5^4 distinct grid points in shuffled row order: up to 80 neighbours tie at
        // distance 1.
        let mut data = Vec::new();
        for i in 0..625usize {
            let c = (i * 97) % 625;
            data.extend([c % 5, (c / 5) % 5, (c / 25) % 5, c / 125].map(|v| v as f64));
        }
        assert_eq!(JointTree::new(&data, 4).backend(), "kiddo");
        for k in [1, 3, 8, 20, 60] {
            check(&data, 4, k);
        }
    }

    #[test]
    fn negative_zero_is_the_same_point() {
        let mut data: Vec<f64> = (0..400).map(|i| i as f64).collect();
        data[4..8].copy_from_slice(&[0.0, 0.0, 0.0, 0.0]);
        data[8..12].copy_from_slice(&[-0.0, 0.0, -0.0, 0.0]);
        assert!(z_order_of_distinct(&data, 4).is_none());
        assert_eq!(JointTree::new(&data, 4).backend(), "kdtree");
        // A point that differs only below the Z-order's resolution is still distinct.
        data[8] = 1e-300;
        assert!(z_order_of_distinct(&data, 4).is_some());
        assert_eq!(JointTree::new(&data, 4).backend(), "kiddo");
    }
}
