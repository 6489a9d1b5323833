//! Apply a saved selector to a data file with the library.
//!
//! ```text
//! cargo run --release --example apply_selector -- MODEL DATA
//! ```
//!
//! Loads `MODEL` (saved by `mutinfo select --save-model` or by
//! [`InfoSelector::save`](mutinfo::select::InfoSelector::save), the same file format), reads
//! `DATA` (Parquet, Arrow IPC or CSV) into Arrow record batches, keeps the selected columns
//! with `transform_table` — the columns `mutinfo transform --model MODEL` writes — and prints
//! their names, one per line.
//!
//! Without arguments it shows the round trip on the shipped `datasets/madelon_like.csv`: it
//! fits a 5-feature JMI selector on the file with the data crate's encoders (`fit_table`),
//! saves it to a temporary file, loads it and applies it.

use mutinfo::data::{read_table, DatasetBuilder, ReadOptions};
use mutinfo::linfa::ParamGuard;
use mutinfo::select::InfoSelector;
use std::path::{Path, PathBuf};

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (model, data, _dir) = match args.as_slice() {
        [model, data] => (PathBuf::from(model), PathBuf::from(data), None),
        [] => {
            eprintln!("usage: apply_selector MODEL DATA (no arguments: a demo on datasets/madelon_like.csv)");
            let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/madelon_like.csv");
            let dir = tempfile::tempdir()?;
            let model = dir.path().join("selector.json");
            let params = InfoSelector::params().k(5).check()?;
            let table = read_table(&data, &ReadOptions::default())?;
            InfoSelector::fit_table(&params, &table, &DatasetBuilder::new("y"))?.save(&model)?;
            (model, data, Some(dir))
        }
        _ => return Err("usage: apply_selector MODEL DATA".into()),
    };
    let selector = InfoSelector::load(&model)?;
    let table = read_table(&data, &ReadOptions::default())?;
    let kept = selector.transform_table(&table)?;
    for field in kept.schema.fields() {
        println!("{}", field.name());
    }
    Ok(())
}
