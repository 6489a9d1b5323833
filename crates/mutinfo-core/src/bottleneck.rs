//! The information bottleneck on a discrete joint distribution `p(x, y)`.
//!
//! The bottleneck (Tishby, Pereira & Bialek 1999) compresses `X` into `T` keeping what is
//! relevant to `Y`: it minimises `I(X;T) − β I(T;Y)` over encoders `q(t|x)` by the
//! self-consistent iteration
//!
//! ```text
//! q(t|x) ∝ q(t) exp(−β KL(p(y|x) ‖ q(y|t)))
//! q(t)   = Σ_x p(x) q(t|x)
//! q(y|t) = Σ_x p(y|x) q(t|x) p(x) / q(t)
//! ```
//!
//! The deterministic bottleneck (Strouse & Schwab 2017) minimises `H(T) − β I(T;Y)` and
//! replaces the soft update by `q(t|x) = 1[t = argmax_t ln q(t) − β KL(p(y|x) ‖ q(y|t))]`.
//! Updates are done in that order (encoder, marginal, decoder), as in embo; a cluster whose
//! mass falls to zero is dropped for good. Results are in nats.

use crate::error::{CoreError, Result};
use ndarray::{Array2, ArrayView2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Which bottleneck.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BottleneckKind {
    /// The soft information bottleneck: minimise `I(X;T) − β I(T;Y)`.
    #[default]
    Soft,
    /// The deterministic bottleneck: minimise `H(T) − β I(T;Y)`.
    Deterministic,
}

/// How the encoder starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BottleneckInit {
    /// A seeded random encoder as in Strouse & Schwab (2017): input `x` puts 0.75 − δ of its
    /// mass (δ ~ U(0, 0.2)) on cluster `x mod |T|` and spreads the rest at random.
    Random {
        /// ChaCha8 seed.
        seed: u64,
    },
    /// A given encoder `q(t|x)`, `|T| × |X|`, columns summing to one.
    Encoder(Array2<f64>),
}

/// Options of [`information_bottleneck`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BottleneckOptions {
    /// Trade-off `β > 0`: larger keeps more about `Y`.
    pub beta: f64,
    /// Soft or deterministic (default soft).
    pub kind: BottleneckKind,
    /// Number of clusters `|T|` (default: `|X|`); ignored with an explicit initial encoder.
    pub clusters: Option<usize>,
    /// Initial encoder (default: random, seed 0).
    pub init: BottleneckInit,
    /// Stop when no encoder entry moves by more than this (default 1e-12).
    pub tolerance: f64,
    /// Iteration bound (default 10,000).
    pub max_iterations: usize,
}

impl BottleneckOptions {
    /// Options for `β` with every other setting at its default.
    pub fn new(beta: f64) -> Self {
        BottleneckOptions {
            beta,
            kind: BottleneckKind::Soft,
            clusters: None,
            init: BottleneckInit::Random { seed: 0 },
            tolerance: 1e-12,
            max_iterations: 10_000,
        }
    }
}

/// A fitted bottleneck.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bottleneck {
    /// The encoder `q(t|x)`, `|T| × |X|` (dropped clusters are rows of zeros).
    pub encoder: Array2<f64>,
    /// `I(X;T)` in nats.
    pub i_xt: f64,
    /// `I(T;Y)` in nats.
    pub i_ty: f64,
    /// `H(T)` in nats.
    pub h_t: f64,
    /// The objective: `I(X;T) − β I(T;Y)` (soft) or `H(T) − β I(T;Y)` (deterministic).
    pub objective: f64,
    /// Iterations run.
    pub iterations: usize,
    /// Whether the tolerance was reached before the iteration bound.
    pub converged: bool,
}

/// A joint distribution checked and split into `p(x)` and `p(y|x)`.
struct Joint {
    px: Vec<f64>,
    /// `p(y|x)`, `|X| × |Y|` (rows of inputs with `p(x) = 0` are uniform and never matter).
    pyx: Array2<f64>,
}

fn check_joint(joint: ArrayView2<'_, f64>) -> Result<Joint> {
    if joint.is_empty() {
        return Err(CoreError::Empty {
            what: "joint distribution",
            unit: "cells",
        });
    }
    let flat: Vec<f64> = joint.iter().copied().collect();
    crate::channel::check_distribution("joint distribution", &flat)?;
    let px: Vec<f64> = joint.rows().into_iter().map(|r| r.sum()).collect();
    let ny = joint.ncols();
    let pyx = Array2::from_shape_fn(joint.dim(), |(x, y)| {
        if px[x] > 0.0 {
            joint[[x, y]] / px[x]
        } else {
            1.0 / ny as f64
        }
    });
    Ok(Joint { px, pyx })
}

fn kl(p: &[f64], q: &[f64]) -> f64 {
    let mut s = 0.0;
    for (&a, &b) in p.iter().zip(q) {
        if a > 0.0 {
            if b <= 0.0 {
                return f64::INFINITY;
            }
            s += a * (a.ln() - b.ln());
        }
    }
    s
}

fn entropy(p: &[f64]) -> f64 {
    -p.iter()
        .filter(|&&v| v > 0.0)
        .map(|&v| v * v.ln())
        .sum::<f64>()
}

/// `I(X;T)`, `I(T;Y)` and `H(T)` (nats) of an encoder `q(t|x)` (`|T| × |X|`) on a joint
/// `p(x, y)`: the coordinates of any encoder on the information plane, for comparing candidate
/// compressions by hand.
///
/// # Errors
/// As [`information_bottleneck`] for the joint; [`CoreError::LengthMismatch`] or
/// [`CoreError::InvalidDistribution`] for an encoder of the wrong shape or whose columns are
/// not distributions.
///
/// ```
/// use mutinfo_core::bottleneck::evaluate_encoder;
/// use ndarray::array;
/// // X = (useful bit, nuisance bit), Y = the useful bit.
/// let joint = array![[0.25, 0.0], [0.25, 0.0], [0.0, 0.25], [0.0, 0.25]];
/// let keep_useful = array![[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]];
/// let (i_xt, i_ty, _) = evaluate_encoder(joint.view(), keep_useful.view())?;
/// assert!((i_xt - 2f64.ln()).abs() < 1e-15 && (i_ty - 2f64.ln()).abs() < 1e-15);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate_encoder(
    joint: ArrayView2<'_, f64>,
    encoder: ArrayView2<'_, f64>,
) -> Result<(f64, f64, f64)> {
    let j = check_joint(joint)?;
    check_encoder(&encoder.to_owned(), j.px.len())?;
    let (pt, pyt) = marginal_and_decoder(&j, &encoder.to_owned());
    Ok(informations(&j, &encoder.to_owned(), &pt, &pyt))
}

fn check_encoder(enc: &Array2<f64>, nx: usize) -> Result<()> {
    crate::codes::check_len("encoder columns", nx, enc.ncols())?;
    for col in enc.columns() {
        crate::channel::check_distribution("encoder column", &col.to_vec())?;
    }
    Ok(())
}

/// `q(t)` and `q(y|t)` (`|T| × |Y|`) from an encoder.
fn marginal_and_decoder(j: &Joint, enc: &Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let (nt, ny) = (enc.nrows(), j.pyx.ncols());
    let mut pt = vec![0.0; nt];
    let mut pyt = Array2::<f64>::zeros((nt, ny));
    for t in 0..nt {
        for (x, &px) in j.px.iter().enumerate() {
            let w = enc[[t, x]] * px;
            if w > 0.0 {
                pt[t] += w;
                for y in 0..ny {
                    pyt[[t, y]] += w * j.pyx[[x, y]];
                }
            }
        }
        if pt[t] > 0.0 {
            for y in 0..ny {
                pyt[[t, y]] /= pt[t];
            }
        }
    }
    (pt, pyt)
}

fn informations(j: &Joint, enc: &Array2<f64>, pt: &[f64], pyt: &Array2<f64>) -> (f64, f64, f64) {
    let nt = enc.nrows();
    let mut i_xt = 0.0;
    for (x, &px) in j.px.iter().enumerate() {
        for t in 0..nt {
            let q = enc[[t, x]];
            if q > 0.0 && px > 0.0 {
                i_xt += px * q * (q.ln() - pt[t].ln());
            }
        }
    }
    let py: Vec<f64> = (0..j.pyx.ncols())
        .map(|y| {
            j.px.iter()
                .enumerate()
                .map(|(x, &p)| p * j.pyx[[x, y]])
                .sum()
        })
        .collect();
    let mut i_ty = 0.0;
    for (&p, row) in pt.iter().zip(pyt.rows()) {
        if p > 0.0 {
            i_ty += p * kl(&row.to_vec(), &py);
        }
    }
    (i_xt.max(0.0), i_ty.max(0.0), entropy(pt))
}

fn random_encoder(nt: usize, nx: usize, seed: u64) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut enc = Array2::<f64>::zeros((nt, nx));
    for x in 0..nx {
        if nt == 1 {
            enc[[0, x]] = 1.0;
            continue;
        }
        let delta = 0.2 * rng.gen::<f64>();
        let home = x % nt;
        let others: Vec<f64> = (0..nt - 1).map(|_| rng.gen::<f64>() + 1.0).collect();
        let s: f64 = others.iter().sum();
        let mut k = 0;
        for t in 0..nt {
            if t == home {
                enc[[t, x]] = 0.75 - delta;
            } else {
                enc[[t, x]] = (0.25 + delta) * others[k] / s;
                k += 1;
            }
        }
    }
    enc
}

/// Runs the (soft or deterministic) information bottleneck on the joint `p(x, y)` (`|X| × |Y|`,
/// entries summing to one).
///
/// # Errors
/// [`CoreError::Empty`], [`CoreError::NonFinite`], [`CoreError::InvalidDistribution`] for a
/// joint that is not a distribution; [`CoreError::InvalidParameter`] for `β ≤ 0`, zero
/// clusters, a non-positive tolerance or zero iterations; encoder errors as in
/// [`evaluate_encoder`].
pub fn information_bottleneck(
    joint: ArrayView2<'_, f64>,
    options: &BottleneckOptions,
) -> Result<Bottleneck> {
    let j = check_joint(joint)?;
    if !(options.beta > 0.0 && options.beta.is_finite()) {
        return Err(CoreError::InvalidParameter {
            name: "beta",
            value: options.beta.to_string(),
            reason: "must be positive and finite",
        });
    }
    if options.tolerance.is_nan() || options.tolerance <= 0.0 || options.max_iterations == 0 {
        return Err(CoreError::InvalidParameter {
            name: "tolerance",
            value: format!(
                "{} ({} iterations)",
                options.tolerance, options.max_iterations
            ),
            reason: "tolerance must be positive and iterations at least 1",
        });
    }
    let nx = j.px.len();
    let mut enc = match &options.init {
        BottleneckInit::Random { seed } => {
            let nt = options.clusters.unwrap_or(nx);
            if nt == 0 {
                return Err(CoreError::InvalidParameter {
                    name: "clusters",
                    value: "0".into(),
                    reason: "at least one cluster is needed",
                });
            }
            random_encoder(nt, nx, *seed)
        }
        BottleneckInit::Encoder(e) => {
            check_encoder(e, nx)?;
            e.clone()
        }
    };
    let nt = enc.nrows();
    let beta = options.beta;
    let (mut pt, mut pyt) = marginal_and_decoder(&j, &enc);
    let mut iterations = 0;
    let mut converged = false;
    while iterations < options.max_iterations {
        iterations += 1;
        let mut next = Array2::<f64>::zeros((nt, nx));
        for x in 0..nx {
            let row_y = j.pyx.row(x).to_vec();
            // log-weights ln q(t) − β KL(p(y|x) ‖ q(y|t)) over live clusters.
            let logw: Vec<f64> = (0..nt)
                .map(|t| {
                    if pt[t] > 0.0 {
                        pt[t].ln() - beta * kl(&row_y, &pyt.row(t).to_vec())
                    } else {
                        f64::NEG_INFINITY
                    }
                })
                .collect();
            let m = logw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            match options.kind {
                BottleneckKind::Soft => {
                    let z: f64 = logw.iter().map(|&l| (l - m).exp()).sum();
                    for t in 0..nt {
                        next[[t, x]] = (logw[t] - m).exp() / z;
                    }
                }
                BottleneckKind::Deterministic => {
                    // First maximiser: ties go to the lowest cluster index.
                    let best = logw.iter().position(|&l| l == m).unwrap_or(0);
                    next[[best, x]] = 1.0;
                }
            }
        }
        let change = next
            .iter()
            .zip(enc.iter())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        enc = next;
        let (p, d) = marginal_and_decoder(&j, &enc);
        pt = p;
        pyt = d;
        if change <= options.tolerance {
            converged = true;
            break;
        }
    }
    let (i_xt, i_ty, h_t) = informations(&j, &enc, &pt, &pyt);
    let objective = match options.kind {
        BottleneckKind::Soft => i_xt - beta * i_ty,
        BottleneckKind::Deterministic => h_t - beta * i_ty,
    };
    Ok(Bottleneck {
        encoder: enc,
        i_xt,
        i_ty,
        h_t,
        objective,
        iterations,
        converged,
    })
}

/// One point of an information-bottleneck curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// `β`.
    pub beta: f64,
    /// `I(X;T)` in nats.
    pub i_xt: f64,
    /// `I(T;Y)` in nats.
    pub i_ty: f64,
    /// `H(T)` in nats.
    pub h_t: f64,
    /// Whether the run converged.
    pub converged: bool,
}

/// The bottleneck curve: [`information_bottleneck`] at each `β` of `betas` with the other
/// options fixed; with a random initialisation, `restarts` seeds (`seed, seed+1, …`) are run
/// per `β` and the one with the lowest objective is kept (ties: the first seed).
///
/// # Errors
/// As [`information_bottleneck`]; [`CoreError::InvalidParameter`] for zero restarts.
pub fn bottleneck_curve(
    joint: ArrayView2<'_, f64>,
    betas: &[f64],
    options: &BottleneckOptions,
    restarts: usize,
) -> Result<Vec<CurvePoint>> {
    if restarts == 0 {
        return Err(CoreError::InvalidParameter {
            name: "restarts",
            value: "0".into(),
            reason: "at least one run per beta is needed",
        });
    }
    use rayon::prelude::*;
    betas
        .par_iter()
        .map(|&beta| {
            let mut best: Option<Bottleneck> = None;
            for r in 0..restarts {
                let mut o = options.clone();
                o.beta = beta;
                if let BottleneckInit::Random { seed } = options.init {
                    o.init = BottleneckInit::Random {
                        seed: seed.wrapping_add(r as u64),
                    };
                }
                let b = information_bottleneck(joint, &o)?;
                if best.as_ref().is_none_or(|cur| b.objective < cur.objective) {
                    best = Some(b);
                }
                if matches!(options.init, BottleneckInit::Encoder(_)) {
                    break;
                }
            }
            let b = best.expect("at least one restart ran");
            Ok(CurvePoint {
                beta,
                i_xt: b.i_xt,
                i_ty: b.i_ty,
                h_t: b.h_t,
                converged: b.converged,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// X = (useful bit u, nuisance bit v), uniform; Y = u.
    fn toy() -> Array2<f64> {
        array![[0.25, 0.0], [0.25, 0.0], [0.0, 0.25], [0.0, 0.25]]
    }

    #[test]
    fn toy_table_useful_bit_wins() {
        let j = toy();
        let identity = Array2::<f64>::eye(4);
        let useful = array![[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]];
        let nuisance = array![[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0]];
        let ln2 = 2f64.ln();
        let (a, b, _) = evaluate_encoder(j.view(), identity.view()).unwrap();
        assert!(
            (a - 2.0 * ln2).abs() < crate::prec::ROUNDOFF
                && (b - ln2).abs() < crate::prec::ROUNDOFF
        );
        let (c, d, _) = evaluate_encoder(j.view(), useful.view()).unwrap();
        assert!((c - ln2).abs() < crate::prec::ROUNDOFF && (d - ln2).abs() < crate::prec::ROUNDOFF);
        let (e, f, _) = evaluate_encoder(j.view(), nuisance.view()).unwrap();
        assert!((e - ln2).abs() < crate::prec::ROUNDOFF && f.abs() < crate::prec::ROUNDOFF);
        // For any β > 1 the useful bit has the lowest objective I(X;T) − β I(T;Y).
        let beta = 2.0;
        assert!(c - beta * d < a - beta * b && c - beta * d < e - beta * f);
        // And the bottleneck finds it.
        for kind in [BottleneckKind::Soft, BottleneckKind::Deterministic] {
            let mut o = BottleneckOptions::new(5.0);
            o.kind = kind;
            let fit = information_bottleneck(j.view(), &o).unwrap();
            assert!(
                (fit.i_ty - ln2).abs() < crate::prec::ITERATIVE,
                "{kind:?} {fit:?}"
            );
            assert!(
                (fit.i_xt - ln2).abs() < crate::prec::ITERATIVE,
                "{kind:?} {fit:?}"
            );
        }
    }

    #[test]
    fn small_beta_compresses_everything() {
        let o = BottleneckOptions::new(0.1);
        let fit = information_bottleneck(toy().view(), &o).unwrap();
        assert!(
            fit.i_xt < crate::prec::ITERATIVE && fit.i_ty < crate::prec::ITERATIVE,
            "{fit:?}"
        );
        assert!(fit.converged);
    }

    #[test]
    fn seeded_and_errors() {
        let o = BottleneckOptions::new(3.0);
        let a = information_bottleneck(toy().view(), &o).unwrap();
        let b = information_bottleneck(toy().view(), &o).unwrap();
        assert_eq!(a, b);
        assert!(information_bottleneck(array![[0.5, 0.6]].view(), &o).is_err());
        assert!(information_bottleneck(toy().view(), &BottleneckOptions::new(0.0)).is_err());
        let curve = bottleneck_curve(toy().view(), &[0.5, 2.0, 8.0], &o, 3).unwrap();
        assert_eq!(curve.len(), 3);
        assert!(curve
            .windows(2)
            .all(|w| w[0].i_ty <= w[1].i_ty + crate::prec::CONVERGED));
    }
}
