//! The bad-input contract, one regression test per problem of issue 14: a non-zero exit with
//! a message naming the file (and column/row/value where there is one), never a panic, never
//! a silent wrong answer.

mod common;
use common::*;

#[test]
fn a_float_target_is_refused_by_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::from("a,y\n");
    for i in 0..40 {
        s.push_str(&format!("{},{}\n", i % 5, 0.37 * i as f64));
    }
    let data = write(dir.path(), "float.csv", &s);
    let model = dir.path().join("m.json").display().to_string();
    let r = mutinfo(&["tree", "fit", &data, "--target", "y", "--model", &model]);
    r.refused(&[&data, "y", "--float-classes"]);
    assert!(!dir.path().join("m.json").exists());
    mutinfo(&[
        "tree",
        "fit",
        &data,
        "--target",
        "y",
        "--model",
        &model,
        "--float-classes",
    ])
    .ok();
    // Integral floats (0.0, 1.0) are classes as they are.
    let ints = write(dir.path(), "ints.csv", "a,y\n1,0.0\n2,1.0\n1,0.0\n2,1.0\n");
    mutinfo(&["tree", "fit", &ints, "--target", "y", "--model", &model]).ok();
}

#[test]
fn text_in_a_numeric_column_at_predict_time_names_column_row_value() {
    let dir = tempfile::tempdir().unwrap();
    let train = small_csv(dir.path(), "train.csv", 40);
    let model = dir.path().join("m.json").display().to_string();
    mutinfo(&["tree", "fit", &train, "--target", "y", "--model", &model]).ok();
    let bad = write(dir.path(), "bad.csv", "a,b,y\n1,2,0\n1,oops,1\n");
    let r = mutinfo(&["tree", "predict", &bad, "--model", &model]);
    r.refused(&[&bad, "column b", "row 1", "oops"]);
}

#[test]
fn absurd_resource_flags_are_refused_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_csv(dir.path(), "d.csv", 30);
    let joint = write(dir.path(), "joint.csv", "0.3,0.1\n0.1,0.5\n");
    let huge = "1000000000000000";
    let grid = format!("1:2:{huge}");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["rank", &data, "--target", "y", "--bins", huge],
            "--bins",
        ),
        (
            vec![
                "rank",
                &data,
                "--target",
                "y",
                "--estimator",
                "ksg",
                "--neighbors",
                huge,
            ],
            "--neighbors",
        ),
        (vec!["rank", &data, "--target", "y", "--top", "0"], "--top"),
        (
            vec!["rank", &data, "--target", "y", "--max-categories", huge],
            "--max-categories",
        ),
        (
            vec![
                "estimate",
                &data,
                "--x",
                "a",
                "--y",
                "y",
                "--permutations",
                huge,
            ],
            "--permutations",
        ),
        (vec!["ib", &joint, "--betas", &grid], "--betas"),
        (
            vec!["ib", &joint, "--beta", "1", "--clusters", huge],
            "--clusters",
        ),
        (
            vec!["ib", &joint, "--beta", "1", "--restarts", huge],
            "--restarts",
        ),
        (vec!["generate", "xor", "--rows", huge], "--rows"),
        (vec!["--threads", huge, "generate", "xor"], "--threads"),
        (
            vec![
                "active",
                "simulate",
                &data,
                "--target",
                "y",
                "--members",
                huge,
            ],
            "--members",
        ),
        (
            vec![
                "active", "simulate", &data, "--target", "y", "--batch", huge,
            ],
            "--batch",
        ),
    ];
    for (args, flag) in cases {
        let r = mutinfo(&args);
        r.refused(&[flag]);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
    }
}

#[test]
fn acquire_batch_zero_and_select_k_beyond_the_features_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_csv(dir.path(), "d.csv", 30);
    mutinfo(&["select", &data, "--target", "y", "-k", "3"]).refused(&["-k 3", &data]);
    mutinfo(&["select", &data, "--target", "y", "-k", "0"]).refused(&["-k"]);
    mutinfo(&["select", &data, "--target", "y", "-k", "2"]).ok();
    mutinfo(&["acquire", "nothing.npy", "--batch", "0"]).refused(&["--batch"]);
}

#[test]
fn huge_values_give_finite_numbers_or_a_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let counts = write(dir.path(), "c.csv", "1e308,1e308\n1e308,1.7e308\n");
    for m in ["pmi", "ppmi", "npmi"] {
        let r = mutinfo(&["pmi", &counts, "--measure", m]);
        let out = r.ok();
        assert!(!out.contains("NaN") && !out.contains("inf"), "{m}: {out}");
    }
    let scores = write(dir.path(), "s.csv", "1e308,-1e308\n-1e308,1e308\n");
    for b in ["infonce", "dv", "js", "smile", "nwj"] {
        let r = mutinfo(&["bound", &scores, "--bound", b]);
        assert!(!r.stdout.contains("NaN"), "{b}: {}", r.stdout);
        if r.code != 0 {
            r.refused(&[&scores]);
        }
    }
}

#[test]
fn minus_zero_is_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    // Independent counts: every PMI is 0 up to rounding, PPMI clips at 0.
    let counts = write(dir.path(), "c.csv", "1,2\n3,6\n");
    for m in ["pmi", "ppmi", "sppmi", "npmi"] {
        for f in ["table", "csv", "json"] {
            let out = mutinfo(&["pmi", &counts, "--measure", m, "--format", f])
                .ok()
                .to_string();
            let has_minus_zero = out
                .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']')
                .any(|t| {
                    t.parse::<f64>()
                        .is_ok_and(|v| v == 0.0 && t.starts_with('-'))
                });
            assert!(!has_minus_zero, "{m} {f}: {out}");
        }
    }
}

#[test]
fn an_empty_selection_is_well_formed() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_csv(dir.path(), "d.csv", 40);
    let base = ["select", &data, "--target", "y", "--threshold", "1000"];
    let csv = mutinfo(&[&base[..], &["--format", "csv"]].concat())
        .ok()
        .to_string();
    assert_eq!(csv.lines().count(), 1, "{csv}");
    assert!(csv.starts_with("step,feature"));
    let json = mutinfo(&[&base[..], &["--format", "json"]].concat())
        .ok()
        .to_string();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["features"].as_array().unwrap().len(), 0);
    // The same stop names as the saved model and the warning.
    assert_eq!(v["stop"], "below-threshold");
    let table = mutinfo(&base).ok().to_string();
    assert_eq!(table.lines().count(), 1, "{table}");
    // A warning says so (as sklearn's "No features were selected"); no empty chart is drawn;
    // the saved (empty) selector is valid, and transforming with it is refused instead of
    // writing rows without columns.
    let plot = dir.path().join("p.svg").display().to_string();
    let model = dir.path().join("m.json").display().to_string();
    let r = mutinfo(&[&base[..], &["--plot", &plot, "--save-model", &model]].concat());
    r.ok();
    assert!(r.stderr.contains("no feature selected"), "{}", r.stderr);
    assert!(r.stderr.contains("below-threshold"), "{}", r.stderr);
    assert!(!dir.path().join("p.svg").exists());
    let out = dir.path().join("t.csv").display().to_string();
    mutinfo(&["transform", &data, "--model", &model, "--out", &out])
        .refused(&[&model, "no feature"]);
    assert!(!dir.path().join("t.csv").exists());
}

#[test]
fn compressed_feather_files_are_read() {
    use arrow::array::{Float64Array, Int32Array};
    use arrow::datatypes::{DataType, Field, Schema};
    use arrow::ipc::writer::{FileWriter, IpcWriteOptions};
    use arrow::ipc::CompressionType;
    use arrow::record_batch::RecordBatch;
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let schema = Arc::new(Schema::new(vec![
        Field::new("a", DataType::Float64, false),
        Field::new("y", DataType::Int32, false),
    ]));
    let a: Vec<f64> = (0..200).map(|i| (i % 7) as f64).collect();
    let y: Vec<i32> = (0..200).map(|i| i32::from(i % 7 > 3)).collect();
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Float64Array::from(a)),
            Arc::new(Int32Array::from(y)),
        ],
    )
    .unwrap();
    let mut outputs = Vec::new();
    for (name, c) in [
        ("lz4.feather", CompressionType::LZ4_FRAME),
        ("zstd.feather", CompressionType::ZSTD),
    ] {
        let p = dir.path().join(name);
        let opts = IpcWriteOptions::default()
            .try_with_compression(Some(c))
            .unwrap();
        let mut w =
            FileWriter::try_new_with_options(std::fs::File::create(&p).unwrap(), &schema, opts)
                .unwrap();
        w.write(&batch).unwrap();
        w.finish().unwrap();
        let r = mutinfo(&[
            "rank",
            &p.display().to_string(),
            "--target",
            "y",
            "--format",
            "csv",
        ]);
        outputs.push(r.ok().to_string());
    }
    assert_eq!(outputs[0], outputs[1]);
    assert!(outputs[0].contains(",a,"), "{}", outputs[0]);
}

#[test]
fn messages_name_the_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_csv(dir.path(), "d.csv", 20);
    let matrix = write(dir.path(), "m.csv", "1,2\n3,x\n");
    let missing = dir.path().join("absent.csv").display().to_string();
    let cases: Vec<Vec<&str>> = vec![
        vec!["rank", &data, "--target", "nope"],
        vec!["rank", &missing, "--target", "y"],
        vec!["estimate", &data, "--x", "nope"],
        vec![
            "select",
            &data,
            "--target",
            "y",
            "-k",
            "1",
            "--features",
            "zzz",
        ],
        vec!["capacity", &matrix],
        vec!["pmi", &matrix],
        vec![
            "tree", "fit", &data, "--target", "nope", "--model", "m.json",
        ],
    ];
    for args in cases {
        let r = mutinfo(&args);
        let file = args.iter().find(|a| a.ends_with(".csv")).unwrap();
        r.refused(&[file]);
        assert_eq!(r.stderr.matches(*file).count(), 1, "{args:?}: {}", r.stderr);
    }
}

#[test]
fn flags_that_do_not_apply_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_csv(dir.path(), "d.csv", 30);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["rank", &data, "--target", "y", "--neighbors", "5"],
            "--neighbors",
        ),
        (
            vec![
                "rank",
                &data,
                "--target",
                "y",
                "--estimator",
                "ross",
                "--bins",
                "4",
            ],
            "--bins",
        ),
        (
            vec!["estimate", &data, "--x", "a", "--y", "y", "--seed", "3"],
            "--seed",
        ),
        (
            vec!["select", &data, "--target", "y", "-k", "1", "--beta", "0.5"],
            "--beta",
        ),
        (
            vec![
                "select",
                &data,
                "--target",
                "y",
                "-k",
                "1",
                "--neighbors",
                "4",
            ],
            "--neighbors",
        ),
    ];
    for (args, flag) in cases {
        mutinfo(&args).refused(&[flag, "does not apply"]);
    }
}

#[test]
fn an_identifier_column_gets_a_warning_with_exclude() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::from("id,a,y\n");
    for i in 0..50 {
        s.push_str(&format!("row{i},{},{}\n", i % 3, i % 2));
    }
    let data = write(dir.path(), "ids.csv", &s);
    let r = mutinfo(&["rank", &data, "--target", "y"]);
    r.ok();
    assert!(
        r.stderr.contains("warning") && r.stderr.contains("--exclude id"),
        "{}",
        r.stderr
    );
    let r = mutinfo(&["rank", &data, "--target", "y", "--exclude", "id"]);
    r.ok();
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
}

#[test]
fn quantile_binning_of_a_tiny_spread_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::from("a,y\n");
    for i in 0..40 {
        s.push_str(&format!("{},{}\n", 1.0 + (i % 4) as f64 * 1e-10, i % 2));
    }
    let data = write(dir.path(), "tiny.csv", &s);
    mutinfo(&["rank", &data, "--target", "y"]).ok();
}

#[test]
fn quantile_binning_keeps_a_binary_float_column_in_two_bins() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::from("a,y\n");
    for i in 0..40 {
        s.push_str(&format!("{}.0,{}\n", i % 2, i % 2));
    }
    let data = write(dir.path(), "bin.csv", &s);
    let out = mutinfo(&["rank", &data, "--target", "y", "--format", "csv"])
        .ok()
        .to_string();
    let mi: f64 = out
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(3)
        .unwrap()
        .parse()
        .unwrap();
    // The table prints ten significant digits.
    assert!((mi - std::f64::consts::LN_2).abs() < 1e-9, "{out}");
}
