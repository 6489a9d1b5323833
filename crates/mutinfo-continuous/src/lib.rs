//! # mutinfo-continuous
//!
//! Mutual information and entropy of continuous and mixed data without binning:
//! k-nearest-neighbour estimators (KSG 1 and 2, Kozachenko–Leonenko, Frenzel–Pompe conditional
//! MI, Ross 2014, Gao et al. 2017), Gaussian / Gaussian-copula estimators (Ince et al.
//! 2017), KSG on normal scores and a Student-t copula fit for tail dependence, all under one
//! [`Estimator`] enum with an [`Auto`](Estimator::Auto) choice that says what it picked.
//!
//! ## When to use it
//! - Features are measurements (floats) and binning them would throw information away or
//!   make the answer depend on the bin count.
//! - You need multivariate `I(X;Y)`, conditional `I(X;Y|Z)`, or the MI of many features
//!   against one target fast ([`ContinuousMi::many`], [`ContinuousMi::many_discrete`]).
//!
//! ## Example
//! ```
//! use mutinfo_continuous::{ContinuousMi, Estimator};
//! use ndarray::Array2;
//! // Two columns with a deterministic monotone relation: the copula estimate is large.
//! let x = Array2::from_shape_fn((200, 1), |(i, _)| ((i * 37) % 200) as f64);
//! let y = x.mapv(|v| (v / 50.0).exp() + ((v as usize * 13) % 7) as f64 * 0.05);
//! let mi = ContinuousMi::new().estimator(Estimator::Copula).mutual_information(x.view(), y.view())?;
//! assert!(mi.value > 1.0);
//! // A constant feature carries no information: exactly 0, whatever the estimator.
//! let c = Array2::from_elem((200, 1), 4.2);
//! let zero = ContinuousMi::new().estimator(Estimator::Ksg1).mutual_information(c.view(), y.view())?;
//! assert_eq!(zero.value, 0.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Guarantees
//! - Units: nats unless a [`Base`](mutinfo_core::Base) says otherwise.
//! - Scale free like sklearn: the kNN estimators scale every column to unit variance first.
//! - Determinism: KSG-1, KSG-2 and KSG on the copula break ties with seeded noise of sklearn's
//!   size (`1e-10·max(1, mean|x|)`, only on columns that repeat a value; a ChaCha8 stream per
//!   argument and column); everything else is resolved by rules (row index order for
//!   neighbours, copy counting at distance 0, average ranks for the copula, ordinal ranks in
//!   row order for the Student-t copula fit), and per-point terms are summed in row order, so
//!   the same input gives bit-identical output for any thread count.
//! - Distances are max-norm; neighbour counts equal an O(N²) scan exactly (tested).
//! - Errors, never panics or NaN: empty input, row-count mismatch, NaN/infinity (named by
//!   argument, column and row), too few rows for `k`, singular covariances.
//! - Memory is linear in the number of rows.

mod data;
mod elliptical;
pub mod error;
pub mod estimator;
mod gaussian;
pub mod joint;
pub mod kdtree;
mod knn;
mod special;

pub use error::{ContinuousError, Result};
pub use estimator::{
    check_column, mutual_information, reason, ContinuousMi, Estimate, Estimator, AUTO_MAX_KNN_DIM,
    AUTO_TIE_FRACTION,
};
