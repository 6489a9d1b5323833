//! Entropy estimators from counts.
//!
//! Every estimator here maps a histogram (counts of the cells of a discrete variable, including
//! the empty cells it could have had) to an entropy in nats. Mutual information and its
//! relatives are then defined *consistently* for every estimator as the same sums and
//! differences of entropies, each estimated from the matching marginal or joint histogram with
//! the same estimator:
//!
//! ```text
//! I(X;Y)   = Ĥ(X) + Ĥ(Y) − Ĥ(X,Y)
//! I(X;Y|Z) = Ĥ(X,Z) + Ĥ(Y,Z) − Ĥ(X,Y,Z) − Ĥ(Z)
//! ```
//!
//! For the plug-in estimator this is exactly the maximum-likelihood MI, which is never negative
//! (mutinfo clamps the round-off at zero); bias-corrected MI can be negative and is returned
//! as is, since clamping would bias it again.
//!
//! The number of cells matters only to James–Stein shrinkage (its target is uniform over the
//! cells) and NSB (its prior is over distributions on the cells): for a joint histogram of `X` and `Y` mutinfo uses `|X|·|Y|`, the product of the
//! numbers of values each variable *takes in the sample*, so unused codes change nothing.
//!
//! A histogram with a single non-empty cell has entropy exactly 0 under every estimator: a
//! variable seen to take one value carries no information, and so a constant column has
//! `H = 0` and `I = 0` exactly whatever the estimator. (Grassberger's formula would otherwise
//! give `ln N − G(N) ≈ 1/2N`.)

use crate::error::{CoreError, Result};
use crate::exact::NLogNSum;
use serde::{Deserialize, Serialize};
use statrs::function::gamma::digamma;

/// How to turn counts into an entropy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Estimator {
    /// Maximum likelihood: `H = −Σ p̂ ln p̂` with `p̂ = n/N`. Biased downward by about
    /// `(m − 1) / 2N` for `m` occupied cells.
    #[default]
    PlugIn,
    /// Miller (1955) – Madow: plug-in plus `(m − 1) / 2N`, `m` the number of non-empty cells.
    MillerMadow,
    /// Chao & Shen (2003): Horvitz–Thompson with Good–Turing coverage,
    /// `H = −Σ C p̂ ln(C p̂) / (1 − (1 − C p̂)^N)`, `C = 1 − f₁/N` (`f₁` singletons; when every
    /// count is a singleton `f₁` is taken as `N − 1`, as the R package `entropy` does).
    ChaoShen,
    /// James–Stein shrinkage (Hausser & Strimmer 2009, JMLR 10): the frequencies shrunk toward
    /// the uniform distribution over all cells with the analytic intensity
    /// `λ = (1 − Σ p̂²) / ((N − 1) Σ (1/K − p̂)²)` clipped to `[0, 1]`, then plug-in.
    JamesStein,
    /// Grassberger (2003, arXiv:physics/0307138, eq. 35):
    /// `H = ln N − (1/N) Σ n G(n)`, `G(n) = ψ(n) + ½ (−1)ⁿ (ψ((n+1)/2) − ψ(n/2))`.
    Grassberger,
    /// Nemenman, Shafee & Bialek (2002): the Bayesian posterior mean under a mixture of
    /// Dirichlet priors flat in the expected entropy (see [`crate::nsb`]). Uses the number of
    /// cells like James–Stein. The slowest estimator (a numerical integral per histogram).
    Nsb,
}

impl Estimator {
    /// All estimators, for tests and command-line listings.
    pub const ALL: [Estimator; 6] = [
        Estimator::PlugIn,
        Estimator::MillerMadow,
        Estimator::ChaoShen,
        Estimator::JamesStein,
        Estimator::Grassberger,
        Estimator::Nsb,
    ];

    /// The estimator's short name (as used on the command line).
    pub fn name(self) -> &'static str {
        match self {
            Estimator::PlugIn => "plugin",
            Estimator::MillerMadow => "miller-madow",
            Estimator::ChaoShen => "chao-shen",
            Estimator::JamesStein => "james-stein",
            Estimator::Grassberger => "grassberger",
            Estimator::Nsb => "nsb",
        }
    }

    /// Entropy in nats of a histogram.
    ///
    /// `counts` lists cell counts in any order (zeros allowed); `cells` is the number of cells
    /// the shrinkage target spreads over (raised to the number of non-empty cells if smaller;
    /// used by James–Stein only). The result does not depend on the order of `counts`. Empty
    /// input and a single non-empty cell give 0.
    pub fn entropy(self, counts: &[u64], cells: u64) -> f64 {
        let cells = cells.max(counts.iter().filter(|&&c| c > 0).count() as u64);
        let total: u64 = counts.iter().sum();
        if counts.iter().all(|&c| c == 0 || c == total) {
            return 0.0;
        }
        match self {
            Estimator::PlugIn => plug_in(counts, total),
            Estimator::MillerMadow => {
                let m = counts.iter().filter(|&&c| c > 0).count() as f64;
                plug_in(counts, total) + (m - 1.0) / (2.0 * total as f64)
            }
            Estimator::ChaoShen => chao_shen(&canonical(counts), total),
            Estimator::JamesStein => james_stein(&canonical(counts), total, cells),
            Estimator::Grassberger => grassberger(&canonical(counts), total),
            Estimator::Nsb => crate::nsb::nsb_entropy(&canonical(counts), cells),
        }
    }

    /// Entropy of a histogram whose cells are its non-empty counts.
    pub fn entropy_of(self, counts: &[u64]) -> f64 {
        self.entropy(counts, 0)
    }
}

impl std::str::FromStr for Estimator {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self> {
        let k = s.to_ascii_lowercase().replace(['_', ' '], "-");
        match k.as_str() {
            "plugin" | "plug-in" | "ml" | "mle" | "empirical" => Ok(Estimator::PlugIn),
            "miller-madow" | "mm" | "millermadow" => Ok(Estimator::MillerMadow),
            "chao-shen" | "cs" | "chaoshen" => Ok(Estimator::ChaoShen),
            "james-stein" | "js" | "shrink" | "shrinkage" => Ok(Estimator::JamesStein),
            "grassberger" | "gr" => Ok(Estimator::Grassberger),
            "nsb" => Ok(Estimator::Nsb),
            _ => Err(CoreError::InvalidParameter {
                name: "estimator",
                value: s.to_string(),
                reason: "expected plugin, miller-madow, chao-shen, james-stein, grassberger or nsb",
            }),
        }
    }
}

impl std::fmt::Display for Estimator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Non-zero counts in ascending order, so float sums do not depend on the cell order.
fn canonical(counts: &[u64]) -> Vec<u64> {
    let mut v: Vec<u64> = counts.iter().copied().filter(|&c| c > 0).collect();
    v.sort_unstable();
    v
}

fn plug_in(counts: &[u64], total: u64) -> f64 {
    NLogNSum::from_counts(counts.iter().copied()).entropy(total)
}

fn chao_shen(nz: &[u64], total: u64) -> f64 {
    let n = total as f64;
    let mut f1 = nz.iter().filter(|&&c| c == 1).count() as f64;
    if f1 == n {
        f1 = n - 1.0;
    }
    let coverage = 1.0 - f1 / n;
    let mut h = 0.0;
    for &c in nz {
        let pa = coverage * c as f64 / n;
        let la = 1.0 - (1.0 - pa).powf(n);
        h -= pa * pa.ln() / la;
    }
    h
}

fn james_stein(nz: &[u64], total: u64, cells: u64) -> f64 {
    let n = total as f64;
    let k = cells as f64;
    let target = 1.0 / k;
    let zeros = cells - nz.len() as u64;
    let lambda = if total <= 1 {
        1.0
    } else {
        let sum_u2: f64 = nz.iter().map(|&c| (c as f64 / n).powi(2)).sum();
        let msp: f64 = nz
            .iter()
            .map(|&c| (c as f64 / n - target).powi(2))
            .sum::<f64>()
            + zeros as f64 * target * target;
        if msp == 0.0 {
            1.0
        } else {
            ((1.0 - sum_u2) / ((n - 1.0) * msp)).clamp(0.0, 1.0)
        }
    };
    let mut h = 0.0;
    for &c in nz {
        let p = lambda * target + (1.0 - lambda) * c as f64 / n;
        if p > 0.0 {
            h -= p * p.ln();
        }
    }
    if zeros > 0 && lambda > 0.0 {
        let p = lambda * target;
        h -= zeros as f64 * p * p.ln();
    }
    h
}

/// Grassberger's `G(n)`.
fn grassberger_g(n: u64) -> f64 {
    let x = n as f64;
    let sign = if n % 2 == 0 { 1.0 } else { -1.0 };
    digamma(x) + 0.5 * sign * (digamma((x + 1.0) / 2.0) - digamma(x / 2.0))
}

fn grassberger(nz: &[u64], total: u64) -> f64 {
    let n = total as f64;
    let s: f64 = nz.iter().map(|&c| c as f64 * grassberger_g(c)).sum();
    n.ln() - s / n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_constant() {
        for e in Estimator::ALL {
            assert_eq!(e.entropy(&[], 0), 0.0, "{e}");
            assert_eq!(e.entropy(&[0, 0], 2), 0.0, "{e}");
        }
        assert_eq!(Estimator::PlugIn.entropy_of(&[7]), 0.0);
        assert_eq!(Estimator::MillerMadow.entropy_of(&[7, 0]), 0.0);
    }

    #[test]
    fn order_free() {
        let a = [5u64, 0, 1, 9, 3, 1, 1];
        let mut b = a;
        b.reverse();
        for e in Estimator::ALL {
            assert_eq!(
                e.entropy_of(&a).to_bits(),
                e.entropy_of(&b).to_bits(),
                "{e}"
            );
        }
    }

    #[test]
    fn parse_names() {
        for e in Estimator::ALL {
            assert_eq!(e.name().parse::<Estimator>().unwrap(), e);
        }
        assert!("nsb2".parse::<Estimator>().is_err());
        assert_eq!("NSB".parse::<Estimator>().unwrap(), Estimator::Nsb);
    }
}
