//! What a selection returns: the steps, the stop reason and (traced runs) the round scores.

use crate::criterion::Criterion;
use serde::{Deserialize, Serialize};

/// One step of a selection: the feature taken and the terms of its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Column index of the feature.
    pub feature: usize,
    /// Its criterion value when it was taken.
    pub score: f64,
    /// Its relevance `I(X;Y)` (nats).
    pub relevance: f64,
    /// `Σ_s I(X;X_s)` over the features selected before it (nats), for the criteria that count
    /// pairwise terms (`None` for MIM and CondMI).
    pub redundancy: Option<f64>,
    /// `Σ_s I(X;X_s|Y)` (nats), for the criteria that count three-way terms.
    pub conditional_redundancy: Option<f64>,
    /// The G-test p-value of `I(X;Y|X_S)`, when a significance level was set.
    pub p_value: Option<f64>,
    /// Whether the feature was fixed by the caller (warm start).
    pub fixed: bool,
}

/// Why a selection stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum StopReason {
    /// `k` features were selected.
    K,
    /// Every feature was selected.
    Exhausted,
    /// The best candidate was not significant at `alpha`.
    NotSignificant,
    /// The best candidate's criterion value was below the threshold.
    BelowThreshold,
}

impl StopReason {
    /// The name used in saved models and messages: `k`, `exhausted`, `not-significant`,
    /// `below-threshold`.
    pub fn name(self) -> &'static str {
        match self {
            StopReason::K => "k",
            StopReason::Exhausted => "exhausted",
            StopReason::NotSignificant => "not-significant",
            StopReason::BelowThreshold => "below-threshold",
        }
    }
}

/// The result of a selection: the steps in order and every feature's relevance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    /// The criterion used.
    pub criterion: Criterion,
    /// The steps, in selection order.
    pub steps: Vec<Step>,
    /// `I(X_j;Y)` (nats) of every feature `j`.
    pub relevance: Vec<f64>,
    /// Why the selection stopped.
    pub stop: StopReason,
}

impl Selection {
    /// The selected column indices, in selection order.
    pub fn selected(&self) -> Vec<usize> {
        self.steps.iter().map(|s| s.feature).collect()
    }

    /// The criterion value of each step, in selection order.
    pub fn step_scores(&self) -> Vec<f64> {
        self.steps.iter().map(|s| s.score).collect()
    }
}

/// The criterion value of every candidate still remaining at one round, in column order.
pub type RoundScores = Vec<(usize, f64)>;
