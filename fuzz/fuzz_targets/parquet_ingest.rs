//! Parquet ingestion: footer, pages, projection, batches, encoders.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mutinfo_data::{FileFormat, ReadOptions};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let knob = data.last().copied().unwrap_or(0);
    let opts = ReadOptions {
        format: Some(FileFormat::Parquet),
        batch_size: 1 + (knob as usize & 15),
        ..ReadOptions::default()
    };
    let path = common::scratch("parquet", data);
    common::ingest(&path, &opts, knob);
});
