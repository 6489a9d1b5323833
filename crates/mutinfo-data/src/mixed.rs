//! Raw columns as one `f64` matrix for learners that split numbers by thresholds and
//! categories by code (the decision tree): numeric columns as numbers, null → NaN (a missing
//! value); text, boolean and dictionary columns, and integer columns declared categorical, as
//! codes into sorted text levels, null → NaN. The CLI's `tree` commands and the Python
//! bindings read their features through here, so both see the same matrix.

use crate::error::{DataError, Result};
use crate::io::Table;
use arrow::array::{Array, Float64Array, StringArray};
use arrow::compute::cast;
use arrow_schema::{DataType, Schema};
use ndarray::Array2;

/// How one column of a mixed matrix is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MixedColumn {
    /// The column's name.
    pub name: String,
    /// Codes into `levels` (true) or numbers (false).
    pub categorical: bool,
    /// The categories, sorted as text; code `i` is `levels[i]`. Learned by
    /// [`mixed_matrix`] with `learn_levels`, else used as they are.
    pub levels: Vec<String>,
}

impl MixedColumn {
    /// The column `name` of `schema`: numbers for numeric types, categories for text, boolean
    /// and dictionary types; `declared` makes an integer column categorical too.
    ///
    /// # Errors
    /// [`DataError::UnknownColumn`] (with `path` for the message),
    /// [`DataError::UnsupportedType`], and [`DataError::BadValue`] for a float column
    /// declared categorical.
    pub fn of(schema: &Schema, path: &str, name: &str, declared: bool) -> Result<Self> {
        let field = schema
            .field_with_name(name)
            .map_err(|_| DataError::UnknownColumn {
                path: path.to_string(),
                column: name.to_string(),
                available: schema
                    .fields()
                    .iter()
                    .map(|f| f.name().as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let dt = field.data_type();
        let numeric = dt.is_numeric();
        let text = matches!(
            dt,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Boolean
        ) || matches!(dt, DataType::Dictionary(..));
        let categorical = if declared {
            if numeric && !dt.is_integer() {
                return Err(DataError::BadValue {
                    column: name.to_string(),
                    message: format!(
                        "declared categorical, but the column holds {dt} values; only integer, text, dictionary and boolean columns can be categories"
                    ),
                });
            }
            true
        } else if numeric {
            false
        } else if text {
            true
        } else {
            return Err(DataError::UnsupportedType {
                column: name.to_string(),
                data_type: dt.to_string(),
            });
        };
        Ok(MixedColumn {
            name: name.to_string(),
            categorical,
            levels: Vec::new(),
        })
    }
}

/// Reads `columns` of `table` as a matrix (rows × columns). Numeric columns give numbers
/// (null → NaN; an infinite value or text that is not a number is an error naming column,
/// row and value). Categorical columns give codes into their `levels`: learned from the data
/// (sorted text, at most `max_levels`) when `learn_levels`, else the stored ones, with a
/// level not among them given the code `levels.len()`, which no split knows.
///
/// # Errors
/// [`DataError::UnknownColumn`], [`DataError::BadValue`], [`DataError::TooManyCategories`].
pub fn mixed_matrix(
    table: &Table,
    columns: &mut [MixedColumn],
    learn_levels: bool,
    max_levels: usize,
) -> Result<Array2<f64>> {
    let n = table.num_rows();
    let mut x = Array2::<f64>::zeros((n, columns.len()));
    let unknown = |name: &str| DataError::UnknownColumn {
        path: "table".into(),
        column: name.to_string(),
        available: table.column_names().join(", "),
    };
    let bad = |name: &str, message: String| DataError::BadValue {
        column: name.to_string(),
        message,
    };
    for (j, spec) in columns.iter_mut().enumerate() {
        let mut text: Vec<Option<String>> = Vec::new();
        let mut row = 0usize;
        for b in &table.batches {
            let col = b
                .column_by_name(&spec.name)
                .ok_or_else(|| unknown(&spec.name))?;
            if spec.categorical {
                let c = cast(col, &DataType::Utf8).map_err(|e| bad(&spec.name, e.to_string()))?;
                let c = c
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .ok_or_else(|| bad(&spec.name, "cannot read as text".into()))?;
                text.extend((0..c.len()).map(|i| (!c.is_null(i)).then(|| c.value(i).to_string())));
                continue;
            }
            let c = cast(col, &DataType::Float64).map_err(|e| bad(&spec.name, e.to_string()))?;
            let c = c
                .as_any()
                .downcast_ref::<Float64Array>()
                .ok_or_else(|| bad(&spec.name, "not numeric".into()))?;
            if !col.data_type().is_numeric() {
                not_numbers(&spec.name, col, c, row)?;
            }
            for i in 0..c.len() {
                let v = if c.is_null(i) { f64::NAN } else { c.value(i) };
                if v.is_infinite() {
                    return Err(bad(
                        &spec.name,
                        format!("infinite value {v} at row {}", row + i),
                    ));
                }
                x[[row + i, j]] = v;
            }
            row += c.len();
        }
        if !spec.categorical {
            continue;
        }
        if learn_levels {
            let mut lv: Vec<String> = text.iter().flatten().cloned().collect();
            lv.sort();
            lv.dedup();
            if lv.len() > max_levels {
                return Err(DataError::TooManyCategories {
                    column: spec.name.clone(),
                    found: lv.len(),
                    max: max_levels,
                });
            }
            spec.levels = lv;
        }
        let unseen = spec.levels.len() as f64;
        for (i, t) in text.iter().enumerate() {
            x[[i, j]] = match t {
                None => f64::NAN,
                Some(s) => spec.levels.binary_search(s).map_or(unseen, |c| c as f64),
            };
        }
    }
    Ok(x)
}

/// Errors on the first value of the text column `col` that its cast to numbers `c` turned
/// into a null (text where numbers are read), naming column, row and value.
fn not_numbers(name: &str, col: &dyn Array, c: &Float64Array, first_row: usize) -> Result<()> {
    let Some(i) = (0..c.len()).find(|&i| c.is_null(i) && !col.is_null(i)) else {
        return Ok(());
    };
    let text = cast(col, &DataType::Utf8)
        .ok()
        .and_then(|t| {
            t.as_any()
                .downcast_ref::<StringArray>()
                .map(|s| s.value(i).to_string())
        })
        .unwrap_or_default();
    Err(DataError::BadValue {
        column: name.to_string(),
        message: format!(
            "value {text:?} at row {} is not a number (the tree reads this column as numbers)",
            first_row + i
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{ArrayRef, BooleanArray, Int32Array};
    use arrow::record_batch::RecordBatch;
    use std::sync::Arc;

    fn table(cols: Vec<(&str, ArrayRef)>) -> Table {
        let batch = RecordBatch::try_from_iter(cols).unwrap();
        Table {
            schema: batch.schema(),
            batches: vec![batch],
        }
    }

    #[test]
    fn numbers_codes_and_missing() {
        let t = table(vec![
            (
                "a",
                Arc::new(Int32Array::from(vec![Some(3), None, Some(1)])) as ArrayRef,
            ),
            (
                "b",
                Arc::new(StringArray::from(vec![Some("y"), Some("x"), None])),
            ),
            ("c", Arc::new(BooleanArray::from(vec![true, false, true]))),
        ]);
        let mut cols: Vec<MixedColumn> = ["a", "b", "c"]
            .iter()
            .map(|n| MixedColumn::of(&t.schema, "t", n, false).unwrap())
            .collect();
        assert_eq!(
            cols.iter().map(|c| c.categorical).collect::<Vec<_>>(),
            [false, true, true]
        );
        let x = mixed_matrix(&t, &mut cols, true, 100).unwrap();
        assert_eq!(cols[1].levels, ["x", "y"]);
        assert_eq!(cols[2].levels, ["false", "true"]);
        assert_eq!(x[[0, 0]], 3.0);
        assert!(x[[1, 0]].is_nan());
        assert_eq!((x[[0, 1]], x[[1, 1]]), (1.0, 0.0));
        assert!(x[[2, 1]].is_nan());
        assert_eq!((x[[0, 2]], x[[1, 2]]), (1.0, 0.0));
        // Stored levels: an unseen level gets the code no split knows.
        cols[1].levels = vec!["y".into()];
        let x = mixed_matrix(&t, &mut cols, false, 100).unwrap();
        assert_eq!((x[[0, 1]], x[[1, 1]]), (0.0, 1.0));
    }

    #[test]
    fn bad_values_are_named() {
        let t = table(vec![(
            "s",
            Arc::new(StringArray::from(vec!["1.5", "oops"])) as ArrayRef,
        )]);
        let mut cols = vec![MixedColumn {
            name: "s".into(),
            categorical: false,
            levels: vec![],
        }];
        let e = mixed_matrix(&t, &mut cols, true, 10)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("column s") && e.contains("\"oops\" at row 1"),
            "{e}"
        );
        let f = table(vec![(
            "f",
            Arc::new(arrow::array::Float64Array::from(vec![1.0, f64::INFINITY])) as ArrayRef,
        )]);
        let mut cols = vec![MixedColumn::of(&f.schema, "t", "f", false).unwrap()];
        let e = mixed_matrix(&f, &mut cols, true, 10)
            .unwrap_err()
            .to_string();
        assert!(e.contains("infinite value inf at row 1"), "{e}");
        assert!(MixedColumn::of(&f.schema, "t", "f", true).is_err());
        let many = table(vec![(
            "m",
            Arc::new(StringArray::from(vec!["a", "b", "c"])) as ArrayRef,
        )]);
        let mut cols = vec![MixedColumn::of(&many.schema, "t", "m", false).unwrap()];
        assert!(matches!(
            mixed_matrix(&many, &mut cols, true, 2),
            Err(DataError::TooManyCategories { found: 3, .. })
        ));
    }
}
