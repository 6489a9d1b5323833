//! Variational lower bounds on mutual information from critic scores.
//!
//! A critic `f(x, y)` scores pairs; given a batch of `B` paired samples, the score matrix
//! `S[i][j] = f(x_i, y_j)` holds the positive (joint) pairs on its diagonal and `B(B−1)`
//! negative pairs, drawn from the product of marginals, off it. Each bound below is a function of
//! `S` (Poole, Ozair, van den Oord, Alemi & Tucker, ICML 2019, "On variational bounds of MI"):
//!
//! ```text
//! DV / MINE  E_P[f] − ln E_Q[e^f]                                   (Donsker–Varadhan; Belghazi 2018)
//! NWJ        E_P[f] − e^{−1} E_Q[e^f]                               (Nguyen, Wainwright & Jordan 2010)
//! InfoNCE    (1/B) Σ_i [S_ii − ln((1/B) Σ_j e^{S_ij})]  ≤ ln B        (van den Oord 2018)
//! JS         E_P[−softplus(−f)] − E_Q[softplus(f)] + 2 ln 2         (f-GAN Jensen–Shannon, ≤ 2 ln 2)
//! SMILE(τ)   E_P[f] − ln E_Q[clip(e^f, e^{−τ}, e^{τ})]               (Song & Ermon 2020)
//! ```
//!
//! `E_P` is the mean over the diagonal and `E_Q` over the off-diagonal cells. All are
//! computed with log-sum-exp, so scores of any magnitude are safe. In nats.
//!
//! Each bound has its own optimal critic: `ln p(y|x)/p(y)` (+ any constant) for DV and InfoNCE,
//! `1 + ln p(y|x)/p(y)` for NWJ.
//!
//! Bias and variance: InfoNCE has low variance but can never exceed `ln B`, so it is biased low
//! whenever the true MI approaches `ln B`; NWJ and DV are (nearly) unbiased for the optimal
//! critic but their variance grows like `e^{I}`; SMILE trades that variance for a bias set by
//! `τ` (τ → ∞ recovers DV). The JS value bounds the Jensen–Shannon divergence, not the MI: it is
//! the objective critics are often trained with (Hjelm et al. 2019), reported for monitoring.
//! DV with a finite batch is not a strict lower bound (the log of a sample mean is biased).

use crate::error::{CoreError, Result};
use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// A variational bound.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "bound")]
pub enum Bound {
    /// Donsker–Varadhan (MINE).
    DonskerVaradhan,
    /// Nguyen–Wainwright–Jordan (f-divergence, `f-GAN KL`).
    Nwj,
    /// InfoNCE (contrastive predictive coding).
    InfoNce,
    /// Jensen–Shannon f-GAN objective.
    JensenShannon,
    /// SMILE with clipping threshold `tau`.
    Smile {
        /// Clipping threshold τ > 0 (Song & Ermon use 1, 5 or 10).
        tau: f64,
    },
}

impl std::str::FromStr for Bound {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "dv" | "mine" | "donsker-varadhan" => Ok(Bound::DonskerVaradhan),
            "nwj" => Ok(Bound::Nwj),
            "infonce" | "info-nce" | "nce" | "cpc" => Ok(Bound::InfoNce),
            "js" | "jensen-shannon" => Ok(Bound::JensenShannon),
            "smile" => Ok(Bound::Smile { tau: 5.0 }),
            _ => Err(CoreError::InvalidParameter {
                name: "bound",
                value: s.to_string(),
                reason: "expected dv, nwj, infonce, js or smile",
            }),
        }
    }
}

fn check_scores(s: &ArrayView2<'_, f64>) -> Result<usize> {
    let b = s.nrows();
    if b == 0 {
        return Err(CoreError::Empty {
            what: "score matrix",
            unit: "rows",
        });
    }
    if s.ncols() != b {
        return Err(CoreError::LengthMismatch {
            what: "score matrix columns".into(),
            expected: b,
            found: s.ncols(),
        });
    }
    if let Some((index, &value)) = s.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(CoreError::NonFinite {
            what: "score matrix",
            index,
            value,
        });
    }
    Ok(b)
}

/// `ln Σ e^{v}` over an iterator, stable.
fn log_sum_exp(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let m = values.clone().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + values.map(|v| (v - m).exp()).sum::<f64>().ln()
}

/// The mean of `values`: their sum over `n`, or — when the sum overflows (scores near ±1e308)
/// — the sum of each value over `n`, which stays finite.
fn mean(values: impl Iterator<Item = f64> + Clone, n: f64) -> f64 {
    let s: f64 = values.clone().sum();
    if s.is_finite() {
        s / n
    } else {
        values.map(|v| v / n).sum()
    }
}

fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// Evaluates a bound on a `B × B` critic score matrix (positives on the diagonal), in nats.
///
/// # Errors
/// [`CoreError::Empty`], [`CoreError::LengthMismatch`] for a non-square matrix,
/// [`CoreError::NonFinite`] naming the flat index of a NaN or infinite score,
/// [`CoreError::InvalidParameter`] for `B < 2` with a bound that needs negatives (all but
/// InfoNCE) or a non-positive τ.
///
/// ```
/// use mutinfo_core::bounds::{bound, Bound};
/// use ndarray::array;
/// // A critic that tells the pairs apart perfectly: InfoNCE reaches its ceiling ln B.
/// let s = array![[50.0, 0.0, 0.0], [0.0, 50.0, 0.0], [0.0, 0.0, 50.0]];
/// assert!((bound(s.view(), Bound::InfoNce)? - 3f64.ln()).abs() < 1e-12);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn bound(scores: ArrayView2<'_, f64>, which: Bound) -> Result<f64> {
    let b = check_scores(&scores)?;
    let bf = b as f64;
    let diag_mean = mean(scores.diag().iter().copied(), bf);
    if let Bound::InfoNce = which {
        let terms: Vec<f64> = scores
            .axis_iter(Axis(0))
            .enumerate()
            .map(|(i, row)| row[i] - (log_sum_exp(row.iter().copied()) - bf.ln()))
            .collect();
        return Ok(mean(terms.iter().copied(), bf));
    }
    if b < 2 {
        return Err(CoreError::InvalidParameter {
            name: "batch size",
            value: b.to_string(),
            reason: "this bound needs off-diagonal (negative) pairs: at least 2 samples",
        });
    }
    let off = || {
        scores
            .indexed_iter()
            .filter(|((i, j), _)| i != j)
            .map(|(_, &v)| v)
    };
    let n_off = bf * (bf - 1.0);
    // ln E_Q[e^f]
    let log_mean_exp_off = || log_sum_exp(off()) - n_off.ln();
    Ok(match which {
        Bound::DonskerVaradhan => diag_mean - log_mean_exp_off(),
        Bound::Nwj => diag_mean - (log_mean_exp_off() - 1.0).exp(),
        Bound::JensenShannon => {
            let pos = mean(scores.diag().iter().map(|&v| -softplus(-v)), bf);
            let neg = mean(off().map(softplus), n_off);
            pos - neg + 2.0 * std::f64::consts::LN_2
        }
        Bound::Smile { tau } => {
            if tau.is_nan() || tau <= 0.0 {
                return Err(CoreError::InvalidParameter {
                    name: "tau",
                    value: tau.to_string(),
                    reason: "must be positive",
                });
            }
            let clipped = off().map(|v| v.clamp(-tau, tau));
            diag_mean - (log_sum_exp(clipped) - n_off.ln())
        }
        Bound::InfoNce => unreachable!("handled above"),
    })
}

/// The similarity used by [`embedding_infonce`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Similarity {
    /// Cosine similarity (rows normalised to unit length).
    Cosine,
    /// Dot product.
    Dot,
}

/// InfoNCE estimate (nats) of what two paired embedding matrices share: row `i` of `a` and of
/// `b` embed the two views of item `i`. Scores are `sim(a_i, b_j) / temperature`; the result is
/// the mean of the two directions (`a → b` and `b → a`), as CLIP's symmetric loss, and is at
/// most `ln B`.
///
/// # Errors
/// [`CoreError::LengthMismatch`] when `a` and `b` differ in shape, [`CoreError::Empty`],
/// [`CoreError::NonFinite`], [`CoreError::InvalidParameter`] for a non-positive temperature or
/// a zero row with cosine similarity.
pub fn embedding_infonce(
    a: ArrayView2<'_, f64>,
    b: ArrayView2<'_, f64>,
    similarity: Similarity,
    temperature: f64,
) -> Result<f64> {
    if a.dim() != b.dim() {
        return Err(CoreError::LengthMismatch {
            what: "second embedding matrix".into(),
            expected: a.len(),
            found: b.len(),
        });
    }
    if !(temperature > 0.0 && temperature.is_finite()) {
        return Err(CoreError::InvalidParameter {
            name: "temperature",
            value: temperature.to_string(),
            reason: "must be positive and finite",
        });
    }
    let norm = |m: ArrayView2<'_, f64>| -> Result<Array2<f64>> {
        let mut m = m.to_owned();
        if let Some((index, &value)) = m.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(CoreError::NonFinite {
                what: "embedding",
                index,
                value,
            });
        }
        if similarity == Similarity::Cosine {
            for (i, mut row) in m.axis_iter_mut(Axis(0)).enumerate() {
                let n = row.dot(&row).sqrt();
                if n == 0.0 {
                    return Err(CoreError::InvalidParameter {
                        name: "embedding row",
                        value: i.to_string(),
                        reason: "a zero vector has no cosine similarity",
                    });
                }
                row /= n;
            }
        }
        Ok(m)
    };
    let (an, bn) = (norm(a)?, norm(b)?);
    let s = an.dot(&bn.t()) / temperature;
    let ab = bound(s.view(), Bound::InfoNce)?;
    let ba = bound(s.t(), Bound::InfoNce)?;
    Ok(0.5 * (ab + ba))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn normal(rng: &mut ChaCha8Rng) -> f64 {
        // Box–Muller.
        let u: f64 = rng.gen::<f64>().max(f64::MIN_POSITIVE);
        let v: f64 = rng.gen();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }

    /// Scores of the optimal critic ln p(y|x)/p(y) for a batch of correlated Gaussians.
    fn gaussian_scores(b: usize, rho: f64, rng: &mut ChaCha8Rng) -> Array2<f64> {
        let xs: Vec<f64> = (0..b).map(|_| normal(rng)).collect();
        let ys: Vec<f64> = xs
            .iter()
            .map(|&x| rho * x + (1.0 - rho * rho).sqrt() * normal(rng))
            .collect();
        let s2 = 1.0 - rho * rho;
        Array2::from_shape_fn((b, b), |(i, j)| {
            let (x, y) = (xs[i], ys[j]);
            -0.5 * s2.ln() - (y - rho * x).powi(2) / (2.0 * s2) + y * y / 2.0
        })
    }

    #[test]
    fn bounds_below_truth_on_average() {
        let rho = 0.8f64;
        let truth = -0.5 * (1.0 - rho * rho).ln();
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for b in [16usize, 64, 256] {
            let reps = 200;
            let mut sums = [0.0f64; 4];
            for _ in 0..reps {
                let s = gaussian_scores(b, rho, &mut rng);
                for (k, w) in [
                    Bound::InfoNce,
                    Bound::Nwj,
                    Bound::DonskerVaradhan,
                    Bound::Smile { tau: 5.0 },
                ]
                .into_iter()
                .enumerate()
                {
                    // NWJ's optimal critic is 1 + ln p(y|x)/p(y); the others' is ln p(y|x)/p(y).
                    let shift = if w == Bound::Nwj { 1.0 } else { 0.0 };
                    sums[k] += bound((&s + shift).view(), w).unwrap();
                }
            }
            let means: Vec<f64> = sums.iter().map(|s| s / reps as f64).collect();
            assert!(means[0] <= (b as f64).ln() + crate::prec::GOLDEN);
            assert!(means[0] <= truth + 0.02, "infonce {b}: {means:?}");
            assert!(means[1] <= truth + 0.05, "nwj {b}: {means:?}");
            assert!(
                (means[1] - truth).abs() < 0.1,
                "nwj near truth {b}: {means:?}"
            );
            assert!(means[3] <= truth + 0.05, "smile {b}: {means:?}");
        }
    }

    #[test]
    fn stable_and_checked() {
        let s = array![[1000.0, -1000.0], [-1000.0, 1000.0]];
        for w in [
            Bound::InfoNce,
            Bound::Nwj,
            Bound::DonskerVaradhan,
            Bound::JensenShannon,
            Bound::Smile { tau: 1.0 },
        ] {
            assert!(bound(s.view(), w).unwrap().is_finite(), "{w:?}");
        }
        assert!((bound(s.view(), Bound::InfoNce).unwrap() - 2f64.ln()).abs() < crate::prec::GOLDEN);
        assert!(bound(array![[1.0, f64::NAN], [0.0, 1.0]].view(), Bound::Nwj).is_err());
        assert!(bound(array![[1.0, 2.0]].view(), Bound::Nwj).is_err());
        assert!(bound(array![[1.0]].view(), Bound::Nwj).is_err());
        assert_eq!(bound(array![[1.0]].view(), Bound::InfoNce).unwrap(), 0.0);
        // An uninformative critic gives 0 for InfoNCE and DV, and for NWJ at its optimum f = 1.
        let flat = Array2::<f64>::zeros((5, 5));
        for w in [Bound::InfoNce, Bound::DonskerVaradhan] {
            assert!(
                bound(flat.view(), w).unwrap().abs() < crate::prec::ROUNDOFF,
                "{w:?}"
            );
        }
        assert!(bound((&flat + 1.0).view(), Bound::Nwj).unwrap().abs() < crate::prec::ROUNDOFF);
        assert!("smile".parse::<Bound>().is_ok() && "nope".parse::<Bound>().is_err());
    }

    #[test]
    fn embeddings() {
        let a = array![[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]];
        let same = embedding_infonce(a.view(), a.view(), Similarity::Cosine, 0.01).unwrap();
        assert!((same - 3f64.ln()).abs() < crate::prec::ITERATIVE, "{same}");
        let shuffled = array![[0.0, 1.0], [-1.0, 0.0], [1.0, 0.0]];
        let worse = embedding_infonce(a.view(), shuffled.view(), Similarity::Dot, 0.1).unwrap();
        assert!(worse < 0.0);
        assert!(embedding_infonce(a.view(), a.view(), Similarity::Cosine, 0.0).is_err());
        let zero = array![[0.0, 0.0], [0.0, 1.0], [1.0, 0.0]];
        assert!(embedding_infonce(zero.view(), a.view(), Similarity::Cosine, 1.0).is_err());
    }
}
