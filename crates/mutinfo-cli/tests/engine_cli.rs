//! `--engine`: a directory or glob of Parquet files reads as one table with every engine;
//! `--engine datafusion` (built with the `datafusion` feature) selects exactly as memory;
//! without the feature it says how to get it; bad flags are refused.

mod common;
use common::mutinfo;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{ArrayRef, Int16Array, Int32Array, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema};

/// Three files of one table: 8 small-integer features, a label from f0, f3 and noise.
fn files(dir: &Path) {
    let schema = Arc::new(Schema::new(
        (0..8)
            .map(|j| Field::new(format!("f{j}"), DataType::Int16, false))
            .chain(std::iter::once(Field::new("label", DataType::Int32, false)))
            .collect::<Vec<_>>(),
    ));
    for (f, (start, n)) in [(0usize, 900usize), (900, 50), (950, 1100)]
        .iter()
        .enumerate()
    {
        let h = |r: usize, j: usize| ((r * 7919 + j * 104_729) ^ (r * j + 13)) % 1009;
        let mut cols: Vec<ArrayRef> = (0..8)
            .map(|j| {
                Arc::new(Int16Array::from_iter_values(
                    (*start..start + n).map(|r| (h(r, j) % (2 + j)) as i16),
                )) as ArrayRef
            })
            .collect();
        cols.push(Arc::new(Int32Array::from_iter_values(
            (*start..start + n).map(|r| ((h(r, 0) % 2 + h(r, 3) % 5 + h(r, 99) % 2) % 3) as i32),
        )));
        let b = RecordBatch::try_new(schema.clone(), cols).unwrap();
        let p = dir.join(format!("part-{f}.parquet"));
        let mut w = parquet::arrow::ArrowWriter::try_new(
            std::fs::File::create(p).unwrap(),
            schema.clone(),
            None,
        )
        .unwrap();
        w.write(&b).unwrap();
        w.close().unwrap();
    }
}

fn select(input: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "select", input, "--target", "label", "-k", "4", "--format", "json",
    ];
    args.extend_from_slice(extra);
    mutinfo(&args)
}

#[test]
fn a_directory_and_a_glob_read_as_one_table() {
    let dir = tempfile::tempdir().unwrap();
    files(dir.path());
    let d = dir.path().display().to_string();
    let (code, by_dir, err) = select(&d, &[]);
    assert_eq!(code, 0, "{err}");
    let (code, by_glob, err) = select(&format!("{d}/part-*.parquet"), &[]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&by_dir).unwrap();
    let w: serde_json::Value = serde_json::from_str(&by_glob).unwrap();
    assert_eq!(v["rows"], 2050);
    assert_eq!(v["features"], w["features"]);
    let (code, _, err) = select(&format!("{d}/none-*.parquet"), &[]);
    assert_eq!(code, 1);
    assert!(err.contains("matches no file"), "{err}");
}

#[test]
fn engine_flags_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    files(dir.path());
    let d = dir.path().display().to_string();
    let (code, _, err) = select(&d, &["--engine", "spark"]);
    assert_eq!(code, 2);
    assert!(err.contains("expected memory or datafusion"), "{err}");
    let (code, _, err) = select(&d, &["--memory-limit", "300MB"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--memory-limit is for --engine datafusion"),
        "{err}"
    );
    let (code, _, err) = select(&d, &["--engine", "datafusion", "--memory-limit", "lots"]);
    assert_eq!(code, 2);
    assert!(err.contains("--memory-limit \"lots\""), "{err}");
    let (code, _, err) = select(&d, &["--engine", "datafusion", "--alpha", "0.05"]);
    assert_eq!(code, 2);
    assert!(err.contains("--alpha"), "{err}");
}

#[cfg(not(feature = "datafusion"))]
#[test]
fn datafusion_needs_its_feature() {
    let dir = tempfile::tempdir().unwrap();
    files(dir.path());
    let (code, _, err) = select(
        &dir.path().display().to_string(),
        &["--engine", "datafusion"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("--features datafusion"), "{err}");
}

#[cfg(feature = "datafusion")]
#[test]
fn datafusion_selects_as_memory() {
    let dir = tempfile::tempdir().unwrap();
    files(dir.path());
    let d = dir.path().display().to_string();
    for criterion in ["jmi", "mrmr", "cmim", "condmi", "mim"] {
        let (code, mem, err) = select(&d, &["--criterion", criterion]);
        assert_eq!(code, 0, "{err}");
        for threads in ["1", "2"] {
            let (code, df, err) = mutinfo(&[
                "--threads",
                threads,
                "select",
                &format!("{d}/part-*.parquet"),
                "--target",
                "label",
                "-k",
                "4",
                "--format",
                "json",
                "--criterion",
                criterion,
                "--engine",
                "datafusion",
                "--memory-limit",
                "64MB",
            ]);
            assert_eq!(code, 0, "{err}");
            let m: serde_json::Value = serde_json::from_str(&mem).unwrap();
            let f: serde_json::Value = serde_json::from_str(&df).unwrap();
            assert_eq!(m["features"], f["features"], "{criterion}");
            assert_eq!(m["rows"], f["rows"]);
        }
    }
    // rank: the same scores from one counting pass, for every discrete estimator.
    for est in [
        "plugin",
        "miller-madow",
        "chao-shen",
        "james-stein",
        "grassberger",
        "nsb",
    ] {
        let run = |engine: &str| {
            let (code, out, err) = mutinfo(&[
                "rank",
                &d,
                "--target",
                "label",
                "--format",
                "json",
                "--estimator",
                est,
                "--engine",
                engine,
            ]);
            assert_eq!(code, 0, "{err}");
            serde_json::from_str::<serde_json::Value>(&out).unwrap()
        };
        let (m, f) = (run("memory"), run("datafusion"));
        assert_eq!(m["features"], f["features"], "{est}");
        assert_eq!(m["rows"], f["rows"]);
    }
    let (code, _, err) = mutinfo(&[
        "rank",
        &d,
        "--target",
        "label",
        "--engine",
        "datafusion",
        "--p-values",
    ]);
    assert_eq!(code, 2, "{err}");
    // Errors name the input: an unknown target.
    let (code, _, err) = mutinfo(&[
        "select",
        &d,
        "--target",
        "nope",
        "-k",
        "2",
        "--engine",
        "datafusion",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("nope"), "{err}");
}
