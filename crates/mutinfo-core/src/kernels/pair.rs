//! A candidate against one column (the target): `H(X)`, `H(Y)` and `H(X,Y)`, for many
//! candidates in parallel, and the exact `N·H(A,B)` of one pair for the selection rounds.

use super::blocked::{pair_block_u8, BLOCK};
use super::{column_stats, dense_limit, entropy_u32, fill_keys, scatter, sorted, Scratch};
use crate::codes::{check_len, with_codes, CodeVec, Codes};
use crate::error::Result;
use crate::estimator::Estimator;
use crate::exact::{NLogNSum, NLogNTable};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Entropies (nats) of a candidate `X`, the target `Y`, and their pair.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairEntropies {
    /// `H(X)`.
    pub h_x: f64,
    /// `H(Y)`.
    pub h_y: f64,
    /// `H(X,Y)`.
    pub h_xy: f64,
}

impl PairEntropies {
    /// `I(X;Y) = H(X) + H(Y) − H(X,Y)` (clamped at 0 for the plug-in estimator, see
    /// [`crate::estimator`]).
    pub fn mutual_information(&self, estimator: Estimator) -> f64 {
        super::clamp(estimator, self.h_x + self.h_y - self.h_xy)
    }

    /// The entropies of a pair given by its counts — `x` and `y` the marginals, `xy` the
    /// `x`-major table (`xy[a · |y| + b]`) — as [`pair_entropies`] computes them from the
    /// codes when it counts the pair densely (its usual route), the same floats: for counts
    /// merged from parts of the data ([`crate::TripleCounts::pair_counts`]).
    pub fn from_counts(est: Estimator, x: &[u64], y: &[u64], xy: &[u64]) -> Self {
        let n: u64 = y.iter().sum();
        let ky = y.iter().filter(|&&c| c > 0).count() as u64;
        let kx = x.iter().filter(|&&c| c > 0).count() as u64;
        let h_xy = if est == Estimator::PlugIn {
            if n == 0 {
                0.0
            } else {
                let nl = NLogNTable::new(n);
                let mut sum = NLogNSum::ZERO;
                for &c in xy {
                    nl.add(&mut sum, c);
                }
                crate::exact::fixed_to_f64(nl.scaled_entropy(sum, n)) / n as f64
            }
        } else {
            let v: Vec<u64> = xy.iter().copied().filter(|&c| c > 0).collect();
            est.entropy(&v, kx * ky)
        };
        PairEntropies {
            h_x: est.entropy(x, kx),
            h_y: est.entropy(y, ky),
            h_xy,
        }
    }
}

/// Entropy of one column.
pub fn column_entropy(x: &Codes, est: Estimator) -> f64 {
    column_stats(x, est).0
}

/// Entropy of the pair `(a, b)` of equal-length columns; `cells` is the James–Stein target size.
pub(crate) fn pair_entropy(
    a: &Codes,
    b: &Codes,
    est: Estimator,
    nl: &NLogNTable,
    cells: u64,
) -> f64 {
    let n = a.len();
    let nb = b.cardinality() as u64;
    let table = a.cardinality() as u64 * nb;
    if table <= dense_limit(n, false) {
        let mut t = vec![0u32; table as usize];
        with_codes!(a, sa => with_codes!(b, sb => scatter(sa, sb, nb as usize, &mut t)));
        entropy_u32(est, &t, n as u64, cells, nl)
    } else {
        let mut keys = Vec::with_capacity(n);
        with_codes!(a, sa => with_codes!(b, sb => fill_keys(sa, sb, nb, &mut keys)));
        sorted::entropy(est, &mut keys, cells, nl)
    }
}

/// Entropies of a candidate from its dense table `t` (any layout) and its marginal counts.
fn pair_from_table(
    est: Estimator,
    t: &[u32],
    cx: &[u64],
    n: usize,
    h_y: f64,
    ky: u64,
    nl: &NLogNTable,
) -> PairEntropies {
    let kx = cx.iter().filter(|&&c| c > 0).count() as u64;
    PairEntropies {
        h_x: est.entropy(cx, kx),
        h_y,
        h_xy: entropy_u32(est, t, n as u64, kx * ky, nl),
    }
}

/// Counts every candidate against the target `y` — four `u8` candidates per pass over the
/// rows when their tables are small, one dense table per candidate otherwise — and hands each
/// candidate's table (any layout) with its marginal counts to `finish`; `None` when the table
/// is too large to count densely (the caller counts by sorting). Each candidate is counted by
/// one thread, so the result does not depend on the number of threads.
fn count_pairs<T: Send>(
    candidates: &[&Codes],
    y: &Codes,
    finish: impl Fn(&Codes, Option<(&[u32], &[u64])>) -> T + Sync,
) -> Vec<T> {
    let n = y.len();
    let nb = y.cardinality() as usize;
    let blocked = nb > 0 && 256 * nb as u64 <= dense_limit(n, false);
    let single = |x: &Codes| {
        let cells = x.cardinality() as u64 * nb as u64;
        if cells > dense_limit(n, false) {
            return finish(x, None);
        }
        let mut t = vec![0u32; cells as usize];
        with_codes!(x, sx => with_codes!(y, sy => scatter(sx, sy, nb, &mut t)));
        let cx: Vec<u64> = t
            .chunks_exact(nb.max(1))
            .map(|r| r.iter().map(|&c| c as u64).sum())
            .collect();
        finish(x, Some((&t, &cx)))
    };
    let out: Vec<Vec<T>> = candidates
        .par_chunks(BLOCK)
        .map(|chunk| {
            let u8s: Vec<&[u8]> = chunk
                .iter()
                .filter_map(|c| match c.storage() {
                    CodeVec::U8(v) => Some(v.as_slice()),
                    _ => None,
                })
                .collect();
            if blocked && u8s.len() == BLOCK {
                let xs = [u8s[0], u8s[1], u8s[2], u8s[3]];
                let tables = with_codes!(y, sy => pair_block_u8(xs, sy, nb));
                tables
                    .iter()
                    .zip(chunk)
                    .map(|(t, x)| {
                        let mut cx = vec![0u64; 256];
                        for row in t.chunks_exact(256) {
                            for (c, &v) in cx.iter_mut().zip(row) {
                                *c += v as u64;
                            }
                        }
                        finish(x, Some((t, &cx)))
                    })
                    .collect()
            } else {
                chunk.iter().map(|x| single(x)).collect()
            }
        })
        .collect();
    out.into_iter().flatten().collect()
}

/// The first candidate whose length differs from `y`'s, as an error naming it (the name is
/// formatted only then: this runs once per column of wide data).
fn check_lengths(candidates: &[&Codes], y: &Codes) -> Result<()> {
    match candidates.iter().position(|c| c.len() != y.len()) {
        Some(j) => check_len(&format!("candidate {j}"), y.len(), candidates[j].len()),
        None => Ok(()),
    }
}

/// `H(X)`, `H(Y)` and `H(X,Y)` of every candidate against the target `y`, in parallel.
///
/// # Errors
/// [`crate::CoreError::LengthMismatch`] naming the first candidate whose length differs from `y`.
pub fn pair_entropies(
    candidates: &[&Codes],
    y: &Codes,
    est: Estimator,
) -> Result<Vec<PairEntropies>> {
    check_lengths(candidates, y)?;
    let n = y.len();
    let nl = NLogNTable::new(n as u64);
    let (h_y, ky) = column_stats(y, est);
    Ok(count_pairs(candidates, y, |x, table| match table {
        Some((t, cx)) => pair_from_table(est, t, cx, n, h_y, ky, &nl),
        None => {
            let (h_x, kx) = column_stats(x, est);
            PairEntropies {
                h_x,
                h_y,
                h_xy: pair_entropy(x, y, est, &nl, kx * ky),
            }
        }
    }))
}

/// `N·H(X)` and `N·H(X,Y)` (exact, units of `2^-64`, see [`crate::exact`]) of every
/// candidate against the target `y`, in parallel, from one pass over the rows per candidate
/// (`H(X)` is the table's marginal).
///
/// # Errors
/// [`crate::CoreError::LengthMismatch`] naming the first candidate whose length differs from `y`.
pub fn pair_entropies_exact(candidates: &[&Codes], y: &Codes) -> Result<Vec<(i128, i128)>> {
    check_lengths(candidates, y)?;
    let n = y.len() as u64;
    let nl = NLogNTable::new(n);
    let sum = |counts: &[u64]| {
        let mut s = NLogNSum::ZERO;
        for &c in counts {
            nl.add(&mut s, c);
        }
        nl.scaled_entropy(s, n)
    };
    Ok(count_pairs(candidates, y, |x, table| match table {
        Some((t, cx)) => (
            sum(cx),
            nl.scaled_entropy(NLogNSum::from_counts_with(t, &nl), n),
        ),
        None => (
            sum(&x.counts()),
            pair_entropy_exact(x, y, &nl, &mut Scratch::default()),
        ),
    }))
}

/// `I(X;Y)` of every candidate column against the target `y`, in nats, in parallel.
///
/// # Errors
/// As [`pair_entropies`].
pub fn mutual_information_many(
    candidates: &[&Codes],
    y: &Codes,
    est: Estimator,
) -> Result<Vec<f64>> {
    Ok(pair_entropies(candidates, y, est)?
        .into_iter()
        .map(|p| p.mutual_information(est))
        .collect())
}

/// `N·H(A,B)` (exact, units of `2^-64`, see [`crate::exact`]) of two equal-length columns,
/// counted into the worker's reusable `scratch`.
pub fn pair_entropy_exact(a: &Codes, b: &Codes, nl: &NLogNTable, scratch: &mut Scratch) -> i128 {
    let n = a.len();
    let nb = b.cardinality() as u64;
    let cells = a.cardinality() as u64 * nb;
    if cells <= dense_limit(n, true) {
        scratch.table.clear();
        scratch.table.resize(cells as usize, 0);
        with_codes!(a, sa => with_codes!(b, sb => scatter(sa, sb, nb as usize, &mut scratch.table)));
        nl.scaled_entropy(NLogNSum::from_counts_with(&scratch.table, nl), n as u64)
    } else {
        with_codes!(a, sa => with_codes!(b, sb => fill_keys(sa, sb, nb, &mut scratch.keys)));
        sorted::scaled_entropy(&mut scratch.keys, nl)
    }
}
