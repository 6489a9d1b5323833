//! Counting by sorting keys, for tables too large to count densely.

use crate::estimator::Estimator;
use crate::exact::{NLogNSum, NLogNTable};

/// Sorts the keys and calls `f` with the length of every run of equal keys.
fn for_each_run(keys: &mut [u64], mut f: impl FnMut(u64)) {
    keys.sort_unstable();
    let mut i = 0;
    while i < keys.len() {
        let mut j = i + 1;
        while j < keys.len() && keys[j] == keys[i] {
            j += 1;
        }
        f((j - i) as u64);
        i = j;
    }
}

/// `N·H` (exact, units of `2^-64`) of the column whose row keys are `keys`.
pub(super) fn scaled_entropy(keys: &mut [u64], nl: &NLogNTable) -> i128 {
    let mut s = NLogNSum::ZERO;
    for_each_run(keys, |c| nl.add(&mut s, c));
    nl.scaled_entropy(s, keys.len() as u64)
}

/// Entropy of the column whose row keys are `keys` (`keys < cells`), for any estimator.
pub(super) fn entropy(est: Estimator, keys: &mut [u64], cells: u64, nl: &NLogNTable) -> f64 {
    if est == Estimator::PlugIn {
        return crate::exact::fixed_to_f64(scaled_entropy(keys, nl)) / keys.len().max(1) as f64;
    }
    let mut runs = Vec::new();
    for_each_run(keys, |c| runs.push(c));
    est.entropy(&runs, cells)
}
