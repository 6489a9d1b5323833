//! Codes of small-integer matrices straight from memory, for in-memory callers (the Python
//! bindings) whose data is already a matrix of integers.
//!
//! [`DatasetBuilder`](crate::DatasetBuilder) reads every numeric column as `f64`, sorts a copy to
//! find quantile edges, and codes each value against the edges: general, but about 20 ns a
//! cell. Within a span of 256 consecutive integers a value is known by its low byte, so
//! [`small_int_codes`] reads the matrix once, by blocks of rows in parallel so that a
//! row-major matrix is read in order, keeping each column's low bytes, range and the low bytes
//! that occur; a 256-entry table per column then turns low bytes into the builder's codes: the
//! rank among the column's distinct values when they are at most `bins` (the quantile rule
//! gives one bin per value, see [`Binning::Quantile`](crate::Binning::Quantile)), else the
//! quantile bin the builder's own fit gives the value, fitted to the column's counts. It gives
//! up (`None`) when a column spans more than 256 integers; callers then take the general path.
//! The tests check that the codes equal the builder's.

use crate::FittedBins;
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
/// copied into one buffer otherwise. Slices let the per-row loops vectorize. Inlined into
/// each instruction-set copy of [`read_block`].
#[inline(always)]
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

/// What the blocks of rows learned: each column's smallest and largest value.
struct BlockStats<T> {
    lo: Vec<T>,
    hi: Vec<T>,
}

impl<T: SmallInt> BlockStats<T> {
    /// Stats that have seen the values `first` (a row).
    fn new(first: &[T]) -> Self {
        BlockStats {
            lo: first.to_vec(),
            hi: first.to_vec(),
        }
    }

    /// Both blocks' stats (min and max: the order of merging does not matter).
    fn merge(mut self, other: Self) -> Self {
        for (a, b) in self.lo.iter_mut().zip(&other.lo) {
            *a = (*a).min(*b);
        }
        for (a, b) in self.hi.iter_mut().zip(&other.hi) {
            *a = (*a).max(*b);
        }
        self
    }
}

/// Rows moved through the small row-major tile of [`read_block`] at a time: one cache line of
/// each column's codes.
const TILE_ROWS: usize = 64;

/// Defines `$name`, which calls the `#[inline(always)]` function `$any` through a copy
/// compiled for the widest vector instructions the CPU has (AVX-512F+BW, AVX2, or the
/// baseline): the loops of `$any` are written so that the compiler vectorizes them, and 64-bit
/// minima, variable shifts and narrowing need AVX2 at least. Every copy computes the same.
macro_rules! dispatched {
    ($(#[$m:meta])* fn $name:ident$(<$t:ident: $bound:path>)?($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? => $any:ident) => {
        $(#[$m])*
        fn $name$(<$t: $bound>)?($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512bw")]
                fn avx512$(<$t: $bound>)?($($arg: $ty),*) $(-> $ret)? {
                    $any($($arg),*)
                }
                #[target_feature(enable = "avx2")]
                fn avx2$(<$t: $bound>)?($($arg: $ty),*) $(-> $ret)? {
                    $any($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512bw")
                {
                    // SAFETY: the CPU has AVX-512F and AVX-512BW, all that the callee enables.
                    #[allow(unsafe_code)]
                    return unsafe { avx512($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2, all that the callee enables.
                    #[allow(unsafe_code)]
                    return unsafe { avx2($($arg),*) };
                }
            }
            $any($($arg),*)
        }
    };
}

dispatched! {
    /// Reads rows `a..b` of `x` into `stats`: the low byte of every value goes to `outs[j]`
    /// (column `j`'s codes of these rows), through a tile of 64 rows so that each column
    /// receives whole cache lines (writing one byte per column per row would touch as many
    /// lines as there are columns, and columns allocated at page-aligned addresses would share
    /// cache sets). The per-row minimum, maximum and narrowing to bytes are one vector loop.
    fn read_block<T: SmallInt>(
        x: ArrayView2<'_, T>,
        a: usize,
        b: usize,
        outs: &mut [&mut [u8]],
        stats: &mut BlockStats<T>,
    ) => read_block_any
}

#[inline(always)]
fn read_block_any<T: SmallInt>(
    x: ArrayView2<'_, T>,
    a: usize,
    b: usize,
    outs: &mut [&mut [u8]],
    stats: &mut BlockStats<T>,
) {
    let d = x.ncols();
    let BlockStats { lo, hi } = stats;
    let (lo, hi) = (&mut lo[..d], &mut hi[..d]);
    // The tile's rows of low bytes, row-major: written by the vector loop, then read down
    // each column (64 rows x 1 byte: the lines of the tile stay in L1 from one column to
    // the next).
    let mut tile = vec![0u8; d * TILE_ROWS];
    let mut r0 = a;
    while r0 < b {
        let r1 = (r0 + TILE_ROWS).min(b);
        let rows = r1 - r0;
        for_rows(x, r0, r1, |i, row| {
            let at = (i - r0) * d;
            let (row, bytes) = (&row[..d], &mut tile[at..at + d]);
            for j in 0..d {
                let v = row[j];
                lo[j] = if v < lo[j] { v } else { lo[j] };
                hi[j] = if v > hi[j] { v } else { hi[j] };
                bytes[j] = v.wide() as u8;
            }
        });
        transpose_tile(&tile[..rows * d], d, outs, r0 - a);
        r0 = r1;
    }
}

/// Copies the row-major tile (`rows × d` bytes) into the columns `outs` from row `at`: blocks
/// of 8 × 8 bytes through [`transpose8`], the ragged edges byte by byte.
#[inline(always)]
fn transpose_tile(tile: &[u8], d: usize, outs: &mut [&mut [u8]], at: usize) {
    let rows = tile.len() / d;
    let (full_rows, full_cols) = (rows / 8 * 8, d / 8 * 8);
    for j0 in (0..full_cols).step_by(8) {
        let block = &mut outs[j0..j0 + 8];
        for i0 in (0..full_rows).step_by(8) {
            let mut w = [0u64; 8];
            for (i, word) in w.iter_mut().enumerate() {
                let from = (i0 + i) * d + j0;
                *word = u64::from_le_bytes(tile[from..from + 8].try_into().expect("8 bytes"));
            }
            transpose8(&mut w);
            for (out, word) in block.iter_mut().zip(w) {
                out[at + i0..at + i0 + 8].copy_from_slice(&word.to_le_bytes());
            }
        }
    }
    for (j, out) in outs.iter_mut().enumerate() {
        let first = if j < full_cols { full_rows } else { 0 };
        for (i, row) in tile.chunks_exact(d).enumerate().skip(first) {
            out[at + i] = row[j];
        }
    }
}

/// Transposes the 8 × 8 bytes `w` (byte `k` of word `i` is element `(i, k)`): off-diagonal
/// blocks of 4 × 4, then 2 × 2, then 1 × 1 swapped with shifts and masks.
#[inline(always)]
fn transpose8(w: &mut [u64; 8]) {
    const LO32: u64 = 0x0000_0000_FFFF_FFFF;
    const LO16: u64 = 0x0000_FFFF_0000_FFFF;
    const LO8: u64 = 0x00FF_00FF_00FF_00FF;
    for i in 0..4 {
        let (a, b) = (w[i], w[i + 4]);
        w[i] = (a & LO32) | (b << 32);
        w[i + 4] = (a >> 32) | (b & !LO32);
    }
    for i in [0, 1, 4, 5] {
        let (a, b) = (w[i], w[i + 2]);
        w[i] = (a & LO16) | ((b & LO16) << 16);
        w[i + 2] = ((a >> 16) & LO16) | (b & !LO16);
    }
    for i in [0, 2, 4, 6] {
        let (a, b) = (w[i], w[i + 1]);
        w[i] = (a & LO8) | ((b & LO8) << 8);
        w[i + 1] = ((a >> 8) & LO8) | (b & !LO8);
    }
}

/// The codes [`DatasetBuilder`](crate::DatasetBuilder) gives the integer columns of `x` under
/// quantile binning with `bins` bins (at most 256), when every column spans at most 256
/// consecutive integers; `None` otherwise (or for an empty matrix): use the general path. The
/// same codes for any thread count.
///
/// One pass reads the matrix (low bytes, ranges, which low bytes occur); then each column's
/// low bytes become codes through a 256-entry table, in place and only where they differ:
/// ranks among the distinct values when they are at most `bins`, else quantile bins fitted to
/// the column's counts (one more pass over its bytes).
pub fn small_int_codes<T: SmallInt>(x: ArrayView2<'_, T>, bins: usize) -> Option<CodeMatrix> {
    let (n, d) = x.dim();
    if n == 0 || d == 0 || bins == 0 || bins > 256 {
        return None;
    }
    let blocks = blocks(n, d);
    let mut columns: Vec<Vec<u8>> = (0..d).map(|_| vec![0u8; n]).collect();
    let parts = by_block(&mut columns, &blocks);
    let first = x.row(0).to_vec();
    let stats = parts
        .into_par_iter()
        .zip(blocks.par_iter())
        .fold(
            || BlockStats::new(&first),
            |mut stats, (mut outs, &(a, b))| {
                read_block(x, a, b, &mut outs, &mut stats);
                stats
            },
        )
        .reduce(|| BlockStats::new(&first), BlockStats::merge);
    let span = |j: usize| stats.hi[j].wide().checked_sub(stats.lo[j].wide());
    if (0..d).any(|j| span(j).is_none_or(|s| s > WIDE_SPAN)) {
        return None;
    }
    // Columns wider than a byte: read again, as 16-bit offsets.
    let wide: Vec<usize> = (0..d)
        .filter(|&j| span(j).is_some_and(|s| s > 255))
        .collect();
    let los: Vec<i64> = wide.iter().map(|&j| stats.lo[j].wide()).collect();
    let mut offsets = wide_columns(x, &wide, &los).into_iter();
    let mut wide = wide.into_iter().peekable();
    let columns: Vec<Column> = columns
        .into_iter()
        .enumerate()
        .map(|(j, v)| match wide.next_if_eq(&j) {
            Some(_) => Column::Wide(offsets.next().unwrap_or_default()),
            None => Column::Bytes(v),
        })
        .collect();
    let columns = columns
        .into_par_iter()
        .enumerate()
        .map(|(j, column)| {
            let (lo, hi) = (stats.lo[j].wide(), stats.hi[j].wide());
            match column {
                Column::Bytes(v) => Ranks::of_column(lo, hi, &v, bins)?.codes(v).ok(),
                Column::Wide(offsets) => wide_codes_of(&offsets, lo, bins),
            }
        })
        .collect::<Option<Vec<_>>>()?;
    CodeMatrix::from_columns(columns).ok()
}

/// A column after the first pass: its low bytes, or 16-bit offsets when it spans more than
/// 256 integers.
enum Column {
    Bytes(Vec<u8>),
    Wide(Vec<u16>),
}

/// The widest span of a column [`small_int_codes`] codes: 2^16 consecutive integers, as 16-bit
/// offsets from the column's smallest value.
const WIDE_SPAN: i64 = u16::MAX as i64;

/// The columns cut into the row blocks `blocks`, regrouped by block: each block writes its
/// rows of every column.
fn by_block<'a, O>(columns: &'a mut [Vec<O>], blocks: &[(usize, usize)]) -> Vec<Vec<&'a mut [O]>> {
    let rows = blocks[0].1 - blocks[0].0;
    let mut parts: Vec<Vec<&mut [O]>> = (0..blocks.len())
        .map(|_| Vec::with_capacity(columns.len()))
        .collect();
    for column in columns.iter_mut() {
        for (part, chunk) in parts.iter_mut().zip(column.chunks_mut(rows)) {
            part.push(chunk);
        }
    }
    parts
}

/// The columns `cols` of `x` (ascending) as 16-bit offsets from their smallest values `los`
/// (every span at most [`WIDE_SPAN`]), read by blocks of rows in parallel through a tile as in
/// [`read_block`].
fn wide_columns<T: SmallInt>(x: ArrayView2<'_, T>, cols: &[usize], los: &[i64]) -> Vec<Vec<u16>> {
    let (n, w) = (x.nrows(), cols.len());
    if w == 0 {
        return Vec::new();
    }
    let blocks = blocks(n, 2 * w);
    let mut columns: Vec<Vec<u16>> = (0..w).map(|_| vec![0u16; n]).collect();
    let parts = by_block(&mut columns, &blocks);
    parts
        .into_par_iter()
        .zip(blocks.par_iter())
        .for_each(|(mut outs, &(a, b))| {
            let mut tile = vec![0u16; w * TILE_ROWS];
            let mut r0 = a;
            while r0 < b {
                let r1 = (r0 + TILE_ROWS).min(b);
                for_rows(x, r0, r1, |i, row| {
                    let at = (i - r0) * w;
                    for ((t, &j), &lo) in tile[at..at + w].iter_mut().zip(cols).zip(los) {
                        *t = (row[j].wide() - lo) as u16;
                    }
                });
                for (k, out) in outs.iter_mut().enumerate() {
                    let out = &mut out[r0 - a..r1 - a];
                    for (o, row) in out.iter_mut().zip(tile[..(r1 - r0) * w].chunks_exact(w)) {
                        *o = row[k];
                    }
                }
                r0 = r1;
            }
        });
    columns
}

/// The builder's quantile codes of a column given as 16-bit offsets from its smallest value
/// `lo`: bins fitted to the counts of the offsets ([`FittedBins::quantile_of_counts`]), then a
/// table from offset to code.
fn wide_codes_of(offsets: &[u16], lo: i64, bins: usize) -> Option<Codes> {
    let mut counts = vec![0u32; 1 << 16];
    for &o in offsets {
        counts[o as usize] += 1;
    }
    let used = counts.iter().rposition(|&c| c > 0)? + 1;
    counts.truncate(used);
    let fitted = FittedBins::quantile_of_counts(lo, &counts, bins)?;
    let table = (0..used as i64)
        .map(|o| match counts[o as usize] {
            0 => Some(0),
            _ => fitted
                .code_of((lo + o) as f64)
                .and_then(|c| u8::try_from(c).ok()),
        })
        .collect::<Option<Vec<u8>>>()?;
    let codes = offsets.iter().map(|&o| table[o as usize]).collect();
    Codes::from_u8(codes, fitted.cardinality()).ok()
}

/// Low byte → code of a column: its rank among the column's distinct values, or its quantile
/// bin when they are more than the bins.
struct Ranks {
    table: [u8; 256],
    /// The cardinality of the codes.
    distinct: u32,
    /// Every low byte is its own rank (the values are 0, 1, 2, … with none missing).
    identity: bool,
}

impl Ranks {
    /// The table of a column whose values lie in `lo..=hi`, given as their low `bytes`: the
    /// ranks when the values are at most `bins`, else the quantile bins fitted to their
    /// counts ([`FittedBins::quantile_of_counts`], the builder's own rule). `None` when the
    /// span passes 256 integers.
    fn of_column(lo: i64, hi: i64, bytes: &[u8], bins: usize) -> Option<Self> {
        if hi.checked_sub(lo).is_none_or(|r| r > 255) {
            return None;
        }
        // Which low bytes occur: a 64-bit mask of offsets from `lo` when the span allows,
        // else plain stores, no dependence from one byte to the next.
        let mut seen = [false; 256];
        if hi - lo < 64 {
            let mask = presence(bytes, lo as u8);
            for o in 0..=(hi - lo) {
                seen[(lo + o) as u8 as usize] = mask >> o & 1 == 1;
            }
        } else {
            for &b in bytes {
                seen[b as usize] = true;
            }
        }
        // Values lo..=hi in order, each known by its low byte.
        let mut table = [0u8; 256];
        let mut distinct = 0u32;
        let mut identity = true;
        for v in lo..=hi {
            let byte = v as u8;
            if seen[byte as usize] {
                table[byte as usize] = distinct as u8;
                identity &= byte as u32 == distinct;
                distinct += 1;
            }
        }
        if distinct as usize <= bins {
            return Some(Ranks {
                table,
                distinct,
                identity,
            });
        }
        Self::quantile(lo, hi, bytes, bins)
    }

    /// The quantile bins of a column of more than `bins` values in `lo..=hi` (a span of at
    /// most 256), given as their low bytes.
    fn quantile(lo: i64, hi: i64, bytes: &[u8], bins: usize) -> Option<Self> {
        // Four histograms, so that runs of one value do not wait on their own increments.
        let mut hist = [[0u32; 256]; 4];
        let mut quads = bytes.chunks_exact(4);
        for q in &mut quads {
            for (h, &b) in hist.iter_mut().zip(q) {
                h[b as usize] += 1;
            }
        }
        for &b in quads.remainder() {
            hist[0][b as usize] += 1;
        }
        let counts: Vec<u32> = (lo..=hi)
            .map(|v| hist.iter().map(|h| h[v as u8 as usize]).sum())
            .collect();
        let fitted = FittedBins::quantile_of_counts(lo, &counts, bins)?;
        let mut table = [0u8; 256];
        let mut identity = true;
        for (v, &c) in (lo..=hi).zip(&counts) {
            if c > 0 {
                let code = u8::try_from(fitted.code_of(v as f64)?).ok()?;
                table[v as u8 as usize] = code;
                identity &= code == v as u8;
            }
        }
        Some(Ranks {
            table,
            distinct: fitted.cardinality(),
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

/// Lanes of the vector loops below: independent minima, maxima and masks that the compiler
/// keeps in vector registers.
const LANES: usize = 8;

dispatched! {
    /// The smallest and largest of `values` (not empty), writing each value's low byte to
    /// `bytes` (as long): one vector pass.
    fn scan_column<T: SmallInt>(values: &[T], bytes: &mut [u8]) -> (T, T) => scan_column_any
}

#[inline(always)]
fn scan_column_any<T: SmallInt>(values: &[T], bytes: &mut [u8]) -> (T, T) {
    let mut lo = [values[0]; LANES];
    let mut hi = [values[0]; LANES];
    let mut chunks = values.chunks_exact(LANES);
    let mut outs = bytes.chunks_exact_mut(LANES);
    for (c, out) in (&mut chunks).zip(&mut outs) {
        for k in 0..LANES {
            let v = c[k];
            lo[k] = if v < lo[k] { v } else { lo[k] };
            hi[k] = if v > hi[k] { v } else { hi[k] };
            out[k] = v.wide() as u8;
        }
    }
    for (&v, out) in chunks.remainder().iter().zip(outs.into_remainder()) {
        lo[0] = lo[0].min(v);
        hi[0] = hi[0].max(v);
        *out = v.wide() as u8;
    }
    (
        lo.into_iter().min().unwrap_or(values[0]),
        hi.into_iter().max().unwrap_or(values[0]),
    )
}

dispatched! {
    /// Bit `o` set for every offset `o = b - base` (wrapping, below 64) of the bytes `b`:
    /// which of 64 consecutive values occur, in one vector pass (a table of 256 flags costs a
    /// store per byte).
    fn presence(bytes: &[u8], base: u8) -> u64 => presence_any
}

#[inline(always)]
fn presence_any(bytes: &[u8], base: u8) -> u64 {
    let mut masks = [0u64; LANES];
    let mut chunks = bytes.chunks_exact(LANES);
    for c in &mut chunks {
        for k in 0..LANES {
            masks[k] |= 1u64 << (c[k].wrapping_sub(base) & 63);
        }
    }
    for &b in chunks.remainder() {
        masks[0] |= 1u64 << (b.wrapping_sub(base) & 63);
    }
    masks.into_iter().fold(0, |a, m| a | m)
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
    let mut low_bytes = vec![0u8; values.len()];
    let (lo, hi) = scan_column(values, &mut low_bytes);
    let (lo, hi) = (lo.wide(), hi.wide());
    match hi.checked_sub(lo) {
        Some(0..=255) => {}
        Some(256..=WIDE_SPAN) => {
            let offsets: Vec<u16> = values.iter().map(|v| (v.wide() - lo) as u16).collect();
            return wide_codes_of(&offsets, lo, bins);
        }
        _ => return None,
    }
    Ranks::of_column(lo, hi, &low_bytes, bins)?
        .codes(low_bytes)
        .ok()
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
            d in 1usize..6,
            levels in 1i64..40,
            base in -40_000i64..40_000,
            step in prop_oneof![Just(1i64), 1i64..90],
            bins in 1usize..16,
            seed in any::<u64>(),
        ) {
            let mut s = seed | 1;
            // Columns of one, eight and sixty times the step: byte-wide and wider spans side
            // by side (up to 2 * 10^5, past the 16-bit window).
            let x = Array2::from_shape_fn((n, d), |(_, j)| {
                s ^= s << 13; s ^= s >> 7; s ^= s << 17;
                base + (s % levels as u64) as i64 * step * [1, 8, 60][j % 3]
            });
            let fast = small_int_codes(x.view(), bins);
            let fits = (0..d).all(|j| {
                let c = x.column(j);
                c.iter().max().unwrap() - c.iter().min().unwrap() <= WIDE_SPAN
            });
            prop_assert_eq!(fast.is_some(), fits);
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

    proptest! {
        #[test]
        fn vector_scans_match_scalar_loops(
            values in prop::collection::vec(-300i64..300, 1..200),
            base in any::<u8>(),
        ) {
            let mut bytes = vec![0u8; values.len()];
            let (lo, hi) = scan_column(&values, &mut bytes);
            prop_assert_eq!(lo, *values.iter().min().unwrap());
            prop_assert_eq!(hi, *values.iter().max().unwrap());
            let low: Vec<u8> = values.iter().map(|&v| v as u8).collect();
            prop_assert_eq!(&bytes, &low);
            let mask = low
                .iter()
                .fold(0u64, |m, &b| m | 1u64 << (b.wrapping_sub(base) % 64));
            prop_assert_eq!(presence(&low, base), mask);
        }
    }

    #[test]
    fn tile_transpose_matches_byte_by_byte() {
        for (rows, d) in [(64, 16), (64, 13), (7, 8), (23, 1000), (1, 1), (9, 17)] {
            let tile: Vec<u8> = (0..rows * d).map(|v| (v * 7 + v / 13) as u8).collect();
            let mut cols: Vec<Vec<u8>> = (0..d).map(|_| vec![0u8; rows + 3]).collect();
            let mut outs: Vec<&mut [u8]> = cols.iter_mut().map(|c| c.as_mut_slice()).collect();
            transpose_tile(&tile, d, &mut outs, 3);
            for (j, c) in cols.iter().enumerate() {
                let want: Vec<u8> = (0..rows).map(|i| tile[i * d + j]).collect();
                assert_eq!(&c[3..], want.as_slice(), "rows {rows} d {d} column {j}");
            }
        }
    }

    #[test]
    fn gives_up_outside_the_window_and_bins_many_values() {
        // Spans of 2^16 integers and more are left to the builder.
        let x = Array2::from_shape_vec((3, 1), vec![0i64, 1, 65_536]).unwrap();
        assert!(small_int_codes(x.view(), 10).is_none());
        assert!(small_int_column(x.column(0), 10).is_none());
        let x = Array2::from_shape_vec((4, 2), vec![0i64, 7, 1, 7, 65_535, 7, 300, 8]).unwrap();
        let wide = small_int_codes(x.view(), 10).unwrap();
        assert_eq!(wide.columns()[0].to_u32_vec(), [0, 1, 3, 2]);
        assert_eq!(wide.columns()[1].to_u32_vec(), [0, 0, 0, 1]);
        let x = Array2::from_shape_vec((3, 1), vec![i64::MIN, i64::MIN + 255, i64::MIN]).unwrap();
        assert_eq!(
            small_int_codes(x.view(), 10).unwrap().columns()[0].to_u32_vec(),
            [0, 1, 0]
        );
        // More values than bins: the builder's quantile bins, fitted to the counts.
        let x = Array2::from_shape_vec((12, 1), (0..12i64).collect()).unwrap();
        let binned = small_int_codes(x.view(), 10).unwrap();
        assert_eq!(binned.columns().to_vec(), builder_codes(&x, 10));
        assert_eq!(binned.columns()[0].cardinality(), 10);
        let x = x.mapv(|v| v as u8);
        assert_eq!(
            small_int_codes(x.view(), 12).unwrap().columns()[0].cardinality(),
            12
        );
        let y = ndarray::arr1(&[5u32, 3, 5, 9]);
        let c = small_int_column(y.view(), 256).unwrap();
        assert_eq!(c.to_u32_vec(), [1, 0, 1, 2]);
    }
}
