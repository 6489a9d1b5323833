//! Significance of mutual information: the G-test and a seeded permutation test.

use crate::codes::Codes;
use crate::error::{CoreError, Result};
use crate::estimator::Estimator;
use crate::measures::{check_columns, Discrete};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// The result of a G-test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GTest {
    /// The plug-in (conditional) mutual information in nats.
    pub mi: f64,
    /// `G = 2 N I` (nats).
    pub statistic: f64,
    /// Degrees of freedom of the χ² reference distribution.
    pub dof: u64,
    /// `P(χ²_dof ≥ G)`; 1 when `dof` is 0.
    pub p_value: f64,
}

fn chi2_sf(statistic: f64, dof: u64) -> f64 {
    if dof == 0 {
        return 1.0;
    }
    match ChiSquared::new(dof as f64) {
        Ok(d) => d.sf(statistic.max(0.0)).clamp(0.0, 1.0),
        Err(_) => 1.0,
    }
}

/// The G-test of independence of `X` and `Y`: `G = 2 N I(X;Y)` is asymptotically χ² with
/// `(|X| − 1)(|Y| − 1)` degrees of freedom under independence (Wilks 1938), where `|X|`,
/// `|Y|` count the values that occur.
///
/// # Errors
/// As [`crate::mutual_information`].
///
/// ```
/// use mutinfo_core::{g_test, Codes};
/// let x = Codes::from_values(&[0, 0, 0, 1, 1, 1, 0, 1])?;
/// let t = g_test(&x, &x)?;
/// assert_eq!(t.dof, 1);
/// assert!(t.p_value < 0.01);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn g_test(x: &Codes, y: &Codes) -> Result<GTest> {
    let n = check_columns(&[x, y])?;
    let mi = Discrete::new().mutual_information(x, y)?;
    let dof = (x.observed_cardinality() as u64 - 1) * (y.observed_cardinality() as u64 - 1);
    let statistic = 2.0 * n as f64 * mi;
    Ok(GTest {
        mi,
        statistic,
        dof,
        p_value: chi2_sf(statistic, dof),
    })
}

/// The conditional G-test of `X ⫫ Y | Z`: `G = 2 N I(X;Y|Z)` against χ² with
/// `(|X| − 1)(|Y| − 1)|Z|` degrees of freedom (observed values).
///
/// # Errors
/// As [`crate::conditional_mutual_information`].
pub fn conditional_g_test(x: &Codes, y: &Codes, z: &Codes) -> Result<GTest> {
    let n = check_columns(&[x, y, z])?;
    let mi = Discrete::new().conditional_mutual_information(x, y, z)?;
    let dof = (x.observed_cardinality() as u64 - 1)
        * (y.observed_cardinality() as u64 - 1)
        * z.observed_cardinality() as u64;
    let statistic = 2.0 * n as f64 * mi;
    Ok(GTest {
        mi,
        statistic,
        dof,
        p_value: chi2_sf(statistic, dof),
    })
}

/// The result of a permutation test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermutationTest {
    /// The observed (conditional) mutual information in nats.
    pub observed: f64,
    /// `(1 + #{permuted ≥ observed}) / (1 + permutations)` (Phipson & Smyth 2010).
    pub p_value: f64,
    /// Number of permutations drawn.
    pub permutations: usize,
    /// Mean of the permuted values (an estimate of the bias under independence).
    pub null_mean: f64,
    /// Standard deviation of the permuted values.
    pub null_std: f64,
}

/// Options of [`permutation_test`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PermutationOptions {
    /// Number of permutations (default 1000).
    pub permutations: usize,
    /// Seed of the random permutations (default 0).
    pub seed: u64,
    /// Estimator of the statistic (default plug-in).
    pub estimator: Estimator,
}

impl Default for PermutationOptions {
    fn default() -> Self {
        PermutationOptions {
            permutations: 1000,
            seed: 0,
            estimator: Estimator::PlugIn,
        }
    }
}

/// A permutation test of `I(X;Y)` (or of `I(X;Y|Z)`, permuting `Y` within each value of `Z`).
///
/// Permutation `b` draws from ChaCha8 seeded with `seed` on stream `b`, and the permutations
/// run in parallel, so the result is the same bit for bit for any number of threads.
///
/// # Errors
/// As [`crate::mutual_information`]; [`CoreError::InvalidParameter`] for 0 permutations.
pub fn permutation_test(
    x: &Codes,
    y: &Codes,
    z: Option<&Codes>,
    options: PermutationOptions,
) -> Result<PermutationTest> {
    if options.permutations == 0 {
        return Err(CoreError::InvalidParameter {
            name: "permutations",
            value: "0".into(),
            reason: "at least one permutation is needed",
        });
    }
    let m = Discrete::new().estimator(options.estimator);
    let stat = |yy: &Codes| -> Result<f64> {
        match z {
            Some(z) => m.conditional_mutual_information(x, yy, z),
            None => m.mutual_information(x, yy),
        }
    };
    match z {
        Some(z) => check_columns(&[x, y, z])?,
        None => check_columns(&[x, y])?,
    };
    let observed = stat(y)?;
    // Strata: the rows of each value of Z (one stratum without Z).
    let strata: Vec<Vec<usize>> = match z {
        Some(z) => {
            let mut s = vec![Vec::new(); z.cardinality() as usize];
            for i in 0..z.len() {
                s[z.get(i) as usize].push(i);
            }
            s.retain(|v| !v.is_empty());
            s
        }
        None => vec![(0..y.len()).collect()],
    };
    let values = (0..options.permutations)
        .into_par_iter()
        .map(|b| {
            let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
            rng.set_stream(b as u64);
            let mut perm: Vec<usize> = (0..y.len()).collect();
            for s in &strata {
                let mut shuffled = s.clone();
                shuffled.shuffle(&mut rng);
                for (&dst, &src) in s.iter().zip(&shuffled) {
                    perm[dst] = src;
                }
            }
            stat(&y.take(&perm))
        })
        .collect::<Result<Vec<f64>>>()?;
    let exceed = values.iter().filter(|&&v| v >= observed).count();
    let k = values.len() as f64;
    let null_mean = values.iter().sum::<f64>() / k;
    let var = values.iter().map(|v| (v - null_mean).powi(2)).sum::<f64>() / k;
    Ok(PermutationTest {
        observed,
        p_value: (1 + exceed) as f64 / (1.0 + k),
        permutations: options.permutations,
        null_mean,
        null_std: var.sqrt(),
    })
}
