//! PMI matrices from co-occurrence counts (word–context, item–item), dense or sparse.
//!
//! For counts `#(w, c)` with row totals `#(w)`, column totals `#(c)` and grand total `D`:
//!
//! ```text
//! PMI(w, c)   = ln( #(w,c) · D / (#(w) · #(c)) )            with smoothing α:
//! PMI_α(w, c) = ln( #(w,c) / D ) − ln( #(w) / D ) − ln P_α(c),  P_α(c) = #(c)^α / Σ #(c')^α
//! PPMI        = max(PMI, 0)           shifted PPMI(k) = max(PMI − ln k, 0)
//! NPMI        = PMI / (−ln p(w,c))    in [−1, 1]
//! ```
//!
//! Context distribution smoothing with α = 0.75 and the shift `ln k` (k negative samples) are
//! those of Levy, Goldberg & Dagan (2015, TACL), which make PPMI match word2vec's SGNS; NPMI is
//! Bouma (2009). Cells with no co-occurrence have PMI `−∞`, PPMI 0 and NPMI −1; the sparse
//! forms store only the non-zero cells, and their PPMI keeps only positive values.

use crate::error::{CoreError, Result};
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// Which association measure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "measure")]
pub enum Association {
    /// Pointwise mutual information.
    Pmi,
    /// Positive PMI.
    Ppmi,
    /// Shifted positive PMI, `max(PMI − ln k, 0)`.
    ShiftedPpmi {
        /// Shift `k ≥ 1` (number of negative samples in SGNS).
        k: f64,
    },
    /// Normalized PMI.
    Npmi,
}

impl std::str::FromStr for Association {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "pmi" => Ok(Association::Pmi),
            "ppmi" => Ok(Association::Ppmi),
            "sppmi" | "shifted-ppmi" => Ok(Association::ShiftedPpmi { k: 5.0 }),
            "npmi" => Ok(Association::Npmi),
            _ => Err(CoreError::InvalidParameter {
                name: "measure",
                value: s.to_string(),
                reason: "expected pmi, ppmi, sppmi or npmi",
            }),
        }
    }
}

/// Options of the PMI functions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PmiOptions {
    /// The measure (default PMI).
    pub association: Association,
    /// Context distribution smoothing exponent α ∈ (0, 1] (default 1: none).
    pub alpha: f64,
}

impl Default for PmiOptions {
    fn default() -> Self {
        PmiOptions {
            association: Association::Pmi,
            alpha: 1.0,
        }
    }
}

/// Sparse co-occurrence counts: `(row, column, count)` triples on a `rows × cols` grid
/// (duplicates are summed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SparseCounts {
    /// Number of rows (words).
    pub rows: usize,
    /// Number of columns (contexts).
    pub cols: usize,
    /// The non-zero cells.
    pub entries: Vec<(u32, u32, f64)>,
}

struct Margins {
    row: Vec<f64>,
    log_pc: Vec<f64>,
    total: f64,
    /// ln of the unit the sums are in (0 unless the counts were rescaled to avoid overflow).
    log_unit: f64,
}

fn margins(
    rows: usize,
    cols: usize,
    cells: impl Iterator<Item = (usize, usize, f64)>,
    alpha: f64,
) -> Margins {
    let cells: Vec<(usize, usize, f64)> = cells.collect();
    let sums = |unit: f64| {
        let mut row = vec![0.0; rows];
        let mut col = vec![0.0; cols];
        let mut total = 0.0;
        for &(r, c, v) in &cells {
            row[r] += v / unit;
            col[c] += v / unit;
            total += v / unit;
        }
        (row, col, total)
    };
    let (mut row, mut col, mut total) = sums(1.0);
    let mut log_unit = 0.0;
    let overflows = |col: &[f64], total: f64| {
        !total.is_finite() || !col.iter().map(|&c| c.powf(alpha)).sum::<f64>().is_finite()
    };
    if overflows(&col, total) {
        // Counts near f64::MAX: every association is a ratio of probabilities, unchanged when
        // all counts are divided by the largest, which keeps the sums finite.
        let unit = cells.iter().map(|c| c.2).fold(0.0, f64::max);
        (row, col, total) = sums(unit);
        log_unit = unit.ln();
    }
    let sa: f64 = col.iter().map(|&c| c.powf(alpha)).sum();
    let log_pc = col.iter().map(|&c| alpha * c.ln() - sa.ln()).collect();
    Margins {
        row,
        log_pc,
        total,
        log_unit,
    }
}

fn score(m: &Margins, opt: &PmiOptions, r: usize, c: usize, v: f64) -> f64 {
    let lv = v.ln() - m.log_unit;
    let pmi = (lv - m.total.ln()) - (m.row[r].ln() - m.total.ln()) - m.log_pc[c];
    match opt.association {
        Association::Pmi => pmi,
        Association::Ppmi => pmi.max(0.0),
        Association::ShiftedPpmi { k } => (pmi - k.ln()).max(0.0),
        Association::Npmi => {
            let lp = lv - m.total.ln();
            if lp == 0.0 {
                1.0
            } else {
                (pmi / -lp).clamp(-1.0, 1.0)
            }
        }
    }
}

fn empty_value(opt: &PmiOptions) -> f64 {
    match opt.association {
        Association::Pmi => f64::NEG_INFINITY,
        Association::Ppmi | Association::ShiftedPpmi { .. } => 0.0,
        Association::Npmi => -1.0,
    }
}

fn check_options(opt: &PmiOptions) -> Result<()> {
    if !(opt.alpha > 0.0 && opt.alpha <= 1.0) {
        return Err(CoreError::InvalidParameter {
            name: "alpha",
            value: opt.alpha.to_string(),
            reason: "context smoothing exponent must be in (0, 1]",
        });
    }
    if let Association::ShiftedPpmi { k } = opt.association {
        if !(k >= 1.0 && k.is_finite()) {
            return Err(CoreError::InvalidParameter {
                name: "k",
                value: k.to_string(),
                reason: "the shift must be at least 1",
            });
        }
    }
    Ok(())
}

fn check_count(what: &'static str, index: usize, v: f64) -> Result<()> {
    if !v.is_finite() {
        return Err(CoreError::NonFinite {
            what,
            index,
            value: v,
        });
    }
    if v < 0.0 {
        return Err(CoreError::InvalidDistribution {
            what,
            reason: format!("negative count {v} at index {index}"),
        });
    }
    Ok(())
}

/// The association matrix of dense counts (`rows × cols`).
///
/// # Errors
/// [`CoreError::Empty`] for no cells or a zero total, [`CoreError::NonFinite`] or
/// [`CoreError::InvalidDistribution`] for a NaN, infinite or negative count (naming its flat
/// index), [`CoreError::InvalidParameter`] for α outside (0, 1] or a shift below 1.
pub fn pmi_matrix(counts: ArrayView2<'_, f64>, options: PmiOptions) -> Result<Array2<f64>> {
    check_options(&options)?;
    for (i, &v) in counts.iter().enumerate() {
        check_count("co-occurrence counts", i, v)?;
    }
    let total: f64 = counts.sum();
    if counts.is_empty() || total <= 0.0 {
        return Err(CoreError::Empty {
            what: "co-occurrence counts",
            unit: "counts",
        });
    }
    let m = margins(
        counts.nrows(),
        counts.ncols(),
        counts.indexed_iter().map(|((r, c), &v)| (r, c, v)),
        options.alpha,
    );
    Ok(Array2::from_shape_fn(counts.dim(), |(r, c)| {
        let v = counts[[r, c]];
        if v > 0.0 {
            score(&m, &options, r, c, v)
        } else {
            empty_value(&options)
        }
    }))
}

/// The association values of the non-zero cells of sparse counts, as `(row, col, value)`
/// sorted by row then column (duplicates summed). For PPMI and shifted PPMI only positive values
/// are kept, so the result stays sparse.
///
/// # Errors
/// As [`pmi_matrix`]; [`CoreError::CodeOutOfRange`] for an entry outside the grid.
pub fn pmi_sparse(counts: &SparseCounts, options: PmiOptions) -> Result<Vec<(u32, u32, f64)>> {
    check_options(&options)?;
    let mut e = counts.entries.clone();
    for (i, &(r, c, v)) in e.iter().enumerate() {
        check_count("co-occurrence counts", i, v)?;
        if r as usize >= counts.rows || c as usize >= counts.cols {
            return Err(CoreError::CodeOutOfRange {
                row: i,
                code: if r as usize >= counts.rows {
                    r as u64
                } else {
                    c as u64
                },
                cardinality: if r as usize >= counts.rows {
                    counts.rows as u64
                } else {
                    counts.cols as u64
                },
            });
        }
    }
    e.sort_by_key(|&(r, c, _)| (r, c));
    let mut merged: Vec<(u32, u32, f64)> = Vec::with_capacity(e.len());
    for (r, c, v) in e {
        match merged.last_mut() {
            Some(last) if last.0 == r && last.1 == c => last.2 += v,
            _ => merged.push((r, c, v)),
        }
    }
    merged.retain(|&(_, _, v)| v > 0.0);
    if merged.is_empty() {
        return Err(CoreError::Empty {
            what: "co-occurrence counts",
            unit: "counts",
        });
    }
    let m = margins(
        counts.rows,
        counts.cols,
        merged.iter().map(|&(r, c, v)| (r as usize, c as usize, v)),
        options.alpha,
    );
    let keep_positive = matches!(
        options.association,
        Association::Ppmi | Association::ShiftedPpmi { .. }
    );
    Ok(merged
        .into_iter()
        .map(|(r, c, v)| (r, c, score(&m, &options, r as usize, c as usize, v)))
        .filter(|&(_, _, s)| !keep_positive || s > 0.0)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn dense_matches_sparse_and_table() {
        let counts = array![[4.0, 0.0, 1.0], [1.0, 3.0, 0.0], [0.0, 2.0, 5.0]];
        let sparse = SparseCounts {
            rows: 3,
            cols: 3,
            entries: counts
                .indexed_iter()
                .filter(|(_, &v)| v > 0.0)
                .map(|((r, c), &v)| (r as u32, c as u32, v))
                .collect(),
        };
        for assoc in [
            Association::Pmi,
            Association::Ppmi,
            Association::Npmi,
            Association::ShiftedPpmi { k: 2.0 },
        ] {
            for alpha in [1.0, 0.75] {
                let o = PmiOptions {
                    association: assoc,
                    alpha,
                };
                let d = pmi_matrix(counts.view(), o).unwrap();
                for (r, c, v) in pmi_sparse(&sparse, o).unwrap() {
                    assert!((d[[r as usize, c as usize]] - v).abs() < crate::prec::SERIES);
                }
            }
        }
        // α = 1 PMI agrees with the contingency table's.
        let t = crate::ContingencyTable::from_counts(counts.mapv(|v| v as u64)).unwrap();
        let d = pmi_matrix(counts.view(), PmiOptions::default()).unwrap();
        for (a, b) in d.iter().zip(t.pmi().iter()) {
            assert!(a == b || (a - b).abs() < crate::prec::SERIES, "{a} {b}");
        }
    }

    #[test]
    fn smoothing_raises_rare_context_pmi_less() {
        // Levy et al.: α < 1 inflates rare contexts' probability, lowering their PMI.
        let counts = array![[1.0, 10.0], [0.0, 10.0]];
        let p1 = pmi_matrix(counts.view(), PmiOptions::default()).unwrap();
        let p75 = pmi_matrix(
            counts.view(),
            PmiOptions {
                alpha: 0.75,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(p75[[0, 0]] < p1[[0, 0]]);
    }

    #[test]
    fn errors() {
        let o = PmiOptions::default();
        assert!(pmi_matrix(array![[0.0, 0.0]].view(), o).is_err());
        assert!(pmi_matrix(array![[1.0, -1.0]].view(), o).is_err());
        assert!(pmi_matrix(array![[1.0, f64::NAN]].view(), o).is_err());
        assert!(pmi_matrix(array![[1.0]].view(), PmiOptions { alpha: 0.0, ..o }).is_err());
        let bad = SparseCounts {
            rows: 1,
            cols: 1,
            entries: vec![(0, 3, 1.0)],
        };
        assert!(pmi_sparse(&bad, o).is_err());
    }
}
