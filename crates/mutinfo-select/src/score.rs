//! Criterion scores from per-candidate accumulators, in two number domains.
//!
//! - `f64` nats, for the continuous estimators (their terms are estimates anyway).
//! - [`Exact`]: the discrete plug-in terms as exact integers `N · I · 2^64` (see
//!   [`mutinfo_core::exact`]), where `N` is the common row count. Mathematically equal terms
//!   are equal integers, so sums and differences (JMI, CIFE, ICAP, MIFS, mRMR, β/γ) and minima
//!   (CMIM, JMIM) of them compare exactly, and ties go to the lowest column index as promised.
//!   Ratios are handled as stated at each criterion in [`exact_score`]. Scores become `f64`
//!   only for display, with an exact 0 shown as `+0.0`.

use std::cmp::Ordering;
use std::fmt::Debug;
use std::ops::{Add, Sub};

use crate::criterion::Criterion;
use crate::error::{Result, SelectError};
use mutinfo_core::exact::{cmp_products, fixed_ratio, fixed_to_f64, I256};

/// A number the greedy rounds fold into accumulators.
pub(crate) trait Term:
    Copy + Send + Sync + PartialOrd + Debug + Add<Output = Self> + Sub<Output = Self>
{
    /// Zero.
    const ZERO: Self;
    /// `num / den` as a term of DISR and NJMIM (0 when `den ≤ 0`).
    fn ratio(num: Self, den: Self) -> Self;
    /// `max(self, 0)`.
    fn at_least_zero(self) -> Self {
        if self > Self::ZERO {
            self
        } else {
            Self::ZERO
        }
    }
}

impl Term for f64 {
    const ZERO: f64 = 0.0;
    fn ratio(num: f64, den: f64) -> f64 {
        if den > 0.0 {
            num / den
        } else {
            0.0
        }
    }
}

/// Fractional bits of the fixed-point ratios of DISR and NJMIM.
pub(crate) const RATIO_BITS: u32 = 96;

/// An exact discrete term: `N · I · 2^64` as an integer (ratios: `q · 2^-96`, see
/// [`exact_score`]).
pub(crate) type Exact = i128;

impl Term for i128 {
    const ZERO: i128 = 0;
    /// `⌊num · 2^96 / den⌋` (clamped to `[0, 1]` first): equal ratios give equal integers.
    fn ratio(num: i128, den: i128) -> i128 {
        if den <= 0 {
            0
        } else {
            fixed_ratio(num.clamp(0, den), den, RATIO_BITS)
        }
    }
}

/// The terms of one (candidate `X`, newest selected `X_s`) pair that the accumulators fold in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PairTerms<T> {
    /// `I(X;X_s)`.
    pub mi_xz: T,
    /// `I(X;X_s|Y)`.
    pub cmi_xz_given_y: T,
    /// `I(X,X_s;Y)`.
    pub joint: T,
    /// `I(X;Y|X_s)`.
    pub cmi_xy_given_z: T,
    /// `H(X,X_s,Y)` for the normalized criteria (`None` where it is not defined).
    pub h_xzy: Option<T>,
}

/// Per-candidate accumulators over the selected features, summed in selection order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Acc<T> {
    /// `Σ_s I(X;X_s)`.
    pub(crate) redundancy: T,
    /// `Σ_s I(X;X_s|Y)`.
    pub(crate) conditional_redundancy: T,
    /// `Σ_s I(X,X_s;Y)` (JMI).
    joint_relevance: T,
    /// `Σ_s I(X,X_s;Y) / H(X,X_s,Y)` (DISR).
    normalized_joint: T,
    /// `Σ_s max(0, I(X;X_s) − I(X;X_s|Y))` (ICAP).
    interaction_penalty: T,
    /// `min_s I(X;Y|X_s)` (CMIM).
    min_conditional_relevance: Option<T>,
    /// `min_s I(X,X_s;Y)` (JMIM).
    min_joint_relevance: Option<T>,
    /// `min_s I(X,X_s;Y) / H(X,X_s,Y)` (NJMIM).
    min_normalized_joint: Option<T>,
    /// `I(X;Y|X_S)` given the joint of the selected set (CondMI).
    pub(crate) conditional_relevance: T,
    /// Selected features this candidate has been updated with (CMIM's lazy evaluation).
    pub(crate) done: usize,
}

impl<T: Term> Acc<T> {
    pub(crate) fn new() -> Self {
        Acc {
            redundancy: T::ZERO,
            conditional_redundancy: T::ZERO,
            joint_relevance: T::ZERO,
            normalized_joint: T::ZERO,
            interaction_penalty: T::ZERO,
            min_conditional_relevance: None,
            min_joint_relevance: None,
            min_normalized_joint: None,
            conditional_relevance: T::ZERO,
            done: 0,
        }
    }

    /// Folds in `I(X;X_s)` (the criteria that need the two-way table only).
    pub(crate) fn add_redundancy(&mut self, mi_xz: T) {
        self.redundancy = self.redundancy + mi_xz;
    }

    /// Folds in every term of a (candidate, selected) pair.
    pub(crate) fn add_pair_terms(&mut self, t: &PairTerms<T>) {
        let min = |m: Option<T>, v: T| Some(m.map_or(v, |m| if v < m { v } else { m }));
        self.redundancy = self.redundancy + t.mi_xz;
        self.conditional_redundancy = self.conditional_redundancy + t.cmi_xz_given_y;
        self.joint_relevance = self.joint_relevance + t.joint;
        let normalized = t.h_xzy.map_or(T::ZERO, |h| T::ratio(t.joint, h));
        self.normalized_joint = self.normalized_joint + normalized;
        self.interaction_penalty =
            self.interaction_penalty + (t.mi_xz - t.cmi_xz_given_y).at_least_zero();
        self.min_conditional_relevance = min(self.min_conditional_relevance, t.cmi_xy_given_z);
        self.min_joint_relevance = min(self.min_joint_relevance, t.joint);
        self.min_normalized_joint = min(self.min_normalized_joint, normalized);
    }
}

/// The `f64` criterion value of a candidate from its accumulators; `s ≥ 1` features selected.
pub(crate) fn float_score(c: Criterion, rel: f64, a: &Acc<f64>, s: usize) -> f64 {
    let inf = f64::INFINITY;
    let v = match c {
        Criterion::Mim => rel,
        Criterion::Mifs { beta } => rel - beta * a.redundancy,
        Criterion::Mrmr => rel - a.redundancy / s as f64,
        // 1e-4: the constant of Peng's mrmr code (see `Criterion::MrmrQuotient`).
        Criterion::MrmrQuotient => rel / (a.redundancy / s as f64 + 1e-4),
        Criterion::Jmi => a.joint_relevance,
        Criterion::Cmim => rel.min(a.min_conditional_relevance.unwrap_or(inf)),
        Criterion::CmimUncapped => a.min_conditional_relevance.unwrap_or(inf),
        Criterion::Disr => a.normalized_joint,
        Criterion::Icap => rel - a.interaction_penalty,
        Criterion::Cife => rel - a.redundancy + a.conditional_redundancy,
        Criterion::CondMi => a.conditional_relevance,
        Criterion::Jmim => a.min_joint_relevance.unwrap_or(inf),
        Criterion::Njmim => a.min_normalized_joint.unwrap_or(inf),
        Criterion::BetaGamma { beta, gamma } => {
            rel - beta * a.redundancy + gamma * a.conditional_redundancy
        }
    };
    v + 0.0
}

/// An exact criterion value: an integer key (or a ratio of two) that orders candidates
/// exactly within one round, and its value in nats for display.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExactScore {
    key: Key,
    shown: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Int(I256),
    /// `num / den` with `den > 0`, compared by exact cross-multiplication.
    Ratio {
        num: i128,
        den: i128,
    },
}

impl ExactScore {
    fn int(v: i128, shown: f64) -> Self {
        ExactScore {
            key: Key::Int(I256::from_i128(v)),
            shown,
        }
    }
}

impl PartialEq for ExactScore {
    fn eq(&self, other: &Self) -> bool {
        self.partial_cmp(other) == Some(Ordering::Equal)
    }
}

impl PartialOrd for ExactScore {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(match (self.key, other.key) {
            (Key::Int(a), Key::Int(b)) => a.cmp(&b),
            (Key::Ratio { num: a, den: b }, Key::Ratio { num: c, den: d }) => {
                cmp_products(a, d, c, b)
            }
            _ => return self.shown.partial_cmp(&other.shown),
        })
    }
}

/// A score the round loop can rank and show.
pub(crate) trait Ranked: Copy + Send + Sync + Debug + PartialOrd {
    /// The value in nats (or the criterion's unit) for display; an exact zero is `+0.0`.
    fn shown(&self) -> f64;
}

impl Ranked for f64 {
    fn shown(&self) -> f64 {
        self + 0.0
    }
}

impl Ranked for ExactScore {
    fn shown(&self) -> f64 {
        self.shown
    }
}

/// What an exact integer term means: `N · nats · 2^64`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExactUnit {
    /// The common row count `N`.
    pub rows: u64,
    /// Peng's `10⁻⁴` of MIQ in the same unit: `round(10⁻⁴ · N · 2^64)`.
    miq_constant: i128,
}

impl ExactUnit {
    pub(crate) fn new(rows: u64) -> Self {
        ExactUnit {
            rows,
            miq_constant: (1e-4 * rows as f64 * 18_446_744_073_709_551_616.0).round() as i128,
        }
    }

    /// An exact term in nats.
    pub(crate) fn nats(&self, v: i128) -> f64 {
        if v == 0 {
            0.0
        } else {
            fixed_to_f64(v) / self.rows as f64
        }
    }
}

/// `w = m · 2^e` exactly, `m` odd (or 0).
fn dyadic(w: f64) -> (i128, i32) {
    if w == 0.0 {
        return (0, 0);
    }
    let bits = w.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = (bits & ((1u64 << 52) - 1)) as i128;
    let (mut m, mut e) = if exp == 0 {
        (frac, -1074)
    } else {
        (frac | 1 << 52, exp - 1075)
    };
    let tz = m.trailing_zeros();
    m >>= tz;
    e += tz as i32;
    (if w < 0.0 { -m } else { m }, e)
}

/// `rel + Σ w_i t_i` for finite `f64` weights, exactly: the weights are dyadic rationals
/// `m · 2^e`, so the value times `2^k` (`k = max(0, −e_i)`) is an integer.
fn weighted(
    rel: i128,
    terms: &[(f64, i128)],
    unit: &ExactUnit,
    name: &'static str,
) -> Result<ExactScore> {
    let parts: Vec<(i128, i32, i128)> = terms
        .iter()
        .map(|&(w, t)| {
            let (m, e) = dyadic(w);
            (m, e, t)
        })
        .collect();
    let k = parts
        .iter()
        .filter(|p| p.0 != 0)
        .map(|p| -p.1)
        .max()
        .unwrap_or(0)
        .max(0);
    let too_far = || SelectError::InvalidParameter {
        name,
        value: format!("{:?}", terms.iter().map(|t| t.0.abs()).collect::<Vec<_>>()),
        reason: "is too far from 1 in scale for exact scoring (within 2^±60 works)",
    };
    let mut key = I256::from_i128(rel)
        .checked_shl(k as u32)
        .ok_or_else(too_far)?;
    for &(m, e, t) in parts.iter().filter(|p| p.0 != 0) {
        let part = I256::product(m, t)
            .checked_shl((e + k) as u32)
            .ok_or_else(too_far)?;
        key = key.checked_add(part).ok_or_else(too_far)?;
    }
    let shown = key.to_f64() * 2f64.powi(-k) / 18_446_744_073_709_551_616.0 / unit.rows as f64;
    Ok(ExactScore {
        key: Key::Int(key),
        shown: shown + 0.0,
    })
}

/// The exact score of the first round: the relevance `N · I(X;Y) · 2^64`.
pub(crate) fn exact_relevance(rel: i128, unit: &ExactUnit) -> ExactScore {
    ExactScore::int(rel, unit.nats(rel))
}

/// The exact criterion value of a candidate from its exact accumulators; `s ≥ 1` selected.
///
/// Rules (all terms are exact integers `N · I · 2^64`, so every equality below is exact):
/// - MIM, JMI, ICAP, CIFE, CondMI: sums and differences of terms; CMIM (capped and uncapped)
///   and JMIM: exact minima.
/// - mRMR (MID): ranked by `|S| · I(X;Y) − Σ_s I(X;X_s)`, the score times the common `|S|`.
/// - MIFS and β/γ: the weights are taken as the exact dyadic rationals their `f64` values are,
///   and `2^k · (I − β Σ I(X;X_s) + γ Σ I(X;X_s|Y))` is formed exactly in 256-bit integers.
/// - MIQ: `I(X;Y) / (Σ_s I(X;X_s) + |S| · c)` with Peng's `c = 10⁻⁴` as the integer
///   `round(10⁻⁴ · N · 2^64)`, compared by exact cross-multiplication (256-bit).
/// - DISR and NJMIM: each ratio `I(X,X_s;Y) / H(X,X_s,Y)` is the integer `⌊ratio · 2^96⌋` by
///   exact integer division, so equal ratios give equal integers; DISR sums them exactly
///   (error below `|S| · 2^-96`), NJMIM takes their minimum.
///
/// # Errors
/// [`SelectError::InvalidParameter`] when β and γ are too far apart in scale for 256 bits.
pub(crate) fn exact_score(
    c: Criterion,
    rel: i128,
    a: &Acc<i128>,
    s: usize,
    unit: &ExactUnit,
) -> Result<ExactScore> {
    let nats = |v: i128| exact_relevance(v, unit);
    let ratio = |q: i128| ExactScore::int(q, fixed_to_f64(q) / 2f64.powi(RATIO_BITS as i32 - 64));
    // `None` (no selected feature folded in yet) is +∞, as in the `f64` domain.
    let or_infinity = |m: Option<i128>| m.unwrap_or(i128::MAX);
    Ok(match c {
        Criterion::Mim => nats(rel),
        Criterion::Mifs { beta } => weighted(rel, &[(-beta, a.redundancy)], unit, "beta")?,
        Criterion::Mrmr => {
            let key = I256::product(rel, s as i128)
                .checked_add(-I256::from_i128(a.redundancy))
                .expect("two terms below 2^127 and 2^64");
            ExactScore {
                key: Key::Int(key),
                shown: key.to_f64() / 18_446_744_073_709_551_616.0 / unit.rows as f64 / s as f64
                    + 0.0,
            }
        }
        Criterion::MrmrQuotient => {
            let den = a.redundancy + s as i128 * unit.miq_constant;
            ExactScore {
                key: Key::Ratio { num: rel, den },
                shown: if rel == 0 {
                    0.0
                } else {
                    s as f64 * rel as f64 / den as f64
                },
            }
        }
        Criterion::Jmi => nats(a.joint_relevance),
        Criterion::Cmim => nats(rel.min(or_infinity(a.min_conditional_relevance))),
        Criterion::CmimUncapped => nats(or_infinity(a.min_conditional_relevance)),
        Criterion::Disr => ratio(a.normalized_joint),
        Criterion::Icap => nats(rel - a.interaction_penalty),
        Criterion::Cife => nats(rel - a.redundancy + a.conditional_redundancy),
        Criterion::CondMi => nats(a.conditional_relevance),
        Criterion::Jmim => nats(or_infinity(a.min_joint_relevance)),
        Criterion::Njmim => ratio(or_infinity(a.min_normalized_joint)),
        Criterion::BetaGamma { beta, gamma } => weighted(
            rel,
            &[(-beta, a.redundancy), (gamma, a.conditional_redundancy)],
            unit,
            "beta/gamma",
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dyadic_is_exact() {
        for w in [0.5, 0.1, 1.0, 3.0, -0.75, 1e-300, 123456.789] {
            let (m, e) = dyadic(w);
            assert_eq!(m as f64 * 2f64.powi(e), w, "{w}");
            assert!(m % 2 != 0);
        }
    }

    #[test]
    fn weighted_ties_exactly() {
        // rel − 0.5·red: (10, 4) and (9, 2) are both 8; (11, 6) too.
        let unit = ExactUnit::new(1);
        let a = weighted(10, &[(-0.5, 4)], &unit, "beta").unwrap();
        let b = weighted(9, &[(-0.5, 2)], &unit, "beta").unwrap();
        let c = weighted(11, &[(-0.5, 7)], &unit, "beta").unwrap();
        assert_eq!(a.partial_cmp(&b), Some(Ordering::Equal));
        assert_eq!(c.partial_cmp(&a), Some(Ordering::Less));
    }
}
