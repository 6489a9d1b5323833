//! End-to-end tests of `mutinfo estimate` against known answers.

mod common;
use common::mutinfo;
use std::f64::consts::LN_2;
use std::path::{Path, PathBuf};

fn xor() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../datasets/xor.csv")
        .to_string_lossy()
        .into_owned()
}

fn json(args: &[&str]) -> serde_json::Value {
    let mut a = vec!["estimate"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--format", "json"]);
    let (code, out, err) = mutinfo(&a);
    assert_eq!(code, 0, "{a:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

fn value(v: &serde_json::Value) -> f64 {
    v["value"].as_f64().unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn xor_single_bits_tell_nothing_the_pair_tells_everything() {
    let f = xor();
    // y = x1 xor x2 with fair bits: I(x1;y) = 0 up to sampling noise (4000 rows).
    let single = json(&[&f, "--x", "x1", "--y", "y"]);
    assert_eq!(single["quantity"], "mutual_information");
    assert_eq!(single["rows"], 4000);
    assert!(
        value(&single).abs() < mutinfo_core::prec::PUBLISHED,
        "{single}"
    );
    // y is a function of (x1, x2): I(x1,x2;y) = H(y), which is ln 2 up to class imbalance.
    let pair = json(&[&f, "--x", "x1,x2", "--y", "y"]);
    let hy = json(&[&f, "--x", "y"]);
    assert_eq!(hy["quantity"], "entropy");
    assert!(
        (value(&pair) - value(&hy)).abs() < mutinfo_core::prec::GOLDEN,
        "{pair} {hy}"
    );
    assert!(
        (value(&pair) - LN_2).abs() < mutinfo_core::prec::PUBLISHED,
        "{pair}"
    );
    // The same in bits: one bit.
    let bits = json(&[&f, "--x", "x1,x2", "--y", "y", "--unit", "bits"]);
    assert_eq!(bits["unit"], "bits");
    assert!((value(&bits) - value(&pair) / LN_2).abs() < mutinfo_core::prec::GOLDEN);
    // Conditioning on x2 reveals x1: I(x1;y|x2) = H(y|x2) ≈ ln 2.
    let cmi = json(&[&f, "--x", "x1", "--y", "y", "--z", "x2"]);
    assert_eq!(cmi["quantity"], "conditional_mutual_information");
    assert!(
        (value(&cmi) - LN_2).abs() < mutinfo_core::prec::ESTIMATE,
        "{cmi}"
    );
}

#[test]
fn conditional_mi_matches_a_hand_computation() {
    let d = tempfile::tempdir().unwrap();
    // Z = 0: X = Y (I = ln 2 within the stratum); Z = 1: all four (x, y) pairs once (I = 0).
    // I(X;Y|Z) = ½ ln 2 + ½ · 0.
    let p = write(
        d.path(),
        "cmi.csv",
        "x,y,z\n0,0,a\n1,1,a\n0,0,a\n1,1,a\n0,0,b\n0,1,b\n1,0,b\n1,1,b\n",
    );
    let p = p.to_str().unwrap();
    let cmi = json(&[p, "--x", "x", "--y", "y", "--z", "z"]);
    assert!(
        (value(&cmi) - 0.5 * LN_2).abs() < mutinfo_core::prec::GOLDEN,
        "{cmi}"
    );
    // Marginally: counts (0,0)=3, (1,1)=3, (0,1)=1, (1,0)=1 of 8, both margins fair.
    let hxy = -(2.0 * 3.0 / 8.0 * (3.0f64 / 8.0).ln() + 2.0 / 8.0 * (1.0f64 / 8.0).ln());
    let mi = json(&[p, "--x", "x", "--y", "y"]);
    assert!(
        (value(&mi) - (2.0 * LN_2 - hxy)).abs() < mutinfo_core::prec::GOLDEN,
        "{mi}"
    );
    // H(X, Z) of a group: (0,a) 2, (1,a) 2, (0,b) 2, (1,b) 2 → ln 4.
    let h = json(&[p, "--x", "x,z"]);
    assert!(
        (value(&h) - 4f64.ln()).abs() < mutinfo_core::prec::GOLDEN,
        "{h}"
    );
    // A column in two groups is fine: I(X;X) = H(X).
    let self_mi = json(&[p, "--x", "x", "--y", "x"]);
    assert!(
        (value(&self_mi) - LN_2).abs() < mutinfo_core::prec::GOLDEN,
        "{self_mi}"
    );
}

#[test]
fn permutation_and_g_test_p_values() {
    let f = xor();
    let noise = json(&[
        &f,
        "--x",
        "x1",
        "--y",
        "y",
        "--permutations",
        "199",
        "--seed",
        "7",
        "--p-values",
    ]);
    let p = noise["permutation_test"]["p_value"].as_f64().unwrap();
    assert!(p > 0.05, "{noise}");
    assert_eq!(noise["permutation_test"]["permutations"], 199);
    assert!(noise["g_test"]["p_value"].as_f64().unwrap() > 0.05);
    assert_eq!(noise["g_test"]["dof"], 1);
    // Same seed, same answer, whatever the thread count.
    let again = json(&[
        "--threads",
        "1",
        &f,
        "--x",
        "x1",
        "--y",
        "y",
        "--permutations",
        "199",
        "--seed",
        "7",
    ]);
    assert_eq!(again["permutation_test"]["p_value"].as_f64().unwrap(), p);
    // The synergy is as significant as 199 permutations can show: 1 / 200.
    let signal = json(&[&f, "--x", "x1,x2", "--y", "y", "--permutations", "199"]);
    assert_eq!(signal["p_value"].as_f64().unwrap(), 1.0 / 200.0);
    // Conditional: x1 given x2, permuting y within x2.
    let cond = json(&[
        &f,
        "--x",
        "x1",
        "--y",
        "y",
        "--z",
        "x2",
        "--permutations",
        "99",
        "--p-values",
    ]);
    assert_eq!(cond["permutation_test"]["p_value"].as_f64().unwrap(), 0.01);
    assert!(cond["g_test"]["p_value"].as_f64().unwrap() < mutinfo_core::prec::IDENTITY);
}

#[test]
fn table_csv_and_atomic_out() {
    let f = xor();
    let (code, out, err) = mutinfo(&["estimate", &f, "--x", "x1,x2", "--y", "y"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("quantity"), "{out}");
    assert!(out.contains("I(x1,x2; y)"), "{out}");
    let d = tempfile::tempdir().unwrap();
    let o = d.path().join("h.csv");
    std::fs::write(&o, "old").unwrap();
    let (code, out, err) = mutinfo(&[
        "estimate",
        &f,
        "--x",
        "x1",
        "--y",
        "y",
        "--z",
        "x2",
        "--format",
        "csv",
        "--permutations",
        "9",
        "--out",
        o.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    let text = std::fs::read_to_string(&o).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "quantity,expression,rows,value_nats,permutation_p_value"
    );
    assert!(lines[1].starts_with("conditional_mutual_information,I(x1; y | x2),4000,"));
    assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
}

#[test]
fn binning_and_continuous_estimators() {
    let d = tempfile::tempdir().unwrap();
    // y = x exactly, 1000 distinct floats: with 4 quantile bins I(x;y) = H(bins) = ln 4.
    let mut text = String::from("x,y,c\n");
    // Pseudo-random uniforms (64-bit LCG, Knuth's MMIX constants), distinct.
    let mut state = 42u64;
    for _ in 0..1000 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let x = (state >> 11) as f64 / (1u64 << 53) as f64;
        text += &format!("{x},{x},{}\n", if x < 0.5 { "lo" } else { "hi" });
    }
    let p = write(d.path(), "f.csv", &text);
    let p = p.to_str().unwrap();
    let v = json(&[p, "--x", "x", "--y", "y", "--bins", "4"]);
    assert!(
        (value(&v) - 4f64.ln()).abs() < mutinfo_core::prec::GOLDEN,
        "{v}"
    );
    assert_eq!(v["settings"]["binning"], "quantile");
    // The mixed kNN estimator against the class the column determines: near H(c) = ln 2.
    let k = json(&[p, "--x", "x", "--y", "c", "--estimator", "mixed"]);
    assert!(value(&k) > 0.5, "{k}");
    let h = json(&[p, "--x", "x", "--estimator", "ksg"]);
    // Differential entropy of U(0, 1) is 0.
    assert!(value(&h).abs() < 0.1, "{h}");
}

#[test]
fn estimate_errors_are_clear() {
    let d = tempfile::tempdir().unwrap();
    let ok = write(d.path(), "ok.csv", "a,b,y\n1,2,0\n2,3,1\n3,1,0\n4,4,1\n");
    let ok = ok.to_str().unwrap();
    let nul = write(d.path(), "nul.csv", "a,y\n1,0\n,1\n3,0\n");
    let nul = nul.to_str().unwrap();
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (
            vec![ok, "--x", "nope", "--y", "y"],
            1,
            "no column named \"nope\"",
        ),
        (vec![ok, "--x", "a", "--z", "b"], 2, "--z needs --y"),
        (vec![ok, "--x", "a", "--permutations", "9"], 2, "--y"),
        (
            vec![ok, "--x", "a", "--y", "y", "--permutations", "0"],
            2,
            "--permutations",
        ),
        (vec![ok, "--x", "a,a", "--y", "y"], 2, "listed twice"),
        (vec![ok, "--x", "a", "--y", "y", "--bins", "0"], 1, "bins"),
        (
            vec![ok, "--x", "a", "--y", "y", "--binning", "mdlp"],
            1,
            "needs a target",
        ),
        (
            vec![
                ok,
                "--x",
                "a",
                "--y",
                "y",
                "--estimator",
                "ksg",
                "--p-values",
            ],
            2,
            "discrete estimator",
        ),
        (vec![nul, "--x", "a", "--y", "y"], 1, "row 1"),
        (
            vec![ok, "--x", "a", "--y", "y", "--estimator", "x"],
            2,
            "--estimator",
        ),
    ];
    for (args, code, needle) in cases {
        let mut a = vec!["estimate"];
        a.extend(args);
        let (c, _, err) = mutinfo(&a);
        assert_eq!(c, code, "{a:?}: {err}");
        assert!(
            err.contains(needle),
            "{a:?}: {err:?} should mention {needle:?}"
        );
        assert!(!err.contains("panicked"), "{a:?}: {err}");
    }
    // Missing values as their own category, or dropped.
    let own = json(&[nul, "--x", "a", "--y", "y", "--missing", "own-category"]);
    assert_eq!(own["rows"], 3);
    let dropped = json(&[nul, "--x", "a", "--y", "y", "--missing", "drop-row"]);
    assert_eq!(dropped["rows"], 2);
    assert_eq!(dropped["settings"]["dropped_rows"], 1);
}
