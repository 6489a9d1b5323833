//! Counts a Parquet / IPC / CSV file in one streaming pass and ranks its features by MI with a
//! target, with memory bounded by one batch plus the count tables.
//!
//! ```text
//! cargo run --release -p mutinfo-data --example stream_count -- /tmp/big.parquet label
//! ```
//!
//! The encoding (quantile bins, categories) is fitted on the first batch, then every batch of
//! the file is decoded, encoded and added to one feature × target contingency table per
//! feature ([`mutinfo_data::Encoding::count`]); values outside the fitted categories fall in
//! an extra "other" code.

use mutinfo_core::Estimator;
use mutinfo_data::{open_batches, Binning, DatasetBuilder, ReadOptions, Table, Unseen};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: stream_count FILE TARGET")?;
    let target = args.next().ok_or("usage: stream_count FILE TARGET")?;
    let opts = ReadOptions {
        batch_size: 1 << 16,
        ..ReadOptions::default()
    };
    let t0 = std::time::Instant::now();
    let mut first = open_batches(&path, &opts)?;
    let schema = first.schema();
    let sample = first.next().ok_or("the file has no rows")??;
    drop(first);
    let (encoding, _) = DatasetBuilder::new(target.clone())
        .binning(Binning::Quantile { bins: 10 })
        .unseen(Unseen::Other)
        .fit(&Table {
            schema,
            batches: vec![sample],
        })?;
    let mut rows = 0usize;
    let mut decoded = 0usize;
    let batches = open_batches(&path, &opts)?.inspect(|b| {
        if let Ok(b) = b {
            rows += b.num_rows();
            decoded += b.get_array_memory_size();
        }
    });
    let tables = encoding.count(batches)?;
    let mut ranked: Vec<(String, f64)> = encoding
        .feature_names()
        .into_iter()
        .zip(&tables)
        .map(|(n, t)| (n, t.mutual_information(Estimator::PlugIn)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!(
        "{path}: {rows} rows counted in {:.1} s; decoded Arrow memory summed over batches {:.2} GB",
        t0.elapsed().as_secs_f64(),
        decoded as f64 / 1e9
    );
    for (name, mi) in ranked.iter().take(5) {
        println!("  {name:>8}  {mi:.6} nats");
    }
    Ok(())
}
