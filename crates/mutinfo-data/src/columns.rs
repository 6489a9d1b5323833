//! From Arrow batches to discrete codes: column kinds, missing values, a saved encoding.
//!
//! [`DatasetBuilder`] fits an [`Encoding`] on a table (target column, feature columns,
//! [`Binning`], [`Missing`] policy) and returns the codes; the encoding serializes to JSON and
//! [`Encoding::transform`] re-applies it to another table or file with identical codes.
//! [`Encoding::count`] counts a stream of batches against the target in one pass with bounded
//! memory (one [`ContingencyTable`] per feature).
//!
//! ## Column kinds
//! - **numeric**: every integer and float width; discretized with the [`Binning`];
//! - **categorical**: `Utf8`, `LargeUtf8`, `Utf8View`, `Dictionary` of those, `Boolean`. Levels
//!   are the distinct strings seen when fitting, sorted, so dictionary codes are re-interned
//!   into one global table whatever the per-batch dictionaries were;
//! - **integers as categories**: an integer column is treated as categorical (its raw values
//!   as levels) when [`DatasetBuilder::integers_as_categories`] says so, or by the default
//!   rule: when it has at most [`DEFAULT_INTEGER_CATEGORY_MAX`] distinct values in the fit data.
//!   The target, if integer, is always categorical.
//!
//! ## Missing values
//! Nulls and NaN are both *missing*. [`Missing::Error`] (default) fails naming the column and
//! row, [`Missing::OwnCategory`] gives them one extra code per column (the last),
//! [`Missing::DropRow`] removes every row where a used column is missing. ±Inf is always an
//! error naming the column and row. Rows are 0-based data rows across all batches.

use arrow::array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow::compute::cast;
use arrow_schema::{DataType, SchemaRef};
use mutinfo_core::{CodeMatrix, Codes, ContingencyTable};
use serde::{Deserialize, Serialize};

use crate::discretize::{Binning, FittedBins, Unseen};
use crate::error::{DataError, Result};
use crate::io::Table;

/// Default largest number of distinct values for which an integer feature is categorical.
pub const DEFAULT_INTEGER_CATEGORY_MAX: usize = 32;
/// Default largest number of categories of one column.
pub const DEFAULT_MAX_CATEGORIES: usize = 1 << 20;

/// What to do with nulls and NaN.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Missing {
    /// Fail, naming the column and row (default).
    #[default]
    Error,
    /// One extra code per column for missing values.
    OwnCategory,
    /// Drop every row where a used column is missing.
    DropRow,
}

impl Missing {
    /// Parses `error`, `own-category` (`category`) or `drop-row` (`drop`).
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] for another name.
    pub fn parse(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().replace('_', "-").as_str() {
            "error" => Ok(Missing::Error),
            "own-category" | "category" => Ok(Missing::OwnCategory),
            "drop-row" | "drop" => Ok(Missing::DropRow),
            _ => Err(DataError::InvalidParameter {
                name: "missing",
                value: name.to_string(),
                reason: "expected error, own-category or drop-row".into(),
            }),
        }
    }
}

/// One column's values as read: numbers or strings, `None` = missing.
#[derive(Clone, Debug, PartialEq)]
enum Raw {
    Num(Vec<Option<f64>>),
    Str(Vec<Option<String>>),
}

fn is_integer(dt: &DataType) -> bool {
    dt.is_integer()
}

fn is_numeric(dt: &DataType) -> bool {
    dt.is_integer() || dt.is_floating()
}

fn is_categorical(dt: &DataType) -> bool {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Boolean => true,
        DataType::Dictionary(_, v) => is_categorical(v) || is_numeric(v),
        _ => false,
    }
}

fn arrow_err(column: &str, source: arrow_schema::ArrowError) -> DataError {
    DataError::Arrow {
        path: format!("column {column}"),
        source,
    }
}

/// Reads one array as numbers (NaN → missing) or strings.
fn raw_of(array: &ArrayRef, column: &str, as_string: bool) -> Result<Raw> {
    let dt = array.data_type();
    // A column with no values at all (a CSV column of empty fields) is all missing.
    if *dt == DataType::Null {
        return Ok(if as_string {
            Raw::Str(vec![None; array.len()])
        } else {
            Raw::Num(vec![None; array.len()])
        });
    }
    if !as_string && is_numeric(dt) {
        let f = cast(array, &DataType::Float64).map_err(|e| arrow_err(column, e))?;
        let f = f.as_any().downcast_ref::<Float64Array>().ok_or_else(|| {
            DataError::UnsupportedType {
                column: column.into(),
                data_type: dt.to_string(),
            }
        })?;
        return Ok(Raw::Num(
            (0..f.len())
                .map(|i| {
                    if f.is_null(i) || f.value(i).is_nan() {
                        None
                    } else {
                        Some(f.value(i))
                    }
                })
                .collect(),
        ));
    }
    if !(is_categorical(dt) || is_integer(dt)) {
        return Err(DataError::UnsupportedType {
            column: column.into(),
            data_type: dt.to_string(),
        });
    }
    let s = cast(array, &DataType::Utf8).map_err(|e| arrow_err(column, e))?;
    let s = s
        .as_any()
        .downcast_ref::<StringArray>()
        .ok_or_else(|| DataError::UnsupportedType {
            column: column.into(),
            data_type: dt.to_string(),
        })?;
    Ok(Raw::Str(
        (0..s.len())
            .map(|i| (!s.is_null(i)).then(|| s.value(i).to_string()))
            .collect(),
    ))
}

/// How one column becomes codes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ColumnEncoding {
    /// A numeric column and its fitted bins.
    Numeric {
        /// Column name.
        name: String,
        /// Fitted bins.
        bins: FittedBins,
    },
    /// A categorical column and its levels (code = position).
    Categorical {
        /// Column name.
        name: String,
        /// Levels, sorted.
        levels: Vec<String>,
    },
}

impl ColumnEncoding {
    /// The column's name.
    pub fn name(&self) -> &str {
        match self {
            ColumnEncoding::Numeric { name, .. } | ColumnEncoding::Categorical { name, .. } => name,
        }
    }

    /// Checks an encoding read back from a file: a non-empty name, valid bins
    /// ([`FittedBins::validate`]) or levels that are sorted and distinct.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] naming the field and the bad value.
    pub fn validate(&self) -> Result<()> {
        if self.name().is_empty() {
            return Err(DataError::InvalidParameter {
                name: "name",
                value: "\"\"".into(),
                reason: "a column name cannot be empty".into(),
            });
        }
        match self {
            ColumnEncoding::Numeric { bins, .. } => bins.validate(),
            ColumnEncoding::Categorical { levels, .. } => {
                match levels.windows(2).find(|w| w[0] >= w[1]) {
                    Some(w) => Err(DataError::InvalidParameter {
                        name: "levels",
                        value: format!("{:?} then {:?}", w[0], w[1]),
                        reason: "levels must be sorted and distinct".into(),
                    }),
                    None => Ok(()),
                }
            }
        }
    }

    fn base_cardinality(&self) -> u32 {
        match self {
            ColumnEncoding::Numeric { bins, .. } => bins.cardinality(),
            ColumnEncoding::Categorical { levels, .. } => levels.len() as u32,
        }
    }
}

/// A fitted encoding of a target and features: save it as JSON, re-apply it anywhere.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Encoding {
    /// The target column.
    pub target: ColumnEncoding,
    /// The feature columns, in order.
    pub features: Vec<ColumnEncoding>,
    /// Missing-value policy.
    pub missing: Missing,
    /// Unseen categories at transform time.
    pub unseen: Unseen,
}

/// Codes ready for the estimators.
#[derive(Clone, Debug)]
pub struct Encoded {
    /// One column of codes per feature.
    pub features: CodeMatrix,
    /// The target codes.
    pub target: Codes,
    /// Feature names, in column order.
    pub names: Vec<String>,
    /// Rows dropped by [`Missing::DropRow`] (0-based, ascending).
    pub dropped_rows: Vec<usize>,
}

/// Columns encoded without a target by [`DatasetBuilder::fit_columns`].
#[derive(Clone, Debug)]
pub struct EncodedColumns {
    /// How each column became codes, in the order asked.
    pub encodings: Vec<ColumnEncoding>,
    /// The codes of each column, in the order asked.
    pub codes: Vec<Codes>,
    /// The missing-value policy used.
    pub missing: Missing,
    /// Rows dropped by [`Missing::DropRow`] (0-based, ascending).
    pub dropped_rows: Vec<usize>,
}

/// Fits an [`Encoding`]: target, features, binning, missing policy.
#[derive(Clone, Debug)]
pub struct DatasetBuilder {
    target: String,
    features: Option<Vec<String>>,
    binning: Binning,
    missing: Missing,
    unseen: Unseen,
    integers_as_categories: Option<bool>,
    integer_category_max: usize,
    max_categories: usize,
}

fn column_values(table: &Table, name: &str, as_string: bool) -> Result<Raw> {
    let idx = table
        .schema
        .index_of(name)
        .map_err(|_| DataError::UnknownColumn {
            path: "table".into(),
            column: name.into(),
            available: table.column_names().join(", "),
        })?;
    let mut out: Option<Raw> = None;
    for b in &table.batches {
        let r = raw_of(b.column(idx), name, as_string)?;
        out = Some(match (out, r) {
            (None, r) => r,
            (Some(Raw::Num(mut a)), Raw::Num(b)) => {
                a.extend(b);
                Raw::Num(a)
            }
            (Some(Raw::Str(mut a)), Raw::Str(b)) => {
                a.extend(b);
                Raw::Str(a)
            }
            _ => unreachable!("one column has one type"),
        });
    }
    Ok(out.unwrap_or(if as_string {
        Raw::Str(Vec::new())
    } else {
        Raw::Num(Vec::new())
    }))
}

fn missing_rows(raw: &Raw) -> impl Iterator<Item = usize> + '_ {
    let n = match raw {
        Raw::Num(v) => v.len(),
        Raw::Str(v) => v.len(),
    };
    (0..n).filter(move |&i| match raw {
        Raw::Num(v) => v[i].is_none(),
        Raw::Str(v) => v[i].is_none(),
    })
}

fn check_inf(raw: &Raw, column: &str) -> Result<()> {
    if let Raw::Num(v) = raw {
        if let Some(row) = v.iter().position(|x| x.is_some_and(|x| x.is_infinite())) {
            return Err(DataError::NonFinite {
                column: column.into(),
                row,
                value: v[row].unwrap_or(f64::NAN),
            });
        }
    }
    Ok(())
}

impl DatasetBuilder {
    /// A builder for `target`; features default to every other column.
    pub fn new(target: impl Into<String>) -> Self {
        DatasetBuilder {
            target: target.into(),
            features: None,
            binning: Binning::Quantile { bins: 10 },
            missing: Missing::Error,
            unseen: Unseen::Error,
            integers_as_categories: None,
            integer_category_max: DEFAULT_INTEGER_CATEGORY_MAX,
            max_categories: DEFAULT_MAX_CATEGORIES,
        }
    }

    /// The target column.
    #[must_use]
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = target.into();
        self
    }

    /// The feature columns, in order.
    #[must_use]
    pub fn features<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.features = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Binning of numeric features (default quantile, 10 bins).
    #[must_use]
    pub fn binning(mut self, binning: Binning) -> Self {
        self.binning = binning;
        self
    }

    /// Missing-value policy (default [`Missing::Error`]).
    #[must_use]
    pub fn missing(mut self, missing: Missing) -> Self {
        self.missing = missing;
        self
    }

    /// Policy for categories unseen at fit time when the encoding is re-applied.
    #[must_use]
    pub fn unseen(mut self, unseen: Unseen) -> Self {
        self.unseen = unseen;
        self
    }

    /// `Some(true)`: every integer feature is categorical; `Some(false)`: never; `None`
    /// (default): categorical when it has at most [`DatasetBuilder::integer_category_max`]
    /// distinct values.
    #[must_use]
    pub fn integers_as_categories(mut self, yes: Option<bool>) -> Self {
        self.integers_as_categories = yes;
        self
    }

    /// Threshold of the default integer rule.
    #[must_use]
    pub fn integer_category_max(mut self, max: usize) -> Self {
        self.integer_category_max = max;
        self
    }

    /// Largest number of categories one column may have (default 2^20).
    #[must_use]
    pub fn max_categories(mut self, max: usize) -> Self {
        self.max_categories = max;
        self
    }

    /// Fits the encoding on `table` and encodes it.
    ///
    /// # Errors
    /// [`DataError::UnknownColumn`], [`DataError::UnsupportedType`],
    /// [`DataError::MissingValue`] / [`DataError::NonFinite`] naming column and row,
    /// [`DataError::AllMissing`], [`DataError::TooManyCategories`], binning errors.
    pub fn fit(&self, table: &Table) -> Result<(Encoding, Encoded)> {
        let names: Vec<String> = match &self.features {
            Some(f) => f.clone(),
            None => table
                .column_names()
                .into_iter()
                .filter(|c| *c != self.target)
                .collect(),
        };
        if names.is_empty() {
            return Err(DataError::InvalidParameter {
                name: "features",
                value: "[]".into(),
                reason: "no feature columns".into(),
            });
        }
        if let Some(dup) = names
            .iter()
            .enumerate()
            .find(|(i, n)| names[..*i].contains(*n) || **n == self.target)
        {
            return Err(DataError::DuplicateColumn {
                path: "features".into(),
                column: dup.1.clone(),
            });
        }
        let dtype = |n: &str| -> Result<DataType> {
            table
                .schema
                .field_with_name(n)
                .map(|f| f.data_type().clone())
                .map_err(|_| DataError::UnknownColumn {
                    path: "table".into(),
                    column: n.into(),
                    available: table.column_names().join(", "),
                })
        };
        // Target: categorical unless float.
        let tdt = dtype(&self.target)?;
        let t_as_string = !tdt.is_floating();
        let traw = column_values(table, &self.target, t_as_string)?;
        let mut raws = Vec::with_capacity(names.len());
        for n in &names {
            raws.push(self.feature_values(table, n, &dtype(n)?)?);
        }
        // Missing rows.
        let n_rows = table.num_rows();
        let drop = self.rows_to_drop(
            n_rows,
            std::iter::once((&traw, &self.target)).chain(raws.iter().zip(&names)),
        )?;
        let keep: Vec<usize> = (0..n_rows).filter(|&i| !drop[i]).collect();
        let dropped_rows: Vec<usize> = (0..n_rows).filter(|&i| drop[i]).collect();
        let take = |raw: &Raw| -> Raw {
            match raw {
                Raw::Num(v) => Raw::Num(keep.iter().map(|&i| v[i]).collect()),
                Raw::Str(v) => Raw::Str(keep.iter().map(|&i| v[i].clone()).collect()),
            }
        };
        let traw = take(&traw);
        let tenc = self.fit_column(&self.target, &traw, &Binning::Quantile { bins: 10 }, None)?;
        let probe = Encoding {
            target: tenc.clone(),
            features: Vec::new(),
            missing: self.missing,
            unseen: self.unseen,
        };
        let tcodes = probe.encode_column(&tenc, &traw, &keep)?;
        let mut features = Vec::with_capacity(names.len());
        let mut cols = Vec::with_capacity(names.len());
        for (raw, name) in raws.iter().zip(&names) {
            let raw = take(raw);
            let enc = self.fit_column(name, &raw, &self.binning, Some(&tcodes))?;
            cols.push(probe.encode_column(&enc, &raw, &keep)?);
            features.push(enc);
        }
        let encoding = Encoding {
            target: tenc,
            features,
            missing: self.missing,
            unseen: self.unseen,
        };
        Ok((
            encoding,
            Encoded {
                features: CodeMatrix::from_columns(cols)?,
                target: tcodes,
                names,
                dropped_rows,
            },
        ))
    }

    /// Rows to drop for missing values in the used columns (`Missing::DropRow`), after
    /// checking each column for infinities, for being all missing and, under
    /// `Missing::Error`, for any missing value.
    fn rows_to_drop<'a>(
        &self,
        n_rows: usize,
        columns: impl Iterator<Item = (&'a Raw, &'a String)>,
    ) -> Result<Vec<bool>> {
        let mut drop = vec![false; n_rows];
        for (raw, name) in columns {
            check_inf(raw, name)?;
            if n_rows > 0 && missing_rows(raw).count() == n_rows {
                return Err(DataError::AllMissing {
                    column: name.clone(),
                });
            }
            for row in missing_rows(raw) {
                match self.missing {
                    Missing::Error => {
                        return Err(DataError::MissingValue {
                            column: name.clone(),
                            row,
                        })
                    }
                    Missing::DropRow => drop[row] = true,
                    Missing::OwnCategory => {}
                }
            }
        }
        Ok(drop)
    }

    /// A feature column's values: numbers, or strings when it is categorical (integers by
    /// [`DatasetBuilder::integers_as_categories`] or the cardinality rule).
    fn feature_values(&self, table: &Table, name: &str, dt: &DataType) -> Result<Raw> {
        let as_string = if is_integer(dt) {
            match self.integers_as_categories {
                Some(b) => b,
                None => {
                    let Raw::Num(v) = column_values(table, name, false)? else {
                        unreachable!("a numeric read gives numbers")
                    };
                    let mut d: Vec<i128> = v.iter().flatten().map(|&x| x as i128).collect();
                    d.sort_unstable();
                    d.dedup();
                    d.len() <= self.integer_category_max
                }
            }
        } else {
            !is_numeric(dt)
        };
        column_values(table, name, as_string)
    }

    /// Fits and encodes the columns `names` alone, without a target (for entropies and MI
    /// between column groups): every column follows the builder's binning, integer rule and
    /// missing policy; the target and feature list of the builder are ignored.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] for no columns, [`DataError::DuplicateColumn`],
    /// [`DataError::UnknownColumn`], [`DataError::UnsupportedType`],
    /// [`DataError::MissingValue`] / [`DataError::NonFinite`] naming column and row,
    /// [`DataError::AllMissing`], [`DataError::TooManyCategories`],
    /// [`DataError::TargetRequired`] for a supervised binning (MDLP).
    pub fn fit_columns(&self, table: &Table, names: &[String]) -> Result<EncodedColumns> {
        if names.is_empty() {
            return Err(DataError::InvalidParameter {
                name: "columns",
                value: "[]".into(),
                reason: "no columns".into(),
            });
        }
        if let Some((_, dup)) = names
            .iter()
            .enumerate()
            .find(|(i, n)| names[..*i].contains(*n))
        {
            return Err(DataError::DuplicateColumn {
                path: "columns".into(),
                column: dup.clone(),
            });
        }
        if self.binning == Binning::Mdlp {
            return Err(DataError::TargetRequired {
                column: names[0].clone(),
                binning: self.binning.name(),
            });
        }
        let mut raws = Vec::with_capacity(names.len());
        for n in names {
            let dt = table
                .schema
                .field_with_name(n)
                .map(|f| f.data_type().clone())
                .map_err(|_| DataError::UnknownColumn {
                    path: "table".into(),
                    column: n.clone(),
                    available: table.column_names().join(", "),
                })?;
            raws.push(self.feature_values(table, n, &dt)?);
        }
        let n_rows = table.num_rows();
        let drop = self.rows_to_drop(n_rows, raws.iter().zip(names))?;
        let keep: Vec<usize> = (0..n_rows).filter(|&i| !drop[i]).collect();
        if keep.is_empty() {
            return Err(DataError::EmptyFile {
                path: "table".into(),
                reason: "every row has a missing value in a used column",
            });
        }
        let probe = Encoding {
            target: ColumnEncoding::Categorical {
                name: String::new(),
                levels: Vec::new(),
            },
            features: Vec::new(),
            missing: self.missing,
            unseen: self.unseen,
        };
        let mut encodings = Vec::with_capacity(names.len());
        let mut codes = Vec::with_capacity(names.len());
        for (raw, name) in raws.iter().zip(names) {
            let raw = match raw {
                Raw::Num(v) => Raw::Num(keep.iter().map(|&i| v[i]).collect()),
                Raw::Str(v) => Raw::Str(keep.iter().map(|&i| v[i].clone()).collect()),
            };
            let enc = self.fit_column(name, &raw, &self.binning, None)?;
            codes.push(probe.encode_column(&enc, &raw, &keep)?);
            encodings.push(enc);
        }
        Ok(EncodedColumns {
            encodings,
            codes,
            missing: self.missing,
            dropped_rows: (0..n_rows).filter(|&i| drop[i]).collect(),
        })
    }

    fn fit_column(
        &self,
        name: &str,
        raw: &Raw,
        binning: &Binning,
        target: Option<&Codes>,
    ) -> Result<ColumnEncoding> {
        match raw {
            Raw::Num(v) => {
                let present: Vec<f64> = v.iter().flatten().copied().collect();
                if present.is_empty() {
                    return Err(DataError::AllMissing {
                        column: name.into(),
                    });
                }
                // MDLP needs the target on the rows where the feature is present.
                let sub_target;
                let target = match target {
                    Some(t) if present.len() != v.len() => {
                        let idx: Vec<usize> = (0..v.len()).filter(|&i| v[i].is_some()).collect();
                        sub_target = t.take(&idx);
                        Some(&sub_target)
                    }
                    t => t,
                };
                let bins = FittedBins::fit_named(&present, binning, target, name)?
                    .with_unseen(self.unseen);
                if bins.cardinality() as usize > self.max_categories {
                    return Err(DataError::TooManyCategories {
                        column: name.into(),
                        found: bins.cardinality() as usize,
                        max: self.max_categories,
                    });
                }
                Ok(ColumnEncoding::Numeric {
                    name: name.into(),
                    bins,
                })
            }
            Raw::Str(v) => {
                let mut levels: Vec<String> = v.iter().flatten().cloned().collect();
                if levels.is_empty() {
                    return Err(DataError::AllMissing {
                        column: name.into(),
                    });
                }
                levels.sort_unstable();
                levels.dedup();
                if levels.len() > self.max_categories {
                    return Err(DataError::TooManyCategories {
                        column: name.into(),
                        found: levels.len(),
                        max: self.max_categories,
                    });
                }
                Ok(ColumnEncoding::Categorical {
                    name: name.into(),
                    levels,
                })
            }
        }
    }
}

impl Encoding {
    /// Number of codes of a column: its bins or levels, plus one for unseen categories under
    /// [`Unseen::Other`] (categorical columns), plus one for missing under
    /// [`Missing::OwnCategory`].
    pub fn cardinality(&self, column: &ColumnEncoding) -> u32 {
        let unseen =
            matches!(column, ColumnEncoding::Categorical { .. }) && self.unseen == Unseen::Other;
        column.base_cardinality()
            + u32::from(unseen)
            + u32::from(self.missing == Missing::OwnCategory)
    }

    /// Feature names, in order.
    pub fn feature_names(&self) -> Vec<String> {
        self.features.iter().map(|f| f.name().to_string()).collect()
    }

    /// `rows[i]` is the original row number of `raw[i]` (for error messages).
    fn encode_column(&self, enc: &ColumnEncoding, raw: &Raw, rows: &[usize]) -> Result<Codes> {
        let card = self.cardinality(enc);
        let missing_code = card - 1;
        let name = enc.name();
        let mut out = Vec::with_capacity(rows.len());
        let miss = |row: usize| -> Result<u32> {
            if self.missing == Missing::OwnCategory {
                Ok(missing_code)
            } else {
                Err(DataError::MissingValue {
                    column: name.into(),
                    row,
                })
            }
        };
        let unseen = |row: usize, value: String| -> Result<u32> {
            match enc {
                ColumnEncoding::Categorical { levels, .. } if self.unseen == Unseen::Other => {
                    Ok(levels.len() as u32)
                }
                _ => Err(DataError::UnseenValue {
                    column: name.into(),
                    row,
                    value,
                }),
            }
        };
        match (enc, raw) {
            (ColumnEncoding::Numeric { bins, .. }, Raw::Num(v)) => {
                for (&row, x) in rows.iter().zip(v) {
                    out.push(match x {
                        None => miss(row)?,
                        Some(x) if x.is_infinite() => {
                            return Err(DataError::NonFinite {
                                column: name.into(),
                                row,
                                value: *x,
                            })
                        }
                        Some(x) => match bins.code_of(*x) {
                            Some(c) => c,
                            None => unseen(row, x.to_string())?,
                        },
                    });
                }
            }
            (ColumnEncoding::Categorical { levels, .. }, Raw::Str(v)) => {
                for (&row, x) in rows.iter().zip(v) {
                    out.push(match x {
                        None => miss(row)?,
                        Some(s) => match levels.binary_search(s) {
                            Ok(c) => c as u32,
                            Err(_) => unseen(row, s.clone())?,
                        },
                    });
                }
            }
            _ => {
                return Err(DataError::UnsupportedType {
                    column: name.into(),
                    data_type: "a type different from the one fitted".into(),
                })
            }
        }
        Ok(Codes::from_codes(out, card)?)
    }

    fn raw_for(&self, enc: &ColumnEncoding, batch: &RecordBatch) -> Result<Raw> {
        let name = enc.name();
        let col = batch
            .column_by_name(name)
            .ok_or_else(|| DataError::UnknownColumn {
                path: "batch".into(),
                column: name.into(),
                available: batch
                    .schema()
                    .fields()
                    .iter()
                    .map(|f| f.name().as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        raw_of(col, name, matches!(enc, ColumnEncoding::Categorical { .. }))
    }

    /// Encodes one batch whose first row is data row `row_offset`. Returns feature codes,
    /// target codes and the rows dropped (absolute numbers).
    ///
    /// # Errors
    /// As [`Encoding::transform`].
    pub fn transform_batch(
        &self,
        batch: &RecordBatch,
        row_offset: usize,
    ) -> Result<(Vec<Codes>, Codes, Vec<usize>)> {
        let traw = self.raw_for(&self.target, batch)?;
        let fraws = self
            .features
            .iter()
            .map(|f| self.raw_for(f, batch))
            .collect::<Result<Vec<_>>>()?;
        let n = batch.num_rows();
        let mut drop = vec![false; n];
        for (raw, enc) in
            std::iter::once((&traw, &self.target)).chain(fraws.iter().zip(&self.features))
        {
            if let Raw::Num(v) = raw {
                if let Some(i) = v.iter().position(|x| x.is_some_and(|x| x.is_infinite())) {
                    return Err(DataError::NonFinite {
                        column: enc.name().into(),
                        row: row_offset + i,
                        value: v[i].unwrap_or(f64::NAN),
                    });
                }
            }
            if self.missing == Missing::DropRow {
                for i in missing_rows(raw) {
                    drop[i] = true;
                }
            }
        }
        let keep: Vec<usize> = (0..n).filter(|&i| !drop[i]).collect();
        let rows: Vec<usize> = keep.iter().map(|&i| row_offset + i).collect();
        let take = |raw: &Raw| -> Raw {
            match raw {
                Raw::Num(v) => Raw::Num(keep.iter().map(|&i| v[i]).collect()),
                Raw::Str(v) => Raw::Str(keep.iter().map(|&i| v[i].clone()).collect()),
            }
        };
        let target = self.encode_column(&self.target, &take(&traw), &rows)?;
        let feats = fraws
            .iter()
            .zip(&self.features)
            .map(|(raw, enc)| self.encode_column(enc, &take(raw), &rows))
            .collect::<Result<Vec<_>>>()?;
        let dropped = (0..n)
            .filter(|&i| drop[i])
            .map(|i| row_offset + i)
            .collect();
        Ok((feats, target, dropped))
    }

    /// Re-applies the encoding to another table: same values, same codes.
    ///
    /// # Errors
    /// [`DataError::UnknownColumn`], [`DataError::MissingValue`], [`DataError::NonFinite`],
    /// [`DataError::UnseenValue`] naming column and row.
    pub fn transform(&self, table: &Table) -> Result<Encoded> {
        let mut feats: Vec<Vec<u32>> = vec![Vec::new(); self.features.len()];
        let mut target = Vec::new();
        let mut dropped_rows = Vec::new();
        let mut offset = 0;
        for b in &table.batches {
            let (f, t, d) = self.transform_batch(b, offset)?;
            for (acc, c) in feats.iter_mut().zip(&f) {
                acc.extend(c.to_u32_vec());
            }
            target.extend(t.to_u32_vec());
            dropped_rows.extend(d);
            offset += b.num_rows();
        }
        let cols = feats
            .into_iter()
            .zip(&self.features)
            .map(|(v, e)| Codes::from_codes(v, self.cardinality(e)))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(Encoded {
            features: CodeMatrix::from_columns(cols)?,
            target: Codes::from_codes(target, self.cardinality(&self.target))?,
            names: self.feature_names(),
            dropped_rows,
        })
    }

    /// Counts a stream of batches in one pass: one feature × target contingency table per
    /// feature, memory bounded by one batch plus the tables.
    ///
    /// # Errors
    /// As [`Encoding::transform`], and any error the stream yields.
    pub fn count(
        &self,
        batches: impl IntoIterator<Item = Result<RecordBatch>>,
    ) -> Result<Vec<ContingencyTable>> {
        let tc = self.cardinality(&self.target);
        let mut tables = self
            .features
            .iter()
            .map(|f| ContingencyTable::zeros(self.cardinality(f), tc))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut offset = 0;
        for b in batches {
            let b = b?;
            let (f, t, _) = self.transform_batch(&b, offset)?;
            for (table, c) in tables.iter_mut().zip(&f) {
                table.add(c, &t)?;
            }
            offset += b.num_rows();
        }
        Ok(tables)
    }
}

/// The numeric columns `names` of a table as an `n × p` matrix (for continuous estimators).
///
/// # Errors
/// [`DataError::UnknownColumn`], [`DataError::UnsupportedType`] for a non-numeric column,
/// [`DataError::MissingValue`] / [`DataError::NonFinite`] naming column and row.
pub fn numeric_matrix(table: &Table, names: &[String]) -> Result<ndarray::Array2<f64>> {
    let n = table.num_rows();
    let mut out = ndarray::Array2::<f64>::zeros((n, names.len()));
    for (j, name) in names.iter().enumerate() {
        let field = table
            .schema
            .field_with_name(name)
            .map_err(|_| DataError::UnknownColumn {
                path: "table".into(),
                column: name.clone(),
                available: table.column_names().join(", "),
            })?;
        if !is_numeric(field.data_type()) {
            return Err(DataError::UnsupportedType {
                column: name.clone(),
                data_type: field.data_type().to_string(),
            });
        }
        let Raw::Num(v) = column_values(table, name, false)? else {
            unreachable!()
        };
        for (i, x) in v.iter().enumerate() {
            match x {
                None => {
                    return Err(DataError::MissingValue {
                        column: name.clone(),
                        row: i,
                    })
                }
                Some(x) if !x.is_finite() => {
                    return Err(DataError::NonFinite {
                        column: name.clone(),
                        row: i,
                        value: *x,
                    })
                }
                Some(x) => out[[i, j]] = *x,
            }
        }
    }
    Ok(out)
}

/// The schema helper the CLI uses to list columns: `(name, kind)` with kind `numeric`,
/// `integer`, `categorical` or `unsupported`.
pub fn column_kinds(schema: &SchemaRef) -> Vec<(String, &'static str)> {
    schema
        .fields()
        .iter()
        .map(|f| {
            let dt = f.data_type();
            let k = if is_integer(dt) {
                "integer"
            } else if is_numeric(dt) {
                "numeric"
            } else if is_categorical(dt) {
                "categorical"
            } else {
                "unsupported"
            };
            (f.name().clone(), k)
        })
        .collect()
}
