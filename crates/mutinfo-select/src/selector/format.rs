//! The selector file format: one versioned JSON layout, written and read by the library and
//! used unchanged by `mutinfo select --save-model` and `mutinfo transform`.
//!
//! ```text
//! {
//!   "format": "mutinfo-selector",
//!   "format_version": 2,
//!   "target": "label",                 (absent when not known)
//!   "n_features": 500,                 (width of the data it was fitted on)
//!   "params": { criterion, k, alpha, threshold, fixed, binning, estimator, neighbors },
//!   "stop": "k",
//!   "missing": "error", "unseen": "error",
//!   "selected": [ { "name": "f241", "step": { feature, score, relevance, ... },
//!                   "encoder": { "kind": "numeric", "name": "f241", "bins": {...} } }, ... ]
//! }
//! ```
//!
//! Only the selected columns are stored (their names, encoders and steps), so a file stays
//! small whatever the width of the data. Loading checks every field: format and version,
//! parameters in range, indices below `n_features` and distinct, names non-empty, distinct
//! and matching their encoders, scores finite, p-values in `[0, 1]`, bins finite and sorted.

use super::fitted::{InfoSelector, SelectedFeature};
use super::hyperparams::{InfoSelectorParams, InfoSelectorValidParams};
use crate::error::{Result, SelectError};
use crate::result::StopReason;
use linfa::ParamGuard;
use mutinfo_data::{Missing, Unseen};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The `format` field of a saved selector.
pub const SELECTOR_FORMAT: &str = "mutinfo-selector";

/// The `format_version` this build writes and reads.
pub const SELECTOR_FORMAT_VERSION: u32 = 2;

/// The error for a bad field of a model read from `file`.
pub(crate) fn invalid(file: &str, field: &str, reason: impl Into<String>) -> SelectError {
    SelectError::InvalidModel {
        file: file.to_string(),
        field: field.to_string(),
        reason: reason.into(),
    }
}

/// The file layout (see the module docs).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SelectorFile {
    format: String,
    format_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    target: Option<String>,
    n_features: usize,
    params: InfoSelectorValidParams,
    stop: StopReason,
    #[serde(default)]
    missing: Missing,
    #[serde(default)]
    unseen: Unseen,
    selected: Vec<SelectedFeature>,
}

impl From<&InfoSelector> for SelectorFile {
    fn from(s: &InfoSelector) -> Self {
        SelectorFile {
            format: SELECTOR_FORMAT.into(),
            format_version: SELECTOR_FORMAT_VERSION,
            target: s.target().map(str::to_string),
            n_features: s.n_features(),
            params: s.params_used().clone(),
            stop: s.stop(),
            missing: s.missing(),
            unseen: s.unseen(),
            selected: s.selected_features().to_vec(),
        }
    }
}

impl SelectorFile {
    /// The selector, after checking format and version (the rest is [`InfoSelector::check`]).
    pub(crate) fn into_selector(self, file: &str) -> Result<InfoSelector> {
        if self.format != SELECTOR_FORMAT {
            return Err(invalid(
                file,
                "format",
                format!("{:?} is not {SELECTOR_FORMAT:?}", self.format),
            ));
        }
        if self.format_version != SELECTOR_FORMAT_VERSION {
            return Err(invalid(
                file,
                "format_version",
                format!(
                    "version {} is not supported (this build reads version {SELECTOR_FORMAT_VERSION}); save the selector again",
                    self.format_version
                ),
            ));
        }
        Ok(InfoSelector::from_parts(
            self.params,
            self.target,
            self.n_features,
            self.selected,
            self.stop,
            self.missing,
            self.unseen,
        ))
    }
}

impl InfoSelector {
    /// Checks every field (see the module docs); `file` names the source in errors.
    pub(crate) fn check(&self, file: &str) -> Result<()> {
        let n = self.n_features();
        if n == 0 {
            return Err(invalid(file, "n_features", "must be at least 1"));
        }
        let p = self.params_used();
        InfoSelectorParams(p.clone())
            .check_ref()
            .and_then(|_| p.options().validate(Some(n)))
            .map_err(|e| invalid(file, "params", e.to_string()))?;
        if let Some(t) = self.target() {
            if t.is_empty() {
                return Err(invalid(file, "target", "the target name cannot be empty"));
            }
        }
        let features = self.selected_features();
        if let Some(k) = p.k() {
            if features.len() > k {
                return Err(invalid(
                    file,
                    "selected",
                    format!("{} features selected but k = {k}", features.len()),
                ));
            }
        }
        let (mut indices, mut names) = (HashSet::new(), HashSet::new());
        for (i, f) in features.iter().enumerate() {
            let field = |what: &str| format!("selected[{i}].{what}");
            let s = &f.step;
            if s.feature >= n {
                return Err(invalid(
                    file,
                    &field("step.feature"),
                    format!("index {} is not below n_features = {n}", s.feature),
                ));
            }
            if !indices.insert(s.feature) {
                return Err(invalid(
                    file,
                    &field("step.feature"),
                    format!("feature {} is selected twice", s.feature),
                ));
            }
            if f.name.is_empty() {
                return Err(invalid(file, &field("name"), "a name cannot be empty"));
            }
            if !names.insert(f.name.as_str()) || self.target() == Some(f.name.as_str()) {
                return Err(invalid(
                    file,
                    &field("name"),
                    format!("{:?} is repeated or is the target", f.name),
                ));
            }
            let finite = [
                ("step.score", Some(s.score)),
                ("step.relevance", Some(s.relevance)),
                ("step.redundancy", s.redundancy),
                ("step.conditional_redundancy", s.conditional_redundancy),
            ];
            for (what, v) in finite {
                if let Some(v) = v.filter(|v| !v.is_finite()) {
                    return Err(invalid(file, &field(what), format!("{v} is not finite")));
                }
            }
            if let Some(pv) = s.p_value.filter(|v| !(0.0..=1.0).contains(v)) {
                return Err(invalid(
                    file,
                    &field("step.p_value"),
                    format!("{pv} is not in [0, 1]"),
                ));
            }
            if s.fixed != p.fixed().contains(&s.feature) {
                return Err(invalid(
                    file,
                    &field("step.fixed"),
                    "does not match the fixed features of params",
                ));
            }
            if let Some(e) = &f.encoder {
                if e.name() != f.name {
                    return Err(invalid(
                        file,
                        &field("encoder.name"),
                        format!("{:?} is not the feature's name {:?}", e.name(), f.name),
                    ));
                }
                e.validate()
                    .map_err(|err| invalid(file, &field("encoder"), err.to_string()))?;
            }
        }
        if features.iter().any(|f| f.encoder.is_some())
            && features.iter().any(|f| f.encoder.is_none())
        {
            return Err(invalid(
                file,
                "selected",
                "either every selected feature has an encoder or none has",
            ));
        }
        Ok(())
    }
}
