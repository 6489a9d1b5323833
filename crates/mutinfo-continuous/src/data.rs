//! Validated blocks of continuous columns.

use ndarray::ArrayView2;

use crate::error::{ContinuousError, Result};

/// A validated block of rows × columns, stored row-major for neighbour search.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub data: Vec<f64>,
    pub rows: usize,
    pub dim: usize,
}

impl Block {
    /// Copies and checks `view` (rows × columns); every value must be finite.
    pub fn new(what: &'static str, view: ArrayView2<'_, f64>) -> Result<Self> {
        let (rows, dim) = view.dim();
        if rows == 0 {
            return Err(ContinuousError::Empty { what, unit: "rows" });
        }
        if dim == 0 {
            return Err(ContinuousError::Empty {
                what,
                unit: "columns",
            });
        }
        let mut data = Vec::with_capacity(rows * dim);
        for (row, r) in view.outer_iter().enumerate() {
            for (column, &value) in r.iter().enumerate() {
                if !value.is_finite() {
                    return Err(ContinuousError::NonFinite {
                        what,
                        column,
                        row,
                        value,
                    });
                }
                data.push(value);
            }
        }
        Ok(Block { data, rows, dim })
    }

    /// A one-column block from a slice.
    pub fn from_slice(what: &'static str, values: &[f64]) -> Result<Self> {
        check_finite(what, 0, values)?;
        if values.is_empty() {
            return Err(ContinuousError::Empty { what, unit: "rows" });
        }
        Ok(Block {
            data: values.to_vec(),
            rows: values.len(),
            dim: 1,
        })
    }

    /// Row `i`.
    #[inline]
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// Column `j` as a vector.
    pub fn column(&self, j: usize) -> Vec<f64> {
        (0..self.rows)
            .map(|i| self.data[i * self.dim + j])
            .collect()
    }

    /// Whether every row is the same point (then any MI with this block is exactly 0).
    pub fn is_constant(&self) -> bool {
        let first = self.row(0);
        (1..self.rows).all(|i| self.row(i) == first)
    }

    /// The largest, over columns, fraction of values that repeat another value of the column.
    pub fn repeated_fraction(&self) -> f64 {
        (0..self.dim)
            .map(|j| {
                let mut c = self.column(j);
                c.sort_unstable_by(f64::total_cmp);
                c.windows(2).filter(|w| w[0] == w[1]).count() as f64 / self.rows as f64
            })
            .fold(0.0, f64::max)
    }

    /// Divides every column by its standard deviation (population, ddof 0) as sklearn's
    /// `scale(X, with_mean=False)` does before `mutual_info_regression`'s kNN estimate, so the
    /// max-norm neighbour search sees every column at the same scale; a constant column is
    /// kept as it is. Equal values stay equal, so ties survive.
    pub fn scale_columns(&mut self) {
        for j in 0..self.dim {
            let n = self.rows as f64;
            let mean = (0..self.rows)
                .map(|i| self.data[i * self.dim + j])
                .sum::<f64>()
                / n;
            let var = (0..self.rows)
                .map(|i| (self.data[i * self.dim + j] - mean).powi(2))
                .sum::<f64>()
                / n;
            let sd = var.sqrt();
            if sd > 0.0 && sd.is_finite() {
                for i in 0..self.rows {
                    self.data[i * self.dim + j] /= sd;
                }
            }
        }
    }

    /// Breaks ties with seeded noise of sklearn's size: every column that is not constant and
    /// repeats a value gets `1e-10 · max(1, mean|x|) · N(0, 1)` added to each value (as
    /// sklearn's `_estimate_mi`, which adds it to every column; a column without repeats is
    /// left exact). The noise of column `j` comes from a ChaCha8 stream seeded with
    /// `stream · 2³² + j`, so it depends on neither the thread count nor the visiting order.
    pub fn jitter_ties(&mut self, stream: u64) {
        use rand::{Rng, SeedableRng};
        for j in 0..self.dim {
            let mut c = self.column(j);
            let scale =
                1e-10 * (c.iter().map(|v| v.abs()).sum::<f64>() / self.rows as f64).max(1.0);
            c.sort_unstable_by(f64::total_cmp);
            let repeats = c.windows(2).any(|w| w[0] == w[1]);
            if !repeats || c[0] == c[c.len() - 1] {
                continue;
            }
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64((stream << 32) | j as u64);
            for i in 0..self.rows {
                // Box–Muller: a standard normal from two uniforms in (0, 1].
                let u = 1.0 - rng.gen::<f64>();
                let v: f64 = rng.gen();
                let z = (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos();
                self.data[i * self.dim + j] += scale * z;
            }
        }
    }

    /// Side-by-side concatenation of blocks with the same number of rows.
    pub fn hstack(blocks: &[&Block]) -> Block {
        let rows = blocks[0].rows;
        let dim: usize = blocks.iter().map(|b| b.dim).sum();
        let mut data = Vec::with_capacity(rows * dim);
        for i in 0..rows {
            for b in blocks {
                data.extend_from_slice(b.row(i));
            }
        }
        Block { data, rows, dim }
    }
}

/// Errors on the first NaN or infinity in `values`, naming `column` and the row.
pub(crate) fn check_finite(what: &'static str, column: usize, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(row) => Err(ContinuousError::NonFinite {
            what,
            column,
            row,
            value: values[row],
        }),
        None => Ok(()),
    }
}

/// Errors unless `found == expected`.
pub(crate) fn check_len(what: &'static str, expected: usize, found: usize) -> Result<()> {
    if expected == found {
        Ok(())
    } else {
        Err(ContinuousError::LengthMismatch {
            what,
            expected,
            found,
        })
    }
}

/// Errors unless `k ≥ 1` and there are more than `k` rows.
pub(crate) fn check_neighbors(rows: usize, k: usize) -> Result<()> {
    if k == 0 {
        return Err(ContinuousError::InvalidParameter {
            name: "neighbors",
            value: "0".into(),
            reason: "must be at least 1",
        });
    }
    if rows <= k {
        return Err(ContinuousError::TooFewRows {
            rows,
            neighbors: k,
            needed: k + 1,
        });
    }
    Ok(())
}
