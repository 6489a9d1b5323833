//! Encodes a data file with the default encoding (what `mutinfo select` does without flags) and
//! writes the codes for `mutinfo-select`'s `select_timing` example, so the selection compute
//! can be timed alone on exactly the codes the command line selects on.
//!
//! ```text
//! cargo run --release -p mutinfo-data --example export_codes -- DATA TARGET OUT.bin
//! ```
//!
//! Output (little endian): `n: u64`, `p: u64`, the `p` feature columns of `n` `u8` codes each,
//! then the `n` target codes. Fails if a column has more than 256 codes.

use mutinfo_core::codes::CodeVec;
use mutinfo_core::Codes;
use mutinfo_data::{open_batches, DatasetBuilder, NoProgress, ReadOptions};
use std::io::Write;

fn bytes(c: &Codes, name: &str) -> Result<Vec<u8>, String> {
    match c.storage() {
        CodeVec::U8(v) => Ok(v.clone()),
        _ => Err(format!(
            "column {name}: {} codes do not fit in a byte",
            c.cardinality()
        )),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [data, target, out] = args.as_slice() else {
        return Err("usage: export_codes DATA TARGET OUT.bin".into());
    };
    let batches = open_batches(data, &ReadOptions::default())?;
    let schema = batches.schema();
    let (_, enc) =
        DatasetBuilder::new(target.as_str()).fit_stream(&schema, batches, &NoProgress)?;
    let (n, p) = (enc.features.n_rows(), enc.features.n_cols());
    let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
    w.write_all(&(n as u64).to_le_bytes())?;
    w.write_all(&(p as u64).to_le_bytes())?;
    for (c, name) in enc.features.columns().iter().zip(&enc.names) {
        w.write_all(&bytes(c, name)?)?;
    }
    w.write_all(&bytes(&enc.target, target)?)?;
    w.flush()?;
    Ok(())
}
