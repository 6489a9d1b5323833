//! Caps on the flags that size an allocation or a loop, checked before anything is allocated,
//! so an absurd value gets a usage error instead of an out-of-memory abort. The caps are far
//! above any sensible use; each flag's `--help` names its cap.

use crate::error::{CliError, Result};

/// `--bins`: bins of uniform and quantile binning.
pub const MAX_BINS: usize = 65_536;
/// `--max-categories`: levels or bins one column may have.
pub const MAX_CATEGORIES: usize = 1 << 24;
/// `--betas MIN:MAX:COUNT`: COUNT, the β values of an IB curve.
pub const MAX_BETAS: usize = 10_000;
/// `ib --clusters`: the clusters |T| of a bottleneck.
pub const MAX_CLUSTERS: usize = 100_000;
/// `ib --restarts`: random restarts per β.
pub const MAX_RESTARTS: usize = 10_000;
/// `active simulate --members`: committee size.
pub const MAX_MEMBERS: usize = 1_000;
/// `active simulate --seeds`: repetitions.
pub const MAX_SEEDS: u64 = 10_000;
/// `--batch`: points chosen per round (acquire, active simulate).
pub const MAX_BATCH: usize = 1_000_000;
/// `acquire --samples`: BatchBALD's sampled joint configurations.
pub const MAX_SAMPLES: usize = 1_000_000;
/// `estimate --permutations`: permutations of the permutation test.
pub const MAX_PERMUTATIONS: usize = 10_000_000;
/// `generate --rows`: rows of a synthetic data set.
pub const MAX_ROWS: usize = 10_000_000;
/// `--neighbors` / `-k` of the kNN estimators.
pub const MAX_NEIGHBORS: usize = 10_000;
/// `--threads`: worker threads.
pub const MAX_THREADS: usize = 1_024;

/// Errors unless `min ≤ value ≤ max`, naming the flag and the range.
pub fn check<T: PartialOrd + std::fmt::Display + Copy>(
    flag: &str,
    value: T,
    min: T,
    max: T,
) -> Result<()> {
    if value < min || value > max {
        return Err(CliError::Usage(format!(
            "{flag} {value}: must be between {min} and {max}"
        )));
    }
    Ok(())
}

/// Errors when `value > max` (the lower bound is checked where the value is used).
pub fn at_most(flag: &str, value: usize, max: usize) -> Result<()> {
    if value > max {
        return Err(CliError::Usage(format!("{flag} {value}: at most {max}")));
    }
    Ok(())
}

/// Errors unless `value ≥ 1` (a count with no cap of its own).
pub fn positive(flag: &str, value: usize) -> Result<()> {
    if value == 0 {
        return Err(CliError::Usage(format!("{flag} 0: must be at least 1")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert!(check("--bins", 10, 1, MAX_BINS).is_ok());
        assert!(check("--bins", 0, 1, MAX_BINS).is_err());
        let e = check("--bins", usize::MAX, 1, MAX_BINS).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("--bins 18446744073709551615: must be between 1 and 65536"));
    }
}
