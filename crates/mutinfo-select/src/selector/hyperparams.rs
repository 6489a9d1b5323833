//! Hyperparameters of [`InfoSelector`](super::InfoSelector), in linfa's `ParamGuard` pattern.

use crate::criterion::Criterion;
use crate::error::SelectError;
use crate::options::SelectOptions;
use linfa::ParamGuard;
use mutinfo_continuous::{ContinuousMi, Estimator};
use mutinfo_data::Binning;
use serde::{Deserialize, Serialize};

/// The default neighbour count of the kNN estimators (Kraskov's and scikit-learn's 3).
const DEFAULT_NEIGHBORS: usize = 3;

fn default_neighbors() -> usize {
    DEFAULT_NEIGHBORS
}

/// Saves a continuous estimator by its name (`ksg`, `copula`, ...).
mod estimator_name {
    use mutinfo_continuous::Estimator;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(e: &Option<Estimator>, s: S) -> Result<S::Ok, S::Error> {
        e.map(Estimator::name).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Estimator>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|n| n.parse().map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// Checked hyperparameters of a mutual-information feature selector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfoSelectorValidParams {
    pub(crate) options: SelectOptions,
    pub(crate) binning: Binning,
    /// The continuous estimator (`None`: discrete codes and the discretizer).
    #[serde(default, with = "estimator_name")]
    pub(crate) estimator: Option<Estimator>,
    /// Neighbour count of the kNN estimators.
    #[serde(default = "default_neighbors")]
    pub(crate) neighbors: usize,
}

impl InfoSelectorValidParams {
    /// The criterion.
    pub fn criterion(&self) -> Criterion {
        self.options.criterion
    }

    /// Number of features to select (fixed ones included); `None` selects until another rule
    /// stops.
    pub fn k(&self) -> Option<usize> {
        self.options.k
    }

    /// Significance level of the conditional G-test stop rule.
    pub fn alpha(&self) -> Option<f64> {
        self.options.alpha
    }

    /// Criterion threshold of the stop rule.
    pub fn threshold(&self) -> Option<f64> {
        self.options.threshold
    }

    /// Features selected first (warm start).
    pub fn fixed(&self) -> &[usize] {
        &self.options.fixed
    }

    /// How feature values are turned into categories before selection.
    pub fn binning(&self) -> &Binning {
        &self.binning
    }

    /// All options, as the engine takes them.
    pub fn options(&self) -> &SelectOptions {
        &self.options
    }

    /// The continuous estimator, when the selection runs on raw values
    /// ([`select_continuous`](crate::select_continuous)) instead of discrete codes.
    pub fn estimator(&self) -> Option<Estimator> {
        self.estimator
    }

    /// Neighbour count of the kNN estimators (used only with an estimator).
    pub fn neighbors(&self) -> usize {
        self.neighbors
    }

    /// The configured continuous estimator, `None` for a discrete selection.
    pub fn continuous_mi(&self) -> Option<ContinuousMi> {
        self.estimator
            .map(|e| ContinuousMi::new().estimator(e).neighbors(self.neighbors))
    }
}

/// Unchecked hyperparameters of a mutual-information feature selector; create with
/// [`InfoSelector::params`](super::InfoSelector::params), check on `fit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InfoSelectorParams(pub(crate) InfoSelectorValidParams);

impl InfoSelectorParams {
    pub(crate) fn new() -> Self {
        InfoSelectorParams(InfoSelectorValidParams {
            options: SelectOptions::default(),
            binning: Binning::Quantile {
                bins: mutinfo_data::discretize::DEFAULT_BINS,
            },
            estimator: None,
            neighbors: DEFAULT_NEIGHBORS,
        })
    }

    /// Sets the criterion (default [`Criterion::Jmi`]).
    pub fn criterion(mut self, criterion: Criterion) -> Self {
        self.0.options.criterion = criterion;
        self
    }

    /// Sets the number of features to select, fixed ones included (default 10; capped at the
    /// number of features).
    pub fn k(mut self, k: usize) -> Self {
        self.0.options.k = Some(k);
        self
    }

    /// Selects until the significance or threshold rule stops, or every feature is taken.
    pub fn unlimited(mut self) -> Self {
        self.0.options.k = None;
        self
    }

    /// Stops before a candidate whose conditional G-test is not significant at `alpha`
    /// (default: no test); see [`SelectOptions::alpha`].
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.0.options.alpha = Some(alpha);
        self
    }

    /// Stops before a candidate whose criterion value is below `threshold` (default: none).
    pub fn threshold(mut self, threshold: f64) -> Self {
        self.0.options.threshold = Some(threshold);
        self
    }

    /// How feature values become categories (default `Binning::Quantile { bins: 10 }`, as the
    /// CLI: equal-frequency bins, and one bin per value for a column with at most 10 distinct
    /// values, so integer-coded data keep their values and floats are never raw categories;
    /// [`Binning::None`] makes each distinct value a category). The fitted discretizer is kept
    /// with the selector.
    pub fn binning(mut self, binning: Binning) -> Self {
        self.0.binning = binning;
        self
    }

    /// Selects on the raw feature values with a continuous estimator of `mutinfo-continuous`
    /// (kNN, Gaussian, copula; see [`select_continuous`](crate::select_continuous)) instead of
    /// discretizing them (default `None`: discrete codes). With an estimator the
    /// [`binning`](Self::binning) is not used, and DISR, NJMIM and `alpha` are rejected.
    pub fn estimator(mut self, estimator: Option<Estimator>) -> Self {
        self.0.estimator = estimator;
        self
    }

    /// Sets `k`, the neighbour count of the kNN estimators (default 3; at least 1).
    pub fn neighbors(mut self, k: usize) -> Self {
        self.0.neighbors = k;
        self
    }

    /// Sets every engine option at once (criterion, `k`, `alpha`, threshold, fixed
    /// features).
    pub fn options(mut self, options: SelectOptions) -> Self {
        self.0.options = options;
        self
    }

    /// Column indices selected first, in order (default: none).
    pub fn fixed(mut self, fixed: Vec<usize>) -> Self {
        self.0.options.fixed = fixed;
        self
    }
}

impl ParamGuard for InfoSelectorParams {
    type Checked = InfoSelectorValidParams;
    type Error = SelectError;

    fn check_ref(&self) -> Result<&Self::Checked, Self::Error> {
        self.0.options.validate(None)?;
        if self.0.estimator.is_some() {
            crate::continuous::check_continuous_options(&self.0.options)?;
            if self.0.neighbors == 0 {
                return Err(SelectError::InvalidParameter {
                    name: "neighbors",
                    value: "0".into(),
                    reason: "must be at least 1",
                });
            }
        }
        let bad_bins = match &self.0.binning {
            Binning::Uniform { bins } | Binning::Quantile { bins } => *bins == 0,
            Binning::Edges { edges } => {
                edges.len() < 2
                    || edges.iter().any(|e| !e.is_finite())
                    || edges.windows(2).any(|w| w[0] >= w[1])
            }
            _ => false,
        };
        if bad_bins {
            return Err(SelectError::InvalidParameter {
                name: "binning",
                value: format!("{:?}", self.0.binning),
                reason: "needs at least one bin (edges: at least two, finite, increasing)",
            });
        }
        Ok(&self.0)
    }

    fn check(self) -> Result<Self::Checked, Self::Error> {
        self.check_ref()?;
        Ok(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::InfoSelector;

    #[test]
    fn defaults_and_checks() {
        let p = InfoSelector::params();
        let v = p.check_ref().unwrap();
        assert_eq!(v.criterion(), Criterion::Jmi);
        assert_eq!(v.k(), Some(10));
        assert!(v.alpha().is_none() && v.threshold().is_none() && v.fixed().is_empty());
        assert!(InfoSelector::params().k(0).check().is_err());
        assert!(InfoSelector::params().alpha(1.5).check().is_err());
        assert!(InfoSelector::params().threshold(f64::NAN).check().is_err());
        assert_eq!(v.binning(), &Binning::Quantile { bins: 10 });
        assert!(InfoSelector::params()
            .binning(Binning::Uniform { bins: 0 })
            .check()
            .is_err());
        assert!(InfoSelector::params().fixed(vec![1, 1]).check().is_err());
        assert!(InfoSelector::params()
            .k(1)
            .fixed(vec![1, 2])
            .check()
            .is_err());
        assert!(InfoSelector::params()
            .criterion(Criterion::Mifs { beta: -0.1 })
            .check()
            .is_err());
        assert!(v.estimator().is_none() && v.continuous_mi().is_none());
        let c = InfoSelector::params()
            .estimator(Some(Estimator::Copula))
            .neighbors(5);
        let mi = c.check_ref().unwrap().continuous_mi().unwrap();
        assert_eq!(
            (mi.get_estimator(), mi.get_neighbors()),
            (Estimator::Copula, 5)
        );
        assert!(matches!(
            c.clone().criterion(Criterion::Disr).check(),
            Err(SelectError::UnsupportedCriterion {
                criterion: "disr",
                ..
            })
        ));
        assert!(c.clone().alpha(0.05).check().is_err());
        assert!(c.neighbors(0).check().is_err());
    }
}
