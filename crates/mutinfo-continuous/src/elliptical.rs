//! Elliptical-copula MI: the Student-t copula fitted by maximum likelihood, kept when a
//! likelihood-ratio test prefers it to the Gaussian copula it nests (ν → ∞).
//!
//! Every column is replaced by its ordinal ranks (ties by row), `u = r / (N + 1)`. The
//! correlation matrix comes from Kendall's τ, `R = sin(πτ/2)`, which holds for every
//! elliptical copula (Lindskog, McNeil & Schmock 2003); the degrees of freedom ν maximize the
//! t-copula log-likelihood with R held fixed (the profile likelihood of Demarta & McNeil 2005,
//! "The t copula and related copulas"). MI is a property of the copula alone, and for the
//! t copula it is that of a multivariate t:
//!
//! ```text
//! I = ½ (ln|R_XX| + ln|R_YY| − ln|R|) + f(d_X) + f(d_Y) − f(d_X + d_Y)
//! f(d) = lnΓ(ν/2) − lnΓ((ν+d)/2) + (ν+d)/2 · [ψ((ν+d)/2) − ψ(ν/2)]
//! ```
//!
//! with the Gaussian log-determinant bias correction of [`crate::gaussian`] subtracted. The
//! Student-t copula has tail dependence, which the Gaussian copula lacks: on t-distributed data
//! with identity correlation the Gaussian copula reports 0 while the MI is positive.

use statrs::distribution::{ContinuousCDF, StudentsT};
use statrs::function::gamma::ln_gamma;

use crate::data::Block;
use crate::gaussian::{cholesky, log_det_bias, NormalScores};
use crate::kdtree::sort_rows;
use crate::special::digamma;

/// χ²₁ at 0.999: the t copula is kept when `2 (ℓ_t − ℓ_Gauss)` exceeds it.
pub const LR_CRITICAL: f64 = 10.827_566_170_662_733;

/// Degrees of freedom searched: `NU_GRID` points evenly spaced in ln ν over
/// `[NU_MIN, NU_MAX]` (steps of 0.025), refined by a parabola through the best point and its
/// neighbours.
const NU_MIN: f64 = 0.3;
const NU_MAX: f64 = 1000.0;
const NU_GRID: usize = 321;
/// The search evaluates every `SEARCH_STEPS[0]`-th grid point, then, around the best point so
/// far, the points at each finer step out to the previous step: 25 evaluations in all.
const SEARCH_STEPS: [usize; 4] = [32, 8, 2, 1];

/// At most this many rows enter the likelihood search for ν and the likelihood-ratio test:
/// above it, the rows whose rank in the first column is a multiple of `⌈N / FIT_ROWS⌉` (a
/// sample stratified on that column, independent of the row order). The correlation matrix
/// always uses every row.
pub const FIT_ROWS: usize = 5000;

/// Rows that enter the ν search for `n` rows (see [`FIT_ROWS`]).
pub(crate) fn fit_rows(n: usize) -> usize {
    if n > FIT_ROWS {
        n.div_ceil(n.div_ceil(FIT_ROWS))
    } else {
        n
    }
}

/// The ranks of the stratified subsample of [`FIT_ROWS`], re-ranked `0..fit_rows(n)`.
fn subsample(ranks: &[&[u32]]) -> Vec<Vec<u32>> {
    let n = ranks[0].len();
    let m = n.div_ceil(FIT_ROWS) as u32;
    let keep: Vec<bool> = ranks[0].iter().map(|&r| r % m == 0).collect();
    ranks
        .iter()
        .map(|col| {
            let mut row_of_rank = vec![0u32; n];
            for (row, &r) in col.iter().enumerate() {
                row_of_rank[r as usize] = row as u32;
            }
            let mut new_rank = vec![u32::MAX; n];
            let mut next = 0u32;
            for &row in &row_of_rank {
                if keep[row as usize] {
                    new_rank[row as usize] = next;
                    next += 1;
                }
            }
            (0..n)
                .filter(|&row| keep[row])
                .map(|row| new_rank[row])
                .collect()
        })
        .collect()
}

/// Smallest eigenvalue allowed in the Kendall correlation matrix (it is repaired above that).
const MIN_EIGENVALUE: f64 = 1e-6;

/// The ordinal ranks (0-based, ties by row) of every column of a block, column-major.
#[derive(Debug, Clone)]
pub(crate) struct Ranks {
    pub cols: Vec<Vec<u32>>,
}

impl Ranks {
    pub fn new(b: &Block) -> Self {
        let cols = (0..b.dim)
            .map(|j| ranks_from_order(&sort_rows(&b.column(j))))
            .collect();
        Ranks { cols }
    }

    /// Ranks of a one-column block whose sorted order (as `sort_rows` gives it) is known.
    pub fn from_order(order: &[u32]) -> Self {
        Ranks {
            cols: vec![ranks_from_order(order)],
        }
    }
}

/// Rank of every row given the rows in sorted order.
fn ranks_from_order(order: &[u32]) -> Vec<u32> {
    let mut r = vec![0u32; order.len()];
    for (p, &row) in order.iter().enumerate() {
        r[row as usize] = p as u32;
    }
    r
}

/// Kendall's τ of two columns of distinct ordinal ranks: `1 − 4D / (N(N−1))` with `D` the
/// discordant pairs, counted as inversions with a Fenwick tree in O(N log N).
pub(crate) fn kendall_tau(a: &[u32], b: &[u32]) -> f64 {
    let n = a.len();
    // b's ranks in the order of a's ranks.
    let mut seq = vec![0u32; n];
    for (i, &ra) in a.iter().enumerate() {
        seq[ra as usize] = b[i];
    }
    let mut tree = vec![0u32; n + 1];
    let mut discordant: u64 = 0;
    for (t, &v) in seq.iter().enumerate() {
        // Earlier elements smaller than v.
        let mut smaller = 0u64;
        let mut i = v as usize;
        while i > 0 {
            smaller += u64::from(tree[i]);
            i &= i - 1;
        }
        discordant += t as u64 - smaller;
        let mut i = v as usize + 1;
        while i <= n {
            tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    }
    let pairs = n as u64 * (n as u64 - 1);
    1.0 - 4.0 * discordant as f64 / pairs as f64
}

/// The fitted elliptical copula of `(X, Y)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EllipticalFit {
    /// t-copula MI in nats (bias-corrected when asked).
    pub t_mi: f64,
    /// `2 (ℓ_t − ℓ_Gauss)`, the likelihood-ratio statistic (1 degree of freedom).
    pub lr: f64,
}

impl EllipticalFit {
    /// Whether the t copula fits significantly better than the Gaussian copula.
    pub fn t_preferred(&self) -> bool {
        self.lr > LR_CRITICAL
    }
}

/// Quantile tables `t_ν⁻¹(r / (N + 1))`, `r = 1..=N`, on the ν grid, computed on first use and
/// shared (across the features of a many-feature run, across threads).
#[derive(Debug)]
pub(crate) struct TTables {
    /// Rows of the fit ([`fit_rows`]).
    n: usize,
    /// Normal scores of the fit's ranks, for the Gaussian-copula likelihood.
    normal: NormalScores,
    tables: Vec<std::sync::OnceLock<TTable>>,
}

#[derive(Debug)]
struct TTable {
    q: Vec<f64>,
    /// `Σ_r ln t_ν(q_r)`: each column's marginal log-density sum (every column holds every rank).
    marginal: f64,
}

fn grid_ln_nu(g: usize) -> f64 {
    let (lo, hi) = (NU_MIN.ln(), NU_MAX.ln());
    lo + (hi - lo) * g as f64 / (NU_GRID - 1) as f64
}

impl TTables {
    /// Tables for data of `n` rows (built for the [`fit_rows`] that enter the search).
    pub fn new(n: usize) -> Self {
        let n = fit_rows(n);
        TTables {
            n,
            normal: NormalScores::new(n),
            tables: (0..NU_GRID).map(|_| std::sync::OnceLock::new()).collect(),
        }
    }

    fn get(&self, g: usize) -> &TTable {
        self.tables[g].get_or_init(|| {
            let n = self.n;
            let nu = grid_ln_nu(g).exp();
            let dist = StudentsT::new(0.0, 1.0, nu).expect("nu in (0.3, 1000)");
            let mut q = vec![0.0; n];
            // Symmetric: the lower half, mirrored (the middle rank of odd N is the median 0).
            for r in 0..n / 2 {
                let v = dist.inverse_cdf((r + 1) as f64 / (n as f64 + 1.0));
                q[r] = v;
                q[n - 1 - r] = -v;
            }
            let c = ln_gamma((nu + 1.0) / 2.0)
                - ln_gamma(nu / 2.0)
                - 0.5 * (nu * std::f64::consts::PI).ln();
            let marginal = q
                .iter()
                .map(|&z| c - (nu + 1.0) / 2.0 * (z * z / nu).ln_1p())
                .sum();
            TTable { q, marginal }
        })
    }
}

/// `I(X;Y)` under the Student-t copula fitted to `(X, Y)` given as ranks (`dx` columns of X
/// first), with the likelihood-ratio statistic against the Gaussian copula; `None` when there
/// are too few rows for the correlation matrix.
pub(crate) fn fit(
    ranks: &[&[u32]],
    dx: usize,
    tables: &TTables,
    bias: bool,
) -> Option<EllipticalFit> {
    let d = ranks.len();
    let n = ranks[0].len();
    if n < d + 3 || dx == 0 || dx >= d {
        return None;
    }
    let r = kendall_correlation(ranks);
    let l = cholesky(&r, d).ok()?;
    let ln_det = |l: &[f64], d: usize| 2.0 * (0..d).map(|i| l[i * d + i].ln()).sum::<f64>();
    let ln_det_r = ln_det(&l, d);
    let sub = |cols: std::ops::Range<usize>| -> Option<f64> {
        let k = cols.len();
        let mut m = vec![0.0; k * k];
        for (a, i) in cols.clone().enumerate() {
            for (b, j) in cols.clone().enumerate() {
                m[a * k + b] = r[i * d + j];
            }
        }
        cholesky(&m, k).ok().map(|l| ln_det(&l, k))
    };
    let (ln_det_x, ln_det_y) = (sub(0..dx)?, sub(dx..d)?);

    // The ν search and the likelihood-ratio test on at most FIT_ROWS rows.
    let n_all = n;
    let sampled = (n > FIT_ROWS).then(|| subsample(ranks));
    let fit_cols: Vec<&[u32]> = match &sampled {
        Some(v) => v.iter().map(|c| &c[..]).collect(),
        None => ranks.to_vec(),
    };
    let ranks = &fit_cols[..];
    let n = ranks[0].len();
    assert_eq!(n, tables.n, "t tables built for another row count");

    // Σ_i z_iᵀ R⁻¹ z_i terms for scores z = table[rank], by forward substitution with L.
    let mut w = vec![0.0; d];
    let mut quad = |table: &[f64], mut each: Box<dyn FnMut(f64) + '_>| {
        for i in 0..n {
            for a in 0..d {
                let mut s = table[ranks[a][i] as usize];
                for b in 0..a {
                    s -= l[a * d + b] * w[b];
                }
                w[a] = s / l[a * d + a];
            }
            each(w.iter().map(|v| v * v).sum());
        }
    };

    // Gaussian copula log-likelihood with the same R.
    let s = tables.normal.values();
    let mut sum_q = 0.0;
    quad(s, Box::new(|q| sum_q += q));
    let sum_s2: f64 = s.iter().map(|v| v * v).sum();
    let ll_gauss = -0.5 * n as f64 * ln_det_r - 0.5 * sum_q + 0.5 * d as f64 * sum_s2;

    let df = d as f64;
    let mut ll = vec![f64::NAN; NU_GRID];
    let mut eval = |g: usize, ll: &mut Vec<f64>| {
        if !ll[g].is_nan() {
            return;
        }
        let t = tables.get(g);
        let nu = grid_ln_nu(g).exp();
        let mut sum_log = 0.0;
        quad(&t.q, Box::new(|q| sum_log += (q / nu).ln_1p()));
        let c = ln_gamma((nu + df) / 2.0)
            - ln_gamma(nu / 2.0)
            - df / 2.0 * (nu * std::f64::consts::PI).ln()
            - 0.5 * ln_det_r;
        ll[g] = n as f64 * c - (nu + df) / 2.0 * sum_log - df * t.marginal;
    };
    let best = |ll: &Vec<f64>| {
        (0..NU_GRID)
            .filter(|&g| !ll[g].is_nan())
            .fold(None, |b: Option<usize>, g| match b {
                Some(h) if ll[h] >= ll[g] => Some(h),
                _ => Some(g),
            })
            .expect("a grid point was evaluated")
    };
    for g in (0..NU_GRID).step_by(SEARCH_STEPS[0]) {
        eval(g, &mut ll);
    }
    for w in SEARCH_STEPS.windows(2) {
        let (wide, step) = (w[0], w[1]);
        let c = best(&ll) as isize;
        let span = (wide - step) as isize;
        for g in (c - span..=c + span).step_by(step) {
            if (0..NU_GRID as isize).contains(&g) {
                eval(g as usize, &mut ll);
            }
        }
    }
    let g = best(&ll);
    let step = grid_ln_nu(1) - grid_ln_nu(0);
    let (mut ln_nu, mut ll_t) = (grid_ln_nu(g), ll[g]);
    if g > 0 && g + 1 < NU_GRID {
        // Vertex of the parabola through the best point and its neighbours (both evaluated).
        let (lm, l0, lp) = (ll[g - 1], ll[g], ll[g + 1]);
        let curv = lm - 2.0 * l0 + lp;
        if curv < 0.0 {
            let delta = (0.5 * (lm - lp) / curv).clamp(-1.0, 1.0);
            ln_nu += delta * step;
            ll_t = l0 - 0.25 * (lm - lp) * delta;
        }
    }
    let nu = ln_nu.exp();
    let f = |k: f64| {
        ln_gamma(nu / 2.0) - ln_gamma((nu + k) / 2.0)
            + (nu + k) / 2.0 * (digamma((nu + k) / 2.0) - digamma(nu / 2.0))
    };
    let dy = d - dx;
    let mut t_mi = 0.5 * (ln_det_x + ln_det_y - ln_det_r) + f(dx as f64) + f(dy as f64) - f(df);
    if bias {
        t_mi -= 0.5 * (log_det_bias(dx, n_all) + log_det_bias(dy, n_all) - log_det_bias(d, n_all));
    }
    Some(EllipticalFit {
        t_mi,
        lr: 2.0 * (ll_t - ll_gauss),
    })
}

/// `R = sin(πτ/2)` from Kendall's τ of every pair of columns, repaired to be positive
/// definite (eigenvalues clipped at [`MIN_EIGENVALUE`], unit diagonal restored) when needed.
fn kendall_correlation(ranks: &[&[u32]]) -> Vec<f64> {
    let d = ranks.len();
    let mut r = vec![0.0; d * d];
    for i in 0..d {
        r[i * d + i] = 1.0;
        for j in 0..i {
            let v = (std::f64::consts::FRAC_PI_2 * kendall_tau(ranks[i], ranks[j])).sin();
            r[i * d + j] = v;
            r[j * d + i] = v;
        }
    }
    let (vals, vecs) = jacobi_eigen(&r, d);
    if vals.iter().all(|&v| v >= MIN_EIGENVALUE) {
        return r;
    }
    let clipped: Vec<f64> = vals.iter().map(|&v| v.max(MIN_EIGENVALUE)).collect();
    let mut m = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..d {
            m[i * d + j] = (0..d)
                .map(|k| vecs[i * d + k] * clipped[k] * vecs[j * d + k])
                .sum();
        }
    }
    let diag: Vec<f64> = (0..d).map(|i| m[i * d + i].sqrt()).collect();
    for i in 0..d {
        for j in 0..d {
            m[i * d + j] /= diag[i] * diag[j];
        }
    }
    m
}

/// Eigenvalues and eigenvectors (columns of the row-major result) of a symmetric matrix by
/// cyclic Jacobi rotations.
fn jacobi_eigen(a: &[f64], d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = a.to_vec();
    let mut v = vec![0.0; d * d];
    for i in 0..d {
        v[i * d + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..d)
            .flat_map(|i| (0..i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * d + j] * a[i * d + j])
            .sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                let apq = a[p * d + q];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q * d + q] - a[p * d + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..d {
                    let (akp, akq) = (a[k * d + p], a[k * d + q]);
                    a[k * d + p] = c * akp - s * akq;
                    a[k * d + q] = s * akp + c * akq;
                }
                for k in 0..d {
                    let (apk, aqk) = (a[p * d + k], a[q * d + k]);
                    a[p * d + k] = c * apk - s * aqk;
                    a[q * d + k] = s * apk + c * aqk;
                }
                for k in 0..d {
                    let (vkp, vkq) = (v[k * d + p], v[k * d + q]);
                    v[k * d + p] = c * vkp - s * vkq;
                    v[k * d + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..d).map(|i| a[i * d + i]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn kendall_tau_equals_pair_count(
            v in proptest::collection::vec((-1000i32..1000, -1000i32..1000), 2..300)
        ) {
            let a: Vec<f64> = v.iter().map(|p| p.0 as f64).collect();
            let b: Vec<f64> = v.iter().map(|p| p.1 as f64).collect();
            let (ra, rb) = (ranks_from_order(&sort_rows(&a)), ranks_from_order(&sort_rows(&b)));
            let n = v.len();
            let mut s = 0i64;
            for i in 0..n {
                for j in 0..i {
                    let x = (ra[i] as i64 - ra[j] as i64).signum();
                    let y = (rb[i] as i64 - rb[j] as i64).signum();
                    s += x * y;
                }
            }
            let want = s as f64 / (n * (n - 1) / 2) as f64;
            prop_assert!((kendall_tau(&ra, &rb) - want).abs() < mutinfo_core::prec::GOLDEN);
        }

        #[test]
        fn subsample_keeps_a_rank_stratum_and_its_order(
            v in proptest::collection::vec((-1e6f64..1e6, -1e6f64..1e6), FIT_ROWS + 1..3 * FIT_ROWS),
        ) {
            let a: Vec<f64> = v.iter().map(|p| p.0).collect();
            let b: Vec<f64> = v.iter().map(|p| p.1).collect();
            let (ra, rb) = (ranks_from_order(&sort_rows(&a)), ranks_from_order(&sort_rows(&b)));
            let sub = subsample(&[&ra, &rb]);
            let m = v.len().div_ceil(FIT_ROWS) as u32;
            let kept: Vec<usize> = (0..v.len()).filter(|&i| ra[i] % m == 0).collect();
            prop_assert_eq!(kept.len(), fit_rows(v.len()));
            prop_assert!(kept.len() <= FIT_ROWS);
            for (col, full) in sub.iter().zip([&ra, &rb]) {
                let mut sorted = col.clone();
                sorted.sort_unstable();
                prop_assert!(sorted.iter().enumerate().all(|(i, &r)| r as usize == i));
                for (x, &i) in kept.iter().enumerate().skip(1) {
                    let j = kept[x - 1];
                    prop_assert_eq!(col[x] > col[x - 1], full[i] > full[j]);
                }
            }
        }

        #[test]
        fn jacobi_reconstructs_the_matrix(m in proptest::collection::vec(-1.0f64..1.0, 36)) {
            let d = 6;
            let mut a = vec![0.0; d * d];
            for i in 0..d {
                for j in 0..d {
                    a[i * d + j] = m[i * d + j] + m[j * d + i];
                }
            }
            let (vals, vecs) = jacobi_eigen(&a, d);
            for i in 0..d {
                for j in 0..d {
                    let back: f64 = (0..d).map(|k| vecs[i * d + k] * vals[k] * vecs[j * d + k]).sum();
                    prop_assert!((back - a[i * d + j]).abs() < mutinfo_core::prec::CONVERGED);
                }
            }
        }
    }
}
