//! Codes of small-integer matrices straight from memory, for in-memory callers (the Python
//! bindings) whose data is already a matrix of integers.
//!
//! [`DatasetBuilder`](crate::DatasetBuilder) reads every numeric column as `f64`, sorts a copy to
//! find quantile edges, and codes each value against the edges: general, but about 20 ns a
//! cell. For integer columns with at most `bins` distinct values the quantile rule gives one bin
//! per distinct value (see [`Binning::Quantile`](crate::Binning::Quantile)), so the code of a
//! value is its rank among the column's distinct values. [`small_int_codes`] computes exactly
//! those codes in one pass over the matrix, by blocks of rows in parallel so that a row-major
//! matrix is read in order, then one pass over the byte codes. It gives up (`None`) when a
//! column spans more than 256 integers or holds more than `bins` distinct values; callers then
//! take the general path. The tests check that the codes equal the builder's.

use mutinfo_core::{CodeMatrix, Codes};
use ndarray::{ArrayView1, ArrayView2};
use rayon::prelude::*;

/// Integer element types [`small_int_codes`] reads (every signed and unsigned width up to 32
/// bits, and `i64`).
pub trait SmallInt: Copy + Ord + Send + Sync {
    /// The value, widened.
    fn wide(self) -> i64;
}

macro_rules! small_int {
    ($($t:ty),*) => {$(
        impl SmallInt for $t {
            #[inline]
            fn wide(self) -> i64 {
                i64::from(self)
            }
        }
    )*};
}

small_int!(i8, i16, i32, i64, u8, u16, u32);

/// Bytes of codes one block of rows writes (the unit of parallel work): about 256 KB, from 64
/// to 4096 rows, a whole number of tiles.
const BLOCK_BYTES: usize = 1 << 18;

/// Row blocks `[start, end)` covering `n` rows of `d` columns.
fn blocks(n: usize, d: usize) -> Vec<(usize, usize)> {
    let rows = (BLOCK_BYTES / d.max(1)).clamp(TILE_ROWS, 4096) / TILE_ROWS * TILE_ROWS;
    (0..n)
        .step_by(rows)
        .map(|s| (s, (s + rows).min(n)))
        .collect()
}

/// Calls `f(i, row)` for the rows `a..b` of `x` as slices: borrowed from a row-major matrix,
/// copied into one buffer otherwise. Slices let the per-row loops vectorize.
fn for_rows<T: SmallInt>(x: ArrayView2<'_, T>, a: usize, b: usize, mut f: impl FnMut(usize, &[T])) {
    let mut buf: Vec<T> = Vec::new();
    for i in a..b {
        let row = x.row(i);
        match row.to_slice() {
            Some(r) => f(i, r),
            None => {
                buf.clear();
                buf.extend(row.iter().copied());
                f(i, &buf);
            }
        }
    }
}

/// What one block of rows learned: each column's smallest and largest value and which low
/// bytes occur (256 bits a column).
struct BlockStats<T> {
    lo: Vec<T>,
    hi: Vec<T>,
    seen: Vec<[u64; 4]>,
}

/// Rows moved through the small row-major tile of [`read_block`] at a time: one cache line of
/// each column's codes.
const TILE_ROWS: usize = 64;

/// Reads rows `a..b` of `x`: the low byte of every value goes to `outs[j]` (column `j`'s codes
/// of these rows), through a tile of 64 rows so that each column receives whole cache lines
/// (writing one byte per column per row would touch as many lines as there are columns, and
/// columns allocated at page-aligned addresses would share cache sets).
fn read_block<T: SmallInt>(
    x: ArrayView2<'_, T>,
    a: usize,
    b: usize,
    outs: &mut [&mut [u8]],
) -> BlockStats<T> {
    let d = x.ncols();
    let first = x.row(a);
    let (mut lo, mut hi) = (first.to_vec(), first.to_vec());
    let mut seen = vec![[0u64; 4]; d];
    let mut tile = vec![0u8; d * TILE_ROWS];
    let mut bytes = vec![0u8; d];
    let mut r0 = a;
    while r0 < b {
        let r1 = (r0 + TILE_ROWS).min(b);
        for_rows(x, r0, r1, |i, row| {
            let (row, lo, hi, bytes) = (&row[..d], &mut lo[..d], &mut hi[..d], &mut bytes[..d]);
            for j in 0..d {
                lo[j] = lo[j].min(row[j]);
                hi[j] = hi[j].max(row[j]);
                bytes[j] = row[j].wide() as u8;
            }
            for (j, &r) in bytes.iter().enumerate() {
                tile[j * TILE_ROWS + (i - r0)] = r;
                seen[j][(r >> 6) as usize] |= 1u64 << (r & 63);
            }
        });
        for (j, out) in outs.iter_mut().enumerate() {
            out[r0 - a..r1 - a].copy_from_slice(&tile[j * TILE_ROWS..j * TILE_ROWS + (r1 - r0)]);
        }
        r0 = r1;
    }
    BlockStats { lo, hi, seen }
}

/// The codes [`DatasetBuilder`](crate::DatasetBuilder) gives the integer columns of `x` under
/// quantile binning with `bins` bins (at most 256), when every column spans at most 256
/// consecutive integers and holds at most `bins` distinct values: code = rank of the value
/// among the column's distinct values, cardinality = their number. `None` otherwise (or for
/// an empty matrix): use the general path. The same codes for any thread count.
///
/// One pass reads the matrix: within a span of 256 consecutive integers a value is known by
/// its low byte, so the pass keeps low bytes and ranges, and a 256-entry table per column then
/// turns low bytes into ranks (in place, and only where they differ).
pub fn small_int_codes<T: SmallInt>(x: ArrayView2<'_, T>, bins: usize) -> Option<CodeMatrix> {
    let (n, d) = x.dim();
    if n == 0 || d == 0 || bins == 0 || bins > 256 {
        return None;
    }
    let blocks = blocks(n, d);
    let rows = blocks[0].1 - blocks[0].0;
    let mut columns: Vec<Vec<u8>> = (0..d).map(|_| vec![0u8; n]).collect();
    // Each block writes its rows of every column: the columns cut into blocks, regrouped by
    // block.
    let mut parts: Vec<Vec<&mut [u8]>> = (0..blocks.len()).map(|_| Vec::with_capacity(d)).collect();
    for column in columns.iter_mut() {
        for (part, chunk) in parts.iter_mut().zip(column.chunks_mut(rows)) {
            part.push(chunk);
        }
    }
    let read: Vec<BlockStats<T>> = parts
        .into_par_iter()
        .zip(blocks.par_iter())
        .map(|(mut outs, &(a, b))| read_block(x, a, b, &mut outs))
        .collect();
    let mut ranks: Vec<Ranks> = Vec::with_capacity(d);
    for j in 0..d {
        let lo = read.iter().map(|b| b.lo[j]).min()?.wide();
        let hi = read.iter().map(|b| b.hi[j]).max()?.wide();
        let mut seen = [0u64; 4];
        for b in &read {
            seen.iter_mut().zip(&b.seen[j]).for_each(|(s, w)| *s |= w);
        }
        ranks.push(Ranks::new(lo, hi, &seen, bins)?);
    }
    let columns = columns
        .into_par_iter()
        .zip(ranks.par_iter())
        .map(|(v, r)| r.codes(v))
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    CodeMatrix::from_columns(columns).ok()
}

/// Low byte → rank among a column's distinct values.
struct Ranks {
    table: [u8; 256],
    distinct: u32,
    /// Every low byte is its own rank (the values are 0, 1, 2, … with none missing).
    identity: bool,
}

impl Ranks {
    /// The ranks of a column whose values lie in `lo..=hi` with the low bytes `seen` (256
    /// bits); `None` when the span passes 256 integers or the values are more than `bins`.
    fn new(lo: i64, hi: i64, seen: &[u64; 4], bins: usize) -> Option<Self> {
        if hi.checked_sub(lo).is_none_or(|r| r > 255) {
            return None;
        }
        // Values lo..=hi in order, each known by its low byte.
        let mut table = [0u8; 256];
        let mut distinct = 0u32;
        let mut identity = true;
        for v in lo..=hi {
            let byte = v as u8;
            if seen[(byte >> 6) as usize] & (1u64 << (byte & 63)) != 0 {
                table[byte as usize] = distinct as u8;
                identity &= byte as u32 == distinct;
                distinct += 1;
            }
        }
        (distinct as usize <= bins).then_some(Ranks {
            table,
            distinct,
            identity,
        })
    }

    /// The codes of a column given as its low bytes.
    fn codes(&self, mut low_bytes: Vec<u8>) -> Result<Codes, mutinfo_core::CoreError> {
        if !self.identity {
            low_bytes
                .iter_mut()
                .for_each(|c| *c = self.table[*c as usize]);
        }
        Codes::from_u8(low_bytes, self.distinct)
    }
}

/// [`small_int_codes`] of one column (`bins` ≤ 256), read straight from its values.
pub fn small_int_column<T: SmallInt>(x: ArrayView1<'_, T>, bins: usize) -> Option<Codes> {
    if x.is_empty() || bins == 0 || bins > 256 {
        return None;
    }
    let owned;
    let values: &[T] = match x.as_slice() {
        Some(s) => s,
        None => {
            owned = x.to_vec();
            &owned
        }
    };
    let lo = values.iter().copied().min()?.wide();
    let hi = values.iter().copied().max()?.wide();
    if hi.checked_sub(lo).is_none_or(|r| r > 255) {
        return None;
    }
    let low_bytes: Vec<u8> = values.iter().map(|v| v.wide() as u8).collect();
    let mut seen = [0u64; 4];
    for &b in &low_bytes {
        seen[(b >> 6) as usize] |= 1u64 << (b & 63);
    }
    Ranks::new(lo, hi, &seen, bins)?.codes(low_bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DatasetBuilder, Table};
    use arrow::array::{ArrayRef, Int64Array};
    use arrow::record_batch::RecordBatch;
    use ndarray::Array2;
    use proptest::prelude::*;
    use std::sync::Arc;

    fn builder_codes(x: &Array2<i64>, bins: usize) -> Vec<Codes> {
        let mut cols: Vec<(String, ArrayRef)> = (0..x.ncols())
            .map(|j| {
                (
                    format!("c{j}"),
                    Arc::new(Int64Array::from(x.column(j).to_vec())) as ArrayRef,
                )
            })
            .collect();
        cols.push((
            "y".into(),
            Arc::new(Int64Array::from(vec![0i64; x.nrows()])),
        ));
        let batch = RecordBatch::try_from_iter(cols).unwrap();
        let table = Table {
            schema: batch.schema(),
            batches: vec![batch],
        };
        let (_, enc) = DatasetBuilder::new("y")
            .binning(crate::Binning::Quantile { bins })
            .fit(&table)
            .unwrap();
        enc.features.columns().to_vec()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn equals_the_builder(
            n in 1usize..9000,
            d in 1usize..5,
            levels in 1i64..12,
            base in -40_000i64..40_000,
            step in 1i64..40,
            bins in 1usize..16,
            seed in any::<u64>(),
        ) {
            let mut s = seed | 1;
            let x = Array2::from_shape_fn((n, d), |_| {
                s ^= s << 13; s ^= s >> 7; s ^= s << 17;
                base + (s % levels as u64) as i64 * step
            });
            let fast = small_int_codes(x.view(), bins);
            let fits = (0..d).all(|j| {
                let c = x.column(j);
                c.iter().max().unwrap() - c.iter().min().unwrap() <= 255
            });
            let distinct_ok = (0..d).all(|j| {
                let mut c: Vec<i64> = x.column(j).to_vec();
                c.sort_unstable();
                c.dedup();
                c.len() <= bins
            });
            prop_assert_eq!(fast.is_some(), fits && distinct_ok);
            if let Some(fast) = fast {
                prop_assert_eq!(fast.columns().to_vec(), builder_codes(&x, bins));
                // Column-major input, and one thread, give the same codes.
                let t = x.t();
                let f = t.as_standard_layout().reversed_axes();
                let from_f = small_int_codes(f.view(), bins).unwrap();
                prop_assert_eq!(from_f.columns(), fast.columns());
                for j in 0..d {
                    let one = small_int_column(x.column(j), bins).unwrap();
                    prop_assert_eq!(&one, &fast.columns()[j]);
                }
                let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
                let one = pool.install(|| small_int_codes(x.view(), bins)).unwrap();
                prop_assert_eq!(one.columns(), fast.columns());
            }
        }
    }

    #[test]
    fn gives_up_outside_the_window_or_with_many_values() {
        let x = Array2::from_shape_vec((3, 1), vec![0i64, 1, 256]).unwrap();
        assert!(small_int_codes(x.view(), 10).is_none());
        let x = Array2::from_shape_vec((3, 1), vec![i64::MIN, i64::MIN + 255, i64::MIN]).unwrap();
        assert_eq!(
            small_int_codes(x.view(), 10).unwrap().columns()[0].to_u32_vec(),
            [0, 1, 0]
        );
        let x = Array2::from_shape_vec((12, 1), (0..12u8).collect()).unwrap();
        assert!(small_int_codes(x.view(), 10).is_none());
        assert_eq!(
            small_int_codes(x.view(), 12).unwrap().columns()[0].cardinality(),
            12
        );
        let y = ndarray::arr1(&[5u32, 3, 5, 9]);
        let c = small_int_column(y.view(), 256).unwrap();
        assert_eq!(c.to_u32_vec(), [1, 0, 1, 2]);
    }
}
