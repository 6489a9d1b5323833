//! # mutinfo-select
//!
//! Greedy forward feature selection by mutual information, with every standard criterion
//! under an explicit name — MIM, MIFS, mRMR (difference and quotient), JMI, CMIM (capped, as
//! FEAST/praznik, and uncapped, as scikit-feature), DISR, ICAP, CIFE, CondMI, JMIM, NJMIM and
//! the general β/γ criterion of Brown et al. (JMLR 2012) — as a plain function on discrete
//! codes and as a linfa transformer.
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
//! All terms are plug-in estimates in nats on the codes given. Continuous features must be
//! discretized first (each distinct value of a column is one category).

mod criterion;
mod engine;
mod error;
mod kernel;
mod selector;

pub use criterion::Criterion;
pub use engine::{select, SelectOptions, Selection, Step, StopReason};
pub use error::{Result, SelectError};
pub use selector::{InfoSelector, InfoSelectorParams, InfoSelectorValidParams};
