//! The target column as classes, or as numbers for a continuous target.

use crate::error::{CliError, Result};
use arrow::array::{Array, StringArray};
use arrow::compute::cast;
use arrow_schema::DataType;
use mutinfo_core::Codes;
use mutinfo_data::Table;
use std::path::Path;

/// Whether the target column holds floating-point values.
pub fn is_float(table: &Table, target: &str) -> bool {
    table
        .schema
        .field_with_name(target)
        .map(|f| {
            matches!(
                f.data_type(),
                DataType::Float16 | DataType::Float32 | DataType::Float64
            )
        })
        .unwrap_or(false)
}

/// Checks that `target` is a column of `table`.
pub fn check_exists(path: &Path, table: &Table, target: &str) -> Result<()> {
    if table.schema.field_with_name(target).is_err() {
        return Err(mutinfo_data::DataError::UnknownColumn {
            path: path.display().to_string(),
            column: target.to_string(),
            available: table.column_names().join(", "),
        }
        .into());
    }
    Ok(())
}

/// The target's values as classes (levels sorted as text) and the level names.
pub fn classes(path: &Path, table: &Table, target: &str) -> Result<(Codes, Vec<String>)> {
    let mut values: Vec<String> = Vec::with_capacity(table.num_rows());
    let mut row = 0usize;
    for b in &table.batches {
        let col = b
            .column_by_name(target)
            .ok_or_else(|| CliError::input(path, format!("no column named {target:?}")))?;
        let s = cast(col, &DataType::Utf8)
            .map_err(|e| CliError::input(path, format!("column {target}: {e}")))?;
        let s = s.as_any().downcast_ref::<StringArray>().ok_or_else(|| {
            CliError::input(path, format!("column {target}: cannot read as text"))
        })?;
        for i in 0..s.len() {
            if s.is_null(i) {
                return Err(CliError::input(
                    path,
                    format!("column {target}: missing target value at row {}", row + i),
                ));
            }
            values.push(s.value(i).to_string());
        }
        row += s.len();
    }
    if values.is_empty() {
        return Err(CliError::input(path, "no data rows"));
    }
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let (codes, levels) = Codes::encode(&refs)?;
    if levels.len() < 2 {
        return Err(CliError::input(
            path,
            format!(
                "target column {target} has a single class ({:?}); mutual information with it is 0",
                levels[0]
            ),
        ));
    }
    Ok((codes, levels.into_iter().map(str::to_string).collect()))
}
