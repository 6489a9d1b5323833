//! Writes a large synthetic Parquet file for the streaming-memory measurement.
//!
//! ```text
//! cargo run --release -p mutinfo-data --example big_parquet -- /tmp/big.parquet 16000000
//! ```
//!
//! Columns `f0 … f15` (Float64, 1000 distinct values each, so the file is small on disk
//! while its decoded size is rows × 17 × 8 bytes) and `label` (Int64, 0/1); `f0` and `f1`
//! carry information about the label, the others are noise.

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, Int64Array, RecordBatch};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

/// SplitMix64: a seeded, portable stream of pseudo-random words.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "/tmp/big.parquet".into());
    let rows: usize = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(16_000_000);
    let batch = 1 << 16;
    let features = 16;
    let file = std::fs::File::create(&path)?;
    let mut writer: Option<ArrowWriter<std::fs::File>> = None;
    let mut file = Some(file);
    let mut state = 2026u64;
    let mut done = 0;
    while done < rows {
        let n = batch.min(rows - done);
        let label: Vec<i64> = (0..n).map(|_| (splitmix(&mut state) & 1) as i64).collect();
        let mut cols: Vec<(String, ArrayRef)> = Vec::with_capacity(features + 1);
        for j in 0..features {
            let v: Vec<f64> = label
                .iter()
                .map(|&y| {
                    let noise = (splitmix(&mut state) % 1000) as f64 / 10.0;
                    // f0 and f1 shift with the label.
                    if j < 2 && y == 1 {
                        (noise + 20.0).min(99.9)
                    } else {
                        noise
                    }
                })
                .collect();
            cols.push((format!("f{j}"), Arc::new(Float64Array::from(v))));
        }
        cols.push(("label".into(), Arc::new(Int64Array::from(label))));
        let b = RecordBatch::try_from_iter(cols)?;
        if writer.is_none() {
            let props = WriterProperties::builder()
                .set_max_row_group_row_count(Some(1 << 20))
                .build();
            writer = Some(ArrowWriter::try_new(
                file.take().ok_or("file")?,
                b.schema(),
                Some(props),
            )?);
        }
        writer.as_mut().ok_or("writer")?.write(&b)?;
        done += n;
    }
    writer.ok_or("no rows")?.close()?;
    let decoded = rows * (features + 1) * 8;
    println!(
        "{path}: {rows} rows x {} columns, decoded {:.2} GB, on disk {:.2} GB",
        features + 1,
        decoded as f64 / 1e9,
        std::fs::metadata(&path)?.len() as f64 / 1e9
    );
    Ok(())
}
