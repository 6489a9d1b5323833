//! Counts of `(x, z, y)` triples that merge exactly: the partial state of a counting pass
//! over data read in parts (files, partitions, machines), from which every plug-in entropy a
//! greedy selection round needs follows exactly.
//!
//! `x` is a feature's code, `y` the class, and `z` a key for the conditioning set: the code
//! of one selected feature, the joint code of several ([`joint_keys`]), or `0` when there is
//! none. Counts are integers, so parts merge by addition in any order with the same result,
//! and [`TripleCounts::scaled_entropies`] gives the exact `N·H` integers
//! ([`crate::exact`]) that the in-memory kernels give on the same rows.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::codes::{with_codes, Code, Codes};
use crate::error::{CoreError, Result};
use crate::exact::NLogNSum;

/// Counts of `(x, z, y)`: for each key `z` seen, a dense `x`-major table of `cx × cy` counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TripleCounts {
    cx: u32,
    cy: u32,
    cells: HashMap<u64, Vec<u64>>,
}

/// The largest key (0 when there are none).
fn max_key(z: Option<&[u64]>) -> u64 {
    z.map_or(0, |z| z.iter().copied().max().unwrap_or(0))
}

/// Counts `(x, z, y)` into `dense` (`z`-major tables of `cell = cx · cy` counts, `x`-major).
fn count_dense<X: Code, Y: Code>(
    xs: &[X],
    ys: &[Y],
    z: Option<&[u64]>,
    cy: usize,
    cell: usize,
    dense: &mut [u64],
) {
    match z {
        None => {
            for (xi, yi) in xs.iter().zip(ys) {
                dense[xi.idx() * cy + yi.idx()] += 1;
            }
        }
        Some(z) => {
            for ((&k, xi), yi) in z.iter().zip(xs).zip(ys) {
                dense[k as usize * cell + xi.idx() * cy + yi.idx()] += 1;
            }
        }
    }
}

/// Exact `N·H` (units of `2^-64`, [`crate::exact`]) of the parts of a [`TripleCounts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountEntropies {
    /// Rows counted.
    pub n: u64,
    /// `N·H(X)`.
    pub x: i128,
    /// `N·H(X,Y)`.
    pub xy: i128,
    /// `N·H(Y)`.
    pub y: i128,
    /// `N·H(Z)`.
    pub z: i128,
    /// `N·H(Z,Y)`.
    pub zy: i128,
    /// `N·H(X,Z)`.
    pub xz: i128,
    /// `N·H(X,Z,Y)`.
    pub xzy: i128,
}

impl TripleCounts {
    /// Empty counts of an `x` with `cx` codes and a `y` with `cy` codes.
    ///
    /// # Errors
    /// [`CoreError::InvalidParameter`] when a cardinality is zero or `cx · cy` exceeds 2^32.
    pub fn new(cx: u32, cy: u32) -> Result<Self> {
        if cx == 0 || cy == 0 || u64::from(cx) * u64::from(cy) > 1 << 32 {
            return Err(CoreError::InvalidParameter {
                name: "cardinalities",
                value: format!("{cx} x {cy}"),
                reason: "each at least 1, their product at most 2^32",
            });
        }
        Ok(TripleCounts {
            cx,
            cy,
            cells: HashMap::new(),
        })
    }

    /// The cardinalities `(cx, cy)`.
    pub fn cardinalities(&self) -> (u32, u32) {
        (self.cx, self.cy)
    }

    /// Counts the rows of `x`, `y` and the keys `z` (`None`: every key 0).
    ///
    /// # Errors
    /// [`CoreError::LengthMismatch`] when the lengths differ;
    /// [`CoreError::CodeOutOfRange`] for a code at or above its cardinality here.
    pub fn add(&mut self, x: &Codes, z: Option<&[u64]>, y: &Codes) -> Result<()> {
        self.check(x, z, y)?;
        self.add_checked(x, z, max_key(z), y, &mut Vec::new());
        Ok(())
    }

    /// [`TripleCounts::add`] of `xs[j]` to `tables[j]` for every `j`, against the same keys
    /// and class (the keys' range is found once, one scratch table serves every feature).
    ///
    /// # Errors
    /// As [`TripleCounts::add`]; [`CoreError::LengthMismatch`] when there are not as many
    /// tables as features.
    pub fn add_each(
        tables: &mut [TripleCounts],
        xs: &[Codes],
        z: Option<&[u64]>,
        y: &Codes,
    ) -> Result<()> {
        if tables.len() != xs.len() {
            return Err(CoreError::LengthMismatch {
                what: "features".to_string(),
                expected: tables.len(),
                found: xs.len(),
            });
        }
        let zmax = max_key(z);
        let mut dense = Vec::new();
        for (t, x) in tables.iter_mut().zip(xs) {
            t.check(x, z, y)?;
            t.add_checked(x, z, zmax, y, &mut dense);
        }
        Ok(())
    }

    /// The checks of [`TripleCounts::add`].
    fn check(&self, x: &Codes, z: Option<&[u64]>, y: &Codes) -> Result<()> {
        let n = x.len();
        for (what, len) in [("y", y.len()), ("z", z.map_or(n, <[u64]>::len))] {
            if len != n {
                return Err(CoreError::LengthMismatch {
                    what: what.to_string(),
                    expected: n,
                    found: len,
                });
            }
        }
        for (codes, card) in [(x, self.cx), (y, self.cy)] {
            if codes.cardinality() > card {
                return Err(CoreError::InvalidParameter {
                    name: "codes",
                    value: format!("cardinality {}", codes.cardinality()),
                    reason: "above the cardinality of the counts",
                });
            }
        }
        Ok(())
    }

    /// Counts checked rows; `zmax` is the largest key, `dense` a scratch table.
    fn add_checked(
        &mut self,
        x: &Codes,
        z: Option<&[u64]>,
        zmax: u64,
        y: &Codes,
        dense: &mut Vec<u64>,
    ) {
        let cy = self.cy as usize;
        let cell = self.cx as usize * cy;
        // Keys in a small range are counted in one dense table (the usual case: the codes
        // of one selected feature), others key by key; the codes are read in their own width.
        if zmax < 1 << 20 && (zmax as usize + 1) * cell <= 1 << 24 {
            dense.clear();
            dense.resize((zmax as usize + 1) * cell, 0);
            with_codes!(x, xs => with_codes!(y, ys => count_dense(xs, ys, z, cy, cell, dense)));
            for (k, t) in dense.chunks_exact(cell).enumerate() {
                if t.iter().any(|&c| c > 0) {
                    let mine = self.cells.entry(k as u64).or_insert_with(|| vec![0; cell]);
                    mine.iter_mut().zip(t).for_each(|(a, b)| *a += b);
                }
            }
        } else {
            with_codes!(x, xs => with_codes!(y, ys => {
                for (i, (xi, yi)) in xs.iter().zip(ys).enumerate() {
                    let k = z.map_or(0, |z| z[i]);
                    self.cells.entry(k).or_insert_with(|| vec![0; cell])[xi.idx() * cy + yi.idx()] +=
                        1;
                }
            }));
        }
    }

    /// Adds another part's counts.
    ///
    /// # Errors
    /// [`CoreError::InvalidParameter`] when the cardinalities differ.
    pub fn merge(&mut self, other: &TripleCounts) -> Result<()> {
        if (self.cx, self.cy) != (other.cx, other.cy) {
            return Err(CoreError::InvalidParameter {
                name: "cardinalities",
                value: format!("{} x {} and {} x {}", self.cx, self.cy, other.cx, other.cy),
                reason: "merged counts must be of the same columns",
            });
        }
        for (k, t) in &other.cells {
            match self.cells.get_mut(k) {
                Some(mine) => mine.iter_mut().zip(t).for_each(|(a, b)| *a += b),
                None => {
                    self.cells.insert(*k, t.clone());
                }
            }
        }
        Ok(())
    }

    /// The counts of `x`, of `y` and of `(x, y)` (`x`-major), summed over `z`.
    pub fn pair_counts(&self) -> (Vec<u64>, Vec<u64>, Vec<u64>) {
        let (cx, cy) = (self.cx as usize, self.cy as usize);
        let mut xy = vec![0u64; cx * cy];
        for t in self.cells.values() {
            xy.iter_mut().zip(t).for_each(|(a, b)| *a += b);
        }
        let x = xy.chunks_exact(cy).map(|r| r.iter().sum()).collect();
        let mut y = vec![0u64; cy];
        for r in xy.chunks_exact(cy) {
            y.iter_mut().zip(r).for_each(|(a, b)| *a += b);
        }
        (x, y, xy)
    }

    /// Rows counted.
    pub fn total(&self) -> u64 {
        self.cells.values().flatten().sum()
    }

    /// The exact `N·H` of every marginal the selection terms use.
    pub fn scaled_entropies(&self) -> CountEntropies {
        let (cx, cy) = (self.cx as usize, self.cy as usize);
        let mut x = vec![0u64; cx];
        let mut y = vec![0u64; cy];
        let mut xy = vec![0u64; cx * cy];
        let (mut z, mut zy, mut xz, mut xzy) = (
            NLogNSum::ZERO,
            NLogNSum::ZERO,
            NLogNSum::ZERO,
            NLogNSum::ZERO,
        );
        let mut n = 0u64;
        for t in self.cells.values() {
            let mut nz = 0u64;
            let mut zy_row = vec![0u64; cy];
            for a in 0..cx {
                let row = &t[a * cy..(a + 1) * cy];
                let mut nxz = 0u64;
                for (b, &c) in row.iter().enumerate() {
                    xzy.add_count(c);
                    nxz += c;
                    zy_row[b] += c;
                    xy[a * cy + b] += c;
                    y[b] += c;
                }
                xz.add_count(nxz);
                x[a] += nxz;
                nz += nxz;
            }
            for c in zy_row {
                zy.add_count(c);
            }
            z.add_count(nz);
            n += nz;
        }
        let h = |s: NLogNSum| s.scaled_entropy(n);
        CountEntropies {
            n,
            x: h(NLogNSum::from_counts(x)),
            xy: h(NLogNSum::from_counts(xy)),
            y: h(NLogNSum::from_counts(y)),
            z: h(z),
            zy: h(zy),
            xz: h(xz),
            xzy: h(xzy),
        }
    }
}

/// The joint key of several code columns of equal length: `Σ code_i · Π_{j<i} card_j`
/// (mixed radix, the first column fastest), the same for every part of the data.
///
/// # Errors
/// [`CoreError::LengthMismatch`] when the lengths differ; [`CoreError::InvalidParameter`]
/// when the product of the cardinalities exceeds 2^64.
pub fn joint_keys(columns: &[&Codes]) -> Result<Vec<u64>> {
    let n = columns.first().map_or(0, |c| c.len());
    let mut keys = vec![0u64; n];
    let mut radix: u64 = 1;
    for c in columns {
        if c.len() != n {
            return Err(CoreError::LengthMismatch {
                what: "joint key column".to_string(),
                expected: n,
                found: c.len(),
            });
        }
        with_codes!(c, v => {
            for (k, v) in keys.iter_mut().zip(v) {
                *k += v.idx() as u64 * radix;
            }
        });
        radix = radix.checked_mul(u64::from(c.cardinality().max(1))).ok_or(
            CoreError::InvalidParameter {
                name: "joint cardinality",
                value: format!("{} columns", columns.len()),
                reason: "the product of the cardinalities must stay below 2^64",
            },
        )?;
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys counted densely (small) and one by one (large) give the same tables, and the
    /// entropies are those of the codes.
    #[test]
    fn dense_and_hashed_keys_agree() {
        let n = 500;
        let x = Codes::from_codes((0..n).map(|i| (i * 7 % 5) as u32).collect(), 5).unwrap();
        let y = Codes::from_codes((0..n).map(|i| (i * 3 % 4) as u32).collect(), 4).unwrap();
        let small: Vec<u64> = (0..n).map(|i| (i * 11 % 6) as u64).collect();
        let large: Vec<u64> = small.iter().map(|&k| k + (1 << 40)).collect();
        let (mut a, mut b) = (
            TripleCounts::new(5, 4).unwrap(),
            TripleCounts::new(5, 4).unwrap(),
        );
        a.add(&x, Some(&small), &y).unwrap();
        b.add(&x, Some(&large), &y).unwrap();
        let (ea, eb) = (a.scaled_entropies(), b.scaled_entropies());
        assert_eq!(ea, eb);
        assert_eq!(a.total(), n as u64);
        let z = Codes::from_codes(small.iter().map(|&k| k as u32).collect(), 6).unwrap();
        let h = |c: &[&Codes]| {
            let j = Codes::joint_of(c, n).unwrap();
            NLogNSum::from_counts(j.counts()).scaled_entropy(n as u64)
        };
        assert_eq!(ea.xzy, h(&[&x, &z, &y]));
        assert_eq!(ea.xz, h(&[&x, &z]));
        assert_eq!(ea.zy, h(&[&z, &y]));
        assert_eq!(ea.z, h(&[&z]));
        assert_eq!(ea.xy, h(&[&x, &y]));
        // Parts merge to the whole.
        let mut parts = TripleCounts::new(5, 4).unwrap();
        for r in [0..200, 200..n] {
            let idx: Vec<usize> = r.collect();
            let mut p = TripleCounts::new(5, 4).unwrap();
            let zk: Vec<u64> = idx.iter().map(|&i| small[i]).collect();
            p.add(&x.take(&idx), Some(&zk), &y.take(&idx)).unwrap();
            parts.merge(&p).unwrap();
        }
        assert_eq!(parts, a);
        // Pair entropies from the counts are those of the codes, for every estimator.
        let (cx, cy, cxy) = parts.pair_counts();
        for est in [
            crate::Estimator::PlugIn,
            crate::Estimator::MillerMadow,
            crate::Estimator::ChaoShen,
            crate::Estimator::JamesStein,
            crate::Estimator::Grassberger,
            crate::Estimator::Nsb,
        ] {
            let want = crate::pair_entropies(&[&x], &y, est).unwrap()[0];
            assert_eq!(
                crate::PairEntropies::from_counts(est, &cx, &cy, &cxy),
                want,
                "{est:?}"
            );
        }
        assert!(TripleCounts::new(0, 3).is_err());
        assert!(parts.merge(&TripleCounts::new(4, 4).unwrap()).is_err());
    }

    proptest::proptest! {
        /// `add_each` counts as `add` does table by table, and both count every `(x, z, y)`
        /// as a brute-force map does, for codes of any width and keys dense or not.
        #[test]
        fn add_each_counts_every_triple(
            rows in proptest::collection::vec((0u32..300, 0u32..3, 0u64..7, 0u32..5), 0..200),
            far in proptest::bool::ANY,
            keyed in proptest::bool::ANY,
        ) {
            let n = rows.len();
            let wide = Codes::from_codes(rows.iter().map(|r| r.0).collect(), 300).unwrap();
            let narrow = Codes::from_codes(rows.iter().map(|r| r.3).collect(), 5).unwrap();
            let y = Codes::from_codes(rows.iter().map(|r| r.1).collect(), 3).unwrap();
            let keys: Vec<u64> =
                rows.iter().map(|r| if far { r.2 << 40 } else { r.2 }).collect();
            let z = keyed.then_some(keys.as_slice());
            let xs = [wide.clone(), narrow.clone()];
            let mut each = vec![TripleCounts::new(300, 3).unwrap(), TripleCounts::new(5, 3).unwrap()];
            TripleCounts::add_each(&mut each, &xs, z, &y).unwrap();
            for (t, x) in each.iter().zip(&xs) {
                let mut one = TripleCounts::new(x.cardinality(), 3).unwrap();
                one.add(x, z, &y).unwrap();
                proptest::prop_assert_eq!(&one, t);
                let mut brute: HashMap<u64, Vec<u64>> = HashMap::new();
                for i in 0..n {
                    let k = z.map_or(0, |z| z[i]);
                    brute.entry(k).or_insert_with(|| vec![0; x.cardinality() as usize * 3])
                        [x.get(i) as usize * 3 + y.get(i) as usize] += 1;
                }
                proptest::prop_assert_eq!(&brute, &t.cells);
            }
            proptest::prop_assert!(TripleCounts::add_each(&mut each, &xs[..1], z, &y).is_err());
        }
    }
}
