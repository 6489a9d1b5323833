//! The CLI over real files: `datasets/` (in the repository) and the benchmark sets in
//! `../shared/datasets` (skipped with a message when absent). Inputs stay byte-identical and
//! output does not depend on the thread count.

mod common;
use common::*;
use std::process::Command;

fn run_threads(threads: &str, args: &[&str]) -> String {
    let out = Command::new(bin())
        .arg("--threads")
        .arg(threads)
        .args(args)
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn xor_synergy_from_the_shipped_data() {
    let data = dataset("xor.csv");
    let before = std::fs::read(&data).unwrap();
    let pair = run_threads(
        "1",
        &[
            "estimate", &data, "--x", "x1,x2", "--y", "y", "--format", "csv",
        ],
    );
    let v: f64 = pair
        .lines()
        .nth(1)
        .unwrap()
        .rsplit(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((v - std::f64::consts::LN_2).abs() < 0.01, "{pair}");
    assert_eq!(std::fs::read(&data).unwrap(), before);
}

#[test]
fn real_sets_rank_and_select_the_same_with_1_and_2_threads() {
    for (set, first) in [("lung_small.parquet", "f22"), ("colon.parquet", "f764")] {
        let Some(p) = shared(set) else { continue };
        let p = p.display().to_string();
        let before = std::fs::read(&p).unwrap();
        let args = [
            "select",
            &p,
            "--target",
            "label",
            "--criterion",
            "mrmr",
            "-k",
            "3",
            "--binning",
            "none",
            "--format",
            "csv",
        ];
        let one = run_threads("1", &args);
        assert_eq!(one, run_threads("2", &args));
        assert_eq!(
            one.lines().nth(1).unwrap().split(',').nth(1),
            Some(first),
            "{set}: {one}"
        );
        let rank = [
            "rank", &p, "--target", "label", "--top", "5", "--format", "csv",
        ];
        assert_eq!(run_threads("1", &rank), run_threads("2", &rank));
        assert_eq!(std::fs::read(&p).unwrap(), before);
    }
}

#[test]
fn continuous_real_set_with_knn() {
    let Some(p) = shared("isolet.parquet") else {
        return;
    };
    let p = p.display().to_string();
    let args = [
        "rank",
        &p,
        "--target",
        "label",
        "--estimator",
        "ross",
        "--features",
        "f0,f1,f2,f3",
        "--format",
        "csv",
    ];
    let one = run_threads("1", &args);
    assert_eq!(one, run_threads("2", &args));
    assert_eq!(one.lines().count(), 5);
}
