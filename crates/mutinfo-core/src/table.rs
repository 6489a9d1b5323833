//! Two-way contingency tables and what is computed from their cells: PMI tables and the
//! expected mutual information under permutation.

use crate::codes::{check_len, Codes};
use crate::error::{CoreError, Result};
use crate::estimator::Estimator;
use crate::exact::NLogNSum;
use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use statrs::function::gamma::ln_gamma;

/// Largest number of cells a dense table may have (2^28, 2 GiB of counts).
pub const MAX_TABLE_CELLS: u64 = 1 << 28;

/// A dense two-way table of counts: rows are the values of `X`, columns those of `Y`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContingencyTable {
    counts: Array2<u64>,
}

impl ContingencyTable {
    /// Counts the pairs of two columns; the table has `x.cardinality()` rows and
    /// `y.cardinality()` columns (unobserved codes give empty rows or columns).
    ///
    /// # Errors
    /// [`CoreError::LengthMismatch`]; [`CoreError::TooManyCategories`] when the table would
    /// have more than [`MAX_TABLE_CELLS`] cells (compact the codes, or use the measures, which
    /// count sparse joints without a table).
    pub fn from_codes(x: &Codes, y: &Codes) -> Result<Self> {
        check_len("y", x.len(), y.len())?;
        let (r, c) = (x.cardinality() as usize, y.cardinality() as usize);
        let cells = r as u128 * c as u128;
        if cells > MAX_TABLE_CELLS as u128 {
            return Err(CoreError::TooManyCategories {
                found: cells,
                max: MAX_TABLE_CELLS as u128,
            });
        }
        let mut counts = Array2::<u64>::zeros((r, c));
        for i in 0..x.len() {
            counts[[x.get(i) as usize, y.get(i) as usize]] += 1;
        }
        Ok(ContingencyTable { counts })
    }

    /// An empty table of `rows × cols` cells, to accumulate batches into with
    /// [`ContingencyTable::add`].
    ///
    /// # Errors
    /// [`CoreError::TooManyCategories`] past [`MAX_TABLE_CELLS`].
    pub fn zeros(rows: u32, cols: u32) -> Result<Self> {
        let cells = rows as u128 * cols as u128;
        if cells > MAX_TABLE_CELLS as u128 {
            return Err(CoreError::TooManyCategories {
                found: cells,
                max: MAX_TABLE_CELLS as u128,
            });
        }
        Ok(ContingencyTable {
            counts: Array2::zeros((rows as usize, cols as usize)),
        })
    }

    /// Adds the pairs of one batch of rows. Counts are integers, so the table of a file
    /// counted batch by batch (in any order, on any number of threads) equals the table of the
    /// whole.
    ///
    /// # Errors
    /// [`CoreError::LengthMismatch`]; [`CoreError::CodeOutOfRange`] when a code does not fit
    /// the table's shape.
    pub fn add(&mut self, x: &Codes, y: &Codes) -> Result<()> {
        check_len("y", x.len(), y.len())?;
        let (r, c) = self.counts.dim();
        for (codes, limit) in [(x, r), (y, c)] {
            if codes.cardinality() as usize > limit {
                if let Some(row) = (0..codes.len()).find(|&i| codes.get(i) as usize >= limit) {
                    return Err(CoreError::CodeOutOfRange {
                        row,
                        code: codes.get(row) as u64,
                        cardinality: limit as u64,
                    });
                }
            }
        }
        for i in 0..x.len() {
            self.counts[[x.get(i) as usize, y.get(i) as usize]] += 1;
        }
        Ok(())
    }

    /// Adds another table of the same shape (counts of other rows).
    ///
    /// # Errors
    /// [`CoreError::LengthMismatch`] when the shapes differ.
    pub fn merge(&mut self, other: &ContingencyTable) -> Result<()> {
        if self.counts.dim() != other.counts.dim() {
            return Err(CoreError::LengthMismatch {
                what: "contingency table cells".into(),
                expected: self.counts.len(),
                found: other.counts.len(),
            });
        }
        self.counts += &other.counts;
        Ok(())
    }

    /// `H(X)`, `H(Y)` and `H(X,Y)` in nats under an estimator.
    pub fn entropies(&self, estimator: Estimator) -> crate::kernels::PairEntropies {
        let (rs, cs) = (self.row_sums(), self.col_sums());
        let kr = rs.iter().filter(|&&c| c > 0).count() as u64;
        let kc = cs.iter().filter(|&&c| c > 0).count() as u64;
        let flat: Vec<u64> = self.counts.iter().copied().collect();
        crate::kernels::PairEntropies {
            h_x: estimator.entropy(&rs, kr),
            h_y: estimator.entropy(&cs, kc),
            h_xy: estimator.entropy(&flat, kr * kc),
        }
    }

    /// A table from counts given by the user.
    ///
    /// # Errors
    /// [`CoreError::Empty`] when the table has no cells.
    pub fn from_counts(counts: Array2<u64>) -> Result<Self> {
        if counts.is_empty() {
            return Err(CoreError::Empty {
                what: "contingency table",
                unit: "cells",
            });
        }
        Ok(ContingencyTable { counts })
    }

    /// The counts.
    pub fn counts(&self) -> &Array2<u64> {
        &self.counts
    }

    /// Total count `N`.
    pub fn total(&self) -> u64 {
        self.counts.sum()
    }

    /// Row sums (counts of `X`).
    pub fn row_sums(&self) -> Vec<u64> {
        self.counts.rows().into_iter().map(|r| r.sum()).collect()
    }

    /// Column sums (counts of `Y`).
    pub fn col_sums(&self) -> Vec<u64> {
        self.counts.columns().into_iter().map(|c| c.sum()).collect()
    }

    /// `I(X;Y)` in nats under an estimator (see [`crate::estimator`] for the definition).
    pub fn mutual_information(&self, estimator: Estimator) -> f64 {
        self.entropies(estimator).mutual_information(estimator)
    }

    /// The plug-in G statistic `G = 2 Σ n ln(n N / (n_x n_y)) = 2 N I(X;Y)`.
    pub fn g_statistic(&self) -> f64 {
        let n = self.total();
        if n == 0 {
            return 0.0;
        }
        let s = NLogNSum::from_counts(self.counts.iter().copied())
            - NLogNSum::from_counts(self.row_sums())
            - NLogNSum::from_counts(self.col_sums())
            + NLogNSum::of(n);
        (2.0 * s.to_f64()).max(0.0)
    }

    fn pmi_with(&self, f: impl Fn(f64, f64, f64, f64) -> f64) -> Array2<f64> {
        let n = self.total() as f64;
        let rs = self.row_sums();
        let cs = self.col_sums();
        Array2::from_shape_fn(self.counts.dim(), |(i, j)| {
            f(self.counts[[i, j]] as f64, rs[i] as f64, cs[j] as f64, n)
        })
    }

    /// Pointwise mutual information `pmi(x,y) = ln(p(x,y) / (p(x) p(y)))` of every cell, in nats.
    /// A cell that never occurs has `−∞`; a row or column with no counts has `−∞` too.
    pub fn pmi(&self) -> Array2<f64> {
        self.pmi_with(|nxy, nx, ny, n| {
            if nxy == 0.0 {
                f64::NEG_INFINITY
            } else {
                (nxy.ln() + n.ln()) - (nx.ln() + ny.ln())
            }
        })
    }

    /// Normalized PMI (Bouma 2009) `npmi = pmi / (−ln p(x,y))`, in `[−1, 1]`: −1 for cells
    /// that never occur, 1 for perfect co-occurrence. A cell holding every count (`p = 1`) has
    /// `pmi = 0` and is given 1 by convention (perfect association).
    pub fn npmi(&self) -> Array2<f64> {
        self.pmi_with(|nxy, nx, ny, n| {
            if nxy == 0.0 {
                -1.0
            } else if nxy == n {
                1.0
            } else {
                let pmi = (nxy.ln() + n.ln()) - (nx.ln() + ny.ln());
                (pmi / (n.ln() - nxy.ln())).clamp(-1.0, 1.0)
            }
        })
    }

    /// Positive PMI `max(pmi, 0)` (0 for cells that never occur).
    pub fn ppmi(&self) -> Array2<f64> {
        self.pmi().mapv(|v| v.max(0.0))
    }

    /// Expected mutual information (nats) of two labelings with this table's marginals under
    /// the hypergeometric (permutation) model; see [`crate::adjusted_mutual_information`].
    pub fn expected_mutual_information(&self) -> f64 {
        let a: Vec<u64> = self.row_sums().into_iter().filter(|&c| c > 0).collect();
        let b: Vec<u64> = self.col_sums().into_iter().filter(|&c| c > 0).collect();
        expected_mutual_information(&a, &b, self.total())
    }
}

/// Exact `E[I(X;Y)]` under the hypergeometric model for marginals `a`, `b` (non-zero counts)
/// summing to `n` (Vinh, Epps & Bailey 2010, eq. 24a):
///
/// ```text
/// E[I] = Σ_i Σ_j Σ_{k=max(1, a_i+b_j−N)}^{min(a_i,b_j)} (k/N) ln(N k / (a_i b_j))
///        · a_i! b_j! (N−a_i)! (N−b_j)! / (N! k! (a_i−k)! (b_j−k)! (N−a_i−b_j+k)!)
/// ```
///
/// Rows are summed in parallel and then in order, so the result is deterministic.
pub fn expected_mutual_information(a: &[u64], b: &[u64], n: u64) -> f64 {
    if a.len() <= 1 || b.len() <= 1 || n == 0 {
        return 0.0;
    }
    let nf = n as f64;
    let lg = |v: u64| ln_gamma(v as f64 + 1.0);
    let gln_n = lg(n);
    let partial: Vec<f64> = a
        .par_iter()
        .map(|&ai| {
            let mut s = 0.0;
            for &bj in b {
                let start = 1.max((ai + bj).saturating_sub(n));
                let end = ai.min(bj);
                let base = lg(ai) + lg(bj) + lg(n - ai) + lg(n - bj) - gln_n;
                let log_ab = (ai as f64).ln() + (bj as f64).ln();
                for k in start..=end {
                    let kf = k as f64;
                    let term2 = nf.ln() + kf.ln() - log_ab;
                    let gln = base - lg(k) - lg(ai - k) - lg(bj - k) - lg(n + k - ai - bj);
                    s += kf / nf * term2 * gln.exp();
                }
            }
            s
        })
        .collect();
    partial.iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn g_statistic_is_2n_mi() {
        let t = ContingencyTable::from_counts(array![[10, 2], [3, 15]]).unwrap();
        let mi = t.mutual_information(Estimator::PlugIn);
        assert!((t.g_statistic() - 2.0 * 30.0 * mi).abs() < crate::prec::GOLDEN);
    }

    #[test]
    fn batches_add_up_to_the_whole() {
        let x = Codes::from_codes((0..1000).map(|i| (i * 7 % 13) as u32).collect(), 13).unwrap();
        let y = Codes::from_codes((0..1000).map(|i| (i * i % 5) as u32).collect(), 5).unwrap();
        let whole = ContingencyTable::from_codes(&x, &y).unwrap();
        let mut acc = ContingencyTable::zeros(13, 5).unwrap();
        let mut other = ContingencyTable::zeros(13, 5).unwrap();
        for (k, start) in (0..1000).step_by(137).enumerate() {
            let idx: Vec<usize> = (start..(start + 137).min(1000)).collect();
            let t = if k % 2 == 0 { &mut acc } else { &mut other };
            t.add(&x.take(&idx), &y.take(&idx)).unwrap();
        }
        acc.merge(&other).unwrap();
        assert_eq!(acc, whole);
        let mi = crate::mutual_information(&x, &y).unwrap();
        assert_eq!(
            acc.mutual_information(Estimator::PlugIn).to_bits(),
            mi.to_bits()
        );
        assert!(acc.merge(&ContingencyTable::zeros(2, 2).unwrap()).is_err());
        let mut small = ContingencyTable::zeros(2, 5).unwrap();
        assert!(matches!(
            small.add(&x, &y),
            Err(CoreError::CodeOutOfRange { .. })
        ));
    }

    #[test]
    fn pmi_tables() {
        let t = ContingencyTable::from_counts(array![[2, 0], [1, 1]]).unwrap();
        let p = t.pmi();
        assert!((p[[0, 0]] - (2.0f64 * 4.0 / (2.0 * 3.0)).ln()).abs() < crate::prec::ROUNDOFF);
        assert_eq!(p[[0, 1]], f64::NEG_INFINITY);
        assert_eq!(t.npmi()[[0, 1]], -1.0);
        assert_eq!(t.ppmi()[[0, 1]], 0.0);
        let one = ContingencyTable::from_counts(array![[4]]).unwrap();
        assert_eq!(one.npmi()[[0, 0]], 1.0);
        assert_eq!(one.pmi()[[0, 0]], 0.0);
    }
}
