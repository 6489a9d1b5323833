//! Writing a record batch as Parquet, Arrow IPC or CSV, atomically.

use crate::error::{CliError, Result};
use crate::output::write_file;
use arrow::record_batch::RecordBatch;
use std::path::Path;

/// Writes `batch` to `path` in the format its extension names.
pub fn write_batch(path: &Path, batch: &RecordBatch) -> Result<()> {
    let err = |e: String| CliError::input(path, e);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let mut buf: Vec<u8> = Vec::new();
    match ext.as_str() {
        "parquet" | "pq" => {
            let mut w = parquet::arrow::ArrowWriter::try_new(&mut buf, batch.schema(), None)
                .map_err(|e| err(e.to_string()))?;
            w.write(batch).map_err(|e| err(e.to_string()))?;
            w.close().map_err(|e| err(e.to_string()))?;
        }
        "arrow" | "ipc" | "feather" => {
            let mut w = arrow::ipc::writer::FileWriter::try_new(&mut buf, &batch.schema())
                .map_err(|e| err(e.to_string()))?;
            w.write(batch).map_err(|e| err(e.to_string()))?;
            w.finish().map_err(|e| err(e.to_string()))?;
        }
        "arrows" => {
            let mut w = arrow::ipc::writer::StreamWriter::try_new(&mut buf, &batch.schema())
                .map_err(|e| err(e.to_string()))?;
            w.write(batch).map_err(|e| err(e.to_string()))?;
            w.finish().map_err(|e| err(e.to_string()))?;
        }
        "csv" | "tsv" => {
            let delim = if ext == "tsv" { b'\t' } else { b',' };
            let mut w = arrow::csv::WriterBuilder::new()
                .with_delimiter(delim)
                .build(&mut buf);
            w.write(batch).map_err(|e| err(e.to_string()))?;
        }
        _ => {
            return Err(CliError::Usage(format!(
                "--out {}: the file name must end in .parquet, .arrow, .arrows or .csv",
                path.display()
            )))
        }
    }
    write_file("--out", path, &buf)
}
