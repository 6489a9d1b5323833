//! Counting kernels: "one against many" contingency counts turned into entropies. All the
//! counting of the workspace lives here; the selectors, the tree and the acquisition
//! functions call it.
//!
//! These are the hot loops of the project. A candidate column is scatter-added against the
//! target (or against a joint (conditioning, target) code) into a dense `u32` table when the
//! table is small next to the number of rows, and counted by sorting keys otherwise (columns
//! with hundreds of raw values against each other). Candidates run in parallel with rayon; each
//! candidate's counts are integers computed by one thread, and entropies are exact sums
//! ([`crate::exact`]), so every result is identical bit for bit for any number of threads, and
//! mathematically equal entropies are equal.
//!
//! One file per kernel family:
//! - [`pair`]: a candidate against one column (the target): `H(X)`, `H(Y)`, `H(X,Y)`;
//! - [`conditioned`]: a candidate against a prepared (conditioning, target) pair;
//! - [`blocked`]: four `u8` candidates (or two pre-paired bytes) per pass over the rows;
//! - `sorted`: tables too large to count densely, by sorting keys.
//!
//! The dispatch over code widths (`u8`, `u16`, `u32`) is the one macro `with_codes!` of
//! [`crate::codes`]; the choice between dense and sorted counting is one function, `dense_limit`.

pub mod blocked;
pub mod conditioned;
pub mod pair;
mod sorted;

pub use conditioned::{triple_entropies, ConditionedTarget, Conditioning, TripleEntropies};
pub(crate) use pair::pair_entropy;
pub use pair::{
    column_entropy, mutual_information_many, pair_entropies, pair_entropies_exact,
    pair_entropy_exact, PairEntropies,
};

use crate::codes::Code;
use crate::estimator::Estimator;
use crate::exact::{NLogNSum, NLogNTable};

/// Rows up to which one `u32` table cannot overflow.
const U32_ROWS: usize = u32::MAX as usize;

/// Largest table (cells) counted by scatter-add for `n` rows; larger ones are counted by
/// sorting keys. A `reused` table (a worker's scratch) costs only its zeroing, so it may be
/// larger than one allocated per candidate.
#[inline]
fn dense_limit(n: usize, reused: bool) -> u64 {
    if n > U32_ROWS {
        return 0;
    }
    if reused {
        (16 * n as u64).clamp(1 << 16, 1 << 26)
    } else {
        (2 * n as u64).clamp(1 << 12, 1 << 26)
    }
}

/// Scatter-adds `table[a * nb + b] += 1`.
#[inline]
fn scatter<A: Code, B: Code>(a: &[A], b: &[B], nb: usize, table: &mut [u32]) {
    debug_assert!(a.len() <= U32_ROWS);
    for (&x, &y) in a.iter().zip(b) {
        table[x.idx() * nb + y.idx()] += 1;
    }
}

/// The keys `a · nb + b` of every row, into `keys`.
fn fill_keys<A: Code, B: Code>(a: &[A], b: &[B], nb: u64, keys: &mut Vec<u64>) {
    keys.clear();
    keys.extend(
        a.iter()
            .zip(b)
            .map(|(&x, &y)| x.idx() as u64 * nb + y.idx() as u64),
    );
}

/// Reusable scratch space of one worker of the exact kernels.
#[derive(Debug, Default)]
pub struct Scratch {
    table: Vec<u32>,
    marginal: Vec<u32>,
    keys: Vec<u64>,
}

/// `clamp(v, 0)` for the plug-in estimator (see [`crate::estimator`]), `v` otherwise.
pub(crate) fn clamp(estimator: Estimator, v: f64) -> f64 {
    if estimator == Estimator::PlugIn {
        v.max(0.0)
    } else {
        v
    }
}

/// Entropy of a `u32` table with `cells` possible cells.
fn entropy_u32(est: Estimator, counts: &[u32], total: u64, cells: u64, nl: &NLogNTable) -> f64 {
    if est == Estimator::PlugIn {
        if total == 0 {
            return 0.0;
        }
        let sum = NLogNSum::from_counts_with(counts, nl);
        crate::exact::fixed_to_f64(nl.scaled_entropy(sum, total)) / total as f64
    } else {
        let v: Vec<u64> = counts
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| c as u64)
            .collect();
        est.entropy(&v, cells)
    }
}

/// Entropy of one column and the number of values it takes.
pub(crate) fn column_stats(x: &crate::Codes, est: Estimator) -> (f64, u64) {
    let c = x.counts();
    let observed = c.iter().filter(|&&v| v > 0).count() as u64;
    (est.entropy(&c, observed), observed)
}
