//! CSV ingestion: schema inference, mixed-type detection, batches, encoders.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mutinfo_data::{FileFormat, ReadOptions};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    // The first byte picks options: header or not, delimiter, batch size, inference rows.
    let Some((&knob, body)) = data.split_first() else {
        return;
    };
    let opts = ReadOptions {
        format: Some(FileFormat::Csv),
        has_header: knob & 1 == 0,
        delimiter: Some(if knob & 2 == 0 { b',' } else { b';' }),
        batch_size: 1 + (knob as usize >> 2 & 7),
        infer_rows: if knob & 0x20 == 0 { None } else { Some(2) },
        allow_mixed_types: knob & 0x40 != 0,
        ..ReadOptions::default()
    };
    let path = common::scratch("csv", body);
    common::ingest(&path, &opts, knob);
});
