//! The selection criteria, as data: what each scores and which terms it needs.

use crate::error::SelectError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A greedy forward-selection criterion `J(X)` scoring a candidate `X` against the class `Y`
/// and the already selected set `S` (all terms plug-in, nats).
///
/// Every criterion picks the most relevant feature (largest `I(X;Y)`) first; ties go to the
/// lowest column index. The notation and the unifying view are those of Brown, Pocock, Zhao &
/// Luján, "Conditional likelihood maximisation: a unifying framework for information theoretic
/// feature selection", JMLR 13 (2012) 27–66; each variant cites its original paper.
///
/// | variant | `J(X)` |
/// |---|---|
/// | [`Mim`](Criterion::Mim) | `I(X;Y)` |
/// | [`Mifs`](Criterion::Mifs) | `I(X;Y) − β Σ_s I(X;X_s)` |
/// | [`Mrmr`](Criterion::Mrmr) | `I(X;Y) − (1/|S|) Σ_s I(X;X_s)` |
/// | [`MrmrQuotient`](Criterion::MrmrQuotient) | `I(X;Y) / ((1/|S|) Σ_s I(X;X_s) + 10⁻⁴)` |
/// | [`Jmi`](Criterion::Jmi) | `Σ_s I(X,X_s;Y)` |
/// | [`Cmim`](Criterion::Cmim) | `min(I(X;Y), min_s I(X;Y|X_s))` |
/// | [`CmimUncapped`](Criterion::CmimUncapped) | `min_s I(X;Y|X_s)` |
/// | [`Disr`](Criterion::Disr) | `Σ_s I(X,X_s;Y) / H(X,X_s,Y)` |
/// | [`Icap`](Criterion::Icap) | `I(X;Y) − Σ_s max(0, I(X;X_s) − I(X;X_s|Y))` |
/// | [`Cife`](Criterion::Cife) | `I(X;Y) − Σ_s [I(X;X_s) − I(X;X_s|Y)]` |
/// | [`CondMi`](Criterion::CondMi) | `I(X;Y|X_S)`, `X_S` the joint of all selected features |
/// | [`Jmim`](Criterion::Jmim) | `min_s I(X,X_s;Y)` |
/// | [`Njmim`](Criterion::Njmim) | `min_s I(X,X_s;Y) / H(X,X_s,Y)` |
/// | [`BetaGamma`](Criterion::BetaGamma) | `I(X;Y) − β Σ_s I(X;X_s) + γ Σ_s I(X;X_s|Y)` |
///
/// # Exact scores and ties (discrete engine, [`crate::select`])
/// Every plug-in term is the exact integer `N · I · 2^64` of `mutinfo_core::exact` (one prime
/// logarithm per prime, so `Σ c ln c` is linear in the prime exponents and mathematically
/// equal terms are equal integers). Scores are combined in that integer domain, so
/// mathematically equal scores compare equal and **ties go to the lowest column index**, in
/// every round of every criterion; an exact zero is reported as `0.0`. Per criterion:
/// - MIM, JMI, ICAP, CIFE, CondMI: exact integer sums and differences; CMIM (both forms) and
///   JMIM: exact integer minima.
/// - mRMR (MID): ranked by the exact integer `|S| · I(X;Y) − Σ_s I(X;X_s)`.
/// - MIFS and β/γ: `β`, `γ` are the exact dyadic rationals their `f64` values are, and
///   `2^k (I(X;Y) − β Σ I(X;X_s) + γ Σ I(X;X_s|Y))` is formed exactly in 256-bit integers
///   (an error names the parameter when `β` and `γ` are more than about `2^60` apart).
/// - MIQ: `I(X;Y) / (Σ_s I(X;X_s) + |S| · 10⁻⁴)`, with `10⁻⁴` as the fixed integer
///   `round(10⁻⁴ · N · 2^64)`, compared by exact 256-bit cross-multiplication.
/// - DISR, NJMIM: each ratio `I(X,X_s;Y) / H(X,X_s,Y)` becomes `⌊ratio · 2^96⌋` by exact
///   integer division (equal ratios give equal integers, error below `2^-96`); DISR sums them
///   exactly, NJMIM takes their minimum. A ratio whose denominator is 0 (every column
///   constant) contributes 0.
///
/// The continuous engine ([`crate::select_continuous`]) combines its estimates in `f64`, in
/// selection order, with the same tie rule. In both, sums are accumulated in selection order
/// and minima are exact, so the incremental values equal a from-scratch recomputation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "name")]
#[non_exhaustive]
pub enum Criterion {
    /// Mutual information maximisation: rank by relevance alone (Lewis, "Feature selection and
    /// feature extraction for text categorization", 1992).
    Mim,
    /// Mutual information feature selection with redundancy weight `beta` (Battiti, "Using
    /// mutual information for selecting features in supervised neural net learning", IEEE TNN
    /// 5(4), 1994).
    Mifs {
        /// Weight of the summed redundancy `Σ_s I(X;X_s)`; must be finite and ≥ 0.
        beta: f64,
    },
    /// Minimum-redundancy maximum-relevance, difference form MID (Peng, Long & Ding, "Feature
    /// selection based on mutual information: criteria of max-dependency, max-relevance, and
    /// min-redundancy", IEEE TPAMI 27(8), 2005). Selections agree with Peng's `mrmr` code.
    Mrmr,
    /// mRMR quotient form MIQ (Peng, Long & Ding 2005). The `10⁻⁴` added to the mean
    /// redundancy is the one in Peng's `mrmr` code (and so pymrmr); it keeps the quotient finite
    /// when a candidate shares nothing with the selected set.
    MrmrQuotient,
    /// Joint mutual information (Yang & Moody, "Data visualization and feature selection: new
    /// algorithms for nongaussian data", NIPS 1999), in the summed form of FEAST.
    Jmi,
    /// Conditional mutual information maximisation, capped by the relevance `I(X;Y)` as in
    /// FEAST and praznik (Fleuret, "Fast binary feature selection with conditional mutual
    /// information", JMLR 5, 2004). Evaluated lazily as in Fleuret's paper.
    Cmim,
    /// CMIM without the relevance cap, as scikit-feature computes it: `min_s I(X;Y|X_s)`.
    /// Differs from [`Criterion::Cmim`] when conditioning increases a candidate's information.
    CmimUncapped,
    /// Double input symmetrical relevance (Meyer, Schretter & Bontempi, "Information-theoretic
    /// feature selection in microarray data using variable complementarity", IEEE JSTSP 2(3),
    /// 2008).
    Disr,
    /// Interaction capping (Jakulin, "Machine learning based on attribute interactions", PhD
    /// thesis, Ljubljana 2005).
    Icap,
    /// Conditional infomax feature extraction (Lin & Tang, "Conditional infomax learning: an
    /// integrated framework for feature extraction and fusion", ECCV 2006).
    Cife,
    /// Conditional mutual information given all selected features jointly (Brown et al. 2012,
    /// §4; FEAST's `CondMI`). The engine keeps the joint code of the selected set.
    CondMi,
    /// Joint mutual information maximisation (Bennasar, Hicks & Setchi, "Feature selection
    /// using joint mutual information maximisation", Expert Systems with Applications 42(22),
    /// 2015).
    Jmim,
    /// Normalized JMIM (Bennasar, Hicks & Setchi 2015).
    Njmim,
    /// The general linear criterion of Brown et al. (2012, eq. 8) with weights `beta` on the
    /// redundancy and `gamma` on the conditional redundancy (MIFS is `γ = 0`, CIFE is
    /// `β = γ = 1`).
    BetaGamma {
        /// Weight of `Σ_s I(X;X_s)`; finite.
        beta: f64,
        /// Weight of `Σ_s I(X;X_s|Y)`; finite.
        gamma: f64,
    },
}

impl Default for Criterion {
    /// [`Criterion::Jmi`], the best trade-off in Brown et al.'s (2012) comparison.
    fn default() -> Self {
        Criterion::Jmi
    }
}

/// Which pairwise terms a criterion needs per (candidate, newest selected) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// Nothing after the first step.
    Nothing,
    /// `I(X;X_s)` only: a two-way table.
    Pair,
    /// Terms involving the class: a three-way table.
    Triple,
    /// The conditional MI given the joint of the whole selected set.
    Joint,
}

impl Criterion {
    /// The command-line name (`mim`, `mifs`, `mrmr`, `mrmr-quotient`, `jmi`, `cmim`,
    /// `cmim-uncapped`, `disr`, `icap`, `cife`, `condmi`, `jmim`, `njmim`, `beta-gamma`).
    pub fn name(&self) -> &'static str {
        match self {
            Criterion::Mim => "mim",
            Criterion::Mifs { .. } => "mifs",
            Criterion::Mrmr => "mrmr",
            Criterion::MrmrQuotient => "mrmr-quotient",
            Criterion::Jmi => "jmi",
            Criterion::Cmim => "cmim",
            Criterion::CmimUncapped => "cmim-uncapped",
            Criterion::Disr => "disr",
            Criterion::Icap => "icap",
            Criterion::Cife => "cife",
            Criterion::CondMi => "condmi",
            Criterion::Jmim => "jmim",
            Criterion::Njmim => "njmim",
            Criterion::BetaGamma { .. } => "beta-gamma",
        }
    }

    /// Every criterion, with `β = 0.5` for MIFS and `β = 0.8, γ = 0.5` for the β/γ form.
    pub fn all() -> [Criterion; 14] {
        [
            Criterion::Mim,
            Criterion::Mifs { beta: 0.5 },
            Criterion::Mrmr,
            Criterion::MrmrQuotient,
            Criterion::Jmi,
            Criterion::Cmim,
            Criterion::CmimUncapped,
            Criterion::Disr,
            Criterion::Icap,
            Criterion::Cife,
            Criterion::CondMi,
            Criterion::Jmim,
            Criterion::Njmim,
            Criterion::BetaGamma {
                beta: 0.8,
                gamma: 0.5,
            },
        ]
    }

    /// Parses a name as [`Criterion::name`] gives it, with explicit weights for the weighted
    /// forms (`beta` for MIFS, `beta` and `gamma` for the β/γ form; ignored by the others).
    ///
    /// # Errors
    /// [`SelectError::UnknownCriterion`] for another name.
    pub fn from_name(name: &str, beta: f64, gamma: f64) -> Result<Self, SelectError> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "mifs" => Criterion::Mifs { beta },
            "beta-gamma" | "betagamma" => Criterion::BetaGamma { beta, gamma },
            other => other.parse()?,
        })
    }

    pub(crate) fn need(&self) -> Need {
        match self {
            Criterion::Mim => Need::Nothing,
            Criterion::Mifs { .. } | Criterion::Mrmr | Criterion::MrmrQuotient => Need::Pair,
            Criterion::CondMi => Need::Joint,
            _ => Need::Triple,
        }
    }

    /// Checks the weights.
    pub(crate) fn validate(&self) -> Result<(), SelectError> {
        let bad = |name: &'static str, value: f64, reason: &'static str| {
            Err(SelectError::InvalidParameter {
                name,
                value: value.to_string(),
                reason,
            })
        };
        match *self {
            Criterion::Mifs { beta } if !(beta.is_finite() && beta >= 0.0) => {
                bad("beta", beta, "must be finite and non-negative")
            }
            Criterion::BetaGamma { beta, .. } if !beta.is_finite() => {
                bad("beta", beta, "must be finite")
            }
            Criterion::BetaGamma { gamma, .. } if !gamma.is_finite() => {
                bad("gamma", gamma, "must be finite")
            }
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Criterion::Mifs { beta } => write!(f, "mifs(beta={beta})"),
            Criterion::BetaGamma { beta, gamma } => {
                write!(f, "beta-gamma(beta={beta}, gamma={gamma})")
            }
            other => f.write_str(other.name()),
        }
    }
}

impl FromStr for Criterion {
    type Err = SelectError;

    /// Parses a name as [`Criterion::name`] gives it (case-insensitive; `mid`, `miq`,
    /// `mrmr-difference` are accepted too). `mifs` gets `β = 0.5` and `beta-gamma` gets
    /// `β = 0.8, γ = 0.5`; use [`Criterion::from_name`] to give weights.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "mim" => Criterion::Mim,
            "mifs" => Criterion::Mifs { beta: 0.5 },
            "mrmr" | "mid" | "mrmr-difference" => Criterion::Mrmr,
            "mrmr-quotient" | "miq" => Criterion::MrmrQuotient,
            "jmi" => Criterion::Jmi,
            "cmim" => Criterion::Cmim,
            "cmim-uncapped" => Criterion::CmimUncapped,
            "disr" => Criterion::Disr,
            "icap" => Criterion::Icap,
            "cife" => Criterion::Cife,
            "condmi" | "cond-mi" => Criterion::CondMi,
            "jmim" => Criterion::Jmim,
            "njmim" => Criterion::Njmim,
            "beta-gamma" | "betagamma" => Criterion::BetaGamma {
                beta: 0.8,
                gamma: 0.5,
            },
            _ => {
                return Err(SelectError::UnknownCriterion {
                    name: s.to_string(),
                })
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Criterion::all() {
            assert_eq!(c.name().parse::<Criterion>().unwrap(), c);
        }
        assert!("nope".parse::<Criterion>().is_err());
        assert_eq!(
            Criterion::from_name("MIFS", 0.3, 0.0).unwrap(),
            Criterion::Mifs { beta: 0.3 }
        );
    }

    #[test]
    fn weights_are_checked() {
        assert!(Criterion::Mifs { beta: -1.0 }.validate().is_err());
        assert!(Criterion::BetaGamma {
            beta: 0.0,
            gamma: f64::NAN
        }
        .validate()
        .is_err());
        assert!(Criterion::Jmi.validate().is_ok());
    }
}
