//! The bad-input corpus, continued from `data_cli.rs`: each case runs the binary and asserts a
//! non-zero exit, a message naming the file / column / row / value involved, and no panic.

mod common;
use common::mutinfo;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{ArrayRef, BinaryArray, Date32Array, DictionaryArray, Int64Array, RecordBatch};
use arrow::array::{Float64Array, StringArray};
use arrow::datatypes::Int32Type;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn parquet(dir: &Path, name: &str, batches: &[RecordBatch]) -> String {
    let p = dir.join(name);
    let f = std::fs::File::create(&p).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(f, batches[0].schema(), None).unwrap();
    for b in batches {
        w.write(b).unwrap();
        // One row group per batch, so each is decoded with its own dictionary.
        w.flush().unwrap();
    }
    w.close().unwrap();
    p.to_string_lossy().into_owned()
}

fn stream(dir: &Path, name: &str, batches: &[RecordBatch]) -> String {
    let p = dir.join(name);
    let f = std::fs::File::create(&p).unwrap();
    let mut w = arrow::ipc::writer::StreamWriter::try_new(f, &batches[0].schema()).unwrap();
    for b in batches {
        w.write(b).unwrap();
    }
    w.finish().unwrap();
    p.to_string_lossy().into_owned()
}

/// Runs a failing command: the exit code, every needle in the message, no panic.
fn fails(args: &[&str], code: i32, needles: &[&str]) {
    let (c, out, err) = mutinfo(args);
    assert_eq!(c, code, "{args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: {err:?} should mention {n:?}");
    }
    assert!(err.starts_with("mutinfo: "), "{args:?}: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
    assert!(out.is_empty(), "{args:?}: nothing on stdout, got {out}");
}

fn batch(cols: Vec<(&str, ArrayRef)>) -> RecordBatch {
    RecordBatch::try_from_iter(cols).unwrap()
}

#[test]
fn empty_header_only_and_ragged_files_name_the_file() {
    let d = tempfile::tempdir().unwrap();
    let empty = write(d.path(), "empty.csv", "");
    fails(
        &["rank", &empty, "--target", "y"],
        1,
        &["empty.csv", "empty"],
    );
    fails(
        &["estimate", &empty, "--x", "a"],
        1,
        &["empty.csv", "empty"],
    );
    let head = write(d.path(), "head.csv", "a,b,y\n");
    fails(
        &["rank", &head, "--target", "y"],
        1,
        &["head.csv", "no data rows"],
    );
    let rag = write(d.path(), "rag.csv", "a,b,y\n1,2,0\n3,4,1\n1,0\n");
    fails(&["rank", &rag, "--target", "y"], 1, &["rag.csv", "line"]);
    let empty_pq = write(d.path(), "empty.parquet", "");
    fails(&["rank", &empty_pq, "--target", "y"], 1, &["empty.parquet"]);
}

#[test]
fn unknown_target_and_one_class() {
    let d = tempfile::tempdir().unwrap();
    let ok = write(d.path(), "ok.csv", "a,b,y\n1,2,0\n2,3,1\n3,1,0\n4,4,1\n");
    fails(
        &["rank", &ok, "--target", "label"],
        1,
        &["ok.csv", "no column named \"label\"", "a, b, y"],
    );
    let one = write(d.path(), "one.csv", "a,y\n1,k\n2,k\n3,k\n");
    fails(
        &["rank", &one, "--target", "y"],
        1,
        &["one.csv", "target column y", "single class"],
    );
}

#[test]
fn all_null_nan_and_inf_name_column_row_and_value() {
    let d = tempfile::tempdir().unwrap();
    let nulls = write(d.path(), "nulls.csv", "a,b,y\n1,,0\n2,,1\n3,,0\n");
    fails(
        &["rank", &nulls, "--target", "y"],
        1,
        &["column b", "every value is missing"],
    );
    // Even when missing values are allowed, an all-missing column says so.
    fails(
        &["rank", &nulls, "--target", "y", "--missing", "own-category"],
        1,
        &["column b", "every value is missing"],
    );
    let nulls_pq = parquet(
        d.path(),
        "nulls.parquet",
        &[batch(vec![
            (
                "a",
                Arc::new(Float64Array::from(vec![None, None, None])) as ArrayRef,
            ),
            ("y", Arc::new(Int64Array::from(vec![0, 1, 0])) as _),
        ])],
    );
    fails(
        &["rank", &nulls_pq, "--target", "y"],
        1,
        &["column a", "every value is missing"],
    );
    let nan = write(d.path(), "nan.csv", "a,y\n1.5,0\n2.5,1\nNaN,1\n3.5,0\n");
    fails(
        &["rank", &nan, "--target", "y"],
        1,
        &["column a", "missing value (null or NaN) at row 2"],
    );
    let inf = write(d.path(), "inf.csv", "a,y\n1.5,0\n-inf,1\n2.5,1\n");
    fails(
        &["rank", &inf, "--target", "y", "--missing", "drop-row"],
        1,
        &["column a", "non-finite value -inf at row 1"],
    );
    fails(
        &["estimate", &inf, "--x", "a", "--y", "y"],
        1,
        &["column a", "-inf", "row 1"],
    );
    fails(
        &["rank", &inf, "--target", "y", "--estimator", "ksg"],
        1,
        &["a", "row 1"],
    );
}

#[test]
fn mixed_types_in_a_csv_column_name_row_and_value() {
    let d = tempfile::tempdir().unwrap();
    let mixed = write(
        d.path(),
        "mixed.csv",
        "a,b,y\n1.5,1,0\n2.5,2,1\nNA,3,0\n4.5,4,1\n",
    );
    fails(
        &["rank", &mixed, "--target", "y"],
        1,
        &[
            "mixed.csv",
            "column a",
            "mixes types",
            "row 2 (line 4)",
            "\"NA\"",
        ],
    );
    fails(
        &["estimate", &mixed, "--x", "a", "--y", "y"],
        1,
        &["mixed.csv", "column a", "\"NA\""],
    );
    // Mostly text with a stray number: the number is the odd one out.
    let text = write(
        d.path(),
        "text.csv",
        "c,y\nred,0\nblue,1\n7,0\ngreen,1\nred,1\n",
    );
    fails(
        &["rank", &text, "--target", "y"],
        1,
        &["column c", "row 2", "\"7\"", "a number"],
    );
    // Asked for explicitly, the column is read as text categories.
    let (code, out, err) = mutinfo(&[
        "rank",
        &text,
        "--target",
        "y",
        "--allow-mixed-types",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(",c,"), "{out}");
    // A column that is text throughout is fine.
    let cats = write(d.path(), "cats.csv", "c,y\nred,0\nblue,1\nred,0\n");
    assert_eq!(mutinfo(&["rank", &cats, "--target", "y"]).0, 0);
}

#[test]
fn corrupt_parquet_and_unsupported_types() {
    let d = tempfile::tempdir().unwrap();
    let bad = write(
        d.path(),
        "bad.parquet",
        "PAR1 this is not a parquet file PAR1",
    );
    fails(&["rank", &bad, "--target", "y"], 1, &["bad.parquet"]);
    // A real Parquet file cut in half.
    let good = parquet(
        d.path(),
        "good.parquet",
        &[batch(vec![
            (
                "a",
                Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0, 4.0])) as ArrayRef,
            ),
            ("y", Arc::new(Int64Array::from(vec![0, 1, 0, 1])) as _),
        ])],
    );
    let bytes = std::fs::read(&good).unwrap();
    let cut = d.path().join("cut.parquet");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    fails(
        &["rank", cut.to_str().unwrap(), "--target", "y"],
        1,
        &["cut.parquet"],
    );
    let typed = parquet(
        d.path(),
        "typed.parquet",
        &[batch(vec![
            (
                "day",
                Arc::new(Date32Array::from(vec![1, 2, 3, 4])) as ArrayRef,
            ),
            (
                "blob",
                Arc::new(BinaryArray::from(vec![&b"x"[..], b"y", b"x", b"z"])) as _,
            ),
            (
                "a",
                Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0, 4.0])) as _,
            ),
            ("y", Arc::new(Int64Array::from(vec![0, 1, 0, 1])) as _),
        ])],
    );
    fails(
        &["rank", &typed, "--target", "y", "--features", "day"],
        1,
        &["column day", "unsupported type Date32"],
    );
    fails(
        &["rank", &typed, "--target", "y", "--features", "blob"],
        1,
        &["column blob", "unsupported type Binary"],
    );
    fails(
        &["rank", &typed, "--target", "day"],
        1,
        &["column day", "unsupported type"],
    );
    fails(
        &["estimate", &typed, "--x", "blob", "--y", "y"],
        1,
        &["typed.parquet", "column blob", "unsupported type Binary"],
    );
    // The supported columns of that file still work.
    let (code, _, err) = mutinfo(&["rank", &typed, "--target", "y", "--features", "a"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn more_categories_than_allowed() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "many.csv", "s,y\nq,0\nr,1\ns,0\nt,1\nu,0\nq,1\n");
    fails(
        &["rank", &f, "--target", "y", "--max-categories", "3"],
        1,
        &["column s", "5 categories, at most 3 allowed"],
    );
    fails(
        &["estimate", &f, "--x", "s", "--max-categories", "4"],
        1,
        &["column s", "5 categories, at most 4 allowed"],
    );
    fails(
        &["rank", &f, "--target", "y", "--max-categories", "0"],
        2,
        &["--max-categories"],
    );
    assert_eq!(
        mutinfo(&["rank", &f, "--target", "y", "--max-categories", "5"]).0,
        0
    );
}

#[test]
fn dictionaries_differing_across_batches_are_reinterned() {
    let d = tempfile::tempdir().unwrap();
    // Batch 1 codes its strings with dictionary [b, a]; batch 2 with [c, a, b]: the same
    // string has different codes in the two batches, and "c" is new in the second.
    let dict = |keys: Vec<i32>, values: Vec<&str>| -> ArrayRef {
        Arc::new(
            DictionaryArray::<Int32Type>::try_new(keys.into(), Arc::new(StringArray::from(values)))
                .unwrap(),
        )
    };
    let b1 = batch(vec![
        ("s", dict(vec![0, 1, 0, 1], vec!["b", "a"])),
        ("y", Arc::new(Int64Array::from(vec![1, 0, 1, 0])) as _),
    ]);
    let b2 = batch(vec![
        ("s", dict(vec![0, 1, 2, 0, 2], vec!["c", "a", "b"])),
        ("y", Arc::new(Int64Array::from(vec![2, 0, 1, 2, 0])) as _),
    ]);
    let plain = write(
        d.path(),
        "plain.csv",
        "s,y\nb,1\na,0\nb,1\na,0\nc,2\na,0\nb,1\nc,2\nb,0\n",
    );
    let files = [
        stream(d.path(), "dict.arrows", &[b1.clone(), b2.clone()]),
        parquet(d.path(), "dict.parquet", &[b1, b2]),
    ];
    let score = |f: &str| {
        let (code, out, err) = mutinfo(&["rank", f, "--target", "y", "--format", "json"]);
        assert_eq!(code, 0, "{f}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["rows"], 9, "{f}");
        v["features"][0]["score"].as_f64().unwrap()
    };
    let expected = score(&plain);
    for f in &files {
        assert_eq!(score(f).to_bits(), expected.to_bits(), "{f}");
        let (code, out, err) = mutinfo(&["estimate", f, "--x", "s", "--y", "y", "--format", "csv"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains(&format!(",{}", num(expected))), "{out}");
    }
}

fn num(v: f64) -> String {
    let s = format!("{v:.10}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[test]
fn bins_zero_and_duplicate_columns() {
    let d = tempfile::tempdir().unwrap();
    let ok = write(
        d.path(),
        "ok.csv",
        "a,b,y\n1.5,2,0\n2.5,3,1\n3.5,1,0\n4.5,4,1\n",
    );
    fails(
        &["rank", &ok, "--target", "y", "--bins", "0"],
        1,
        &["bins = 0", "must be between 1"],
    );
    fails(
        &["estimate", &ok, "--x", "a", "--bins", "0"],
        1,
        &["bins = 0"],
    );
    let dup = write(d.path(), "dup.csv", "a,b,a,y\n1,2,3,0\n2,1,3,1\n");
    fails(
        &["rank", &dup, "--target", "y"],
        1,
        &["dup.csv", "duplicate column name \"a\""],
    );
    fails(
        &["estimate", &dup, "--x", "b", "--y", "y"],
        1,
        &["dup.csv", "duplicate column name \"a\""],
    );
}

#[test]
fn failed_runs_leave_out_files_alone() {
    let d = tempfile::tempdir().unwrap();
    let bad = write(d.path(), "bad.csv", "a,y\n1,0\nx,1\n2,0\n");
    let out = PathBuf::from(write(d.path(), "out.json", "previous"));
    for cmd in [
        vec![
            "rank",
            &bad,
            "--target",
            "y",
            "--out",
            out.to_str().unwrap(),
        ],
        vec!["estimate", &bad, "--x", "a", "--out", out.to_str().unwrap()],
    ] {
        let (code, _, _) = mutinfo(&cmd);
        assert_eq!(code, 1);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous");
    }
    assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 2);
}

#[test]
fn parquet_that_makes_the_decoder_panic_is_a_corrupt_file_error() {
    // Found by `fuzz/fuzz_targets/parquet_ingest.rs`: parquet 60 panics on its metadata.
    let f = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions/parquet-negative-column-start.parquet");
    let f = f.to_string_lossy().into_owned();
    // Its target is `y`: the schema is read before any data, so the decoder must be reached.
    let (code, _, err) = mutinfo(&["rank", &f, "--target", "y"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("parquet-negative-column-start.parquet"),
        "{err}"
    );
    assert!(err.contains("corrupt"), "{err}");
    assert!(
        !err.contains("internal error") && !err.contains("panicked"),
        "{err}"
    );
}
