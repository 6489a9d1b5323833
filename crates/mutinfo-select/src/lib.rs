//! # mutinfo-select
//!
//! Greedy forward feature selection by mutual information, with every standard criterion
//! under an explicit name — MIM, MIFS, mRMR (difference and quotient), JMI, CMIM (capped, as
//! FEAST/praznik, and uncapped, as scikit-feature), DISR, ICAP, CIFE, CondMI, JMIM, NJMIM and
//! the general β/γ criterion of Brown et al. (JMLR 2012) — as a plain function on discrete
//! codes (or on continuous features with the kNN / Gaussian / copula estimators of
//! `mutinfo-continuous`) and as a linfa transformer.
//!
//! ## When to use it
//! - You have class labels and discrete (or discretized) features and want a small, relevant,
//!   non-redundant subset: [`InfoSelector`] in a linfa pipeline, or [`select`] on a
//!   [`mutinfo_core::CodeMatrix`] (the one-shot call a command-line tool makes).
//! - You want to know *why* a feature was taken: every [`Step`] records its criterion value,
//!   relevance and redundancy terms.
//!
//! ## Example
//! ```
//! use linfa::prelude::*;
//! use mutinfo_select::{Criterion, InfoSelector};
//! use ndarray::{array, Array1};
//! let x = array![[0., 1., 0.], [1., 1., 0.], [1., 0., 1.], [1., 0., 1.], [0., 1., 0.], [1., 0., 1.]];
//! let y: Array1<usize> = array![0, 0, 1, 1, 0, 1];
//! let data = Dataset::new(x, y);
//! let selector = InfoSelector::params().criterion(Criterion::Cmim).k(1).fit(&data)?;
//! assert_eq!(selector.selected(), &[1]);
//! let reduced = selector.transform(data);
//! assert_eq!(reduced.records().ncols(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Guarantees
//! - **Exact ties.** Entropies are exact `Σ n ln n` sums ([`mutinfo_core::exact`]) and the
//!   per-candidate accumulators add terms in selection order, so candidates whose count tables
//!   agree up to relabeling score bit-identically and ties go to the lowest column index.
//! - **Incremental = from scratch.** Each round counts the remaining candidates once against
//!   the newest selected feature and the class (O(k·p·n) in total); the values equal a
//!   recomputation of the criterion from scratch bit for bit (property-tested).
//! - **Determinism.** Results do not depend on the number of rayon threads.
//! - **Errors, not panics,** on empty input, NaN feature values, mismatched lengths, bad
//!   parameters ([`SelectError`]).
//!
//! ## Units and estimators
//! All terms are in nats. [`select`] (and [`InfoSelector`] by default) uses exact plug-in
//! estimates on the discrete codes given; continuous features are discretized first (each
//! distinct value of a column is one category, or a [`binning`](InfoSelectorParams::binning)).
//!
//! [`select_continuous`] (and [`InfoSelector`] with an
//! [`estimator`](InfoSelectorParams::estimator)) skips the binning: every term comes from a
//! [`mutinfo_continuous::ContinuousMi`] — KSG, KSG-2, Gao's mixed, Gaussian, Gaussian copula or
//! `auto` — on the raw values, for a continuous target ([`ContinuousTarget::Values`]) or class
//! labels ([`ContinuousTarget::Classes`], where `ksg`/`ksg2` become Ross for the terms against
//! the classes, and `I(X;X_s|Y)` is `Σ_c p(c) I(X;X_s|Y=c)`). `I(X;Y|X_s)` is the chain rule
//! `I(X,X_s;Y) − I(X_s;Y)`. The round loop, scoring, CMIM laziness, tie rule and stop rules
//! are shared with the discrete engine. DISR and NJMIM (normalized by `H(X,X_s,Y)`, which is
//! not defined as a normalizer for differential entropies) and the G-test `alpha` rule return
//! typed errors. Estimates are not clipped at 0, and are not exact sums, so two different
//! features do not tie bit for bit the way count tables do.
//!
//! ```
//! use mutinfo_continuous::{ContinuousMi, Estimator};
//! use mutinfo_select::{select_continuous, ContinuousTarget, Criterion, SelectOptions};
//! use ndarray::{Array1, Array2};
//! let n = 200;
//! let x = Array2::from_shape_fn((n, 3), |(i, j)| ((i * (11 + 6 * j) + j) % n) as f64);
//! let y = Array1::from_shape_fn(n, |i| x[[i, 2]] + ((i * 13) % 17) as f64 * 3.0);
//! let mi = ContinuousMi::new().estimator(Estimator::Copula);
//! let sel = select_continuous(x.view(), ContinuousTarget::Values(y.view()),
//!                             &SelectOptions::new(Criterion::Jmi).k(2), &mi)?;
//! assert_eq!(sel.selected()[0], 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod continuous;
mod counted;
mod criterion;
mod discrete;
mod error;
mod options;
mod result;
mod rounds;
mod score;
mod selector;

pub use continuous::{select_continuous, select_continuous_traced, ContinuousTarget};
pub use counted::{select_counted, RoundCounts};
pub use criterion::Criterion;
pub use discrete::select;
pub use error::{Result, SelectError};
pub use options::{SelectOptions, StepProgress};
pub use result::{RoundScores, Selection, Step, StopReason};
pub use selector::format;
pub use selector::{
    InfoSelector, InfoSelectorParams, InfoSelectorValidParams, Selected, SelectedError,
    SelectedFeature, SelectedParams, SELECTOR_FORMAT, SELECTOR_FORMAT_VERSION,
};
