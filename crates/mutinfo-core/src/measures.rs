//! Information measures of discrete columns.
//!
//! Every function takes [`Codes`] columns of equal length and returns nats; the
//! [`Discrete`] builder picks another [`Estimator`] or [`Base`]. All quantities are sums and
//! differences of joint entropies, each estimated with the same estimator (see
//! [`crate::estimator`]), so identities such as the chain rule hold exactly for the plug-in
//! estimator up to round-off.
//!
//! Empty input gives [`CoreError::Empty`]; columns of different lengths give
//! [`CoreError::LengthMismatch`]. No function returns NaN.

use crate::base::Base;
use crate::codes::{check_len, Codes};
use crate::error::{CoreError, Result};
use crate::estimator::Estimator;
use crate::exact::NLogNTable;
use crate::kernels::{clamp, column_entropy, pair_entropy};
use serde::{Deserialize, Serialize};

/// How `normalized_mutual_information` and `adjusted_mutual_information` average `H(X)` and
/// `H(Y)`, as sklearn's `average_method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Average {
    /// `min(H(X), H(Y))`.
    Min,
    /// `√(H(X) H(Y))`.
    Geometric,
    /// `(H(X) + H(Y)) / 2` (sklearn's default).
    #[default]
    Arithmetic,
    /// `max(H(X), H(Y))`.
    Max,
}

impl Average {
    /// The mean of `u` and `v`.
    pub fn of(self, u: f64, v: f64) -> f64 {
        match self {
            Average::Min => u.min(v),
            Average::Geometric => (u * v).sqrt(),
            Average::Arithmetic => (u + v) / 2.0,
            Average::Max => u.max(v),
        }
    }
}

pub(crate) fn check_columns(cols: &[&Codes]) -> Result<usize> {
    let first = cols.first().ok_or(CoreError::Empty {
        what: "column list",
        unit: "columns",
    })?;
    let n = first.len();
    if n == 0 {
        return Err(CoreError::Empty {
            what: "column",
            unit: "rows",
        });
    }
    for (j, c) in cols.iter().enumerate().skip(1) {
        check_len(&format!("column {j}"), n, c.len())?;
    }
    Ok(n)
}

/// Estimator and unit for the measures; the free functions of this module are
/// `Discrete::default()` (plug-in, nats).
///
/// ```
/// use mutinfo_core::{Base, Codes, Discrete, Estimator};
/// let x = Codes::from_values(&[0, 0, 1, 1])?;
/// let m = Discrete::new().base(Base::Bits);
/// assert_eq!(m.entropy(&x)?, 1.0);
/// let mm = Discrete::new().estimator(Estimator::MillerMadow);
/// assert!(mm.entropy(&x)? > std::f64::consts::LN_2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Discrete {
    /// The entropy estimator.
    pub estimator: Estimator,
    /// The unit of the results.
    pub base: Base,
}

impl Discrete {
    /// Plug-in estimator, nats.
    pub fn new() -> Self {
        Discrete::default()
    }

    /// Sets the estimator.
    pub fn estimator(mut self, estimator: Estimator) -> Self {
        self.estimator = estimator;
        self
    }

    /// Sets the unit.
    pub fn base(mut self, base: Base) -> Self {
        self.base = base;
        self
    }

    fn joint_nats(&self, cols: &[&Codes]) -> Result<f64> {
        let n = check_columns(cols)?;
        let e = self.estimator;
        let observed = |c: &Codes| c.counts().iter().filter(|&&v| v > 0).count() as u64;
        Ok(match cols {
            [x] => column_entropy(x, e),
            [a, b] => pair_entropy(
                a,
                b,
                e,
                &NLogNTable::new(n as u64),
                observed(a) * observed(b),
            ),
            _ => {
                let cells = cols
                    .iter()
                    .fold(1u64, |acc, c| acc.saturating_mul(observed(c)));
                let j = Codes::joint_of(cols, n)?;
                e.entropy(&j.counts(), cells)
            }
        })
    }

    /// Entropy `H(X) = −Σ p(x) ln p(x)`.
    ///
    /// # Errors
    /// [`CoreError::Empty`] when `x` has no rows.
    pub fn entropy(&self, x: &Codes) -> Result<f64> {
        Ok(self.base.convert(self.joint_nats(&[x])?))
    }

    /// Joint entropy `H(X₁, …, X_k)` of several columns.
    ///
    /// # Errors
    /// [`CoreError::Empty`] for no columns or rows, [`CoreError::LengthMismatch`].
    pub fn joint_entropy(&self, cols: &[&Codes]) -> Result<f64> {
        Ok(self.base.convert(self.joint_nats(cols)?))
    }

    /// Conditional entropy `H(X|Z) = H(X,Z) − H(Z)`.
    ///
    /// # Errors
    /// As [`Discrete::joint_entropy`].
    pub fn conditional_entropy(&self, x: &Codes, given: &Codes) -> Result<f64> {
        let v = self.joint_nats(&[x, given])? - self.joint_nats(&[given])?;
        Ok(self.base.convert(clamp(self.estimator, v)))
    }

    /// Mutual information `I(X;Y) = H(X) + H(Y) − H(X,Y)`.
    ///
    /// # Errors
    /// As [`Discrete::joint_entropy`].
    pub fn mutual_information(&self, x: &Codes, y: &Codes) -> Result<f64> {
        let v = self.joint_nats(&[x])? + self.joint_nats(&[y])? - self.joint_nats(&[x, y])?;
        Ok(self.base.convert(clamp(self.estimator, v)))
    }

    /// Conditional mutual information `I(X;Y|Z) = H(X,Z) + H(Y,Z) − H(X,Y,Z) − H(Z)`.
    ///
    /// # Errors
    /// As [`Discrete::joint_entropy`].
    pub fn conditional_mutual_information(&self, x: &Codes, y: &Codes, z: &Codes) -> Result<f64> {
        let v = self.joint_nats(&[x, z])? + self.joint_nats(&[y, z])?
            - self.joint_nats(&[x, y, z])?
            - self.joint_nats(&[z])?;
        Ok(self.base.convert(clamp(self.estimator, v)))
    }

    /// Joint mutual information `I(X₁,…,X_k;Y) = H(X₁…X_k) + H(Y) − H(X₁…X_k,Y)`.
    ///
    /// # Errors
    /// As [`Discrete::joint_entropy`].
    pub fn joint_mutual_information(&self, xs: &[&Codes], y: &Codes) -> Result<f64> {
        let mut all: Vec<&Codes> = xs.to_vec();
        let hx = self.joint_nats(xs)?;
        all.push(y);
        let v = hx + self.joint_nats(&[y])? - self.joint_nats(&all)?;
        Ok(self.base.convert(clamp(self.estimator, v)))
    }

    /// Total correlation (multi-information, Watanabe 1960):
    /// `C(X₁,…,X_k) = Σ H(X_i) − H(X₁,…,X_k)`, zero exactly when the columns are independent
    /// (for the plug-in estimator, in the sample).
    ///
    /// # Errors
    /// As [`Discrete::joint_entropy`].
    pub fn total_correlation(&self, cols: &[&Codes]) -> Result<f64> {
        let mut s = 0.0;
        for c in cols {
            s += self.joint_nats(&[c])?;
        }
        let v = s - self.joint_nats(cols)?;
        Ok(self.base.convert(clamp(self.estimator, v)))
    }

    /// Interaction information in the co-information sign convention (Bell 2003; McGill 1954
    /// for three variables): `I(X;Y;Z) = I(X;Y) − I(X;Y|Z)`, and for `k` variables
    /// `−Σ_{T ⊆ S, T ≠ ∅} (−1)^{|T|} H(T)`. Positive values mean redundancy, negative values
    /// synergy: for `Y = X xor Z` with fair independent bits it is `−ln 2`. (Jakulin & Bratko's
    /// "interaction gain" has the opposite sign for three variables.) Two variables give
    /// `I(X;Y)`, one gives `H(X)`.
    ///
    /// # Errors
    /// As [`Discrete::joint_entropy`]; [`CoreError::InvalidParameter`] for more than 20 columns
    /// (the sum has `2^k − 1` terms).
    pub fn interaction_information(&self, cols: &[&Codes]) -> Result<f64> {
        check_columns(cols)?;
        let k = cols.len();
        if k > 20 {
            return Err(CoreError::InvalidParameter {
                name: "columns",
                value: k.to_string(),
                reason: "interaction information takes at most 20 columns",
            });
        }
        let mut v = 0.0;
        for mask in 1u32..(1 << k) {
            let subset: Vec<&Codes> = (0..k)
                .filter(|i| mask >> i & 1 == 1)
                .map(|i| cols[i])
                .collect();
            let sign = if subset.len() % 2 == 1 { 1.0 } else { -1.0 };
            v += sign * self.joint_nats(&subset)?;
        }
        Ok(self.base.convert(v))
    }

    /// Variation of information (Meilă 2003), a metric on partitions:
    /// `VI(X,Y) = H(X|Y) + H(Y|X) = 2H(X,Y) − H(X) − H(Y)`.
    ///
    /// # Errors
    /// As [`Discrete::joint_entropy`].
    pub fn variation_of_information(&self, x: &Codes, y: &Codes) -> Result<f64> {
        let v = 2.0 * self.joint_nats(&[x, y])? - self.joint_nats(&[x])? - self.joint_nats(&[y])?;
        Ok(self.base.convert(clamp(self.estimator, v)))
    }
}

/// Plug-in entropy `H(X)` in nats. See [`Discrete::entropy`].
///
/// ```
/// use mutinfo_core::{entropy, Codes};
/// let x = Codes::from_values(&["a", "b", "b", "c"])?;
/// assert!((entropy(&x)? - 1.0397207708399179).abs() < 1e-15); // scipy.stats.entropy([1, 2, 1])
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`CoreError::Empty`] when `x` has no rows.
pub fn entropy(x: &Codes) -> Result<f64> {
    Discrete::new().entropy(x)
}

/// Plug-in joint entropy in nats. See [`Discrete::joint_entropy`].
///
/// # Errors
/// As [`Discrete::joint_entropy`].
pub fn joint_entropy(cols: &[&Codes]) -> Result<f64> {
    Discrete::new().joint_entropy(cols)
}

/// Plug-in conditional entropy `H(X|Z)` in nats. See [`Discrete::conditional_entropy`].
///
/// # Errors
/// As [`Discrete::joint_entropy`].
pub fn conditional_entropy(x: &Codes, given: &Codes) -> Result<f64> {
    Discrete::new().conditional_entropy(x, given)
}

/// Plug-in mutual information `I(X;Y)` in nats, as sklearn's `mutual_info_score`.
///
/// ```
/// use mutinfo_core::{mutual_information, Codes};
/// let x = Codes::from_values(&[0, 0, 1, 1])?;
/// let y = Codes::from_values(&[5, 5, 7, 7])?;
/// assert_eq!(mutual_information(&x, &y)?, std::f64::consts::LN_2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`Discrete::joint_entropy`].
pub fn mutual_information(x: &Codes, y: &Codes) -> Result<f64> {
    Discrete::new().mutual_information(x, y)
}

/// Plug-in conditional mutual information `I(X;Y|Z)` in nats.
///
/// # Errors
/// As [`Discrete::joint_entropy`].
pub fn conditional_mutual_information(x: &Codes, y: &Codes, z: &Codes) -> Result<f64> {
    Discrete::new().conditional_mutual_information(x, y, z)
}

/// Plug-in joint mutual information `I(X₁,…,X_k;Y)` in nats.
///
/// # Errors
/// As [`Discrete::joint_entropy`].
pub fn joint_mutual_information(xs: &[&Codes], y: &Codes) -> Result<f64> {
    Discrete::new().joint_mutual_information(xs, y)
}

/// Plug-in total correlation in nats. See [`Discrete::total_correlation`].
///
/// # Errors
/// As [`Discrete::joint_entropy`].
pub fn total_correlation(cols: &[&Codes]) -> Result<f64> {
    Discrete::new().total_correlation(cols)
}

/// Plug-in interaction (co-)information in nats. See [`Discrete::interaction_information`].
///
/// # Errors
/// As [`Discrete::interaction_information`].
pub fn interaction_information(cols: &[&Codes]) -> Result<f64> {
    Discrete::new().interaction_information(cols)
}

/// Plug-in variation of information in nats. See [`Discrete::variation_of_information`].
///
/// # Errors
/// As [`Discrete::joint_entropy`].
pub fn variation_of_information(x: &Codes, y: &Codes) -> Result<f64> {
    Discrete::new().variation_of_information(x, y)
}

/// Normalized mutual information `I(X;Y) / mean(H(X), H(Y))`, as sklearn's
/// `normalized_mutual_info_score`: 1 when both columns are constant, 0 when the MI is 0.
/// Unit-free; plug-in estimator.
///
/// # Errors
/// As [`Discrete::joint_entropy`].
pub fn normalized_mutual_information(x: &Codes, y: &Codes, average: Average) -> Result<f64> {
    check_columns(&[x, y])?;
    let (kx, ky) = (x.observed_cardinality(), y.observed_cardinality());
    if kx == 1 && ky == 1 {
        return Ok(1.0);
    }
    let mi = mutual_information(x, y)?;
    if mi == 0.0 {
        return Ok(0.0);
    }
    Ok(mi / average.of(entropy(x)?, entropy(y)?))
}

/// Adjusted mutual information (Vinh, Epps & Bailey 2010), as sklearn's
/// `adjusted_mutual_info_score`:
///
/// ```text
/// AMI = (I − E[I]) / (mean(H(X), H(Y)) − E[I])
/// ```
///
/// where `E[I]` is the exact expected MI of two labelings with the observed marginals under the
/// hypergeometric (permutation) model. 1 when both columns are constant, 0 when exactly one is;
/// as sklearn, numerator and denominator are kept at least machine epsilon away from 0.
///
/// # Errors
/// As [`Discrete::joint_entropy`].
pub fn adjusted_mutual_information(x: &Codes, y: &Codes, average: Average) -> Result<f64> {
    let n = check_columns(&[x, y])?;
    let a: Vec<u64> = x.counts().into_iter().filter(|&c| c > 0).collect();
    let b: Vec<u64> = y.counts().into_iter().filter(|&c| c > 0).collect();
    if a.len() == 1 && b.len() == 1 {
        return Ok(1.0);
    }
    if a.len() == 1 || b.len() == 1 {
        return Ok(0.0);
    }
    let mi = mutual_information(x, y)?;
    let emi = crate::table::expected_mutual_information(&a, &b, n as u64);
    let normalizer = average.of(entropy(x)?, entropy(y)?);
    let eps = f64::EPSILON;
    let den = normalizer - emi;
    let den = if den < 0.0 {
        den.min(-eps)
    } else {
        den.max(eps)
    };
    let num = mi - emi;
    let num = if num < 0.0 {
        num.min(-eps)
    } else {
        num.max(eps)
    };
    Ok(num / den)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(v: &[u32]) -> Codes {
        Codes::from_codes_auto(v.to_vec()).unwrap()
    }

    #[test]
    fn xor_synergy() {
        let x = c(&[0, 0, 1, 1]);
        let z = c(&[0, 1, 0, 1]);
        let y = c(&[0, 1, 1, 0]);
        assert_eq!(mutual_information(&x, &y).unwrap(), 0.0);
        let j = joint_mutual_information(&[&x, &z], &y).unwrap();
        assert!((j - std::f64::consts::LN_2).abs() < crate::prec::ROUNDOFF);
        let ii = interaction_information(&[&x, &z, &y]).unwrap();
        assert!((ii + std::f64::consts::LN_2).abs() < crate::prec::ROUNDOFF);
    }

    #[test]
    fn errors() {
        let e = Codes::from_codes(vec![], 1).unwrap();
        assert!(matches!(entropy(&e), Err(CoreError::Empty { .. })));
        assert!(matches!(
            mutual_information(&c(&[0, 1]), &c(&[0])),
            Err(CoreError::LengthMismatch { .. })
        ));
        assert!(matches!(joint_entropy(&[]), Err(CoreError::Empty { .. })));
    }
}
