//! End-to-end tests of `mutinfo active simulate`.

mod common;
use common::mutinfo;
use std::path::{Path, PathBuf};

fn data() -> String {
    let p: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/madelon_like.csv");
    p.to_string_lossy().into_owned()
}

#[test]
fn simulate_reports_curves_for_every_method_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let plot = dir.path().join("curve.svg");
    let args = [
        "active",
        "simulate",
        &data(),
        "--target",
        "y",
        "--acquisition",
        "bald,batchbald",
        "--budget",
        "20",
        "--seeds",
        "2",
        "--members",
        "4",
        "--format",
        "json",
        "--quiet",
    ];
    let mut with_plot: Vec<&str> = args.to_vec();
    let plot_s = plot.to_string_lossy().into_owned();
    with_plot.extend(["--plot", &plot_s]);
    let (code, out, err) = mutinfo(&with_plot);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let methods = v["methods"].as_array().unwrap();
    let names: Vec<&str> = methods
        .iter()
        .map(|m| m["method"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["random", "bald", "batchbald"]);
    for m in methods {
        let curve = m["mean_curve"].as_array().unwrap();
        // 20 initial labels, then 2 rounds of 10.
        let labels: Vec<u64> = curve
            .iter()
            .map(|p| p[0].as_f64().unwrap() as u64)
            .collect();
        assert_eq!(labels, [20, 30, 40]);
        let auc = m["auc_mean"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&auc));
    }
    assert!(std::fs::read_to_string(&plot).unwrap().contains("<svg"));
    // Same seeds, same numbers, with one thread or two.
    let mut one = vec!["--threads", "1"];
    one.extend(args);
    let (_, again, _) = mutinfo(&one);
    let w: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(v["methods"], w["methods"]);
}

#[test]
fn simulate_rejects_bad_settings() {
    for (extra, needle) in [
        (vec!["--model", "forest"], "--model"),
        (vec!["--acquisition", "psychic"], "psychic"),
        (vec!["--initial", "5000"], "pool"),
        (vec!["--test-fraction", "1.5"], "--test-fraction"),
        (vec!["--batch", "0"], "--batch"),
    ] {
        let d = data();
        let mut args = vec![
            "active", "simulate", &d, "--target", "y", "--budget", "10", "--seeds", "1",
        ];
        args.extend(extra.iter().copied());
        let (code, _, err) = mutinfo(&args);
        assert_ne!(code, 0, "{args:?}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"));
    }
}
