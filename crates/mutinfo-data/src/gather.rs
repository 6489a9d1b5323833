//! One pass over a stream of record batches into compact per-column stores.
//!
//! Each used column is resolved to its position once (names through a hash map), then every
//! batch is appended column by column in parallel and dropped: the decoded table is never
//! held, only one store per column. Numbers are kept as `f64` (NaN = missing), categories as
//! dictionary indices in their native type (integers never become strings per value; only
//! the distinct levels are ever formatted).

use std::collections::HashMap;

use arrow::array::{Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow::compute::cast;
use arrow_schema::{DataType, Schema};
use rayon::prelude::*;

use crate::error::{DataError, Result};
use crate::io::{group_size, ParquetColumns};

/// Marks a missing value among dictionary indices.
pub(crate) const MISSING: u32 = u32::MAX;

/// How one column is gathered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum Kind {
    /// Numbers, to be binned.
    Num,
    /// Integers as categories (levels are the distinct values).
    Int,
    /// Text, booleans, dictionaries, and any other column declared categorical.
    Text,
}

impl Kind {
    /// The kind of a column of type `dt`: numbers are binned unless `categorical`, text and
    /// dictionaries are categories.
    ///
    /// # Errors
    /// [`DataError::UnsupportedType`] for a type that is neither.
    pub(crate) fn of(column: &str, dt: &DataType, categorical: bool) -> Result<Kind> {
        let int64_exact = dt.is_signed_integer()
            || matches!(dt, DataType::UInt8 | DataType::UInt16 | DataType::UInt32);
        Ok(match dt {
            DataType::Null if categorical => Kind::Text,
            DataType::Null => Kind::Num,
            _ if dt.is_integer() || dt.is_floating() => match categorical {
                false => Kind::Num,
                true if int64_exact => Kind::Int,
                true => Kind::Text,
            },
            _ if crate::columns::is_categorical(dt) => Kind::Text,
            _ => {
                return Err(DataError::UnsupportedType {
                    column: column.into(),
                    data_type: dt.to_string(),
                })
            }
        })
    }
}

/// A dictionary of levels in first-seen order and each row's index into it.
#[derive(Debug)]
pub(crate) struct Dict<K> {
    index: HashMap<K, u32>,
    /// The levels, in first-seen order.
    pub(crate) levels: Vec<K>,
    /// One index per row, [`MISSING`] for a missing value.
    pub(crate) codes: Vec<u32>,
}

impl<K: std::hash::Hash + Eq + Clone> Dict<K> {
    fn with_capacity(rows: usize) -> Self {
        Dict {
            index: HashMap::new(),
            levels: Vec::new(),
            codes: Vec::with_capacity(rows),
        }
    }

    fn push_borrowed<Q>(&mut self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let code = match self.index.get(key) {
            Some(&c) => c,
            None => {
                let c = self.levels.len() as u32;
                self.index.insert(key.to_owned(), c);
                self.levels.push(key.to_owned());
                c
            }
        };
        self.codes.push(code);
    }

    /// Appends one batch of values (`None` = missing, its row recorded in `missing`); the
    /// first value is data row `offset`.
    fn extend<V, Q>(
        &mut self,
        values: impl Iterator<Item = Option<V>>,
        missing: &mut Vec<usize>,
        offset: usize,
    ) where
        V: std::borrow::Borrow<Q>,
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        self.codes.reserve(values.size_hint().0);
        for (i, v) in values.enumerate() {
            match v {
                Some(v) => self.push_borrowed::<Q>(std::borrow::Borrow::<Q>::borrow(&v)),
                None => {
                    missing.push(offset + i);
                    self.codes.push(MISSING);
                }
            }
        }
    }
}

/// One column's values across all batches.
#[derive(Debug)]
pub(crate) enum Store {
    /// Numbers; NaN marks a missing value.
    Num(Vec<f64>),
    /// Integer categories.
    Int(Dict<i64>),
    /// Text categories.
    Text(Dict<String>),
}

/// One gathered column with what the checks need.
#[derive(Debug)]
pub(crate) struct Gathered {
    /// Column name.
    pub(crate) name: String,
    /// The values.
    pub(crate) store: Store,
    /// The first ±Inf (row, value).
    pub(crate) first_inf: Option<(usize, f64)>,
    /// Rows holding a missing value (null or NaN), ascending.
    pub(crate) missing: Vec<usize>,
}

fn arrow_err(column: &str, source: arrow_schema::ArrowError) -> DataError {
    DataError::Arrow {
        path: format!("column {column}"),
        source,
    }
}

fn unsupported(column: &str, dt: &DataType) -> DataError {
    DataError::UnsupportedType {
        column: column.into(),
        data_type: dt.to_string(),
    }
}

impl Gathered {
    pub(crate) fn new(name: &str, kind: Kind, rows: usize) -> Self {
        Gathered {
            name: name.to_string(),
            store: match kind {
                Kind::Num => Store::Num(Vec::with_capacity(rows)),
                Kind::Int => Store::Int(Dict::with_capacity(rows)),
                Kind::Text => Store::Text(Dict::with_capacity(rows)),
            },
            first_inf: None,
            missing: Vec::new(),
        }
    }

    /// Number of rows gathered.
    pub(crate) fn len(&self) -> usize {
        match &self.store {
            Store::Num(v) => v.len(),
            Store::Int(d) => d.codes.len(),
            Store::Text(d) => d.codes.len(),
        }
    }

    /// Appends one batch's array; `offset` is the data row of its first element.
    pub(crate) fn push(&mut self, array: &ArrayRef, offset: usize) -> Result<()> {
        let name = self.name.as_str();
        let dt = array.data_type();
        let n = array.len();
        if *dt == DataType::Null {
            self.missing.extend(offset..offset + n);
            match &mut self.store {
                Store::Num(v) => v.resize(v.len() + n, f64::NAN),
                Store::Int(d) => d.codes.resize(d.codes.len() + n, MISSING),
                Store::Text(d) => d.codes.resize(d.codes.len() + n, MISSING),
            }
            return Ok(());
        }
        match &mut self.store {
            Store::Num(v) => {
                let start = v.len();
                v.reserve(n);
                // Native integer and float arrays are read in place (no Float64 copy of the
                // batch); other numeric types go through a cast.
                if !push_native(array, v) {
                    let f = cast(array, &DataType::Float64).map_err(|e| arrow_err(name, e))?;
                    let f = f
                        .as_any()
                        .downcast_ref::<Float64Array>()
                        .ok_or_else(|| unsupported(name, dt))?;
                    v.extend(f.iter().map(|x| x.unwrap_or(f64::NAN)));
                }
                // Integers without nulls hold no NaN and no infinity.
                if !(dt.is_integer() && array.null_count() == 0) {
                    for (i, &x) in v[start..].iter().enumerate() {
                        if x.is_nan() {
                            self.missing.push(offset + i);
                        } else if x.is_infinite() && self.first_inf.is_none() {
                            self.first_inf = Some((offset + i, x));
                        }
                    }
                }
            }
            Store::Int(d) => {
                let a = cast(array, &DataType::Int64).map_err(|e| arrow_err(name, e))?;
                let a = a
                    .as_any()
                    .downcast_ref::<Int64Array>()
                    .ok_or_else(|| unsupported(name, dt))?;
                d.extend::<i64, i64>(a.iter(), &mut self.missing, offset);
            }
            Store::Text(d) => {
                let s = cast(array, &DataType::Utf8).map_err(|e| arrow_err(name, e))?;
                let s = s
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .ok_or_else(|| unsupported(name, dt))?;
                d.extend::<&str, str>(s.iter(), &mut self.missing, offset);
            }
        }
        Ok(())
    }
}

/// Appends the values of a native integer or float array as `f64` (nulls as NaN) and returns
/// `true`; `false` for any other type.
fn push_native(array: &ArrayRef, v: &mut Vec<f64>) -> bool {
    use arrow::array::AsArray;
    use arrow::datatypes as t;
    fn extend<T: t::ArrowPrimitiveType>(
        a: &arrow::array::PrimitiveArray<T>,
        v: &mut Vec<f64>,
        f: impl Fn(T::Native) -> f64,
    ) {
        if a.null_count() == 0 {
            v.extend(a.values().iter().map(|&x| f(x)));
        } else {
            v.extend(a.iter().map(|x| x.map_or(f64::NAN, &f)));
        }
    }
    match array.data_type() {
        DataType::Int8 => extend(array.as_primitive::<t::Int8Type>(), v, f64::from),
        DataType::Int16 => extend(array.as_primitive::<t::Int16Type>(), v, f64::from),
        DataType::Int32 => extend(array.as_primitive::<t::Int32Type>(), v, f64::from),
        DataType::Int64 => extend(array.as_primitive::<t::Int64Type>(), v, |x| x as f64),
        DataType::UInt8 => extend(array.as_primitive::<t::UInt8Type>(), v, f64::from),
        DataType::UInt16 => extend(array.as_primitive::<t::UInt16Type>(), v, f64::from),
        DataType::UInt32 => extend(array.as_primitive::<t::UInt32Type>(), v, f64::from),
        DataType::UInt64 => extend(array.as_primitive::<t::UInt64Type>(), v, |x| x as f64),
        DataType::Float32 => extend(array.as_primitive::<t::Float32Type>(), v, f64::from),
        DataType::Float64 => extend(array.as_primitive::<t::Float64Type>(), v, |x| x),
        _ => return false,
    }
    true
}

/// Empty stores for `columns`, each sized for `rows` rows.
fn stores(columns: &[(usize, &str, Kind)], rows: usize) -> Vec<Gathered> {
    columns
        .iter()
        .map(|&(_, name, kind)| Gathered::new(name, kind, rows))
        .collect()
}

/// Column positions by name, built once per schema.
pub(crate) struct Resolver<'a> {
    schema: &'a Schema,
    by_name: HashMap<&'a str, usize>,
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(schema: &'a Schema) -> Self {
        let by_name = schema
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name().as_str(), i))
            .collect();
        Resolver { schema, by_name }
    }

    /// The position of `name`.
    ///
    /// # Errors
    /// [`DataError::UnknownColumn`] listing the columns there are.
    pub(crate) fn index(&self, name: &str, path: &str) -> Result<usize> {
        self.by_name
            .get(name)
            .copied()
            .ok_or_else(|| DataError::UnknownColumn {
                path: path.into(),
                column: name.into(),
                available: self
                    .schema
                    .fields()
                    .iter()
                    .map(|f| f.name().as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// Gathers the columns `columns` (`(position, name, kind)`) of a stream of batches, in
/// parallel by column, one batch at a time. `on_rows` hears the rows read so far. Returns the
/// stores (in the order given) and the number of rows. `expected_rows`, when known, sizes
/// each store once (capped, so a wrong hint cannot exhaust memory by itself).
///
/// The stream is read (decoded) on the calling thread while a second thread gathers the batch
/// before it, so decoding and gathering overlap; batches and their errors are handled in
/// stream order, so the result and the error reported are those of a sequential pass.
///
/// # Errors
/// Any error of the stream; [`DataError::Arrow`] when a column cannot be read as its kind.
/// Among several columns failing on one batch, the first in the order given is reported.
pub(crate) fn gather(
    columns: &[(usize, &str, Kind)],
    batches: impl IntoIterator<Item = Result<RecordBatch>>,
    expected_rows: Option<usize>,
    on_rows: &(dyn Fn(usize) + Sync),
) -> Result<(Vec<Gathered>, usize)> {
    let rows = reserve_rows(expected_rows, columns.len());
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<RecordBatch>>(1);
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || -> Result<(Vec<Gathered>, usize)> {
            let mut out = stores(columns, rows);
            let mut rows = 0;
            for batch in rx {
                let batch = batch?;
                let results: Vec<Result<()>> = out
                    .par_iter_mut()
                    .zip(columns.par_iter())
                    .map(|(g, &(i, _, _))| g.push(batch.column(i), rows))
                    .collect();
                results.into_iter().collect::<Result<()>>()?;
                rows += batch.num_rows();
                on_rows(rows);
            }
            Ok((out, rows))
        });
        for batch in batches {
            let stop = batch.is_err();
            // A closed channel means the worker stopped on an error: it is reported below.
            if tx.send(batch).is_err() || stop {
                break;
            }
        }
        drop(tx);
        worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Reads the columns `group` (`(position, name, kind)`) of a Parquet file over all rows with
/// one reader of just those columns, and gathers them as [`gather`] would. `rows` sizes the
/// stores.
///
/// # Errors
/// As [`gather`].
pub(crate) fn gather_group(
    group: &[(usize, &str, Kind)],
    source: &ParquetColumns,
    rows: usize,
) -> Result<(Vec<Gathered>, usize)> {
    let positions: Vec<usize> = group.iter().map(|c| c.0).collect();
    let (at, batches) = source.open(&positions)?;
    let mut out = stores(group, rows);
    let mut n = 0;
    for batch in batches {
        let batch = batch?;
        for (store, &j) in out.iter_mut().zip(&at) {
            store.push(batch.column(j), n)?;
        }
        n += batch.num_rows();
    }
    Ok((out, n))
}

/// The store size to reserve for `columns` columns of `expected_rows` rows: at most 2^27
/// cells in all (1 GiB of f64 stores), beyond which the stores grow as rows arrive, so that a
/// footer declaring absurd row counts (a corrupt or hostile file) cannot make the reservation
/// itself fail.
pub(crate) fn reserve_rows(expected_rows: Option<usize>, columns: usize) -> usize {
    expected_rows
        .unwrap_or(0)
        .min((1usize << 27) / columns.max(1))
}

/// The common row count of column groups read separately.
///
/// # Errors
/// [`DataError::Parquet`] if two groups disagree (a malformed file).
pub(crate) fn same_rows(source: &ParquetColumns, a: Option<usize>, b: usize) -> Result<usize> {
    match a {
        Some(a) if a != b => Err(DataError::Parquet {
            path: source.path().to_string(),
            source: parquet::errors::ParquetError::General(format!(
                "column groups hold different row counts ({a} and {b})"
            )),
        }),
        _ => Ok(b),
    }
}

/// As [`gather`], for a wide Parquet file read column group by column group: the columns are
/// split into groups of [`group_size`] in the order given, and each group is read over all
/// rows by its own reader ([`gather_group`]), groups in parallel. Only the readers of the
/// groups in flight are alive (arrow-rs keeps a reader per column), and decoding runs on
/// every thread. The stores are those of [`gather`], value for value.
///
/// # Errors
/// As [`gather`]; among faulty columns in different groups, the first group's error is
/// reported (deterministic for any number of threads).
pub(crate) fn gather_parquet(
    columns: &[(usize, &str, Kind)],
    source: &ParquetColumns,
    expected_rows: Option<usize>,
    on_rows: &(dyn Fn(usize) + Sync),
) -> Result<(Vec<Gathered>, usize)> {
    let rows = reserve_rows(expected_rows, columns.len());
    let groups: Vec<Result<(Vec<Gathered>, usize)>> = columns
        .par_chunks(group_size(columns.len()))
        .map(|group| {
            let r = gather_group(group, source, rows);
            if let Ok((_, n)) = &r {
                on_rows(*n);
            }
            r
        })
        .collect();
    let mut out = Vec::with_capacity(columns.len());
    let mut n_rows = None;
    for group in groups {
        let (stores, n) = group?;
        n_rows = Some(same_rows(source, n_rows, n)?);
        out.extend(stores);
    }
    Ok((out, n_rows.unwrap_or(0)))
}
