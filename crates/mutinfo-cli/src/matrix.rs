//! Small numeric matrices from CSV or `.npy` files (channels, joints, score matrices, counts).
//!
//! ## Why not `arrow-csv`
//! Issue 16 asked to read these through arrow-csv. The data files of every command do go
//! through it (`mutinfo-data`); these small matrices do not, because the files people pass
//! here are often what `np.savetxt(..., fmt="%8.4f")` or a hand-typed table gives — columns
//! aligned by runs of spaces — and arrow-csv splits on one delimiter byte, so `"  0.1   0.9"`
//! would be four fields, two of them empty. This reader also names the file line of a bad value
//! (arrow-csv counts records, after comments and blank lines are skipped). The matrices are a
//! few kilobytes; speed is not at stake.

use crate::error::{CliError, Result};
use ndarray::Array2;
use std::path::Path;

/// Reads a numeric matrix: `.npy` (2-D, float or integer) or delimited text (comma, tab,
/// semicolon or spaces; an optional first line of column names is skipped when it is not
/// numeric; `#` starts a comment line).
///
/// # Errors
/// The file's path with the row and column of a value that is not a finite number, ragged
/// rows, or an empty file.
pub fn read_matrix(path: &Path) -> Result<Array2<f64>> {
    crate::output::reading(path);
    if path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"))
    {
        let a = mutinfo_active::read_npy_dyn(path)?;
        let shape = a.shape().to_vec();
        if shape.len() != 2 {
            return Err(CliError::input(
                path,
                format!("expected a 2-D array, found shape {shape:?}"),
            ));
        }
        let m = a
            .into_dimensionality::<ndarray::Ix2>()
            .map_err(|e| CliError::input(path, e.to_string()))?;
        if let Some(((r, c), v)) = m.indexed_iter().find(|(_, v)| !v.is_finite()) {
            return Err(CliError::input(
                path,
                format!("row {r}, column {c}: value {v} is not finite"),
            ));
        }
        return Ok(m);
    }
    let text = std::fs::read_to_string(path).map_err(|source| CliError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut width = None;
    for (lineno, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = if line.contains(',') {
            line.split(',').collect()
        } else if line.contains('\t') {
            line.split('\t').collect()
        } else if line.contains(';') {
            line.split(';').collect()
        } else {
            line.split_whitespace().collect()
        };
        let parsed: Vec<std::result::Result<f64, _>> =
            cells.iter().map(|c| c.trim().parse::<f64>()).collect();
        if rows.is_empty() && width.is_none() && parsed.iter().any(|p| p.is_err()) {
            // A header line of names.
            width = Some(cells.len());
            continue;
        }
        let mut row = Vec::with_capacity(cells.len());
        for (col, (cell, p)) in cells.iter().zip(parsed).enumerate() {
            match p {
                Ok(v) if v.is_finite() => row.push(v),
                _ => {
                    return Err(CliError::input(
                        path,
                        format!(
                            "line {}, column {}: {:?} is not a finite number",
                            lineno + 1,
                            col + 1,
                            cell.trim()
                        ),
                    ))
                }
            }
        }
        if let Some(w) = width {
            if row.len() != w {
                return Err(CliError::input(
                    path,
                    format!("line {} has {} values, expected {w}", lineno + 1, row.len()),
                ));
            }
        }
        width = Some(row.len());
        rows.push(row);
    }
    let w = width.unwrap_or(0);
    if rows.is_empty() || w == 0 {
        return Err(CliError::input(path, "no numeric rows"));
    }
    let n = rows.len();
    Array2::from_shape_vec((n, w), rows.into_iter().flatten().collect())
        .map_err(|e| CliError::input(path, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_header_and_errors() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("m.csv");
        std::fs::write(&p, "y0,y1\n0.9,0.1\n0.2, 0.8\n").unwrap();
        let m = read_matrix(&p).unwrap();
        assert_eq!(m, ndarray::array![[0.9, 0.1], [0.2, 0.8]]);
        std::fs::write(&p, "0.9 0.1\n0.2\n").unwrap();
        assert!(read_matrix(&p)
            .unwrap_err()
            .to_string()
            .contains("line 2 has 1 values"));
        std::fs::write(&p, "1,2\n3,x\n").unwrap();
        assert!(read_matrix(&p)
            .unwrap_err()
            .to_string()
            .contains("line 2, column 2"));
        std::fs::write(&p, "1,nan\n").unwrap();
        assert!(read_matrix(&p).is_err());
        std::fs::write(&p, "").unwrap();
        assert!(read_matrix(&p).is_err());
    }
}
