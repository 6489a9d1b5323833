//! Codes of one record batch under a fitted [`Encoding`]: what every streaming pass (the
//! out-of-core and distributed engines, [`Encoding::count`], [`Encoding::transform`]) does
//! per batch, so it works on each column in its native type.
//!
//! A column of integers or floats without nulls is coded straight from its values (no
//! `f64` copy, no per-value `Option`); an integer category column through a table over the
//! batch's range. Anything else — nulls, NaN, ±∞, values the fit did not see, text,
//! dictionaries — is gathered as the in-memory fit gathers it ([`Gathered`]) and coded with
//! the checks that name the column and row. Both give the same codes; the fast one gives up
//! (and the general one runs) on the first value it cannot code.

use arrow::array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use mutinfo_core::codes::Code;
use mutinfo_core::Codes;

use super::{Encoding, Missing};
use crate::discretize::{EdgeCoder, Unseen};
use crate::error::{DataError, Result};
use crate::gather::{Gathered, Kind, Resolver, Store, MISSING};
use crate::ColumnEncoding;

/// The most integers a batch's category table spans (larger spans are hashed).
const MAX_TABLE_SPAN: i64 = 4096;

/// `n` codes from `code(i)`, as `u8` when `card` allows; `None` as soon as one is `None`.
fn collect_codes(n: usize, card: u32, code: impl Fn(usize) -> Option<u32>) -> Option<Codes> {
    fn typed<C: Code>(n: usize, code: impl Fn(usize) -> Option<u32>) -> Option<Vec<C>> {
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            out.push(C::from_idx(code(i)? as usize));
        }
        Some(out)
    }
    if u64::from(card) <= u8::MAX_CARDINALITY {
        Codes::from_u8(typed::<u8>(n, code)?, card).ok()
    } else {
        Codes::from_codes(typed::<u32>(n, code)?, card).ok()
    }
}

/// The codes `table[x - first]` of the integers `values` when every one lies in the table
/// (each code below `card`); `None` otherwise.
fn table_codes<T: Copy + Ord>(
    values: &[T],
    int: impl Fn(T) -> i64,
    first: i64,
    table: &[u32],
    card: u32,
) -> Option<Codes> {
    let (lo, hi) = super::min_max(values)?;
    let (lo, hi) = (int(lo), int(hi));
    // In i128: the range check cannot wrap around, and then no offset does.
    if lo < first || i128::from(hi) - i128::from(first) >= table.len() as i128 {
        return None;
    }
    let at = |x: T| (int(x) - first) as usize;
    if u64::from(card) <= u8::MAX_CARDINALITY {
        let small: Vec<u8> = table.iter().map(|&c| c as u8).collect();
        Codes::from_u8(values.iter().map(|&x| small[at(x)]).collect(), card).ok()
    } else {
        Codes::from_codes(values.iter().map(|&x| table[at(x)]).collect(), card).ok()
    }
}

impl Encoding {
    /// The codes of `array` (column `enc`) when every value codes without a question: no
    /// nulls, no NaN or ±∞, no value the fit did not see. `None` sends the column to
    /// [`Encoding::code_gathered`], which gives the same codes or the error.
    fn fast_codes(&self, enc: &ColumnEncoding, array: &ArrayRef) -> Option<Codes> {
        if array.null_count() > 0 || *array.data_type() == DataType::Null {
            return None;
        }
        let card = self.cardinality(enc);
        let n = array.len();
        match enc {
            ColumnEncoding::Numeric { bins, .. } => {
                let coder = EdgeCoder::new(bins, n);
                // Integers within the coder's table: one lookup each.
                if let Some((lo, table)) = coder.int_table() {
                    let fast =
                        with_ints!(array, |v, int| table_codes(v, int, lo, table, card), None);
                    if fast.is_some() {
                        return fast;
                    }
                }
                with_native!(
                    array,
                    |v, f| collect_codes(n, card, |i| {
                        let x = f(v[i]);
                        if x.is_finite() {
                            coder.code(x)
                        } else {
                            None
                        }
                    }),
                    None
                )
            }
            ColumnEncoding::Categorical { levels, .. } => with_ints!(
                array,
                |v, int| {
                    let (lo, hi) = super::min_max(v)?;
                    let (lo, hi) = (int(lo), int(hi));
                    if i128::from(hi) - i128::from(lo) >= i128::from(MAX_TABLE_SPAN.min(n as i64)) {
                        return None;
                    }
                    // Levels are the values as text: each integer of the span looked up once.
                    let other = (self.unseen == Unseen::Other).then_some(levels.len() as u32);
                    let table: Vec<Option<u32>> = (lo..=hi)
                        .map(|x| match levels.binary_search(&x.to_string()) {
                            Ok(c) => Some(c as u32),
                            Err(_) => other,
                        })
                        .collect();
                    collect_codes(n, card, |i| table[(int(v[i]) - lo) as usize])
                },
                None
            ),
        }
    }

    /// Gathers `array` (column `enc`, first row `offset`) as the in-memory fit does.
    ///
    /// # Errors
    /// [`DataError::UnsupportedType`] for a type the encoding cannot read.
    fn gather_column(
        &self,
        enc: &ColumnEncoding,
        array: &ArrayRef,
        offset: usize,
    ) -> Result<Gathered> {
        let name = enc.name();
        let dt = array.data_type();
        let kind = match enc {
            ColumnEncoding::Numeric { .. } if *dt == DataType::Null || dt.is_numeric() => Kind::Num,
            ColumnEncoding::Numeric { .. } => {
                return Err(DataError::UnsupportedType {
                    column: name.into(),
                    data_type: format!("{dt} (fitted as numbers)"),
                })
            }
            ColumnEncoding::Categorical { .. } => Kind::of(name, dt, true)?,
        };
        let mut g = Gathered::new(name, kind, array.len());
        g.push(array, offset)?;
        Ok(g)
    }

    /// The codes of a gathered column on the rows `drop` keeps (all when `None`); the first
    /// missing value (under [`Missing::Error`]) or unseen value is an error naming its row.
    fn code_gathered(
        &self,
        enc: &ColumnEncoding,
        g: &Gathered,
        drop: Option<&[bool]>,
        offset: usize,
    ) -> Result<Codes> {
        let card = self.cardinality(enc);
        let name = enc.name();
        let miss = |i: usize| -> Result<u32> {
            match self.missing {
                Missing::OwnCategory => Ok(card - 1),
                _ => Err(DataError::MissingValue {
                    column: name.into(),
                    row: offset + i,
                }),
            }
        };
        let unseen = |i: usize, value: String| DataError::UnseenValue {
            column: name.into(),
            row: offset + i,
            value,
        };
        let kept = |i: usize| drop.is_none_or(|d| !d[i]);
        let mut out = Vec::with_capacity(g.len());
        match (enc, &g.store) {
            (ColumnEncoding::Numeric { bins, .. }, Store::Num(v)) => {
                let coder = EdgeCoder::new(bins, v.len());
                for (i, &x) in v.iter().enumerate().filter(|p| kept(p.0)) {
                    out.push(match x.is_nan() {
                        true => miss(i)?,
                        false => coder.code(x).ok_or_else(|| unseen(i, x.to_string()))?,
                    });
                }
            }
            (ColumnEncoding::Categorical { levels, .. }, Store::Int(_) | Store::Text(_)) => {
                // Each of the batch's levels named and looked up once.
                let (codes, names): (&[u32], Vec<String>) = match &g.store {
                    Store::Int(d) => (&d.codes, d.levels.iter().map(|l| l.to_string()).collect()),
                    Store::Text(d) => (&d.codes, d.levels.clone()),
                    Store::Num(_) => unreachable!("matched above"),
                };
                let other = (self.unseen == Unseen::Other).then_some(levels.len() as u32);
                let remap: Vec<Option<u32>> = names
                    .iter()
                    .map(|name| match levels.binary_search(name) {
                        Ok(code) => Some(code as u32),
                        Err(_) => other,
                    })
                    .collect();
                for (i, &c) in codes.iter().enumerate().filter(|p| kept(p.0)) {
                    out.push(match c {
                        MISSING => miss(i)?,
                        c => {
                            remap[c as usize].ok_or_else(|| unseen(i, names[c as usize].clone()))?
                        }
                    });
                }
            }
            _ => unreachable!("a column is gathered in the kind of its encoding"),
        }
        Ok(Codes::from_codes(out, card)?)
    }

    /// Encodes one batch whose first row is data row `row_offset`. Returns feature codes,
    /// target codes and the rows dropped (absolute numbers).
    ///
    /// # Errors
    /// As [`Encoding::transform`]: the first ±∞ of any column (in the order target,
    /// features), then the first missing or unseen value of a column, naming its row.
    pub fn transform_batch(
        &self,
        batch: &RecordBatch,
        row_offset: usize,
    ) -> Result<(Vec<Codes>, Codes, Vec<usize>)> {
        self.transform_batch_with(batch, row_offset, true)
    }

    /// [`Encoding::transform_batch`], with the native fast path or (`fast` false, to check
    /// it) every column gathered.
    fn transform_batch_with(
        &self,
        batch: &RecordBatch,
        row_offset: usize,
        fast: bool,
    ) -> Result<(Vec<Codes>, Codes, Vec<usize>)> {
        let schema = batch.schema();
        let resolver = Resolver::new(&schema);
        let n = batch.num_rows();
        let columns: Vec<&ColumnEncoding> = std::iter::once(&self.target)
            .chain(&self.features)
            .collect();
        let mut coded = Vec::with_capacity(columns.len());
        let mut gathered = Vec::with_capacity(columns.len());
        for enc in &columns {
            let array = batch.column(resolver.index(enc.name(), "batch")?);
            let fast = fast.then(|| self.fast_codes(enc, array)).flatten();
            gathered.push(match fast {
                Some(_) => None,
                None => Some(self.gather_column(enc, array, row_offset)?),
            });
            coded.push(fast);
        }
        let general = || {
            columns
                .iter()
                .zip(&gathered)
                .filter_map(|(e, g)| Some((*e, g.as_ref()?)))
        };
        for (enc, g) in general() {
            if let Some((row, value)) = g.first_inf {
                return Err(DataError::NonFinite {
                    column: enc.name().into(),
                    row,
                    value,
                });
            }
        }
        let mut drop = vec![
            false;
            if self.missing == Missing::DropRow {
                n
            } else {
                0
            }
        ];
        if !drop.is_empty() {
            for (_, g) in general() {
                for &row in &g.missing {
                    drop[row - row_offset] = true;
                }
            }
        }
        let dropped: Vec<usize> = (0..drop.len())
            .filter(|&i| drop[i])
            .map(|i| row_offset + i)
            .collect();
        let keep: Option<Vec<usize>> =
            (!dropped.is_empty()).then(|| (0..n).filter(|&i| !drop[i]).collect());
        let mut codes = Vec::with_capacity(columns.len());
        for ((enc, fast), g) in columns.iter().zip(coded).zip(&gathered) {
            codes.push(match (fast, g) {
                (Some(c), _) => match &keep {
                    Some(keep) => c.take(keep),
                    None => c,
                },
                (None, Some(g)) => {
                    self.code_gathered(enc, g, keep.as_ref().map(|_| drop.as_slice()), row_offset)?
                }
                (None, None) => unreachable!("a column is coded or gathered"),
            });
        }
        let target = codes.remove(0);
        Ok((codes, target, dropped))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::AsArray;
    use arrow::array::{
        Float32Array, Float64Array, Int16Array, Int64Array, StringArray, UInt64Array, UInt8Array,
    };
    use arrow::datatypes as t;
    use arrow_schema::{Field, Schema};
    use proptest::prelude::*;

    use super::*;
    use crate::{DatasetBuilder, Table};

    /// A column of type `ty` (0..7) from small integers; in float columns 90 is NaN and 91
    /// is +∞, `None` is null.
    fn column(ty: u8, values: &[Option<i32>]) -> ArrayRef {
        let f = |x: i32| match x {
            90 => f64::NAN,
            91 => f64::INFINITY,
            x => f64::from(x) * 0.5,
        };
        let v = values.iter();
        match ty {
            0 => Arc::new(Int16Array::from_iter(v.map(|x| x.map(|x| x as i16)))),
            1 => Arc::new(UInt8Array::from_iter(
                v.map(|x| x.map(|x| (x & 0xff) as u8)),
            )),
            2 => Arc::new(Int64Array::from_iter(
                v.map(|x| x.map(|x| i64::from(x) - 40)),
            )),
            3 => Arc::new(Float64Array::from_iter(v.map(|x| x.map(f)))),
            4 => Arc::new(Float32Array::from_iter(v.map(|x| x.map(|x| f(x) as f32)))),
            5 => Arc::new(UInt64Array::from_iter(v.map(|x| x.map(|x| x as u64)))),
            _ => Arc::new(StringArray::from_iter(
                v.map(|x| x.map(|x| format!("w{x}"))),
            )),
        }
    }

    /// `columns` (types) and `rows` (one value per column) as a batch; column `c{j}`.
    fn batch(types: &[u8], rows: &[Vec<Option<i32>>]) -> RecordBatch {
        let fields: Vec<Field> = types
            .iter()
            .enumerate()
            .map(|(j, _)| {
                Field::new(
                    format!("c{j}"),
                    column(types[j], &[]).data_type().clone(),
                    true,
                )
            })
            .collect();
        let arrays: Vec<ArrayRef> = types
            .iter()
            .enumerate()
            .map(|(j, &ty)| column(ty, &rows.iter().map(|r| r[j]).collect::<Vec<_>>()))
            .collect();
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap()
    }

    fn value(range: i32, odd: bool) -> impl Strategy<Value = Option<i32>> {
        // Mostly values of the fit's range; with `odd`, nulls, NaN, ∞ and unseen values too.
        let plain = (0..range).prop_map(Some);
        if odd {
            prop_oneof![
                8 => plain.boxed(),
                1 => Just(None).boxed(),
                1 => prop_oneof![Just(Some(90)), Just(Some(91)), (range..range + 5).prop_map(Some)].boxed(),
            ]
            .boxed()
        } else {
            plain.boxed()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// The native fast path gives the codes (or the error) of the gathered path, whatever
        /// the types, the missing and unseen policies, and the values.
        #[test]
        fn fast_codes_are_the_gathered_codes(
            types in proptest::collection::vec(0u8..7, 2..5),
            range in 1i32..40,
            seed_rows in proptest::collection::vec(proptest::collection::vec(0i32..40, 5), 30..60),
            odd in proptest::bool::ANY,
            rows in proptest::collection::vec(proptest::collection::vec(value(40, true), 5), 0..80),
            missing in 0usize..3,
            other in proptest::bool::ANY,
            categorical in proptest::collection::vec(proptest::bool::ANY, 5),
            offset in 0usize..1000,
        ) {
            let m = types.len();
            let fit_rows: Vec<Vec<Option<i32>>> = seed_rows
                .iter()
                .map(|r| r.iter().take(m).map(|&x| Some(x % range)).collect())
                .collect();
            let names: Vec<String> = (1..m).map(|j| format!("c{j}")).collect();
            let declared: Vec<String> = names
                .iter()
                .zip(&categorical[1..])
                .filter(|(_, &c)| c)
                .map(|(n, _)| n.clone())
                .collect();
            let builder = DatasetBuilder::new("c0")
                .missing([Missing::Error, Missing::OwnCategory, Missing::DropRow][missing])
                .unseen(if other { Unseen::Other } else { Unseen::Error })
                .categorical(declared);
            let fit = batch(&types, &fit_rows);
            let table = Table { schema: fit.schema(), batches: vec![fit] };
            let Ok((encoding, _)) = builder.fit(&table) else {
                return Ok(());
            };
            let rows: Vec<Vec<Option<i32>>> = rows
                .iter()
                .map(|r| r.iter().take(m).map(|&x| if odd { x } else { Some(x.unwrap_or(0) % range) }).collect())
                .collect();
            let b = batch(&types, &rows);
            let fast = encoding.transform_batch_with(&b, offset, true);
            let slow = encoding.transform_batch_with(&b, offset, false);
            match (&fast, &slow) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
                (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
                _ => prop_assert!(false, "fast {:?}, gathered {:?}", fast, slow),
            }
            // Without odd values, every row is kept and the code is the fit's code of the value.
            if let (Ok((features, target, dropped)), false) = (&slow, odd) {
                prop_assert!(dropped.is_empty());
                for (j, enc) in std::iter::once(&encoding.target).chain(&encoding.features).enumerate() {
                    let codes = if j == 0 { target } else { &features[j - 1] };
                    let array = b.column(j);
                    let strings = arrow::compute::cast(array, &DataType::Utf8).unwrap();
                    let floats = arrow::compute::cast(array, &DataType::Float64).ok();
                    for i in 0..rows.len() {
                        let want = match enc {
                            ColumnEncoding::Numeric { bins, .. } => bins
                                .code_of(floats.as_ref().unwrap().as_primitive::<t::Float64Type>().value(i)),
                            ColumnEncoding::Categorical { levels, .. } => {
                                let s = strings.as_string::<i32>().value(i).to_string();
                                levels.binary_search(&s).ok().map(|c| c as u32)
                                    .or(other.then_some(levels.len() as u32))
                            }
                        };
                        prop_assert_eq!(Some(codes.get(i)), want);
                    }
                }
            }
        }
    }

    /// Integers at the ends of `i64`: no offset wraps around into a table (the fast path and
    /// the gathered one agree), whether the column is binned or categorical.
    #[test]
    fn extreme_integers_code_as_gathered() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("y", DataType::Int64, false),
            Field::new("x", DataType::Int64, false),
        ]));
        let make = |y: Vec<i64>, x: Vec<i64>| {
            RecordBatch::try_new(
                schema.clone(),
                vec![Arc::new(Int64Array::from(y)), Arc::new(Int64Array::from(x))],
            )
            .unwrap()
        };
        let top = i64::MAX;
        let fit = make(
            (0..40).map(|i| top - i % 3).collect(),
            (0..40).map(|i| top - i % 7).collect(),
        );
        let table = Table {
            schema: fit.schema(),
            batches: vec![fit],
        };
        for categorical in [false, true] {
            for other in [false, true] {
                let builder = DatasetBuilder::new("y")
                    .categorical(if categorical { vec!["x"] } else { vec![] })
                    .unseen(if other { Unseen::Other } else { Unseen::Error });
                let (encoding, _) = builder.fit(&table).unwrap();
                for x in [
                    vec![i64::MIN, top],
                    vec![top - 2, top],
                    vec![i64::MIN + 1, -1],
                ] {
                    let b = make(vec![top; x.len()], x.clone());
                    let fast = encoding.transform_batch_with(&b, 0, true);
                    let slow = encoding.transform_batch_with(&b, 0, false);
                    match (&fast, &slow) {
                        (Ok(a), Ok(b)) => assert_eq!(a, b, "{x:?}"),
                        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                        _ => panic!("{x:?}: fast {fast:?}, gathered {slow:?}"),
                    }
                }
            }
        }
    }
}
