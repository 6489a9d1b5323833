//! k-nearest-neighbour estimators: Kozachenko–Leonenko entropy, KSG 1 and 2, KSG conditional
//! MI (Frenzel–Pompe), Ross (2014) continuous–discrete MI and the Gao et al. (2017) mixed
//! estimator. All distances are max-norm; results are in nats.
//!
//! Every estimator computes one term per sample point (in parallel, in the k-d tree's order
//! for cache locality), stores it by row and sums the terms sequentially in row order, so the
//! result is bit-identical for any number of threads.

use mutinfo_core::Codes;
use rayon::prelude::*;

use crate::data::Block;
use crate::error::{ContinuousError, Result};
use crate::joint::JointTree;
use crate::kdtree::{KdTree, Sorted1d};
use crate::special::digamma_table;

/// Ball counts in a marginal space: sorted array in 1-D, k-d tree otherwise.
#[derive(Debug, Clone)]
pub(crate) enum Marginal {
    One(Sorted1d),
    Many(KdTree),
}

impl Marginal {
    pub fn new(b: &Block) -> Self {
        if b.dim == 1 {
            Marginal::One(Sorted1d::new(&b.data))
        } else {
            Marginal::Many(KdTree::new(&b.data, b.dim))
        }
    }

    /// Points (query included) with max-norm distance `< r` (`strict`) or `≤ r` from `q`,
    /// the coordinates of row `row` of this marginal.
    #[inline]
    pub fn count(&self, row: usize, q: &[f64], r: f64, strict: bool) -> usize {
        match self {
            Marginal::One(s) => s.count_within_row(row, r, strict),
            Marginal::Many(t) => t.count_within(q, r, strict),
        }
    }
}

/// Evaluates `term(row, scratch)` for every row of `tree`, in the tree's query order and in
/// parallel, and returns the terms summed in row order (deterministic for any thread count).
fn sum_terms<F>(tree: &JointTree, k: usize, term: F) -> f64
where
    F: Fn(usize, &mut Vec<(f64, u32)>) -> f64 + Sync,
{
    let order = tree.rows_in_query_order();
    let in_tree_order: Vec<f64> = order
        .par_iter()
        .with_min_len(256)
        .map_init(
            || Vec::with_capacity(k + 1),
            |buf, &r| term(r as usize, buf),
        )
        .collect();
    let mut by_row = vec![0.0; order.len()];
    for (&r, &t) in order.iter().zip(&in_tree_order) {
        by_row[r as usize] = t;
    }
    by_row.iter().sum()
}

/// Structures for one side of an `I(X;Y)` estimate, built once and reused (the target of
/// a many-features run).
#[derive(Debug, Clone)]
pub(crate) struct Side {
    pub block: Block,
    pub marginal: Marginal,
}

impl Side {
    pub fn new(block: Block) -> Self {
        let marginal = Marginal::new(&block);
        Side { block, marginal }
    }
}

/// KSG algorithm 1 (Kraskov, Stögbauer & Grassberger 2004, eq. 8), with the Gao et al. (2017)
/// rule for points whose k-th neighbour is at distance 0.
pub(crate) fn ksg1(x: &Side, y: &Side, k: usize) -> f64 {
    let n = x.block.rows;
    let dx = x.block.dim;
    if let (Marginal::One(sx), Marginal::One(sy)) = (&x.marginal, &y.marginal) {
        if sx.repeated_fraction() <= STRIP_MAX_TIES && sy.repeated_fraction() <= STRIP_MAX_TIES {
            let psi = digamma_table(n);
            let terms = plane_terms(
                &x.block.data,
                sx,
                &y.block.data,
                sy,
                k,
                PlaneMethod::Auto,
                |pt: PlanePoint| {
                    let strict = pt.eps > 0.0;
                    let (nx, ny) = if pt.a_is_x {
                        (
                            sx.count_within_position(pt.pos_a, pt.eps, strict),
                            sy.count_within_row(pt.row, pt.eps, strict),
                        )
                    } else {
                        (
                            sx.count_within_row(pt.row, pt.eps, strict),
                            sy.count_within_position(pt.pos_a, pt.eps, strict),
                        )
                    };
                    psi[pt.copies as usize] - psi[nx] - psi[ny]
                },
            );
            return psi[n] + terms.iter().sum::<f64>() / n as f64;
        }
    }
    let joint = Block::hstack(&[&x.block, &y.block]);
    let psi = digamma_table(n);
    if let (Marginal::One(sx), Marginal::One(sy)) = (&x.marginal, &y.marginal) {
        // 2-D: our tree (faster there than kiddo, see `joint`), walked by tree position.
        let tree = KdTree::new(&joint.data, joint.dim);
        return ksg1_sorted(&tree, sx, sy, k, &psi);
    }
    let tree = JointTree::new(&joint.data, joint.dim);
    let total = sum_terms(&tree, k, |i, buf| {
        let eps = tree.kth_distance(i, k, buf);
        let p = tree.point(i);
        let (px, py) = p.split_at(dx);
        if eps > 0.0 {
            let nx = x.marginal.count(i, px, eps, true);
            let ny = y.marginal.count(i, py, eps, true);
            psi[k] - psi[nx] - psi[ny]
        } else {
            // More than k copies of this point: count the copies (Gao et al. 2017).
            let kk = tree.copies(i) - 1;
            let nx = x.marginal.count(i, px, 0.0, false);
            let ny = y.marginal.count(i, py, 0.0, false);
            psi[kk] - psi[nx] - psi[ny]
        }
    });
    psi[n] + total / n as f64
}

/// [`ksg1`] for 1-D X and Y in three cache-friendly passes: radii in tree order, then x counts
/// in x-sorted order and y counts in y-sorted order. Same terms, same row-order sum.
fn ksg1_sorted(tree: &KdTree, sx: &Sorted1d, sy: &Sorted1d, k: usize, psi: &[f64]) -> f64 {
    let n = tree.len();
    let order = tree.rows_in_tree_order();
    // (radius, number of other copies when the radius is 0 — else k)
    let radii: Vec<(f64, u32)> = (0..n)
        .into_par_iter()
        .with_min_len(256)
        .map_init(
            || Vec::with_capacity(k + 1),
            |buf, p| {
                tree.knn_at(p, k, buf);
                let eps = buf[k - 1].0;
                if eps > 0.0 {
                    (eps, k as u32)
                } else {
                    (
                        0.0,
                        (tree.count_within(tree.point_at(p), 0.0, false) - 1) as u32,
                    )
                }
            },
        )
        .collect();
    let mut by_row = vec![(0.0, 0u32); n];
    for (&r, &e) in order.iter().zip(&radii) {
        by_row[r as usize] = e;
    }
    ksg1_from_radii(&by_row, sx, sy, psi)
}

/// The KSG-1 sum from each row's `(radius, k or copy count)`: x counts in x-sorted order, y
/// counts in y-sorted order (cache-friendly), terms summed in row order.
fn ksg1_from_radii(by_row: &[(f64, u32)], sx: &Sorted1d, sy: &Sorted1d, psi: &[f64]) -> f64 {
    let n = by_row.len();
    let counts = |s: &Sorted1d| -> Vec<u32> {
        let in_order: Vec<u32> = s
            .rows_in_order()
            .par_iter()
            .enumerate()
            .with_min_len(1024)
            .map(|(p, &r)| {
                let eps = by_row[r as usize].0;
                s.count_within_position(p, eps, eps > 0.0) as u32
            })
            .collect();
        let mut out = vec![0u32; n];
        for (&r, &c) in s.rows_in_order().iter().zip(&in_order) {
            out[r as usize] = c;
        }
        out
    };
    let (nx, ny) = rayon::join(|| counts(sx), || counts(sy));
    let total: f64 = (0..n)
        .map(|i| psi[by_row[i].1 as usize] - psi[nx[i] as usize] - psi[ny[i] as usize])
        .sum();
    psi[n] + total / n as f64
}

/// Above this fraction of repeated values in either column the strip scan of
/// [`plane_terms`] can degrade (long runs at distance 0), so the k-d tree is used instead.
/// Both give the same radii.
const STRIP_MAX_TIES: f64 = 0.05;

/// Query points per parallel task of the strip scan (fixed, so the work split does not depend
/// on the thread count; every radius is computed independently anyway).
const STRIP_CHUNK: usize = 2048;

/// How [`plane_terms`] searches: the grid when it pays (else the strip), or one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlaneMethod {
    Auto,
    #[cfg_attr(not(test), allow(dead_code))]
    Strip,
    #[cfg_attr(not(test), allow(dead_code))]
    Grid,
}

/// The radii of [`plane_terms`] by row (tests compare the methods with brute force).
#[cfg(test)]
fn plane_radii(
    xv: &[f64],
    sx: &Sorted1d,
    yv: &[f64],
    sy: &Sorted1d,
    k: usize,
    method: PlaneMethod,
) -> Vec<(f64, u32)> {
    plane_terms(xv, sx, yv, sy, k, method, |pt| (pt.eps, pt.copies))
}

/// One point of the (x, y) plane with its k-th neighbour distance, as handed to the
/// per-point function of [`plane_terms`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlanePoint {
    /// Original row.
    pub row: usize,
    /// Position in the sorted order of the scanned column `a`.
    pub pos_a: usize,
    /// Whether `a` is x (else y).
    pub a_is_x: bool,
    /// k-th neighbour max-norm distance.
    pub eps: f64,
    /// `k`, or the number of other copies of the point when `eps` is 0.
    pub copies: u32,
}

/// Each row's k-th nearest-neighbour max-norm distance in the joint (x, y) plane of two 1-D
/// columns, and `k` — or, when that distance is 0, the number of other copies of the point
/// (the Gao et al. 2017 rule) — without a tree.
///
/// Points are visited in sorted order of the column with the larger spread (`a`); for each
/// query the scan moves outward on both sides and stops on a side once `|Δa|` reaches the
/// current k-th distance, which no farther point can then improve (`max(|Δa|, |Δb|) ≥ |Δa|`,
/// and `|Δa|` grows monotonically along the sorted order, also in floating point). Distances
/// are computed exactly as the brute-force scan computes them, so the radii are identical.
/// The expected scan length is about `√(kN · f_a / f_b)` (densities of the two columns), which
/// is why the wider column is scanned along.
///
/// Returns `term(point)` for every row, indexed by row: the radii are found chunk by chunk in
/// parallel (on the grid of [`Grid`] when it pays), and each chunk's terms are computed while
/// the chunk is in cache.
#[allow(clippy::too_many_arguments)]
fn plane_terms<T, F>(
    xv: &[f64],
    sx: &Sorted1d,
    yv: &[f64],
    sy: &Sorted1d,
    k: usize,
    method: PlaneMethod,
    term: F,
) -> Vec<T>
where
    T: Copy + Default + Send + Sync,
    F: Fn(PlanePoint) -> T + Sync,
{
    let n = xv.len();
    debug_assert!(k >= 1 && k < n);
    let a_is_x = sx.spread() >= sy.spread();
    let (sa, other) = if a_is_x { (sx, yv) } else { (sy, xv) };
    let a = sa.values();
    let rows = sa.rows_in_order();
    let b: Vec<f64> = rows.iter().map(|&r| other[r as usize]).collect();
    let grid = match method {
        PlaneMethod::Strip => None,
        _ => Grid::new(a, &b, k),
    };
    assert!(
        method != PlaneMethod::Grid || grid.is_some(),
        "grid refused for this data"
    );
    // Queries in grid order when there is a grid (consecutive queries then share their
    // neighbourhoods in cache), else in a-sorted order.
    let pos_a = |i: usize| grid.as_ref().map_or(i, |g| g.sorted_of[i] as usize);
    let mut scanned = vec![T::default(); n];
    scanned
        .par_chunks_mut(STRIP_CHUNK)
        .enumerate()
        .for_each(|(ci, out)| {
            let start = ci * STRIP_CHUNK;
            let mut radii = vec![(0.0f64, 0u32); out.len()];
            match &grid {
                Some(g) => g.fill(a, &b, start, k, &mut radii),
                None => strip_fill(a, &b, start, k, &mut radii),
            }
            for (j, (o, &(eps, copies))) in out.iter_mut().zip(&radii).enumerate() {
                let p = pos_a(start + j);
                *o = term(PlanePoint {
                    row: rows[p] as usize,
                    pos_a: p,
                    a_is_x,
                    eps,
                    copies,
                });
            }
        });
    let mut by_row = vec![T::default(); n];
    for (i, &t) in scanned.iter().enumerate() {
        by_row[rows[pos_a(i)] as usize] = t;
    }
    by_row
}

/// Runs `$body` with `$top` bound to `$len` scratch slots, as a fixed-size array for the
/// common lengths so that [`insert_sorted`] unrolls and the slots stay in registers.
macro_rules! with_slots {
    ($len:expr, $top:ident => $body:expr) => {
        with_slots!(@arms $len, $top, $body; 1 2 3 4 5 6 7 8)
    };
    (@arms $len:expr, $top:ident, $body:expr; $($n:literal)*) => {
        match $len {
            $($n => {
                let $top = &mut [0.0f64; $n][..];
                $body
            })*
            len => {
                let $top = &mut vec![0.0f64; len][..];
                $body
            }
        }
    };
}

/// A uniform grid over the (a, b) plane for the k-th neighbour distance of 1-D × 1-D data,
/// the points bucketed by cell (counting sort), columns of cells along `a`.
///
/// A query scans rings of cells around its own cell and stops once the k-th distance found is
/// at most the distance to every point outside the rings scanned. That distance is bounded
/// with the actual extreme coordinates of the points in the columns (rows) beyond the rings —
/// prefix maxima and suffix minima — so the test is exact whatever rounding put a point in
/// its cell, and the radius equals the brute-force one.
struct Grid {
    gx: usize,
    gy: usize,
    /// Cell `cx·gy + cy` holds grid positions `start[cell]..start[cell + 1]`.
    start: Vec<u32>,
    /// Coordinates in grid order.
    ga: Vec<f64>,
    gb: Vec<f64>,
    /// Position in the a-sorted order of each grid position.
    sorted_of: Vec<u32>,
    /// Cell column / row of each grid position.
    cx: Vec<u32>,
    cy: Vec<u32>,
    /// Largest `a` among points in columns `≤ c`; smallest `a` among columns `≥ c`.
    pre_max_a: Vec<f64>,
    suf_min_a: Vec<f64>,
    /// The same over rows for `b`.
    pre_max_b: Vec<f64>,
    suf_min_b: Vec<f64>,
}

/// Points per block of the grid scan.
const GRID_BLOCK: usize = 8;

/// Points whose k-th distance sets the cell size (spread evenly over the sorted order).
const GRID_PROBES: usize = 64;

/// At most this many cells per point (sparse grids cost memory and empty-cell visits).
const GRID_MAX_CELLS_PER_POINT: f64 = 4.0;

impl Grid {
    /// The grid for `a` (sorted) and `b`, or `None` when it would not pay: few points, or more
    /// than `4N` cells (heavy tails or strong dependence, where the strip scan is used).
    fn new(a: &[f64], b: &[f64], k: usize) -> Option<Self> {
        let n = a.len();
        if n < 4 * GRID_PROBES {
            return None;
        }
        let mut top = vec![f64::INFINITY; k];
        let mut probe: Vec<f64> = (0..GRID_PROBES)
            .map(|i| strip_kth(a, b, i * n / GRID_PROBES + n / (2 * GRID_PROBES), &mut top))
            .collect();
        probe.sort_unstable_by(f64::total_cmp);
        let h = 2.0 * probe[GRID_PROBES / 2];
        let (amin, amax) = (a[0], a[n - 1]);
        let (bmin, bmax) = b
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        if h.is_nan() || h <= 0.0 || h.is_infinite() {
            return None;
        }
        let (wa, wb) = ((amax - amin) / h, (bmax - bmin) / h);
        if !(wa.is_finite() && wb.is_finite())
            || (wa + 1.0) * (wb + 1.0) > GRID_MAX_CELLS_PER_POINT * n as f64
        {
            return None;
        }
        let (gx, gy) = (wa as usize + 1, wb as usize + 1);
        let cell_of = |v: f64, lo: f64, g: usize| (((v - lo) / h) as usize).min(g - 1);
        let cx: Vec<u32> = a.iter().map(|&v| cell_of(v, amin, gx) as u32).collect();
        let cy: Vec<u32> = b.iter().map(|&v| cell_of(v, bmin, gy) as u32).collect();
        let cells = gx * gy;
        let mut start = vec![0u32; cells + 1];
        for (&x, &y) in cx.iter().zip(&cy) {
            start[x as usize * gy + y as usize + 1] += 1;
        }
        for c in 0..cells {
            start[c + 1] += start[c];
        }
        let mut fill = start.clone();
        let mut sorted_of = vec![0u32; n];
        let mut ga = vec![0.0; n];
        let mut gb = vec![0.0; n];
        let (mut gcx, mut gcy) = (vec![0u32; n], vec![0u32; n]);
        for p in 0..n {
            let cell = cx[p] as usize * gy + cy[p] as usize;
            let g = fill[cell] as usize;
            fill[cell] += 1;
            sorted_of[g] = p as u32;
            ga[g] = a[p];
            gb[g] = b[p];
            gcx[g] = cx[p];
            gcy[g] = cy[p];
        }
        let mut max_a = vec![f64::NEG_INFINITY; gx];
        let mut min_a = vec![f64::INFINITY; gx];
        let mut max_b = vec![f64::NEG_INFINITY; gy];
        let mut min_b = vec![f64::INFINITY; gy];
        for p in 0..n {
            let (x, y) = (cx[p] as usize, cy[p] as usize);
            max_a[x] = max_a[x].max(a[p]);
            min_a[x] = min_a[x].min(a[p]);
            max_b[y] = max_b[y].max(b[p]);
            min_b[y] = min_b[y].min(b[p]);
        }
        let prefix_max = |v: &mut Vec<f64>| {
            for i in 1..v.len() {
                v[i] = v[i].max(v[i - 1]);
            }
        };
        let suffix_min = |v: &mut Vec<f64>| {
            for i in (0..v.len().saturating_sub(1)).rev() {
                v[i] = v[i].min(v[i + 1]);
            }
        };
        prefix_max(&mut max_a);
        prefix_max(&mut max_b);
        suffix_min(&mut min_a);
        suffix_min(&mut min_b);
        Some(Grid {
            gx,
            gy,
            start,
            ga,
            gb,
            sorted_of,
            cx: gcx,
            cy: gcy,
            pre_max_a: max_a,
            suf_min_a: min_a,
            pre_max_b: max_b,
            suf_min_b: min_b,
        })
    }

    /// Radii of the points at grid positions `start..start + out.len()`, as [`strip_fill`], with the
    /// widest vector instructions the CPU has (the scan only subtracts, takes absolute values,
    /// maxima and compares — exact operations — so every path gives identical radii).
    fn fill(&self, a: &[f64], b: &[f64], start: usize, k: usize, out: &mut [(f64, u32)]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: `fill_avx2` only needs AVX2, which the CPU was just checked to have.
            #[allow(unsafe_code)]
            unsafe {
                self.fill_avx2(a, b, start, k, out);
            }
            return;
        }
        self.fill_portable(a, b, start, k, out);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn fill_avx2(&self, a: &[f64], b: &[f64], start: usize, k: usize, out: &mut [(f64, u32)]) {
        self.fill_portable(a, b, start, k, out);
    }

    #[inline(always)]
    fn fill_portable(&self, a: &[f64], b: &[f64], start: usize, k: usize, out: &mut [(f64, u32)]) {
        // k + 1 slots: the query itself is scanned too, at distance 0.
        with_slots!(k + 1, top => self.fill_slots(a, b, start, k, top, out))
    }

    #[inline(always)]
    fn fill_slots(
        &self,
        a: &[f64],
        b: &[f64],
        start: usize,
        k: usize,
        top: &mut [f64],
        out: &mut [(f64, u32)],
    ) {
        for (j, o) in out.iter_mut().enumerate() {
            let g = start + j;
            let eps = self.kth(g, top);
            *o = if eps > 0.0 {
                (eps, k as u32)
            } else {
                (0.0, strip_copies(a, b, self.sorted_of[g] as usize) as u32)
            };
        }
    }

    /// Scans grid positions `lo..hi` into `top`: distances of a block of points are computed
    /// branch-free, and a block with a point closer than `bound` goes through the insertion
    /// network whole (no data-dependent branch per point).
    #[inline(always)]
    fn scan(&self, lo: usize, hi: usize, qa: f64, qb: f64, top: &mut [f64], bound: &mut f64) {
        let (ga, gb) = (&self.ga[lo..hi], &self.gb[lo..hi]);
        let mut ca = ga.chunks_exact(GRID_BLOCK);
        let mut cb = gb.chunks_exact(GRID_BLOCK);
        for (ba, bb) in (&mut ca).zip(&mut cb) {
            let mut d = [0.0f64; GRID_BLOCK];
            for i in 0..GRID_BLOCK {
                let da = (ba[i] - qa).abs();
                let db = (bb[i] - qb).abs();
                d[i] = if db > da { db } else { da };
            }
            if d.iter().fold(false, |h, &di| h | (di < *bound)) {
                for &di in &d {
                    insert_sorted(top, di);
                }
                *bound = top[top.len() - 1];
            }
        }
        for (&va, &vb) in ca.remainder().iter().zip(cb.remainder()) {
            let da = (va - qa).abs();
            let db = (vb - qb).abs();
            insert_sorted(top, if db > da { db } else { da });
        }
        *bound = top[top.len() - 1];
    }

    /// The k-th smallest max-norm distance from the point at grid position `me` to the others
    /// (`top.len()` = k + 1: the point itself is scanned too, at distance 0, which is never
    /// more than one of the k + 1 smallest).
    #[inline(always)]
    fn kth(&self, me: usize, top: &mut [f64]) -> f64 {
        top.fill(f64::INFINITY);
        let (qa, qb) = (self.ga[me], self.gb[me]);
        let (cx, cy) = (self.cx[me] as usize, self.cy[me] as usize);
        let (gx, gy) = (self.gx, self.gy);
        let mut bound = f64::INFINITY;
        let cell = |x: usize, y: usize| x * gy + y;
        // Points of column x, rows y0..=y1, are contiguous.
        let span = |x: usize, y0: usize, y1: usize| {
            (
                self.start[cell(x, y0)] as usize,
                self.start[cell(x, y1) + 1] as usize,
            )
        };
        // The 3 × 3 block of cells first, as three contiguous column spans: with cells twice
        // the median k-th distance it usually settles the query.
        let (y0, y1) = (cy.saturating_sub(1), (cy + 1).min(gy - 1));
        let (lo, hi) = span(cx, y0, y1);
        self.scan(lo, hi, qa, qb, top, &mut bound);
        if cx > 0 {
            let (lo, hi) = span(cx - 1, y0, y1);
            self.scan(lo, hi, qa, qb, top, &mut bound);
        }
        if cx + 1 < gx {
            let (lo, hi) = span(cx + 1, y0, y1);
            self.scan(lo, hi, qa, qb, top, &mut bound);
        }
        let mut r = 1usize;
        loop {
            // Points outside columns cx−r..=cx+r and rows cy−r..=cy+r are at least this far.
            let mut outside = f64::INFINITY;
            if cx > r {
                outside = outside.min(qa - self.pre_max_a[cx - r - 1]);
            }
            if cx + r + 1 < gx {
                outside = outside.min(self.suf_min_a[cx + r + 1] - qa);
            }
            if cy > r {
                outside = outside.min(qb - self.pre_max_b[cy - r - 1]);
            }
            if cy + r + 1 < gy {
                outside = outside.min(self.suf_min_b[cy + r + 1] - qb);
            }
            if bound <= outside {
                return bound;
            }
            r += 1;
            let y0 = cy.saturating_sub(r);
            let y1 = (cy + r).min(gy - 1);
            if cx >= r {
                let (lo, hi) = span(cx - r, y0, y1);
                self.scan(lo, hi, qa, qb, top, &mut bound);
            }
            if cx + r < gx {
                let (lo, hi) = span(cx + r, y0, y1);
                self.scan(lo, hi, qa, qb, top, &mut bound);
            }
            let x0 = (cx + 1).saturating_sub(r);
            let x1 = (cx + r - 1).min(gx - 1);
            for x in x0..=x1 {
                if cy >= r {
                    let (lo, hi) = span(x, cy - r, cy - r);
                    self.scan(lo, hi, qa, qb, top, &mut bound);
                }
                if cy + r < gy {
                    let (lo, hi) = span(x, cy + r, cy + r);
                    self.scan(lo, hi, qa, qb, top, &mut bound);
                }
            }
        }
    }
}

/// Radii of the points `start..start + out.len()` (see [`plane_terms`]), with the widest
/// vector instructions the CPU has: the kernel only subtracts, takes absolute values, maxima
/// and compares — all exact — so every instruction set gives bit-identical radii.
fn strip_fill(a: &[f64], b: &[f64], start: usize, k: usize, out: &mut [(f64, u32)]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: `strip_fill_avx2` only needs AVX2, which the CPU was just checked to have.
        #[allow(unsafe_code)]
        unsafe {
            strip_fill_avx2(a, b, start, k, out);
        }
        return;
    }
    strip_fill_portable(a, b, start, k, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn strip_fill_avx2(a: &[f64], b: &[f64], start: usize, k: usize, out: &mut [(f64, u32)]) {
    strip_fill_portable(a, b, start, k, out);
}

#[inline(always)]
fn strip_fill_portable(a: &[f64], b: &[f64], start: usize, k: usize, out: &mut [(f64, u32)]) {
    with_slots!(k, top => strip_fill_slots(a, b, start, k, top, out))
}

#[inline(always)]
fn strip_fill_slots(
    a: &[f64],
    b: &[f64],
    start: usize,
    k: usize,
    top: &mut [f64],
    out: &mut [(f64, u32)],
) {
    for (j, o) in out.iter_mut().enumerate() {
        let p = start + j;
        let eps = strip_kth(a, b, p, top);
        *o = if eps > 0.0 {
            (eps, k as u32)
        } else {
            (0.0, strip_copies(a, b, p) as u32)
        };
    }
}

/// Points other than `p` equal to it in both coordinates (`a` sorted, so they are adjacent).
fn strip_copies(a: &[f64], b: &[f64], p: usize) -> usize {
    let (qa, qb) = (a[p], b[p]);
    let right = a[p + 1..]
        .iter()
        .zip(&b[p + 1..])
        .take_while(|(&v, _)| v == qa)
        .filter(|(_, &w)| w == qb)
        .count();
    let left = a[..p]
        .iter()
        .zip(&b[..p])
        .rev()
        .take_while(|(&v, _)| v == qa)
        .filter(|(_, &w)| w == qb)
        .count();
    left + right
}

/// Inserts `d` into the ascending `top`, dropping the largest entry: a branch-free
/// compare-exchange pass (min/max of two finite numbers is exact).
#[inline(always)]
fn insert_sorted(top: &mut [f64], d: f64) {
    let mut carry = d;
    for t in top.iter_mut() {
        let (lo, hi) = if carry < *t { (carry, *t) } else { (*t, carry) };
        *t = lo;
        carry = hi;
    }
}

/// Points per block of the strip scan: distances of a block are computed branch-free (and
/// vectorized), the rare insertions handled afterwards.
const STRIP_BLOCK: usize = 8;

/// Max-norm distances from `(qa, qb)` to a block of points (`left`: all `a ≤ qa`, else all
/// `a ≥ qa`), computed as the brute-force scan does, branch-free.
#[inline(always)]
fn block_dist(
    a: &[f64; STRIP_BLOCK],
    b: &[f64; STRIP_BLOCK],
    qa: f64,
    qb: f64,
    left: bool,
) -> [f64; STRIP_BLOCK] {
    let mut d = [0.0f64; STRIP_BLOCK];
    for i in 0..STRIP_BLOCK {
        let da = if left { qa - a[i] } else { a[i] - qa };
        let db = (b[i] - qb).abs();
        d[i] = if db > da { db } else { da };
    }
    d
}

/// The k-th smallest max-norm distance from point `p` to the other points (`top.len()` = k),
/// scanning outward from `p` along the sorted column `a`.
#[inline(always)]
fn strip_kth(a: &[f64], b: &[f64], p: usize, top: &mut [f64]) -> f64 {
    top.fill(f64::INFINITY);
    let n = a.len();
    let (qa, qb) = (a[p], b[p]);
    let mut bound = f64::INFINITY;
    // Next index to the right; one past the next index to the left.
    let (mut r, mut l) = (p + 1, p);
    let (mut right_open, mut left_open) = (r < n, l > 0);
    while right_open || left_open {
        if right_open {
            if r + STRIP_BLOCK <= n {
                let ab: &[f64; STRIP_BLOCK] = a[r..r + STRIP_BLOCK].try_into().expect("block");
                let bb: &[f64; STRIP_BLOCK] = b[r..r + STRIP_BLOCK].try_into().expect("block");
                let d = block_dist(ab, bb, qa, qb, false);
                if d.iter().fold(false, |h, &di| h | (di < bound)) {
                    for &di in &d {
                        insert_sorted(top, di);
                    }
                    bound = top[top.len() - 1];
                }
                r += STRIP_BLOCK;
                right_open = r < n && a[r - 1] - qa < bound;
            } else {
                while r < n {
                    let da = a[r] - qa;
                    if da >= bound {
                        break;
                    }
                    let db = (b[r] - qb).abs();
                    let di = if db > da { db } else { da };
                    if di < bound {
                        insert_sorted(top, di);
                        bound = top[top.len() - 1];
                    }
                    r += 1;
                }
                right_open = false;
            }
        }
        if left_open {
            if l >= STRIP_BLOCK {
                let s = l - STRIP_BLOCK;
                let ab: &[f64; STRIP_BLOCK] = a[s..s + STRIP_BLOCK].try_into().expect("block");
                let bb: &[f64; STRIP_BLOCK] = b[s..s + STRIP_BLOCK].try_into().expect("block");
                let d = block_dist(ab, bb, qa, qb, true);
                if d.iter().fold(false, |h, &di| h | (di < bound)) {
                    for &di in &d {
                        insert_sorted(top, di);
                    }
                    bound = top[top.len() - 1];
                }
                l = s;
                left_open = l > 0 && qa - a[l] < bound;
            } else {
                while l > 0 {
                    let da = qa - a[l - 1];
                    if da >= bound {
                        break;
                    }
                    let db = (b[l - 1] - qb).abs();
                    let di = if db > da { db } else { da };
                    if di < bound {
                        insert_sorted(top, di);
                        bound = top[top.len() - 1];
                    }
                    l -= 1;
                }
                left_open = false;
            }
        }
    }
    bound
}

/// KSG algorithm 2 (Kraskov et al. 2004, eq. 9).
pub(crate) fn ksg2(x: &Side, y: &Side, k: usize) -> f64 {
    let n = x.block.rows;
    let dx = x.block.dim;
    let joint = Block::hstack(&[&x.block, &y.block]);
    let tree = JointTree::new(&joint.data, joint.dim);
    let psi = digamma_table(n);
    let total = sum_terms(&tree, k, |i, buf| {
        tree.knn(i, k, buf);
        let p = tree.point(i);
        let (px, py) = p.split_at(dx);
        let (mut ex, mut ey) = (0.0f64, 0.0f64);
        for &(_, j) in buf.iter() {
            let q = tree.point(j as usize);
            let (qx, qy) = q.split_at(dx);
            ex = ex.max(crate::kdtree::chebyshev(px, qx));
            ey = ey.max(crate::kdtree::chebyshev(py, qy));
        }
        // Counts exclude the point itself; both are at least k.
        let nx = x.marginal.count(i, px, ex, false) - 1;
        let ny = y.marginal.count(i, py, ey, false) - 1;
        -(psi[nx] + psi[ny])
    });
    psi[k] - 1.0 / k as f64 + psi[n] + total / n as f64
}

/// Gao, Kannan, Oh & Viswanath (2017) mixed estimator, as their reference code `Mixed_KSG`:
/// `ξᵢ = ψ(k̃ᵢ) + ln N − ψ(n_x,i) − ψ(n_y,i)`, counts including the point itself, strict
/// inequality when `ρᵢ > 0`, and `k̃ᵢ` = number of copies when `ρᵢ = 0`.
pub(crate) fn mixed(x: &Side, y: &Side, k: usize) -> f64 {
    let n = x.block.rows;
    let dx = x.block.dim;
    let joint = Block::hstack(&[&x.block, &y.block]);
    let tree = JointTree::new(&joint.data, joint.dim);
    let psi = digamma_table(n);
    let total = sum_terms(&tree, k, |i, buf| {
        let rho = tree.kth_distance(i, k, buf);
        let p = tree.point(i);
        let (px, py) = p.split_at(dx);
        if rho > 0.0 {
            psi[k]
                - psi[x.marginal.count(i, px, rho, true)]
                - psi[y.marginal.count(i, py, rho, true)]
        } else {
            let kk = tree.copies(i);
            psi[kk]
                - psi[x.marginal.count(i, px, 0.0, false)]
                - psi[y.marginal.count(i, py, 0.0, false)]
        }
    });
    (n as f64).ln() + total / n as f64
}

/// KSG conditional MI (Frenzel & Pompe 2007; Vejmelka & Paluš 2008):
/// `I(X;Y|Z) = ψ(k) − ⟨ψ(n_xz+1) + ψ(n_yz+1) − ψ(n_z+1)⟩`, with the zero-distance rule of
/// [`ksg1`].
pub(crate) fn ksg_cmi(x: &Block, y: &Block, z: &Block, k: usize) -> f64 {
    let n = x.rows;
    let (dx, dy) = (x.dim, y.dim);
    let xz = Marginal::new(&Block::hstack(&[x, z]));
    let yz = Marginal::new(&Block::hstack(&[y, z]));
    let zm = Marginal::new(z);
    let joint = Block::hstack(&[x, y, z]);
    let tree = JointTree::new(&joint.data, joint.dim);
    let psi = digamma_table(n);
    let total = sum_terms(&tree, k, |i, buf| {
        let eps = tree.kth_distance(i, k, buf);
        let p = tree.point(i);
        let (px, rest) = p.split_at(dx);
        let (py, pz) = rest.split_at(dy);
        let pxz: Vec<f64> = px.iter().chain(pz).copied().collect();
        let pyz: Vec<f64> = py.iter().chain(pz).copied().collect();
        let (kk, r, strict) = if eps > 0.0 {
            (k, eps, true)
        } else {
            (tree.copies(i) - 1, 0.0, false)
        };
        psi[kk] - psi[xz.count(i, &pxz, r, strict)] - psi[yz.count(i, &pyz, r, strict)]
            + psi[zm.count(i, pz, r, strict)]
    });
    total / n as f64
}

/// Kozachenko–Leonenko differential entropy under the max norm (Kraskov et al. 2004, eq. 20):
/// `H = ψ(N) − ψ(k) + d ln 2 + (d/N) Σ ln εᵢ`, with εᵢ the distance to the k-th neighbour.
pub(crate) fn kozachenko_leonenko(x: &Block, k: usize, what: &'static str) -> Result<f64> {
    let n = x.rows;
    let tree = JointTree::new(&x.data, x.dim);
    let order = tree.rows_in_query_order();
    let eps: Vec<f64> = order
        .par_iter()
        .with_min_len(256)
        .map_init(
            || Vec::with_capacity(k + 1),
            |buf, &r| tree.kth_distance(r as usize, k, buf),
        )
        .collect();
    let mut by_row = vec![0.0; n];
    for (&r, &e) in order.iter().zip(&eps) {
        by_row[r as usize] = e;
    }
    if let Some(row) = by_row.iter().position(|&e| e == 0.0) {
        return Err(ContinuousError::ZeroDistance {
            what,
            row,
            neighbors: k,
        });
    }
    let sum_ln: f64 = by_row.iter().map(|e| e.ln()).sum();
    let psi = digamma_table(n);
    let d = x.dim as f64;
    Ok(psi[n] - psi[k] + d * std::f64::consts::LN_2 + d * sum_ln / n as f64)
}

/// How the continuous–discrete estimators treat a point whose k-th same-class neighbour
/// coincides with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CdFlavor {
    /// Ross (2014): `ψ(N) + ⟨ψ(k)⟩ − ⟨ψ(N_c)⟩ − ⟨ψ(m)⟩` (sklearn `mutual_info_classif`).
    Ross,
    /// Gao et al. (2017): `ln N` in place of `ψ(N)`.
    Mixed,
}

/// Ross (2014) / Gao (2017) MI between continuous `x` and discrete `y`.
///
/// Points whose class has a single member are dropped (as sklearn does); `k` per class is
/// `min(k, N_c − 1)`. When the k-th same-class neighbour is at distance 0 the copies are
/// counted instead (Gao et al. 2017): `k̃` = same-class copies and `m` = all copies, both
/// including the point.
pub(crate) fn continuous_discrete(
    x: &Block,
    y: &Codes,
    k: usize,
    flavor: CdFlavor,
    class_trees: Option<&ClassIndex>,
) -> f64 {
    let owned;
    let classes = match class_trees {
        Some(c) => c,
        None => {
            owned = ClassIndex::new(y);
            &owned
        }
    };
    let kept: Vec<usize> = (0..x.rows)
        .filter(|&i| classes.counts[y.get(i) as usize] > 1)
        .collect();
    let n = kept.len();
    if n == 0 {
        return 0.0;
    }
    let kept_block = Block {
        data: kept
            .iter()
            .flat_map(|&i| x.row(i).iter().copied())
            .collect(),
        rows: n,
        dim: x.dim,
    };
    let all = Marginal::new(&kept_block);
    let per_class: Vec<Option<JointTree>> = classes
        .members
        .par_iter()
        .map(|rows| {
            (rows.len() > 1).then(|| {
                let data: Vec<f64> = rows
                    .iter()
                    .flat_map(|&i| x.row(i).iter().copied())
                    .collect();
                JointTree::new(&data, x.dim)
            })
        })
        .collect();
    let psi = digamma_table(x.rows);
    let terms: Vec<f64> = kept
        .par_iter()
        .enumerate()
        .with_min_len(256)
        .map_init(
            || Vec::with_capacity(k + 1),
            |buf, (pi, &i)| {
                let c = y.get(i) as usize;
                let tree = per_class[c].as_ref().expect("kept rows have a class tree");
                let nc = classes.counts[c];
                let kc = k.min(nc - 1);
                let local = classes.local[i] as usize;
                let r = tree.kth_distance(local, kc, buf);
                let p = x.row(i);
                if r > 0.0 {
                    psi[kc] - psi[nc] - psi[all.count(pi, p, r, true)]
                } else {
                    let kk = tree.copies(local);
                    psi[kk] - psi[nc] - psi[all.count(pi, p, 0.0, false)]
                }
            },
        )
        .collect();
    let lead = match flavor {
        CdFlavor::Ross => psi[n],
        CdFlavor::Mixed => (n as f64).ln(),
    };
    lead + terms.iter().sum::<f64>() / n as f64
}

/// Per-class row lists of a discrete target, built once for many features.
#[derive(Debug, Clone)]
pub(crate) struct ClassIndex {
    pub counts: Vec<usize>,
    pub members: Vec<Vec<usize>>,
    /// Row -> position inside its class.
    pub local: Vec<u32>,
}

impl ClassIndex {
    pub fn new(y: &Codes) -> Self {
        let card = y.cardinality() as usize;
        let mut members = vec![Vec::new(); card];
        let mut local = vec![0u32; y.len()];
        for (i, l) in local.iter_mut().enumerate() {
            let c = y.get(i) as usize;
            *l = members[c].len() as u32;
            members[c].push(i);
        }
        let counts = members.iter().map(Vec::len).collect();
        ClassIndex {
            counts,
            members,
            local,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kdtree::brute;
    use proptest::prelude::*;

    /// Brute-force (radius, k or copies) per row.
    fn brute_radii(x: &[f64], y: &[f64], k: usize) -> Vec<(f64, u32)> {
        let data: Vec<f64> = x.iter().zip(y).flat_map(|(&a, &b)| [a, b]).collect();
        (0..x.len())
            .map(|i| {
                let eps = brute::kth_distance(&data, 2, i, k);
                if eps > 0.0 {
                    (eps, k as u32)
                } else {
                    let copies = brute::count_within(&data, 2, &data[2 * i..2 * i + 2], 0.0, false);
                    (0.0, (copies - 1) as u32)
                }
            })
            .collect()
    }

    /// Continuous values with some exact duplicates (rows and single coordinates), and a scale
    /// per column so either column can be the wider one.
    fn plane(n: std::ops::Range<usize>) -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
        (n, any::<u64>(), 0.01f64..100.0, -1.0f64..1.0).prop_map(|(n, seed, scale, rho)| {
            let mut s = seed | 1;
            let mut u = move || {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
            };
            let mut x = Vec::with_capacity(n);
            let mut y = Vec::with_capacity(n);
            for i in 0..n {
                let a = u() + u() + u();
                let b = (rho * a + u()) * scale;
                if i > 2 && i % 17 == 0 {
                    // An exact copy of an earlier row, or of one coordinate.
                    let j = i / 3;
                    x.push(x[j]);
                    y.push(if i % 2 == 0 { y[j] } else { b });
                } else {
                    x.push(a);
                    y.push(b);
                }
            }
            (x, y)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn strip_and_grid_radii_equal_brute_force((x, y) in plane(256..700), k in 1usize..10) {
            let want = brute_radii(&x, &y, k);
            let (sx, sy) = (Sorted1d::new(&x), Sorted1d::new(&y));
            let strip = plane_radii(&x, &sx, &y, &sy, k, PlaneMethod::Strip);
            prop_assert_eq!(&strip, &want);
            let a = if sx.spread() >= sy.spread() { &sx } else { &sy };
            let b: Vec<f64> = a
                .rows_in_order()
                .iter()
                .map(|&r| if std::ptr::eq(a, &sx) { y[r as usize] } else { x[r as usize] })
                .collect();
            if Grid::new(a.values(), &b, k).is_some() {
                let grid = plane_radii(&x, &sx, &y, &sy, k, PlaneMethod::Grid);
                prop_assert_eq!(&grid, &want);
            }
            let auto = plane_radii(&x, &sx, &y, &sy, k, PlaneMethod::Auto);
            prop_assert_eq!(&auto, &want);
        }

        #[test]
        fn strip_radii_equal_brute_force_on_small_tied_data(
            pts in proptest::collection::vec((0i32..6, 0i32..5), 3..40),
            k in 1usize..3,
        ) {
            prop_assume!(pts.len() > k);
            let x: Vec<f64> = pts.iter().map(|p| p.0 as f64 * 0.5).collect();
            let y: Vec<f64> = pts.iter().map(|p| p.1 as f64 * 0.25).collect();
            let (sx, sy) = (Sorted1d::new(&x), Sorted1d::new(&y));
            let strip = plane_radii(&x, &sx, &y, &sy, k, PlaneMethod::Strip);
            prop_assert_eq!(strip, brute_radii(&x, &y, k));
        }
    }

    #[test]
    fn grid_is_used_on_ordinary_data() {
        let n = 5000;
        let x: Vec<f64> = (0..n).map(|i| ((i * 7919) % n) as f64 / n as f64).collect();
        let y: Vec<f64> = (0..n)
            .map(|i| ((i * 104_729) % n) as f64 / n as f64)
            .collect();
        let sx = Sorted1d::new(&x);
        let b: Vec<f64> = sx.rows_in_order().iter().map(|&r| y[r as usize]).collect();
        assert!(Grid::new(sx.values(), &b, 3).is_some());
    }
}
