//! The options of a selection run: the criterion and the stop rules, and their checks.

use crate::criterion::Criterion;
use crate::error::{Result, SelectError};
use serde::{Deserialize, Serialize};

/// The options of a selection run: the criterion and when to stop.
///
/// Defaults: [`Criterion::Jmi`], `k = 10`, no significance test, no threshold, no fixed
/// features.
///
/// ```
/// use mutinfo_select::{Criterion, SelectOptions};
/// let opts = SelectOptions::new(Criterion::Cmim).k(5).alpha(0.01).fixed(vec![3]);
/// assert_eq!(opts.k, Some(5));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectOptions {
    /// The criterion.
    pub criterion: Criterion,
    /// Number of features to select in total, fixed ones included (`None`: until another stop
    /// rule fires or every feature is selected). Capped at the number of features.
    pub k: Option<usize>,
    /// Stop before a candidate whose conditional G-test is not significant at this level:
    /// `G = 2N I(X;Y|X_S)` with `X_S` the joint of the selected features (the plain G-test of
    /// `I(X;Y)` for the first pick), χ² with `(|X|−1)(|Y|−1)|X_S|` degrees of freedom
    /// (observed values). Must be in `(0, 1)`.
    pub alpha: Option<f64>,
    /// Stop before a candidate whose criterion value is below this. Must be finite.
    pub threshold: Option<f64>,
    /// Features selected first, in this order, whatever their scores (warm start). Their steps
    /// are recorded with the criterion value they had when they were taken.
    pub fixed: Vec<usize>,
    /// Told the number of steps taken after each pick (for a progress bar); never changes a
    /// result, and is neither serialized nor compared.
    #[serde(skip)]
    pub progress: Option<StepProgress>,
}

/// A callback told the number of steps taken so far; see [`SelectOptions::progress`].
#[derive(Clone)]
pub struct StepProgress(pub std::sync::Arc<dyn Fn(usize) + Send + Sync>);

impl std::fmt::Debug for StepProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StepProgress")
    }
}

/// Progress hooks never change a result, so options differing only there are equal.
impl PartialEq for StepProgress {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Default for SelectOptions {
    fn default() -> Self {
        SelectOptions {
            criterion: Criterion::default(),
            k: Some(10),
            alpha: None,
            threshold: None,
            fixed: Vec::new(),
            progress: None,
        }
    }
}

impl SelectOptions {
    /// Default options with this criterion.
    pub fn new(criterion: Criterion) -> Self {
        SelectOptions {
            criterion,
            ..Default::default()
        }
    }

    /// Sets [`SelectOptions::k`].
    pub fn k(mut self, k: usize) -> Self {
        self.k = Some(k);
        self
    }

    /// Selects until another rule stops (or every feature is taken): `k = None`.
    pub fn unlimited(mut self) -> Self {
        self.k = None;
        self
    }

    /// Sets [`SelectOptions::alpha`].
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = Some(alpha);
        self
    }

    /// Sets [`SelectOptions::threshold`].
    pub fn threshold(mut self, threshold: f64) -> Self {
        self.threshold = Some(threshold);
        self
    }

    /// Sets [`SelectOptions::progress`].
    pub fn progress(mut self, on_step: impl Fn(usize) + Send + Sync + 'static) -> Self {
        self.progress = Some(StepProgress(std::sync::Arc::new(on_step)));
        self
    }

    /// Sets [`SelectOptions::fixed`].
    pub fn fixed(mut self, fixed: Vec<usize>) -> Self {
        self.fixed = fixed;
        self
    }

    /// Checks the options against a number of features.
    ///
    /// # Errors
    /// [`SelectError::InvalidParameter`] for a bad weight, `k = 0`, `k` below the number of
    /// fixed features, `alpha` outside `(0, 1)` or a non-finite threshold;
    /// [`SelectError::InvalidFixedFeature`] for a fixed index out of range or repeated.
    pub fn validate(&self, n_features: Option<usize>) -> Result<()> {
        self.criterion.validate()?;
        if let Some(k) = self.k {
            if k == 0 {
                return Err(SelectError::InvalidParameter {
                    name: "k",
                    value: "0".into(),
                    reason: "must be at least 1",
                });
            }
            if k < self.fixed.len() {
                return Err(SelectError::InvalidParameter {
                    name: "k",
                    value: k.to_string(),
                    reason: "must be at least the number of fixed features",
                });
            }
        }
        if let Some(a) = self.alpha {
            if !(a > 0.0 && a < 1.0) {
                return Err(SelectError::InvalidParameter {
                    name: "alpha",
                    value: a.to_string(),
                    reason: "must be in (0, 1)",
                });
            }
        }
        if let Some(t) = self.threshold {
            if !t.is_finite() {
                return Err(SelectError::InvalidParameter {
                    name: "threshold",
                    value: t.to_string(),
                    reason: "must be finite",
                });
            }
        }
        for (i, &f) in self.fixed.iter().enumerate() {
            if self.fixed[..i].contains(&f) {
                return Err(SelectError::InvalidFixedFeature {
                    index: f,
                    reason: "repeated",
                    n_features: n_features.unwrap_or(0),
                });
            }
            if let Some(p) = n_features {
                if f >= p {
                    return Err(SelectError::InvalidFixedFeature {
                        index: f,
                        reason: "out of range",
                        n_features: p,
                    });
                }
            }
        }
        Ok(())
    }
}

/// Checks an `n × p` feature matrix, its target's length and the options against `p`.
pub(crate) fn check_shape(
    n: usize,
    p: usize,
    target_len: usize,
    opts: &SelectOptions,
) -> Result<()> {
    if p == 0 {
        return Err(SelectError::Empty { unit: "features" });
    }
    if n == 0 {
        return Err(SelectError::Empty { unit: "rows" });
    }
    if target_len != n {
        return Err(SelectError::TargetLength {
            expected: n,
            found: target_len,
        });
    }
    opts.validate(Some(p))
}
