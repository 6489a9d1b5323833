//! Compact discrete columns: dense codes `0..cardinality` stored as `u8`, `u16` or `u32`.

use crate::error::{CoreError, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// An unsigned integer type a code vector is stored in.
pub trait Code: Copy + Send + Sync + Ord + 'static {
    /// The largest cardinality this type can hold (codes `0..MAX_CARDINALITY`).
    const MAX_CARDINALITY: u64;
    /// The code as an index.
    fn idx(self) -> usize;
    /// Narrows an index known to fit.
    fn from_idx(i: usize) -> Self;
}

macro_rules! impl_code {
    ($t:ty) => {
        impl Code for $t {
            const MAX_CARDINALITY: u64 = <$t>::MAX as u64 + 1;
            #[inline(always)]
            fn idx(self) -> usize {
                self as usize
            }
            #[inline(always)]
            fn from_idx(i: usize) -> Self {
                i as $t
            }
        }
    };
}
impl_code!(u8);
impl_code!(u16);
impl_code!(u32);

/// The storage of a code vector, chosen by cardinality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeVec {
    /// Cardinality ≤ 256.
    U8(Vec<u8>),
    /// Cardinality ≤ 65,536.
    U16(Vec<u16>),
    /// Anything larger.
    U32(Vec<u32>),
}

/// Runs `$body` with `$s` bound to the codes of `$codes` as `&[u8]`, `&[u16]` or `&[u32]`:
/// the one dispatch over code widths of the counting kernels.
macro_rules! with_codes {
    ($codes:expr, $s:ident => $body:expr) => {
        match $codes.storage() {
            $crate::codes::CodeVec::U8(v) => {
                let $s: &[u8] = v.as_slice();
                $body
            }
            $crate::codes::CodeVec::U16(v) => {
                let $s: &[u16] = v.as_slice();
                $body
            }
            $crate::codes::CodeVec::U32(v) => {
                let $s: &[u32] = v.as_slice();
                $body
            }
        }
    };
}
pub(crate) use with_codes;

/// One discrete column: `len` codes, each below `cardinality`.
///
/// Codes are dense labels; what they stand for (the levels) lives with whoever built them
/// (see [`Codes::encode`]). Two columns are compared by their joint counts, so only the
/// partition of rows a column induces matters to every measure in this crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Codes {
    data: CodeVec,
    cardinality: u32,
}

fn narrow(codes: Vec<u32>, cardinality: u32) -> CodeVec {
    if cardinality as u64 <= u8::MAX_CARDINALITY {
        CodeVec::U8(codes.into_iter().map(|c| c as u8).collect())
    } else if cardinality as u64 <= u16::MAX_CARDINALITY {
        CodeVec::U16(codes.into_iter().map(|c| c as u16).collect())
    } else {
        CodeVec::U32(codes)
    }
}

impl Codes {
    /// Codes from a vector of `u32` codes, each below `cardinality`.
    ///
    /// # Errors
    /// [`CoreError::CodeOutOfRange`] naming the first row whose code is `>= cardinality`.
    pub fn from_codes(codes: Vec<u32>, cardinality: u32) -> Result<Self> {
        // The maximum first: it vectorizes; the row is looked for only when one is out of range.
        let in_range = codes.iter().copied().max().is_none_or(|m| m < cardinality);
        if let Some((row, &c)) = codes
            .iter()
            .enumerate()
            .find(|(_, &c)| !in_range && c >= cardinality)
        {
            return Err(CoreError::CodeOutOfRange {
                row,
                code: c as u64,
                cardinality: cardinality as u64,
            });
        }
        Ok(Codes {
            data: narrow(codes, cardinality),
            cardinality,
        })
    }

    /// Codes from `u8` codes, each below `cardinality` (at most 256), stored as they are.
    ///
    /// # Errors
    /// [`CoreError::CodeOutOfRange`] naming the first row whose code is `>= cardinality`, or
    /// row 0 with a cardinality above 256.
    pub fn from_u8(codes: Vec<u8>, cardinality: u32) -> Result<Self> {
        let bad = if cardinality as u64 > u8::MAX_CARDINALITY {
            Some((0, codes.first().copied().unwrap_or(0)))
        } else if codes
            .iter()
            .copied()
            .max()
            .is_none_or(|m| (m as u32) < cardinality)
        {
            // The maximum first: a loop without an early exit vectorizes, and this runs on
            // every column of every fast path.
            None
        } else {
            codes
                .iter()
                .enumerate()
                .find(|(_, &c)| c as u32 >= cardinality)
                .map(|(r, &c)| (r, c))
        };
        if let Some((row, c)) = bad {
            return Err(CoreError::CodeOutOfRange {
                row,
                code: c as u64,
                cardinality: cardinality as u64,
            });
        }
        Ok(Codes {
            data: CodeVec::U8(codes),
            cardinality,
        })
    }

    /// Codes from a vector of `u32` codes, with the cardinality one more than the largest code.
    pub fn from_codes_auto(codes: Vec<u32>) -> Result<Self> {
        let max = codes.iter().copied().max().map_or(0u64, |m| m as u64 + 1);
        let card = u32::try_from(max).map_err(|_| CoreError::TooManyCategories {
            found: max as u128,
            max: u32::MAX as u128,
        })?;
        Codes::from_codes(codes, card)
    }

    /// Encodes arbitrary ordered values: the `i`-th smallest distinct value gets code `i`.
    /// Returns the codes and the levels (distinct values, ascending).
    ///
    /// The labeling depends only on the set of values, never on their order in the input, so
    /// it is deterministic and invariant to row permutation.
    pub fn encode<T: Ord + Copy>(values: &[T]) -> Result<(Self, Vec<T>)> {
        let mut levels: Vec<T> = values.to_vec();
        levels.sort_unstable();
        levels.dedup();
        if levels.len() as u64 > u32::MAX as u64 {
            return Err(CoreError::TooManyCategories {
                found: levels.len() as u128,
                max: u32::MAX as u128,
            });
        }
        let codes: Vec<u32> = values
            .iter()
            .map(|v| levels.binary_search(v).map_or(0, |i| i as u32))
            .collect();
        let card = levels.len() as u32;
        Ok((
            Codes {
                data: narrow(codes, card),
                cardinality: card,
            },
            levels,
        ))
    }

    /// Encodes ordered values, discarding the levels (see [`Codes::encode`]).
    pub fn from_values<T: Ord + Copy>(values: &[T]) -> Result<Self> {
        Codes::encode(values).map(|(c, _)| c)
    }

    /// Codes from booleans: `false` → 0, `true` → 1, cardinality 2.
    pub fn from_bools(values: &[bool]) -> Self {
        Codes {
            data: CodeVec::U8(values.iter().map(|&b| b as u8).collect()),
            cardinality: 2,
        }
    }

    /// The storage.
    pub fn storage(&self) -> &CodeVec {
        &self.data
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match &self.data {
            CodeVec::U8(v) => v.len(),
            CodeVec::U16(v) => v.len(),
            CodeVec::U32(v) => v.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The declared number of categories (codes are below it).
    pub fn cardinality(&self) -> u32 {
        self.cardinality
    }

    /// The code at `row`.
    ///
    /// # Panics
    /// When `row >= len()`, like slice indexing.
    pub fn get(&self, row: usize) -> u32 {
        match &self.data {
            CodeVec::U8(v) => v[row] as u32,
            CodeVec::U16(v) => v[row] as u32,
            CodeVec::U32(v) => v[row],
        }
    }

    /// All codes widened to `u32`.
    pub fn to_u32_vec(&self) -> Vec<u32> {
        with_codes!(self, s => s.iter().map(|&c| c.idx() as u32).collect())
    }

    /// Count of each code, `cardinality` entries.
    pub fn counts(&self) -> Vec<u64> {
        let card = self.cardinality as usize;
        // Long columns with small tables: blocks of rows in parallel, their counts added (the
        // same integers for any split).
        const BLOCK: usize = 1 << 16;
        if self.len() < 4 * BLOCK || card > BLOCK {
            let mut counts = vec![0u64; card];
            with_codes!(self, s => for &c in s { counts[c.idx()] += 1; });
            return counts;
        }
        with_codes!(self, s => s
        .par_chunks(BLOCK)
        .fold(
            || vec![0u64; card],
            |mut counts, chunk| {
                for &c in chunk {
                    counts[c.idx()] += 1;
                }
                counts
            },
        )
        .reduce(
            || vec![0u64; card],
            |mut a, b| {
                a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                a
            },
        ))
    }

    /// Number of codes that occur at least once.
    pub fn observed_cardinality(&self) -> usize {
        self.counts().iter().filter(|&&c| c > 0).count()
    }

    /// The rows at `indices`, in that order (for resampling and permutations).
    ///
    /// # Panics
    /// When an index is out of bounds.
    pub fn take(&self, indices: &[usize]) -> Codes {
        let data = match &self.data {
            CodeVec::U8(v) => CodeVec::U8(indices.iter().map(|&i| v[i]).collect()),
            CodeVec::U16(v) => CodeVec::U16(indices.iter().map(|&i| v[i]).collect()),
            CodeVec::U32(v) => CodeVec::U32(indices.iter().map(|&i| v[i]).collect()),
        };
        Codes {
            data,
            cardinality: self.cardinality,
        }
    }

    /// Relabels so that only observed codes remain, in increasing order of the old code.
    pub fn compact(&self) -> Codes {
        let counts = self.counts();
        let mut map = vec![0u32; counts.len()];
        let mut next = 0u32;
        for (m, &c) in map.iter_mut().zip(&counts) {
            if c > 0 {
                *m = next;
                next += 1;
            }
        }
        let codes = with_codes!(self, s => s.iter().map(|&c| map[c.idx()]).collect());
        Codes {
            data: narrow(codes, next),
            cardinality: next,
        }
    }

    /// The joint column of `self` and `other`: one code per distinct observed pair, numbered
    /// in lexicographic order of the pair, so the result does not depend on row order.
    ///
    /// # Errors
    /// [`CoreError::LengthMismatch`] when the columns differ in length.
    pub fn joint(&self, other: &Codes) -> Result<Codes> {
        Ok(self.joint_with_pairs(other)?.0)
    }

    /// [`Codes::joint`], and for each joint code the pair it stands for:
    /// `(code of self, code of other)`, in joint-code order.
    ///
    /// # Errors
    /// As [`Codes::joint`].
    pub(crate) fn joint_with_pairs(&self, other: &Codes) -> Result<(Codes, Vec<(u32, u32)>)> {
        check_len("second column", self.len(), other.len())?;
        let cb = other.cardinality as u64;
        let cells = self.cardinality as u64 * cb;
        // In parallel by rows (the selection rounds call this once per round on the whole
        // column): the keys and codes do not depend on the split.
        let keys: Vec<u64> = with_codes!(self, a => with_codes!(other, b => {
            a.par_iter().zip(b.par_iter()).map(|(&x, &y)| x as u64 * cb + y as u64).collect()
        }));
        let (joint, present) = relabel_keys(&keys, cells, self.len());
        let pairs = present
            .into_iter()
            .map(|k| ((k / cb) as u32, (k % cb) as u32))
            .collect();
        Ok((joint, pairs))
    }

    /// The joint column of several columns (see [`Codes::joint`]); a single column is compacted,
    /// and no columns give the constant column of `len` rows.
    pub fn joint_of(columns: &[&Codes], len: usize) -> Result<Codes> {
        match columns {
            [] => Codes::from_codes(vec![0; len], 1),
            [one] => {
                check_len("column", len, one.len())?;
                Ok(one.compact())
            }
            [first, rest @ ..] => {
                check_len("column", len, first.len())?;
                let mut acc = (*first).clone();
                for c in rest {
                    acc = acc.joint(c)?;
                }
                Ok(acc)
            }
        }
    }
}

/// Dense relabeling of `u64` keys below `cells`, in increasing key order; also the keys that
/// occur, ascending (the key of each new code).
fn relabel_keys(keys: &[u64], cells: u64, n: usize) -> (Codes, Vec<u64>) {
    // A presence table is cheaper than sorting while it is not much larger than the input.
    if cells <= (1 << 16).max(8 * n as u64) {
        let mut map = vec![u32::MAX; cells as usize];
        if cells <= 1 << 16 {
            // Presence by blocks of rows in parallel (small tables, or'ed together).
            let seen = keys
                .par_chunks(1 << 16)
                .fold(
                    || vec![false; cells as usize],
                    |mut seen, chunk| {
                        for &k in chunk {
                            seen[k as usize] = true;
                        }
                        seen
                    },
                )
                .reduce(
                    || vec![false; cells as usize],
                    |mut a, b| {
                        a.iter_mut().zip(&b).for_each(|(x, &y)| *x |= y);
                        a
                    },
                );
            for (m, s) in map.iter_mut().zip(seen) {
                if s {
                    *m = 0;
                }
            }
        } else {
            for &k in keys {
                map[k as usize] = 0;
            }
        }
        let mut present = Vec::new();
        for (k, m) in map.iter_mut().enumerate() {
            if *m == 0 {
                *m = present.len() as u32;
                present.push(k as u64);
            }
        }
        let next = present.len() as u32;
        let codes = keys.par_iter().map(|&k| map[k as usize]).collect();
        let codes = Codes {
            data: narrow(codes, next),
            cardinality: next,
        };
        (codes, present)
    } else {
        let mut uniq = keys.to_vec();
        uniq.par_sort_unstable();
        uniq.dedup();
        let codes = keys
            .iter()
            .map(|k| uniq.binary_search(k).map_or(0, |i| i as u32))
            .collect();
        let card = uniq.len() as u32;
        let codes = Codes {
            data: narrow(codes, card),
            cardinality: card,
        };
        (codes, uniq)
    }
}

pub(crate) fn check_len(what: &str, expected: usize, found: usize) -> Result<()> {
    if expected != found {
        return Err(CoreError::LengthMismatch {
            what: what.to_string(),
            expected,
            found,
        });
    }
    Ok(())
}

/// Many discrete columns of equal length, stored column-major.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeMatrix {
    columns: Vec<Codes>,
    n_rows: usize,
}

impl CodeMatrix {
    /// A matrix from columns of equal length.
    ///
    /// # Errors
    /// [`CoreError::LengthMismatch`] naming the first column whose length differs from the first.
    pub fn from_columns(columns: Vec<Codes>) -> Result<Self> {
        let n_rows = columns.first().map_or(0, Codes::len);
        for (j, c) in columns.iter().enumerate() {
            check_len(&format!("column {j}"), n_rows, c.len())?;
        }
        Ok(CodeMatrix { columns, n_rows })
    }

    /// Encodes every column of an integer (or other ordered) array, in parallel; see
    /// [`Codes::from_values`].
    pub fn from_array<T: Ord + Copy + Send + Sync>(
        records: ndarray::ArrayView2<'_, T>,
    ) -> Result<Self> {
        let columns = (0..records.ncols())
            .into_par_iter()
            .map(|j| {
                let col: Vec<T> = records.column(j).iter().copied().collect();
                Codes::from_values(&col)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(CodeMatrix {
            columns,
            n_rows: records.nrows(),
        })
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.columns.len()
    }

    /// Column `j`.
    ///
    /// # Panics
    /// When `j >= n_cols()`.
    pub fn column(&self, j: usize) -> &Codes {
        &self.columns[j]
    }

    /// All columns.
    pub fn columns(&self) -> &[Codes] {
        &self.columns
    }

    /// Consumes the matrix into its columns.
    pub fn into_columns(self) -> Vec<Codes> {
        self.columns
    }

    /// The rows at `indices` of every column.
    pub fn take_rows(&self, indices: &[usize]) -> CodeMatrix {
        CodeMatrix {
            columns: self.columns.par_iter().map(|c| c.take(indices)).collect(),
            n_rows: indices.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_cardinality() {
        let c = Codes::from_codes(vec![0, 255], 256).unwrap();
        assert!(matches!(c.storage(), CodeVec::U8(_)));
        let c = Codes::from_codes(vec![0, 256], 257).unwrap();
        assert!(matches!(c.storage(), CodeVec::U16(_)));
        let c = Codes::from_codes(vec![0, 70_000], 70_001).unwrap();
        assert!(matches!(c.storage(), CodeVec::U32(_)));
        assert_eq!(c.get(1), 70_000);
    }

    #[test]
    fn out_of_range_is_an_error() {
        let e = Codes::from_codes(vec![0, 1, 5], 3).unwrap_err();
        assert_eq!(
            e,
            CoreError::CodeOutOfRange {
                row: 2,
                code: 5,
                cardinality: 3
            }
        );
        assert_eq!(
            e.to_string(),
            "code 5 at row 2 is not below the cardinality 3"
        );
    }

    #[test]
    fn encode_is_order_free() {
        let (c, levels) = Codes::encode(&[30i64, -1, 30, 7]).unwrap();
        assert_eq!(levels, vec![-1, 7, 30]);
        assert_eq!(c.to_u32_vec(), vec![2, 0, 2, 1]);
        assert_eq!(c.cardinality(), 3);
    }

    #[test]
    fn counts_of_long_columns_are_counted_by_blocks_alike() {
        let n = 5 * (1 << 16) + 123;
        let codes: Vec<u32> = (0..n as u32)
            .map(|i| i.wrapping_mul(2_654_435_761) % 97 % 7)
            .collect();
        let c = Codes::from_codes(codes.clone(), 9).unwrap();
        let mut want = vec![0u64; 9];
        for &x in &codes {
            want[x as usize] += 1;
        }
        assert_eq!(c.counts(), want);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        assert_eq!(pool.install(|| c.counts()), want);
    }

    #[test]
    fn joint_is_lexicographic_and_compact() {
        let a = Codes::from_codes(vec![1, 0, 1, 1], 2).unwrap();
        let b = Codes::from_codes(vec![2, 2, 0, 2], 3).unwrap();
        let j = a.joint(&b).unwrap();
        assert_eq!(j.to_u32_vec(), vec![2, 0, 1, 2]);
        assert_eq!(j.cardinality(), 3);
        let big_a = Codes::from_codes(vec![60_000, 1, 60_000], 60_001).unwrap();
        let big_b = Codes::from_codes(vec![60_000, 60_000, 5], 60_001).unwrap();
        let j = big_a.joint(&big_b).unwrap();
        // Each joint code stands for the pair of its rows, on the dense and the sorted route.
        for (x, y) in [(&a, &b), (&big_a, &big_b)] {
            let (joint, pairs) = x.joint_with_pairs(y).unwrap();
            assert_eq!(pairs.len(), joint.cardinality() as usize);
            for i in 0..joint.len() {
                assert_eq!(pairs[joint.get(i) as usize], (x.get(i), y.get(i)));
            }
        }
        assert_eq!(j.to_u32_vec(), vec![2, 0, 1]);
        assert!(a.joint(&Codes::from_codes(vec![0], 1).unwrap()).is_err());
    }

    #[test]
    fn matrix_checks_lengths() {
        let a = Codes::from_codes(vec![0, 1], 2).unwrap();
        let b = Codes::from_codes(vec![0], 2).unwrap();
        assert!(CodeMatrix::from_columns(vec![a.clone(), b]).is_err());
        let m = CodeMatrix::from_array(ndarray::array![[1, 5], [2, 5], [1, 6]].view()).unwrap();
        assert_eq!(m.n_cols(), 2);
        assert_eq!(m.column(0).to_u32_vec(), vec![0, 1, 0]);
        assert_eq!(m.column(1).to_u32_vec(), vec![0, 0, 1]);
    }
}
