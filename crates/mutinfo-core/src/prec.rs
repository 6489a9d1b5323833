//! Tolerances shared by every test in the workspace (as statrs' `prec`).
//!
//! A golden value from a reference implementation agrees with ours to [`GOLDEN`] when both
//! compute the same formula in double precision in a different order; closed forms with
//! transcendental constants to [`CLOSED_FORM`].

/// Agreement with a reference implementation of the same formula (sklearn, scipy, R).
pub const GOLDEN: f64 = 1e-12;
/// Agreement with a closed form.
pub const CLOSED_FORM: f64 = 1e-12;
/// Identities that hold up to round-off of a few entropy terms (chain rule, symmetry).
pub const IDENTITY: f64 = 1e-10;

/// `|a − b| ≤ tol · max(1, |a|, |b|)`.
pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * 1f64.max(a.abs()).max(b.abs())
}
