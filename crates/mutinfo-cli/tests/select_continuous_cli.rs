//! End-to-end tests of `mutinfo select --estimator` (continuous features, no binning).

mod common;
use common::mutinfo;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A deterministic pseudo-random value in [0, 1) (SplitMix64), so the CSV needs no RNG crate.
fn unit(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
}

/// `y = 2 a + b + noise`, `copy = a + small noise`, `n1`, `n2` noise; `class` = y above its
/// middle. Columns: a, n1, copy, b, n2, y, class.
fn write_csv(dir: &Path) -> PathBuf {
    let mut s = 0x5EED_u64;
    let mut text = String::from("a,n1,copy,b,n2,y,class\n");
    for _ in 0..500 {
        let a = unit(&mut s) * 2.0;
        let b = unit(&mut s);
        let copy = a + 0.1 * unit(&mut s);
        let (n1, n2) = (unit(&mut s), unit(&mut s));
        let y = a + b + 0.1 * unit(&mut s);
        let class = if y > 1.55 { "hi" } else { "lo" };
        writeln!(
            text,
            "{a:.6},{n1:.6},{copy:.6},{b:.6},{n2:.6},{y:.6},{class}"
        )
        .unwrap();
    }
    let p = dir.join("cont.csv");
    std::fs::write(&p, text).unwrap();
    p
}

fn select_json(args: &[&str]) -> serde_json::Value {
    let mut a = vec!["select"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--format", "json", "--quiet"]);
    let (code, out, err) = mutinfo(&a);
    assert_eq!(code, 0, "{a:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

fn names(v: &serde_json::Value) -> Vec<String> {
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn continuous_target_and_classes_with_knn_and_copula() {
    let d = tempfile::tempdir().unwrap();
    let f = write_csv(d.path());
    let f = f.to_str().unwrap();
    for est in ["ksg", "copula", "auto"] {
        let v = select_json(&[
            f,
            "--target",
            "y",
            "--exclude",
            "class",
            "--criterion",
            "mrmr",
            "-k",
            "3",
            "--estimator",
            est,
            "--neighbors",
            "4",
        ]);
        let got = names(&v);
        assert_eq!(&got[..2], &["a", "b"], "{est}: {v}");
        assert_ne!(got[2], "copy", "{est}: {v}");
        assert_eq!(v["settings"]["continuous"]["estimator"], est, "{v}");
        assert_eq!(v["settings"]["continuous"]["neighbors"], 4);
        assert_eq!(v["settings"]["continuous"]["target_kind"], "continuous");
        assert_eq!(v["rows"], 500);
    }
    // Class target (text labels): relevance by Ross for ksg.
    let v = select_json(&[
        f,
        "--target",
        "class",
        "--exclude",
        "y",
        "--criterion",
        "jmi",
        "-k",
        "2",
        "--estimator",
        "ksg",
    ]);
    assert_eq!(names(&v), vec!["a", "b"], "{v}");
    assert_eq!(v["settings"]["continuous"]["target_kind"], "classes");
    // Threads do not change the result.
    let base = [
        f,
        "--target",
        "y",
        "--exclude",
        "class",
        "--criterion",
        "cmim",
        "-k",
        "4",
        "--estimator",
        "ksg",
    ];
    let mut one = vec!["--threads", "1"];
    one.extend_from_slice(&base);
    let mut two = vec!["--threads", "2"];
    two.extend_from_slice(&base);
    assert_eq!(select_json(&one)["features"], select_json(&two)["features"]);
}

#[test]
fn without_estimator_behaviour_is_unchanged_and_model_saves() {
    let d = tempfile::tempdir().unwrap();
    let f = write_csv(d.path());
    let f = f.to_str().unwrap();
    // Binned (discrete) selection: no continuous settings.
    let v = select_json(&[
        f,
        "--target",
        "class",
        "--exclude",
        "y",
        "--binning",
        "quantile",
        "--bins",
        "4",
        "-k",
        "2",
    ]);
    assert!(v["settings"]["continuous"].is_null(), "{v}");
    // A continuous selection saves a model that `transform` applies.
    let model = d.path().join("m.json");
    let out = d.path().join("sel.csv");
    let (code, _, err) = mutinfo(&[
        "select",
        f,
        "--target",
        "y",
        "--exclude",
        "class",
        "-k",
        "2",
        "--estimator",
        "gaussian",
        "--save-model",
        model.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(saved["format_version"], 2, "{saved}");
    assert_eq!(saved["params"]["estimator"], "gaussian", "{saved}");
    assert!(saved["selected"][0].get("encoder").is_none(), "{saved}");
    let (code, _, err) = mutinfo(&[
        "transform",
        f,
        "--model",
        model.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let header = std::fs::read_to_string(&out).unwrap();
    assert_eq!(header.lines().next().unwrap(), "a,b");
}

#[test]
fn continuous_errors_are_clean() {
    let d = tempfile::tempdir().unwrap();
    let f = write_csv(d.path());
    let f = f.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut a = vec![
            "select",
            f,
            "--target",
            "y",
            "--exclude",
            "class",
            "-k",
            "2",
        ];
        a.extend_from_slice(extra);
        mutinfo(&a)
    };
    let (code, _, err) = run(&["--estimator", "ksg", "--criterion", "disr"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("disr") && err.contains("continuous"), "{err}");
    let (code, _, err) = run(&["--estimator", "nope"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--estimator"), "{err}");
    let (code, _, err) = run(&["--estimator", "ksg", "--neighbors", "0"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(&["--estimator", "ksg", "--alpha", "0.05"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--alpha"), "{err}");
    assert!(!err.contains("panick"), "{err}");
    // A NaN value: file, column and row named.
    let bad = d.path().join("bad.csv");
    std::fs::write(&bad, "a,b,y\n1,2,3\n2,NaN,1\n3,1,2\n4,5,6\n5,3,1\n").unwrap();
    let (code, _, err) = mutinfo(&[
        "select",
        bad.to_str().unwrap(),
        "--target",
        "y",
        "-k",
        "1",
        "--estimator",
        "ksg",
        "--neighbors",
        "1",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains('b') && err.contains("row"), "{err}");
}
