//! Validation of predictive samples and the small numeric helpers every score shares.
//!
//! Predictive samples are an `[N pool points × K members × C classes]` array of class
//! probabilities: `probs[[n, k, c]]` is member `k`'s probability that pool point `n` has class `c`.

use ndarray::{ArrayView2, ArrayView3, Axis};

use crate::error::{ActiveError, Result};

/// Default tolerance on `|Σ_c p − 1|` for one member's class probabilities.
///
/// Float32 softmax outputs over a thousand classes sum to 1 within about 1e-5; double-precision
/// outputs within 1e-15. Use [`validate_with_tolerance`] to change it.
pub const DEFAULT_SUM_TOLERANCE: f64 = 1e-5;

/// Checks an `[N × K × C]` array of predictive samples with [`DEFAULT_SUM_TOLERANCE`].
///
/// # Errors
/// [`ActiveError::Empty`] when N, K or C is zero; [`ActiveError::NonFinite`] for NaN or
/// infinity; [`ActiveError::OutOfRange`] for a value outside `[0, 1]`;
/// [`ActiveError::NotNormalized`] when a member's probabilities for a point do not sum to 1.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let probs = array![[[0.5, 0.5], [0.9, 0.1]]];
/// mutinfo_active::validate(probs.view())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn validate(probs: ArrayView3<f64>) -> Result<()> {
    validate_with_tolerance(probs, DEFAULT_SUM_TOLERANCE)
}

/// Checks predictive samples like [`validate`], with a chosen tolerance on the sums.
///
/// # Errors
/// As [`validate`]; [`ActiveError::InvalidParameter`] when `tolerance` is negative or NaN.
pub fn validate_with_tolerance(probs: ArrayView3<f64>, tolerance: f64) -> Result<()> {
    if tolerance.is_nan() || tolerance < 0.0 {
        return Err(ActiveError::InvalidParameter {
            name: "tolerance",
            value: tolerance.to_string(),
            reason: "must be a non-negative number",
        });
    }
    let (n, k, c) = probs.dim();
    if n == 0 {
        return Err(ActiveError::Empty { what: "pool" });
    }
    if k == 0 {
        return Err(ActiveError::Empty { what: "committee" });
    }
    if c == 0 {
        return Err(ActiveError::Empty { what: "class axis" });
    }
    for (point, plane) in probs.outer_iter().enumerate() {
        for (member, row) in plane.outer_iter().enumerate() {
            let mut sum = 0.0;
            for (class, &value) in row.iter().enumerate() {
                if !value.is_finite() {
                    return Err(ActiveError::NonFinite {
                        point,
                        member,
                        class,
                        value,
                    });
                }
                if !(0.0..=1.0).contains(&value) {
                    return Err(ActiveError::OutOfRange {
                        point,
                        member,
                        class,
                        value,
                    });
                }
                sum += value;
            }
            if (sum - 1.0).abs() > tolerance {
                return Err(ActiveError::NotNormalized {
                    point,
                    member,
                    sum,
                    tolerance,
                });
            }
        }
    }
    Ok(())
}

pub(crate) use mutinfo_core::weights::{entropy_of_probabilities as entropy, xlnx};

/// The consensus (mean over members) of one point's `[K × C]` plane, written into `out`.
///
/// Computed as `p₀ + Σ_k (p_k − p₀) / K` so that members in exact agreement give the consensus
/// `p₀` bit for bit (a plain `Σ p_k / K` can be off by an ulp, which would make BALD of an
/// agreeing committee `1e-17` instead of 0).
pub(crate) fn consensus_into(plane: ArrayView2<f64>, out: &mut [f64]) {
    let k = plane.nrows();
    let first = plane.row(0);
    for (c, o) in out.iter_mut().enumerate() {
        let p0 = first[c];
        let mut d = 0.0;
        for row in plane.axis_iter(Axis(0)).skip(1) {
            d += row[c] - p0;
        }
        *o = p0 + d / k as f64;
    }
}

/// Mean over members of the member entropies `(1/K) Σ_k H(p_k)` for one point, nats.
///
/// Same shift as [`consensus_into`]: identical members give exactly their entropy.
pub(crate) fn mean_member_entropy(plane: ArrayView2<f64>) -> f64 {
    let k = plane.nrows();
    let h0 = entropy(plane.row(0).iter().copied());
    let mut d = 0.0;
    for row in plane.outer_iter().skip(1) {
        d += entropy(row.iter().copied()) - h0;
    }
    h0 + d / k as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array3};

    #[test]
    fn rejects_bad_inputs() {
        let nan = array![[[f64::NAN, 1.0]]];
        assert!(matches!(
            validate(nan.view()),
            Err(ActiveError::NonFinite { class: 0, .. })
        ));
        let neg = array![[[-0.1, 1.1]]];
        assert!(matches!(
            validate(neg.view()),
            Err(ActiveError::OutOfRange { .. })
        ));
        let unnorm = array![[[0.5, 0.6]]];
        assert!(matches!(
            validate(unnorm.view()),
            Err(ActiveError::NotNormalized {
                point: 0,
                member: 0,
                ..
            })
        ));
        let empty = Array3::<f64>::zeros((0, 2, 2));
        assert!(matches!(
            validate(empty.view()),
            Err(ActiveError::Empty { what: "pool" })
        ));
        let ok = array![[[0.25, 0.75]], [[1.0, 0.0]]];
        validate(ok.view()).unwrap();
        assert!(validate_with_tolerance(ok.view(), f64::NAN).is_err());
    }

    #[test]
    fn consensus_of_identical_members_is_exact() {
        let plane = array![[0.1, 0.2, 0.7], [0.1, 0.2, 0.7], [0.1, 0.2, 0.7]];
        let mut c = [0.0; 3];
        consensus_into(plane.view(), &mut c);
        assert_eq!(c, [0.1, 0.2, 0.7]);
        assert_eq!(mean_member_entropy(plane.view()), entropy([0.1, 0.2, 0.7]));
    }
}

/// `ln x` for every element of `xs` into `out`, branch-free so the loop vectorizes with the
/// baseline instruction set; zero and subnormal inputs give `ln(f64::MIN_POSITIVE)` (≈ −708.4),
/// which callers multiply by the input (so `0 · ln 0` stays 0). Accurate to a few ulps for
/// normal positive inputs (tested against `f64::ln`): `x = m·2^e` with `m ∈ [√½, √2)`, and
/// `ln m = 2 atanh(f)`, `f = (m − 1)/(m + 1)`, `|f| ≤ 0.1716`, by its Taylor series to `f^23`
/// (truncation below 1e-17), `ln 2` split in two parts as in fdlibm.
#[inline(always)]
pub(crate) fn ln_into(xs: &[f64], out: &mut [f64]) {
    // Blocks of 8 independent lanes so the vectorized polynomial has instruction-level
    // parallelism (one 2-lane chain is latency-bound).
    let mut oc = out.chunks_exact_mut(8);
    let mut xc = xs.chunks_exact(8);
    for (o, x) in (&mut oc).zip(&mut xc) {
        for i in 0..8 {
            o[i] = ln1(x[i]);
        }
    }
    for (o, &x) in oc.into_remainder().iter_mut().zip(xc.remainder()) {
        *o = ln1(x);
    }
}

#[inline(always)]
fn ln1(x: f64) -> f64 {
    // ln 2 split as in fdlibm e_log.c: LN2_HI has its low 32 bits zero, so e·LN2_HI is exact.
    const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
    const SQRT_HALF_BITS: u64 = 0x3FE6_A09E_667F_3BCD; // √½
    let x = x.max(f64::MIN_POSITIVE);
    let bits = x.to_bits();
    // Exponent relative to the [√½, √2) mantissa range.
    let shifted = bits.wrapping_sub(SQRT_HALF_BITS);
    // m = x / 2^e: subtract the exponent field (kept as the top 12 bits, wrapping).
    let m = f64::from_bits(bits.wrapping_sub(shifted & 0xFFF0_0000_0000_0000));
    // e as f64 without 64-bit arithmetic shifts or int→float conversions (absent from
    // SSE2): bias the 12-bit two's-complement field by 2048 and read it as the mantissa of
    // 2^52, which is exact.
    let biased = (shifted >> 52) ^ 0x800;
    let ef = f64::from_bits(0x4330_0000_0000_0000 | biased) - (4_503_599_627_370_496.0 + 2048.0);
    let f = (m - 1.0) / (m + 1.0);
    let s = f * f;
    // Σ_{j≥0} s^j / (2j + 3) up to j = 10, by Estrin's scheme (short dependency chains).
    let s2 = s * s;
    let s4 = s2 * s2;
    let s8 = s4 * s4;
    let a01 = 1.0 / 3.0 + s * (1.0 / 5.0);
    let a23 = 1.0 / 7.0 + s * (1.0 / 9.0);
    let a45 = 1.0 / 11.0 + s * (1.0 / 13.0);
    let a67 = 1.0 / 15.0 + s * (1.0 / 17.0);
    let a89 = 1.0 / 19.0 + s * (1.0 / 21.0);
    let p = (a01 + s2 * a23) + s4 * (a45 + s2 * a67) + s8 * (a89 + s2 * (1.0 / 23.0));
    ef * LN2_HI + (2.0 * f + (2.0 * f * s * p + ef * LN2_LO))
}

#[cfg(test)]
mod ln_tests {
    use super::ln_into;

    #[test]
    fn fast_ln_matches_std() {
        let mut xs = vec![
            1.0,
            0.5,
            2.0,
            std::f64::consts::FRAC_1_SQRT_2,
            std::f64::consts::FRAC_1_SQRT_2.next_up(),
            std::f64::consts::FRAC_1_SQRT_2.next_down(),
            std::f64::consts::SQRT_2,
            std::f64::consts::SQRT_2.next_down(),
            1e-300,
            1e300,
            0.1,
            0.9999999999,
            1.0000000001,
        ];
        let mut v = 1e-12f64;
        while v < 1.0 {
            xs.push(v);
            v *= 1.000_37;
        }
        let mut out = vec![0.0; xs.len()];
        ln_into(&xs, &mut out);
        for (&x, &l) in xs.iter().zip(&out) {
            let r = x.ln();
            assert!(
                (l - r).abs() <= 4.0 * f64::EPSILON * r.abs().max(1.0),
                "ln {x}: {l} vs {r}"
            );
        }
        let mut z = [0.0; 2];
        ln_into(&[0.0, 5e-324], &mut z);
        assert_eq!(z, [f64::MIN_POSITIVE.ln(); 2]);
    }
}
