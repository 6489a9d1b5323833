//! # mutinfo-core
//!
//! The numerics of [mutinfo](https://example.invalid/mutinfo): discrete columns as compact
//! codes, exact contingency counting, and the entropy and mutual-information measures built on
//! it. No Arrow, no linfa: slices and ndarray 0.16. Its only I/O is [`save`], the crash-safe file
//! writer every model and output of mutinfo goes through.
//!
//! ## When to use it
//! - You have discrete data (or data you discretized) and want `H`, `I(X;Y)`, `I(X;Y|Z)`,
//!   normalized or adjusted MI, total correlation or co-information, with a bias-corrected
//!   estimator if the sample is small.
//! - You need MI of many columns against one target, or against a (conditioning, target) pair,
//!   fast: that is what feature selectors, tree splits and BALD are made of
//!   ([`mutual_information_many`], [`ConditionedTarget`]).
//!
//! ## Example
//! ```
//! use mutinfo_core::{mutual_information, conditional_mutual_information, Codes};
//! // Y = X xor Z: X alone tells nothing about Y, X with Z tells everything.
//! let x = Codes::from_values(&[0, 0, 1, 1])?;
//! let z = Codes::from_values(&[0, 1, 0, 1])?;
//! let y = Codes::from_values(&[0, 1, 1, 0])?;
//! assert_eq!(mutual_information(&x, &y)?, 0.0);
//! assert_eq!(conditional_mutual_information(&x, &y, &z)?, std::f64::consts::LN_2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Beyond sample estimates
//! [`channel`] (capacity by Blahut–Arimoto), [`fano`] (error bounds), [`bottleneck`]
//! (information bottleneck and its deterministic variant), [`bounds`] (InfoNCE, NWJ, DV, SMILE
//! from critic scores) and [`cooccurrence`] (PMI / PPMI / NPMI matrices) hold the canonical
//! computations that come with the theory.
//!
//! ## Guarantees
//! - Units: nats unless a [`Base`] says otherwise.
//! - Determinism: counts are integers and the `n ln n` sums behind every plug-in entropy are
//!   exact ([`exact`]), so results do not depend on thread count, chunking or cell order, and
//!   a constant column has entropy and MI exactly 0.
//! - Errors, never panics or NaN, on empty input, length mismatch and out-of-range codes.

pub mod base;
pub mod bottleneck;
pub mod bounds;
pub mod channel;
pub mod codes;
pub mod cooccurrence;
pub mod error;
pub mod estimator;
pub mod exact;
pub mod fano;
pub mod kernels;
pub mod measures;
pub mod nsb;
pub mod prec;
pub mod save;
pub mod significance;
pub mod table;
pub mod triple;
pub mod weights;

pub use base::Base;
pub use codes::{CodeMatrix, CodeVec, Codes};
pub use error::{CoreError, Result};
pub use estimator::Estimator;
pub use kernels::{
    mutual_information_many, pair_entropies, triple_entropies, ConditionedTarget, PairEntropies,
    TripleEntropies,
};
pub use measures::{
    adjusted_mutual_information, conditional_entropy, conditional_mutual_information, entropy,
    interaction_information, joint_entropy, joint_mutual_information, mutual_information,
    normalized_mutual_information, total_correlation, variation_of_information, Average, Discrete,
};
pub use significance::{
    conditional_g_test, g_test, permutation_test, GTest, PermutationOptions, PermutationTest,
};
pub use table::{expected_mutual_information, ContingencyTable};
pub use triple::{joint_keys, CountEntropies, TripleCounts};
