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

/// Evaluates `term(row, scratch)` for every row of `tree`, in tree order and in parallel,
/// and returns the terms summed in row order (deterministic for any thread count).
fn sum_terms<F>(tree: &KdTree, k: usize, term: F) -> f64
where
    F: Fn(usize, &mut Vec<(f64, u32)>) -> f64 + Sync,
{
    let order = tree.rows_in_tree_order();
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
    let joint = Block::hstack(&[&x.block, &y.block]);
    let tree = KdTree::new(&joint.data, joint.dim);
    let psi = digamma_table(n);
    if let (Marginal::One(sx), Marginal::One(sy)) = (&x.marginal, &y.marginal) {
        return ksg1_sorted(&tree, sx, sy, k, &psi);
    }
    let total = sum_terms(&tree, k, |i, buf| {
        tree.knn(i, k, buf);
        let eps = buf[k - 1].0;
        let p = tree.point(i);
        let (px, py) = p.split_at(dx);
        if eps > 0.0 {
            let nx = x.marginal.count(i, px, eps, true);
            let ny = y.marginal.count(i, py, eps, true);
            psi[k] - psi[nx] - psi[ny]
        } else {
            // More than k copies of this point: count the copies (Gao et al. 2017).
            let kk = tree.count_within(p, 0.0, false) - 1;
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

/// KSG algorithm 2 (Kraskov et al. 2004, eq. 9).
pub(crate) fn ksg2(x: &Side, y: &Side, k: usize) -> f64 {
    let n = x.block.rows;
    let dx = x.block.dim;
    let joint = Block::hstack(&[&x.block, &y.block]);
    let tree = KdTree::new(&joint.data, joint.dim);
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
    let tree = KdTree::new(&joint.data, joint.dim);
    let psi = digamma_table(n);
    let total = sum_terms(&tree, k, |i, buf| {
        tree.knn(i, k, buf);
        let rho = buf[k - 1].0;
        let p = tree.point(i);
        let (px, py) = p.split_at(dx);
        if rho > 0.0 {
            psi[k]
                - psi[x.marginal.count(i, px, rho, true)]
                - psi[y.marginal.count(i, py, rho, true)]
        } else {
            let kk = tree.count_within(p, 0.0, false);
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
    let tree = KdTree::new(&joint.data, joint.dim);
    let psi = digamma_table(n);
    let total = sum_terms(&tree, k, |i, buf| {
        tree.knn(i, k, buf);
        let eps = buf[k - 1].0;
        let p = tree.point(i);
        let (px, rest) = p.split_at(dx);
        let (py, pz) = rest.split_at(dy);
        let pxz: Vec<f64> = px.iter().chain(pz).copied().collect();
        let pyz: Vec<f64> = py.iter().chain(pz).copied().collect();
        let (kk, r, strict) = if eps > 0.0 {
            (k, eps, true)
        } else {
            (tree.count_within(p, 0.0, false) - 1, 0.0, false)
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
    let tree = KdTree::new(&x.data, x.dim);
    let order = tree.rows_in_tree_order();
    let eps: Vec<f64> = order
        .par_iter()
        .with_min_len(256)
        .map_init(
            || Vec::with_capacity(k + 1),
            |buf, &r| {
                tree.knn(r as usize, k, buf);
                buf[k - 1].0
            },
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
    let per_class: Vec<Option<KdTree>> = classes
        .members
        .par_iter()
        .map(|rows| {
            (rows.len() > 1).then(|| {
                let data: Vec<f64> = rows
                    .iter()
                    .flat_map(|&i| x.row(i).iter().copied())
                    .collect();
                KdTree::new(&data, x.dim)
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
                tree.knn(local, kc, buf);
                let r = buf[kc - 1].0;
                let p = x.row(i);
                if r > 0.0 {
                    psi[kc] - psi[nc] - psi[all.count(pi, p, r, true)]
                } else {
                    let kk = tree.count_within(p, 0.0, false);
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
