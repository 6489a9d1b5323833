//! Fano's inequality and its converse: how conditional entropy limits prediction error.
//!
//! For a guess `Ŷ = g(X)` of `Y` taking `m ≥ 2` values with error probability `Pₑ`, Fano's
//! inequality (Cover & Thomas, Theorem 2.10.1) says
//!
//! ```text
//! H(Y|X) ≤ h(Pₑ) + Pₑ ln(m − 1)        (nats; h is the binary entropy)
//! ```
//!
//! so a given `H(Y|X)` forces a least error probability ([`fano_error_lower_bound`]), and a
//! wanted error rate needs `H(Y|X)` at most [`fano_entropy_upper_bound`], that is at least
//! `H(Y) − fano_entropy_upper_bound(Pₑ, m)` nats of information about `Y`.
//! The converse bound of Feder & Merhav (1994) gives the least `H(Y|X)` compatible with the
//! Bayes error `Pₑ` ([`min_conditional_entropy`]).

use crate::channel::binary_entropy;
use crate::error::{CoreError, Result};

fn check(pe: f64, m: u64) -> Result<()> {
    if m < 2 {
        return Err(CoreError::InvalidParameter {
            name: "classes",
            value: m.to_string(),
            reason: "Fano's inequality needs at least 2 classes",
        });
    }
    if !(0.0..=1.0).contains(&pe) {
        return Err(CoreError::InvalidParameter {
            name: "error probability",
            value: pe.to_string(),
            reason: "must be in [0, 1]",
        });
    }
    Ok(())
}

/// `h(Pₑ) + Pₑ ln(m − 1)`: the largest `H(Y|X)` (nats) compatible with error probability
/// `Pₑ` over `m` classes. Increasing on `[0, 1 − 1/m]`, where it reaches `ln m`.
///
/// # Errors
/// [`CoreError::InvalidParameter`] for `m < 2` or `Pₑ ∉ [0, 1]`.
///
/// ```
/// use mutinfo_core::{fano::fano_entropy_upper_bound, Base};
/// // A 4-class decoder that is right 70% of the time leaves at most 1.357 bits of uncertainty.
/// let h = fano_entropy_upper_bound(0.3, 4)?;
/// assert!((Base::Bits.convert(h) - 1.3568).abs() < 1e-4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fano_entropy_upper_bound(pe: f64, m: u64) -> Result<f64> {
    check(pe, m)?;
    Ok(binary_entropy(pe) + pe * ((m - 1) as f64).ln())
}

/// The least error probability of any predictor of `Y` (over `m` classes) from `X` when
/// `H(Y|X) = h` nats: the smallest `Pₑ ∈ [0, 1 − 1/m]` with
/// `h(Pₑ) + Pₑ ln(m − 1) ≥ h`, found by bisection to machine precision. For `h ≥ ln m` it is
/// `1 − 1/m`.
///
/// # Errors
/// [`CoreError::InvalidParameter`] for `m < 2` or a negative or non-finite `h`.
pub fn fano_error_lower_bound(h: f64, m: u64) -> Result<f64> {
    check(0.0, m)?;
    if !h.is_finite() || h < 0.0 {
        return Err(CoreError::InvalidParameter {
            name: "conditional entropy",
            value: h.to_string(),
            reason: "must be finite and non-negative",
        });
    }
    let top = 1.0 - 1.0 / m as f64;
    let f = |pe: f64| binary_entropy(pe) + pe * ((m - 1) as f64).ln();
    if h >= f(top) {
        return Ok(top);
    }
    if h == 0.0 {
        return Ok(0.0);
    }
    let (mut lo, mut hi) = (0.0, top);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if f(mid) >= h {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(hi)
}

/// The least `H(Y|X)` (nats) compatible with Bayes error `Pₑ` (Feder & Merhav 1994, the
/// piecewise-linear lower bound): for `(k−1)/k ≤ Pₑ ≤ k/(k+1)`,
///
/// ```text
/// H_min(Pₑ) = ln k + k(k+1) ln((k+1)/k) · (Pₑ − (k−1)/k)
/// ```
///
/// with `H_min(0) = 0` (the first piece, k = 1, is `2 ln 2 · Pₑ`).
///
/// # Errors
/// [`CoreError::InvalidParameter`] for `Pₑ ∉ [0, 1)`.
pub fn min_conditional_entropy(pe: f64) -> Result<f64> {
    if !(0.0..1.0).contains(&pe) {
        return Err(CoreError::InvalidParameter {
            name: "error probability",
            value: pe.to_string(),
            reason: "must be in [0, 1)",
        });
    }
    // The k with (k−1)/k ≤ Pₑ < k/(k+1): k = floor(1/(1−Pₑ)).
    let k = (1.0 / (1.0 - pe)).floor().max(1.0);
    let start = (k - 1.0) / k;
    Ok(k.ln() + k * (k + 1.0) * ((k + 1.0) / k).ln() * (pe - start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_class_decoder() {
        // p(correct) = 0.7 over 4 classes: h(0.3) + 0.3 ln 3.
        let h = fano_entropy_upper_bound(0.3, 4).unwrap();
        let expected = -(0.3f64 * 0.3f64.ln() + 0.7 * 0.7f64.ln()) + 0.3 * 3f64.ln();
        assert!((h - expected).abs() < crate::prec::ROUNDOFF);
        // The inverse recovers the error rate.
        let pe = fano_error_lower_bound(h, 4).unwrap();
        assert!((pe - 0.3).abs() < crate::prec::GOLDEN, "{pe}");
        assert_eq!(fano_error_lower_bound(10.0, 4).unwrap(), 0.75);
        assert_eq!(fano_error_lower_bound(0.0, 4).unwrap(), 0.0);
    }

    #[test]
    fn feder_merhav_is_below_fano() {
        for i in 0..99 {
            let pe = i as f64 / 100.0 * 0.75;
            let lo = min_conditional_entropy(pe).unwrap();
            let hi = fano_entropy_upper_bound(pe, 4).unwrap();
            assert!(lo <= hi + crate::prec::GOLDEN, "{pe}: {lo} > {hi}");
        }
        // At Pₑ = (k−1)/k the bound is ln k.
        assert!((min_conditional_entropy(0.5).unwrap() - 2f64.ln()).abs() < crate::prec::ROUNDOFF);
        assert!(
            (min_conditional_entropy(2.0 / 3.0).unwrap() - 3f64.ln()).abs() < crate::prec::GOLDEN
        );
        assert_eq!(min_conditional_entropy(0.0).unwrap(), 0.0);
    }

    #[test]
    fn errors() {
        assert!(fano_entropy_upper_bound(0.3, 1).is_err());
        assert!(fano_entropy_upper_bound(1.3, 3).is_err());
        assert!(fano_error_lower_bound(f64::NAN, 3).is_err());
        assert!(min_conditional_entropy(1.0).is_err());
    }
}
