//! The DataFusion scan fits the encoding and selects exactly as the in-memory engine does on
//! the same rows: a directory of Parquet files, a glob, one file; any partition count.
#![cfg(feature = "datafusion")]

mod common;

use common::{criteria, files, schema};
use mutinfo_data::{DatasetBuilder, Table};
use mutinfo_engine::{Scan, ScanOptions};
use mutinfo_select::{select, select_counted};

#[test]
fn directory_glob_and_file_select_as_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let table = files(dir.path());
    let builder = DatasetBuilder::new("label");
    let (want_enc, codes) = builder.fit(&table).unwrap();
    let d = dir.path().display().to_string();
    for (path, partitions, batch_size) in [
        (d.clone(), 2, 100),
        (format!("{d}/part-*.parquet"), 3, 4096),
        (format!("{d}/"), 1, 7),
    ] {
        let opts = ScanOptions {
            partitions,
            batch_size,
            memory_limit: Some(64 << 20),
        };
        let scan = Scan::open(&path, &opts).unwrap();
        let tally = scan.tally(&builder).unwrap();
        assert_eq!(tally.rows(), 2000, "{path}");
        let enc = tally.fit().unwrap();
        assert_eq!(enc, want_enc, "{path}");
        for o in criteria() {
            let want = select(&codes.features, &codes.target, &o).unwrap();
            let got = select_counted(&scan.counter(&enc), &o).unwrap();
            assert_eq!(got, want, "{path} {:?}", o.criterion);
        }
    }
    // One file alone is its own table.
    let one = Scan::open(&format!("{d}/part-0.parquet"), &ScanOptions::default()).unwrap();
    let t0 = Table {
        schema: schema(),
        batches: vec![table.batches[0].clone()],
    };
    assert_eq!(one.fit(&builder).unwrap(), builder.fit(&t0).unwrap().0);
}

#[test]
fn bad_inputs_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here");
    let e = Scan::open(&missing.display().to_string(), &ScanOptions::default()).unwrap_err();
    assert!(e.to_string().contains("nothing-here"), "{e}");
    files(dir.path());
    let scan = Scan::open(&dir.path().display().to_string(), &ScanOptions::default()).unwrap();
    let e = scan
        .fit(&DatasetBuilder::new("no_such_column"))
        .unwrap_err();
    assert!(e.to_string().contains("no_such_column"), "{e}");
}
