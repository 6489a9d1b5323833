//! A fit in parts: what [`DatasetBuilder::fit`] learns from a table (bins, categories), counted
//! batch by batch, in any number of independent parts that merge exactly, then fitted once.
//!
//! An out-of-core or distributed engine (issue 17) cannot hold a column to sort it; it can
//! count it. A numeric column is tallied as the histogram of its values (exact bits), an
//! integer or text category column as the set of its levels; both merge by addition or
//! union, in any order, so that every grouping of the batches gives the same fit — the one
//! [`DatasetBuilder::fit`] makes of the whole table (bins by
//! [`FittedBins::quantile_of_histogram`], categories sorted as text). Codes then come from
//! [`Encoding::transform_batch`], batch by batch.
//!
//! Supported: [`Binning::Quantile`] (the default), missing values under [`Missing::Error`]
//! or [`Missing::OwnCategory`]. Other binnings need the values in memory (MDLP the target
//! too) and [`Missing::DropRow`] needs every column at once: [`DatasetBuilder::tally`]
//! refuses them.

use std::collections::{HashMap, HashSet};

use arrow::array::RecordBatch;
use arrow_schema::Schema;
use serde::{Deserialize, Serialize};

use super::{cardinality, DatasetBuilder, Encoding, Missing};
use crate::discretize::{small_int_histogram, small_int_range, Binning, FittedBins};
use crate::error::{DataError, Result};
use crate::gather::{Gathered, Kind, Resolver, Store, MISSING};
use crate::ColumnEncoding;

/// What one column's values were, so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Values {
    /// Numbers: how many times each value (by its bits) occurred.
    Num(HashMap<u64, u64>),
    /// Integer categories: the levels seen.
    Int(HashSet<i64>),
    /// Text categories: the levels seen.
    Text(HashSet<String>),
}

/// One used column's tally.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ColumnTally {
    name: String,
    values: Values,
    /// Missing values (null, NaN).
    missing: u64,
    /// The first missing row and the first ±∞ (row, value), when the rows were numbered.
    first_missing: Option<usize>,
    #[serde(with = "bits::pair")]
    first_inf: Option<(usize, f64)>,
    /// A ±∞ seen in a part whose rows were not numbered.
    #[serde(with = "bits::value")]
    inf: Option<f64>,
}

/// The tally of a table's used columns (target first, then the features), built by
/// [`DatasetBuilder::tally`]; see the module docs.
///
/// It serializes (serde) so that the parts of a distributed fit can travel between nodes;
/// the ±∞ it records travel as their bits, which every format carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableTally {
    builder: DatasetBuilder,
    columns: Vec<ColumnTally>,
    kinds: Vec<Kind>,
    rows: u64,
}

/// ±∞ as their bits: JSON has no infinities.
mod bits {
    pub(super) mod value {
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        pub(crate) fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
            v.map(f64::to_bits).serialize(s)
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<f64>, D::Error> {
            Ok(Option::<u64>::deserialize(d)?.map(f64::from_bits))
        }
    }

    pub(super) mod pair {
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        pub(crate) fn serialize<S: Serializer>(
            v: &Option<(usize, f64)>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            v.map(|(r, x)| (r, x.to_bits())).serialize(s)
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<(usize, f64)>, D::Error> {
            Ok(Option::<(usize, u64)>::deserialize(d)?.map(|(r, x)| (r, f64::from_bits(x))))
        }
    }
}

impl DatasetBuilder {
    /// An empty tally of the columns this builder uses in tables of `schema`: the target and
    /// the features (given, or every other column), resolved and typed as [`fit`](Self::fit)
    /// does.
    ///
    /// # Errors
    /// As [`fit`](Self::fit) for unknown, repeated or unsupported columns;
    /// [`DataError::InvalidParameter`] for a binning other than quantile or
    /// [`Missing::DropRow`].
    pub fn tally(&self, schema: &Schema) -> Result<TableTally> {
        if !matches!(self.binning, Binning::Quantile { .. }) {
            return Err(DataError::InvalidParameter {
                name: "binning",
                value: self.binning.name().to_string(),
                reason: "a fit in parts (out of core, distributed) bins by quantile only".into(),
            });
        }
        if self.missing == Missing::DropRow {
            return Err(DataError::InvalidParameter {
                name: "missing",
                value: "drop-row".into(),
                reason: "a fit in parts cannot drop rows; use error or own-category".into(),
            });
        }
        let names = self.feature_names(schema)?;
        let used = self.used_columns(schema, &names)?;
        let columns = used
            .iter()
            .map(|&(_, name, kind)| ColumnTally {
                name: name.to_string(),
                values: match kind {
                    Kind::Num => Values::Num(HashMap::new()),
                    Kind::Int => Values::Int(HashSet::new()),
                    Kind::Text => Values::Text(HashSet::new()),
                },
                missing: 0,
                first_missing: None,
                first_inf: None,
                inf: None,
            })
            .collect();
        let kinds = used.iter().map(|c| c.2).collect();
        Ok(TableTally {
            builder: self.clone(),
            columns,
            kinds,
            rows: 0,
        })
    }
}

/// Adds `counts[i]` occurrences of the integer `lo + i` to a histogram of values by their bits.
fn add_counts(h: &mut HashMap<u64, u64>, lo: i64, counts: Vec<u32>) {
    for (i, c) in counts.into_iter().enumerate().filter(|p| p.1 > 0) {
        let bits = ((lo + i as i64) as f64).to_bits();
        *h.entry(bits).or_insert(0) += u64::from(c);
    }
}

/// The histogram of a non-empty integer array without nulls whose values lie in a short range
/// within ±2^51 (as [`small_int_range`] takes them), counted in their native type: the first
/// value and the count of each integer from it. `None` for any other array.
fn native_histogram(array: &arrow::array::ArrayRef) -> Option<(i64, Vec<u32>)> {
    use arrow::array::Array;
    const LIMIT: i64 = 1 << 51;
    if array.null_count() > 0 || array.is_empty() {
        return None;
    }
    with_ints!(
        array,
        |v, int| {
            let (lo, hi) = super::min_max(v)?;
            let (lo, hi) = (int(lo), int(hi));
            if lo <= -LIMIT || hi >= LIMIT || hi - lo > crate::discretize::SMALL_INT_RANGE {
                return None;
            }
            let mut counts = vec![0u32; (hi - lo + 1) as usize];
            for &x in v {
                counts[(int(x) - lo) as usize] += 1;
            }
            Some((lo, counts))
        },
        None
    )
}

impl TableTally {
    /// Rows tallied.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The used columns' names: the target, then the features.
    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// Adds one batch (its columns found by name). `offset`, when known, is the table row of
    /// the batch's first row: errors then name rows.
    ///
    /// # Errors
    /// [`DataError::UnknownColumn`] for a used column the batch lacks; the conversion errors
    /// of [`DatasetBuilder::fit`].
    pub fn add_batch(&mut self, batch: &RecordBatch, offset: Option<usize>) -> Result<()> {
        let schema = batch.schema();
        let resolver = Resolver::new(&schema);
        let base = offset.unwrap_or(0);
        for (c, &kind) in self.columns.iter_mut().zip(&self.kinds) {
            let i = resolver.index(&c.name, "batch")?;
            let array = batch.column(i);
            if let (Values::Num(h), Some((lo, counts))) = (&mut c.values, native_histogram(array)) {
                add_counts(h, lo, counts);
                continue;
            }
            let mut g = Gathered::new(&c.name, kind, batch.num_rows());
            g.push(array, base)?;
            c.missing += g.missing.len() as u64;
            if offset.is_some() {
                c.first_missing = c.first_missing.or(g.missing.first().copied());
                c.first_inf = c.first_inf.or(g.first_inf);
            } else {
                c.inf = c.inf.or(g.first_inf.map(|(_, v)| v));
            }
            match (&mut c.values, g.store) {
                (Values::Num(h), Store::Num(v)) => match small_int_range(&v) {
                    // Whole numbers in a short range (no NaN, no −0): counted densely, one
                    // map update per distinct value instead of one per row.
                    Some((lo, hi)) => {
                        add_counts(h, lo, small_int_histogram(&v, lo, (hi - lo + 1) as usize))
                    }
                    None => {
                        for x in v {
                            if !x.is_nan() {
                                *h.entry(x.to_bits()).or_insert(0) += 1;
                            }
                        }
                    }
                },
                (Values::Int(s), Store::Int(d)) => {
                    let used = used_levels(&d.codes, d.levels.len());
                    s.extend(d.levels.into_iter().zip(used).filter(|p| p.1).map(|p| p.0));
                }
                (Values::Text(s), Store::Text(d)) => {
                    let used = used_levels(&d.codes, d.levels.len());
                    s.extend(d.levels.into_iter().zip(used).filter(|p| p.1).map(|p| p.0));
                }
                _ => unreachable!("a tally and its store have the column's kind"),
            }
        }
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Adds another part's tally (of the same builder and columns), so that any grouping of
    /// the batches gives the same result.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] when the two tallies are of different columns or
    /// builders.
    pub fn merge(&mut self, other: TableTally) -> Result<()> {
        if self.builder != other.builder || self.kinds != other.kinds {
            return Err(DataError::InvalidParameter {
                name: "tally",
                value: other.column_names().join(","),
                reason: "merged tallies must come from the same builder and columns".into(),
            });
        }
        for (a, b) in self.columns.iter_mut().zip(other.columns) {
            if a.name != b.name {
                return Err(DataError::InvalidParameter {
                    name: "tally",
                    value: b.name,
                    reason: "merged tallies must come from the same builder and columns".into(),
                });
            }
            a.missing += b.missing;
            a.first_missing = a.first_missing.min_some(b.first_missing);
            a.first_inf = match (a.first_inf, b.first_inf) {
                (Some(x), Some(y)) => Some(if y.0 < x.0 { y } else { x }),
                (x, y) => x.or(y),
            };
            a.inf = a.inf.or(b.inf);
            match (&mut a.values, b.values) {
                (Values::Num(h), Values::Num(o)) => {
                    for (k, v) in o {
                        *h.entry(k).or_insert(0) += v;
                    }
                }
                (Values::Int(s), Values::Int(o)) => s.extend(o),
                (Values::Text(s), Values::Text(o)) => s.extend(o),
                _ => unreachable!("same kinds checked above"),
            }
        }
        self.rows += other.rows;
        Ok(())
    }

    /// The encoding [`DatasetBuilder::fit`] would make of all the rows tallied.
    ///
    /// # Errors
    /// As [`DatasetBuilder::fit`]: a column with a ±∞ (naming the row when the rows were
    /// numbered), every value missing, missing values under [`Missing::Error`]
    /// ([`DataError::MissingValues`] when the rows were not numbered), too many categories;
    /// [`DataError::EmptyColumn`] without rows.
    pub fn fit(&self) -> Result<Encoding> {
        let b = &self.builder;
        let mut encodings = Vec::with_capacity(self.columns.len());
        for (i, c) in self.columns.iter().enumerate() {
            if self.rows == 0 {
                return Err(DataError::EmptyColumn {
                    column: c.name.clone(),
                });
            }
            if let Some((row, value)) = c.first_inf {
                return Err(DataError::NonFinite {
                    column: c.name.clone(),
                    row,
                    value,
                });
            }
            if let Some(value) = c.inf {
                return Err(DataError::NonFiniteSomewhere {
                    column: c.name.clone(),
                    value,
                });
            }
            if c.missing == self.rows {
                return Err(DataError::AllMissing {
                    column: c.name.clone(),
                });
            }
            if b.missing == Missing::Error && c.missing > 0 {
                return Err(match c.first_missing {
                    Some(row) => DataError::MissingValue {
                        column: c.name.clone(),
                        row,
                    },
                    None => DataError::MissingValues {
                        column: c.name.clone(),
                        count: c.missing,
                    },
                });
            }
            // The target is binned in 10 quantiles when it holds numbers (as `fit` does).
            let bins = match (i, &b.binning) {
                (0, _) => 10,
                (_, Binning::Quantile { bins }) => *bins,
                _ => unreachable!("checked by `tally`"),
            };
            let name = c.name.clone();
            let enc = match &c.values {
                Values::Num(h) => {
                    let mut pairs: Vec<(f64, u64)> =
                        h.iter().map(|(&k, &v)| (f64::from_bits(k), v)).collect();
                    pairs.sort_unstable_by(|x, y| x.0.total_cmp(&y.0));
                    let (values, counts): (Vec<f64>, Vec<u64>) = pairs.into_iter().unzip();
                    let bins = FittedBins::quantile_of_histogram(&values, &counts, bins, &name)?
                        .with_unseen(b.unseen);
                    b.check_cardinality(&bins, &name)?;
                    ColumnEncoding::Numeric { name, bins }
                }
                Values::Int(s) => categorical(b, name, s.iter().map(i64::to_string).collect())?,
                Values::Text(s) => categorical(b, name, s.iter().cloned().collect())?,
            };
            encodings.push(enc);
        }
        let target = encodings.remove(0);
        Ok(Encoding {
            target,
            features: encodings,
            missing: b.missing,
            unseen: b.unseen,
        })
    }

    /// The code count of each used column under `encoding` (target first), as the codes of
    /// [`Encoding::transform_batch`] use them.
    pub fn cardinalities(&self, encoding: &Encoding) -> Vec<u32> {
        std::iter::once(&encoding.target)
            .chain(&encoding.features)
            .map(|e| cardinality(e, encoding.missing, encoding.unseen))
            .collect()
    }
}

/// The levels some row used (a batch's dictionary holds only used levels, but a null-only
/// batch holds none).
fn used_levels(codes: &[u32], levels: usize) -> Vec<bool> {
    let mut used = vec![false; levels];
    for &c in codes {
        if c != MISSING {
            used[c as usize] = true;
        }
    }
    used
}

/// A categorical column's encoding: the levels sorted as text, at most `max_categories`.
fn categorical(
    b: &DatasetBuilder,
    name: String,
    mut levels: Vec<String>,
) -> Result<ColumnEncoding> {
    levels.sort_unstable();
    if levels.len() > b.max_categories {
        return Err(DataError::TooManyCategories {
            column: name,
            found: levels.len(),
            max: b.max_categories,
        });
    }
    Ok(ColumnEncoding::Categorical { name, levels })
}

/// `min` over present values.
trait MinSome {
    fn min_some(self, other: Self) -> Self;
}

impl MinSome for Option<usize> {
    fn min_some(self, other: Self) -> Self {
        match (self, other) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}
