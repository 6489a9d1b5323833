//! Gaussian and Gaussian-copula estimators (Ince et al. 2017, "A statistical framework for
//! neuroimaging data analysis based on mutual information estimated via a Gaussian copula",
//! Human Brain Mapping 38:1541; reference code `gcmi.py`).
//!
//! The entropy of a d-dimensional Gaussian fitted to N samples (covariance with N − 1) is
//!
//! ```text
//! H = Σᵢ ln Lᵢᵢ + d/2 (ln 2π + 1)                      (L = Cholesky factor of the covariance)
//! H_corrected = H − d (ln 2 − ln(N−1))/2 − Σᵢ₌₁..d ψ((N − i)/2)/2
//! ```
//!
//! The correction removes the small-sample bias of `ln det` of a sample covariance exactly
//! for Gaussian data (Goodman 1963; Oyama et al.). MI and CMI are sums of such entropies;
//! the constant `d/2 (ln 2π + 1)` cancels in them.

use mutinfo_core::Codes;

use crate::data::Block;
use crate::error::{ContinuousError, Result};
use crate::kdtree::sort_rows;
use crate::special::{digamma, ndtri};

/// Covariance (divisor N − 1) of the selected columns of `b`, row-major d × d.
fn covariance(b: &Block, cols: &[usize], rows: Option<&[usize]>) -> Vec<f64> {
    let d = cols.len();
    let all: Vec<usize>;
    let rows = match rows {
        Some(r) => r,
        None => {
            all = (0..b.rows).collect();
            &all
        }
    };
    let n = rows.len() as f64;
    let mut mean = vec![0.0; d];
    for &i in rows {
        for (a, &c) in cols.iter().enumerate() {
            mean[a] += b.data[i * b.dim + c];
        }
    }
    for m in &mut mean {
        *m /= n;
    }
    let mut cov = vec![0.0; d * d];
    let mut centered = vec![0.0; d];
    for &i in rows {
        for (a, &c) in cols.iter().enumerate() {
            centered[a] = b.data[i * b.dim + c] - mean[a];
        }
        for a in 0..d {
            for bb in 0..=a {
                cov[a * d + bb] += centered[a] * centered[bb];
            }
        }
    }
    for a in 0..d {
        for bb in 0..=a {
            let v = cov[a * d + bb] / (n - 1.0);
            cov[a * d + bb] = v;
            cov[bb * d + a] = v;
        }
    }
    cov
}

/// The lower Cholesky factor of the symmetric `d × d` matrix `a` (row-major), or the column
/// whose pivot is not positive (relative to its diagonal entry: an exact dependence up to
/// round-off; NaN counts as singular).
pub(crate) fn cholesky(a: &[f64], d: usize) -> std::result::Result<Vec<f64>, usize> {
    let mut l = vec![0.0; d * d];
    for j in 0..d {
        let mut s = a[j * d + j];
        for p in 0..j {
            s -= l[j * d + p] * l[j * d + p];
        }
        if !(s > a[j * d + j] * 1e-13 && s > 0.0) {
            return Err(j);
        }
        let ljj = s.sqrt();
        l[j * d + j] = ljj;
        for i in j + 1..d {
            let mut s = a[i * d + j];
            for p in 0..j {
                s -= l[i * d + p] * l[j * d + p];
            }
            l[i * d + j] = s / ljj;
        }
    }
    Ok(l)
}

/// `Σ ln Lᵢᵢ = ½ ln det C` by Cholesky; errors when C is not positive definite.
fn half_log_det(cov: &[f64], d: usize, what: &'static str) -> Result<f64> {
    let l =
        cholesky(cov, d).map_err(|column| ContinuousError::SingularCovariance { what, column })?;
    Ok((0..d).map(|j| l[j * d + j].ln()).sum())
}

/// `E[ln det S] − ln det Σ` for the sample covariance `S` (divisor N − 1) of N Gaussian
/// samples in d dimensions: `Σᵢ₌₁..d ψ((N − i)/2) + d ln(2/(N − 1))` (Goodman 1963).
pub(crate) fn log_det_bias(d: usize, n: usize) -> f64 {
    let n = n as f64;
    (1..=d).map(|i| digamma((n - i as f64) / 2.0)).sum::<f64>()
        + d as f64 * (std::f64::consts::LN_2 - (n - 1.0).ln())
}

/// Bias-corrected Gaussian entropy (nats) without the constant `d/2 (ln 2π + 1)`.
fn entropy_core(
    b: &Block,
    cols: &[usize],
    rows: Option<&[usize]>,
    what: &'static str,
    bias: bool,
) -> Result<f64> {
    let d = cols.len();
    let n_rows = rows.map_or(b.rows, <[usize]>::len);
    if n_rows <= d {
        // A sample covariance of N ≤ d points is singular.
        return Err(ContinuousError::SingularCovariance {
            what,
            column: n_rows.saturating_sub(1),
        });
    }
    let h = half_log_det(&covariance(b, cols, rows), d, what)?;
    if !bias {
        return Ok(h);
    }
    Ok(h - 0.5 * log_det_bias(d, n_rows))
}

/// Gaussian entropy in nats, `½ ln((2πe)^d det Σ)`, with the bias correction when `bias`.
pub(crate) fn gaussian_entropy(b: &Block, bias: bool) -> Result<f64> {
    let cols: Vec<usize> = (0..b.dim).collect();
    let c = 0.5 * ((2.0 * std::f64::consts::PI).ln() + 1.0);
    Ok(entropy_core(b, &cols, None, "x", bias)? + c * b.dim as f64)
}

/// Gaussian MI `H(X) + H(Y) − H(X,Y)` over blocks with the same rows.
pub(crate) fn gaussian_mi(x: &Block, y: &Block, bias: bool) -> Result<f64> {
    let j = Block::hstack(&[x, y]);
    let cx: Vec<usize> = (0..x.dim).collect();
    let cy: Vec<usize> = (x.dim..x.dim + y.dim).collect();
    let cxy: Vec<usize> = (0..j.dim).collect();
    Ok(
        entropy_core(&j, &cx, None, "x", bias)? + entropy_core(&j, &cy, None, "y", bias)?
            - entropy_core(&j, &cxy, None, "x,y", bias)?,
    )
}

/// Gaussian CMI `H(X,Z) + H(Y,Z) − H(Z) − H(X,Y,Z)`.
pub(crate) fn gaussian_cmi(x: &Block, y: &Block, z: &Block, bias: bool) -> Result<f64> {
    let j = Block::hstack(&[x, y, z]);
    let (dx, dy, dz) = (x.dim, y.dim, z.dim);
    let cz: Vec<usize> = (dx + dy..dx + dy + dz).collect();
    let cxz: Vec<usize> = (0..dx).chain(cz.iter().copied()).collect();
    let cyz: Vec<usize> = (dx..dx + dy + dz).collect();
    let cxyz: Vec<usize> = (0..j.dim).collect();
    Ok(
        entropy_core(&j, &cxz, None, "x,z", bias)? + entropy_core(&j, &cyz, None, "y,z", bias)?
            - entropy_core(&j, &cz, None, "z", bias)?
            - entropy_core(&j, &cxyz, None, "x,y,z", bias)?,
    )
}

/// Gaussian MI between continuous `x` and a discrete `y` (`mi_model_gd` of gcmi):
/// `H(X) − Σ_c p_c H(X | Y = c)`, each a class-wise Gaussian fit.
pub(crate) fn gaussian_mi_discrete(x: &Block, y: &Codes, bias: bool) -> Result<f64> {
    let cols: Vec<usize> = (0..x.dim).collect();
    let mut members = vec![Vec::new(); y.cardinality() as usize];
    for i in 0..y.len() {
        members[y.get(i) as usize].push(i);
    }
    let n = x.rows as f64;
    let mut mi = entropy_core(x, &cols, None, "x", bias)?;
    for rows in members.iter().filter(|r| !r.is_empty()) {
        let h = entropy_core(x, &cols, Some(rows), "x within a class", bias)?;
        mi -= rows.len() as f64 / n * h;
    }
    Ok(mi)
}

/// Copula-normalizes every column: average ranks `r / (N + 1)` mapped through Φ⁻¹.
///
/// Average ranks make tied values share one normal score, so the transform does not depend
/// on the row order (gcmi breaks ties by position).
pub(crate) fn copula_normalize(b: &Block) -> Block {
    copula_normalize_with(b, None, None)
}

/// The normal scores `Φ⁻¹(r / (N + 1))` of the integer ranks `r = 1..=N`, computed once for
/// many columns of the same length (a column's untied values read them from here).
#[derive(Debug, Clone)]
pub(crate) struct NormalScores {
    table: Vec<f64>,
}

impl NormalScores {
    /// The scores of ranks `1..=N` in order.
    pub fn values(&self) -> &[f64] {
        &self.table
    }

    pub fn new(n: usize) -> Self {
        NormalScores {
            table: (1..=n)
                .map(|r| ndtri(r as f64 / (n as f64 + 1.0)))
                .collect(),
        }
    }
}

/// [`copula_normalize`] with the untied ranks' scores taken from `scores` (built for
/// `b.rows`) and, for a one-column block, the rows in sorted order given (`order`, as
/// [`sort_rows`] returns them); the values are identical.
pub(crate) fn copula_normalize_with(
    b: &Block,
    scores: Option<&NormalScores>,
    order: Option<&[u32]>,
) -> Block {
    let n = b.rows;
    debug_assert!(scores.is_none_or(|t| t.table.len() == n));
    let mut out = vec![0.0; n * b.dim];
    let mut col = Vec::with_capacity(n);
    for j in 0..b.dim {
        col.clear();
        col.extend((0..n).map(|i| b.data[i * b.dim + j]));
        let sorted;
        let idx = match order {
            Some(o) if b.dim == 1 => o,
            _ => {
                sorted = sort_rows(&col);
                &sorted[..]
            }
        };
        let mut s = 0;
        while s < n {
            let v = col[idx[s] as usize];
            let mut e = s + 1;
            while e < n && col[idx[e] as usize] == v {
                e += 1;
            }
            // Ranks s+1..=e averaged (s + 1 itself when untied).
            let score = match scores {
                Some(t) if e == s + 1 => t.table[s],
                _ => ndtri((s + 1 + e) as f64 / 2.0 / (n as f64 + 1.0)),
            };
            for &i in &idx[s..e] {
                out[i as usize * b.dim + j] = score;
            }
            s = e;
        }
    }
    Block {
        data: out,
        rows: n,
        dim: b.dim,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The straightforward transform: a comparison sort and Φ⁻¹ of every average rank.
    fn copula_brute(b: &Block) -> Vec<f64> {
        let n = b.rows;
        let mut out = vec![0.0; n * b.dim];
        for j in 0..b.dim {
            let v = |i: usize| b.data[i * b.dim + j];
            for i in 0..n {
                let below = (0..n).filter(|&q| v(q) < v(i)).count();
                let equal = (0..n).filter(|&q| v(q) == v(i)).count();
                let rank = (2 * below + equal + 1) as f64 / 2.0;
                out[i * b.dim + j] = ndtri(rank / (n as f64 + 1.0));
            }
        }
        out
    }

    proptest! {
        #[test]
        fn cached_scores_and_given_order_change_nothing(
            v in proptest::collection::vec(prop_oneof![-50i32..50, -3i32..3], 2..400),
            dim in 1usize..3,
        ) {
            let rows = v.len() / dim;
            prop_assume!(rows >= 2);
            let data: Vec<f64> = v[..rows * dim].iter().map(|&i| i as f64 * 0.37).collect();
            let b = Block { data, rows, dim };
            let want = copula_brute(&b);
            prop_assert_eq!(&copula_normalize(&b).data, &want);
            let scores = NormalScores::new(rows);
            prop_assert_eq!(&copula_normalize_with(&b, Some(&scores), None).data, &want);
            if dim == 1 {
                let order = sort_rows(&b.data);
                let got = copula_normalize_with(&b, Some(&scores), Some(&order));
                prop_assert_eq!(&got.data, &want);
            }
        }
    }
}
