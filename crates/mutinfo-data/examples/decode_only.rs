//! Reads a data file through `open_batches` and drops every batch: the cost of decoding alone,
//! to set beside the whole `mutinfo` process (`scripts/bench_ingest.py`).
//!
//! ```text
//! cargo build --release -p mutinfo-data --example decode_only
//! /usr/bin/time -v target/release/examples/decode_only /tmp/mutinfo-bench/sparse_800_x_100k.parquet
//! ```

use mutinfo_data::{open_batches, ReadOptions};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: decode_only DATA")?;
    let t = Instant::now();
    let batches = open_batches(&path, &ReadOptions::default())?;
    let opened = t.elapsed().as_secs_f64();
    let mut rows = 0;
    for batch in batches {
        rows += batch?.num_rows();
    }
    println!(
        "open (metadata) {opened:.3} s, decode {:.3} s, {rows} rows",
        t.elapsed().as_secs_f64() - opened
    );
    Ok(())
}
