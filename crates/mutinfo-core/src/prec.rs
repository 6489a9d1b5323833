//! The tolerance policy of the workspace's tests (as statrs' `prec`): every test compares
//! floats through one of these named bounds, never a literal.
//!
//! | constant | bound | for |
//! |---|---|---|
//! | [`ROUNDOFF`] | `1e-15` | the same value by two routes of a few roundings (values of order 1) |
//! | [`SERIES`] | `1e-13` | special functions and series summed to double precision |
//! | [`GOLDEN`] | `1e-12` | a reference implementation of the same formula (sklearn, scipy, R) |
//! | [`CLOSED_FORM`] | `1e-12` | a closed form with transcendental constants |
//! | [`IDENTITY`] | `1e-10` | identities over several entropy terms (chain rule, symmetry) |
//! | [`CONVERGED`] | `1e-9` | an iterative solver run to its default tolerance |
//! | [`ITERATIVE`] | `1e-6` | an iterative fit or optimum located numerically |
//! | [`PUBLISHED`] | `5e-4` | a figure printed to 3–4 digits in a paper or textbook |
//! | [`ESTIMATE`] | `1e-3` | a consistent estimator against its limit on a large sample |
//!
//! Exact results (entropies from counts, ties, zeros) are compared with `==`, not with a
//! tolerance: see [`crate::exact`].

/// The same value by two routes of a few roundings.
pub const ROUNDOFF: f64 = 1e-15;
/// Special functions and series summed to double precision.
pub const SERIES: f64 = 1e-13;
/// Agreement with a reference implementation of the same formula (sklearn, scipy, R).
pub const GOLDEN: f64 = 1e-12;
/// Agreement with a closed form.
pub const CLOSED_FORM: f64 = 1e-12;
/// Identities that hold up to round-off of a few entropy terms (chain rule, symmetry).
pub const IDENTITY: f64 = 1e-10;
/// An iterative solver run to its default tolerance.
pub const CONVERGED: f64 = 1e-9;
/// An iterative fit or an optimum located numerically.
pub const ITERATIVE: f64 = 1e-6;
/// A figure printed to 3–4 significant digits in a paper or textbook.
pub const PUBLISHED: f64 = 5e-4;
/// A consistent estimator against its limit on a large sample.
pub const ESTIMATE: f64 = 1e-3;

/// `|a − b| ≤ tol · max(1, |a|, |b|)`.
pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * 1f64.max(a.abs()).max(b.abs())
}
