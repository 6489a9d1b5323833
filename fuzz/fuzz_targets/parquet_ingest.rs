//! Parquet ingestion: footer, pages, projection, batches, encoders.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mutinfo_data::{FileFormat, ReadOptions};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    // mutinfo-data catches the panics the parquet crate raises on some corrupt files and
    // reports them as errors; libfuzzer-sys's hook would abort on those caught panics too.
    // A silent hook keeps them quiet; a panic that escapes still aborts across the FFI
    // boundary and is reported as a crash.
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let knob = data.last().copied().unwrap_or(0);
    let opts = ReadOptions {
        format: Some(FileFormat::Parquet),
        batch_size: 1 + (knob as usize & 15),
        ..ReadOptions::default()
    };
    let path = common::scratch("parquet", data);
    common::ingest(&path, &opts, knob);
});
