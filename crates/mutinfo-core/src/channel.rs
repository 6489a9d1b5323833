//! Discrete memoryless channels: mutual information under an input distribution, capacity by
//! Blahut–Arimoto, and the closed forms used to check it.

use crate::error::{CoreError, Result};
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// How far a probability row may be from summing to one.
pub const PROBABILITY_TOLERANCE: f64 = 1e-9;

/// A channel `W(y|x)`: one row per input symbol, one column per output symbol, rows summing
/// to one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Channel {
    w: Array2<f64>,
}

/// Checks a probability vector: finite, non-negative, summing to 1 within
/// [`PROBABILITY_TOLERANCE`].
pub(crate) fn check_distribution(what: &'static str, p: &[f64]) -> Result<()> {
    if p.is_empty() {
        return Err(CoreError::Empty {
            what,
            unit: "values",
        });
    }
    for (index, &v) in p.iter().enumerate() {
        if !v.is_finite() {
            return Err(CoreError::NonFinite {
                what,
                index,
                value: v,
            });
        }
        if v < 0.0 {
            return Err(CoreError::InvalidDistribution {
                what,
                reason: format!("negative probability {v} at index {index}"),
            });
        }
    }
    let s: f64 = p.iter().sum();
    if (s - 1.0).abs() > PROBABILITY_TOLERANCE {
        return Err(CoreError::InvalidDistribution {
            what,
            reason: format!("probabilities sum to {s}, not 1"),
        });
    }
    Ok(())
}

/// `Σ_y w(y) ln(w(y)/q(y))` with `0 ln 0 = 0`.
fn kl(w: &[f64], q: &[f64]) -> f64 {
    w.iter()
        .zip(q)
        .filter(|(&a, _)| a > 0.0)
        .map(|(&a, &b)| a * (a.ln() - b.ln()))
        .sum()
}

/// The result of [`Channel::capacity`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Capacity {
    /// Capacity in nats: the Blahut–Arimoto lower bound `ln Σ_x p(x) e^{D(x)}` at the last
    /// iterate, within `gap` of the true capacity.
    pub capacity: f64,
    /// The capacity-achieving input distribution (last iterate).
    pub input: Vec<f64>,
    /// Upper bound minus lower bound at the last iterate (`max_x D(x) − capacity`).
    pub gap: f64,
    /// Iterations taken.
    pub iterations: usize,
    /// Whether `gap ≤ tolerance` was reached before the iteration bound.
    pub converged: bool,
}

/// Options of [`Channel::capacity`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CapacityOptions {
    /// Stop when the upper and lower capacity bounds are this close, in nats (default 1e-12).
    pub tolerance: f64,
    /// Iteration bound (default 100,000).
    pub max_iterations: usize,
}

impl Default for CapacityOptions {
    fn default() -> Self {
        CapacityOptions {
            tolerance: 1e-12,
            max_iterations: 100_000,
        }
    }
}

impl Channel {
    /// A channel from its transition matrix (rows: inputs, columns: outputs).
    ///
    /// # Errors
    /// [`CoreError::Empty`], [`CoreError::NonFinite`], [`CoreError::InvalidDistribution`]
    /// naming the row that is not a distribution.
    pub fn new(w: Array2<f64>) -> Result<Self> {
        if w.nrows() == 0 || w.ncols() == 0 {
            return Err(CoreError::Empty {
                what: "channel matrix",
                unit: "rows",
            });
        }
        for row in w.rows() {
            let r: Vec<f64> = row.to_vec();
            check_distribution("channel row", &r)?;
        }
        Ok(Channel { w })
    }

    /// The binary symmetric channel with crossover probability `eps`.
    ///
    /// # Errors
    /// [`CoreError::InvalidParameter`] unless `0 ≤ eps ≤ 1`.
    pub fn binary_symmetric(eps: f64) -> Result<Self> {
        check_prob("eps", eps)?;
        Channel::new(ndarray::array![[1.0 - eps, eps], [eps, 1.0 - eps]])
    }

    /// The binary erasure channel with erasure probability `eps` (outputs 0, erased, 1).
    ///
    /// # Errors
    /// [`CoreError::InvalidParameter`] unless `0 ≤ eps ≤ 1`.
    pub fn binary_erasure(eps: f64) -> Result<Self> {
        check_prob("eps", eps)?;
        Channel::new(ndarray::array![
            [1.0 - eps, eps, 0.0],
            [0.0, eps, 1.0 - eps]
        ])
    }

    /// The transition matrix.
    pub fn matrix(&self) -> ArrayView2<'_, f64> {
        self.w.view()
    }

    /// The output distribution `q(y) = Σ_x p(x) W(y|x)`.
    fn output(&self, p: &[f64]) -> Vec<f64> {
        let mut q = vec![0.0; self.w.ncols()];
        for (row, &px) in self.w.rows().into_iter().zip(p) {
            for (qy, &w) in q.iter_mut().zip(row) {
                *qy += px * w;
            }
        }
        q
    }

    /// `I(X;Y) = Σ_x p(x) Σ_y W(y|x) ln(W(y|x)/q(y))` in nats for the input distribution `p`.
    ///
    /// # Errors
    /// [`CoreError::LengthMismatch`] when `p` has another length than the number of inputs;
    /// [`CoreError::InvalidDistribution`] when it is not a distribution.
    pub fn mutual_information(&self, p: &[f64]) -> Result<f64> {
        crate::codes::check_len("input distribution", self.w.nrows(), p.len())?;
        check_distribution("input distribution", p)?;
        let q = self.output(p);
        let mut s = 0.0;
        for (row, &px) in self.w.rows().into_iter().zip(p) {
            if px > 0.0 {
                s += px * kl(row.as_slice().unwrap_or(&row.to_vec()), &q);
            }
        }
        Ok(s.max(0.0))
    }

    /// Capacity `C = max_p I(X;Y)` by the Blahut–Arimoto algorithm (Blahut 1972, Arimoto 1972):
    ///
    /// ```text
    /// D(x) = KL(W(·|x) ‖ q),   p(x) ← p(x) e^{D(x)} / Σ p e^D,
    /// ln Σ_x p(x) e^{D(x)}  ≤  C  ≤  max_x D(x)
    /// ```
    ///
    /// starting from the uniform input and stopping when the two bounds are within
    /// `tolerance` or after `max_iterations`.
    ///
    /// # Errors
    /// [`CoreError::InvalidParameter`] for a non-positive tolerance or zero iterations.
    ///
    /// ```
    /// use mutinfo_core::channel::{bsc_capacity, Channel, CapacityOptions};
    /// let c = Channel::binary_symmetric(0.1)?.capacity(CapacityOptions::default())?;
    /// assert!((c.capacity - bsc_capacity(0.1)).abs() < 1e-10);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn capacity(&self, options: CapacityOptions) -> Result<Capacity> {
        if options.tolerance.is_nan() || options.tolerance <= 0.0 {
            return Err(CoreError::InvalidParameter {
                name: "tolerance",
                value: options.tolerance.to_string(),
                reason: "must be positive",
            });
        }
        if options.max_iterations == 0 {
            return Err(CoreError::InvalidParameter {
                name: "max_iterations",
                value: "0".into(),
                reason: "must be at least 1",
            });
        }
        let nx = self.w.nrows();
        let rows: Vec<Vec<f64>> = self.w.rows().into_iter().map(|r| r.to_vec()).collect();
        let mut p = vec![1.0 / nx as f64; nx];
        let mut iterations = 0;
        loop {
            iterations += 1;
            let q = self.output(&p);
            let d: Vec<f64> = rows.iter().map(|r| kl(r, &q)).collect();
            let dmax = d.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            // ln Σ p e^{D}, shifted by max D for stability.
            let z: f64 = p
                .iter()
                .zip(&d)
                .map(|(&px, &dx)| px * (dx - dmax).exp())
                .sum();
            let lower = dmax + z.ln();
            let gap = (dmax - lower).max(0.0);
            let converged = gap <= options.tolerance;
            if converged || iterations >= options.max_iterations {
                return Ok(Capacity {
                    capacity: lower.max(0.0),
                    input: p,
                    gap,
                    iterations,
                    converged,
                });
            }
            for (px, &dx) in p.iter_mut().zip(&d) {
                *px *= (dx - dmax).exp() / z;
            }
        }
    }
}

fn check_prob(name: &'static str, v: f64) -> Result<()> {
    if !(0.0..=1.0).contains(&v) {
        return Err(CoreError::InvalidParameter {
            name,
            value: v.to_string(),
            reason: "must be a probability in [0, 1]",
        });
    }
    Ok(())
}

/// Binary entropy `h(p) = −p ln p − (1−p) ln(1−p)` in nats.
pub fn binary_entropy(p: f64) -> f64 {
    let t = |v: f64| if v > 0.0 { -v * v.ln() } else { 0.0 };
    t(p) + t(1.0 - p)
}

/// Capacity of the binary symmetric channel, `ln 2 − h(ε)` nats (`1 − h₂(ε)` bits).
pub fn bsc_capacity(eps: f64) -> f64 {
    std::f64::consts::LN_2 - binary_entropy(eps)
}

/// Capacity of the binary erasure channel, `(1 − ε) ln 2` nats (`1 − ε` bits).
pub fn bec_capacity(eps: f64) -> f64 {
    (1.0 - eps) * std::f64::consts::LN_2
}

/// Capacity of the additive white Gaussian noise channel with signal power `p` and noise power
/// `n`, `½ ln(1 + P/N)` nats per use (Shannon 1948).
pub fn gaussian_capacity(signal: f64, noise: f64) -> f64 {
    0.5 * (signal / noise).ln_1p()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn closed_forms() {
        let opts = CapacityOptions::default();
        for eps in [0.0, 0.01, 0.1, 0.3, 0.5] {
            let c = Channel::binary_symmetric(eps)
                .unwrap()
                .capacity(opts)
                .unwrap();
            assert!(
                (c.capacity - bsc_capacity(eps)).abs() < crate::prec::IDENTITY,
                "bsc {eps}: {c:?}"
            );
            assert!(c.converged);
            let c = Channel::binary_erasure(eps)
                .unwrap()
                .capacity(opts)
                .unwrap();
            assert!(
                (c.capacity - bec_capacity(eps)).abs() < crate::prec::IDENTITY,
                "bec {eps}"
            );
        }
        // 0.531 bits for ε = 0.1 (Cover & Thomas example 7.1.4).
        assert!(
            (crate::Base::Bits.convert(bsc_capacity(0.1)) - 0.531).abs() < crate::prec::PUBLISHED
        );
        assert!((gaussian_capacity(1.0, 1.0) - 0.5 * 2f64.ln()).abs() < crate::prec::ROUNDOFF);
    }

    #[test]
    fn z_channel_optimal_input() {
        // Z channel with p = 0.5: capacity log2(5/4) bits, optimal P(x=1) = 2/5.
        let ch = Channel::new(array![[1.0, 0.0], [0.5, 0.5]]).unwrap();
        let c = ch.capacity(CapacityOptions::default()).unwrap();
        assert!(
            (c.capacity - (1.25f64).ln()).abs() < crate::prec::IDENTITY,
            "{c:?}"
        );
        assert!((c.input[1] - 0.4).abs() < crate::prec::PUBLISHED, "{c:?}");
        assert!(
            (ch.mutual_information(&c.input).unwrap() - c.capacity).abs() < crate::prec::IDENTITY
        );
    }

    #[test]
    fn errors() {
        assert!(Channel::new(array![[0.5, 0.6]]).is_err());
        assert!(Channel::new(array![[f64::NAN, 1.0]]).is_err());
        assert!(Channel::new(Array2::zeros((0, 2))).is_err());
        let ch = Channel::binary_symmetric(0.2).unwrap();
        assert!(ch.mutual_information(&[1.0]).is_err());
        assert!(ch.mutual_information(&[0.7, 0.7]).is_err());
        assert!(Channel::binary_symmetric(1.5).is_err());
        let bad = CapacityOptions {
            tolerance: 0.0,
            ..Default::default()
        };
        assert!(ch.capacity(bad).is_err());
    }
}
