//! End-to-end tests of the theory and acquisition commands: run the binary on files.

mod common;
use common::mutinfo;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn capacity_of_bsc_in_bits() {
    let d = tempfile::tempdir().unwrap();
    let ch = write(d.path(), "bsc.csv", "0.9,0.1\n0.1,0.9\n");
    let (code, out, err) = mutinfo(&["capacity", &ch, "--base", "bits", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let h = -(0.1f64 * 0.1f64.log2() + 0.9 * 0.9f64.log2());
    assert!((v["capacity"].as_f64().unwrap() - (1.0 - h)).abs() < mutinfo_core::prec::GOLDEN);
    assert_eq!(v["unit"], "bits");
    let plot = d.path().join("cap.svg");
    let (code, _, err) = mutinfo(&["capacity", &ch, "--plot", plot.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read_to_string(&plot)
        .unwrap()
        .contains("capacity against added noise"));
}

#[test]
fn ib_curve_and_plot() {
    let d = tempfile::tempdir().unwrap();
    let j = write(
        d.path(),
        "joint.csv",
        "x_u0v0,y\n0.25,0\n0.25,0\n0,0.25\n0,0.25\n",
    );
    let plot = d.path().join("ib.svg");
    let (code, out, err) = mutinfo(&[
        "ib",
        &j,
        "--betas",
        "0.5:20:4",
        "--format",
        "json",
        "--plot",
        plot.to_str().unwrap(),
        "--base",
        "bits",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let curve = v["curve"].as_array().unwrap();
    assert_eq!(curve.len(), 4);
    // At large β the bottleneck keeps exactly the useful bit.
    let last = &curve[3];
    assert!((last["i_ty"].as_f64().unwrap() - 1.0).abs() < mutinfo_core::prec::ITERATIVE);
    assert!((last["i_xt"].as_f64().unwrap() - 1.0).abs() < mutinfo_core::prec::ITERATIVE);
    assert!(std::fs::read_to_string(&plot).unwrap().contains("<svg"));
}

#[test]
fn bounds_and_pmi() {
    let d = tempfile::tempdir().unwrap();
    let s = write(d.path(), "s.csv", "50,0,0\n0,50,0\n0,0,50\n");
    let (code, out, err) = mutinfo(&["bound", &s, "--bound", "infonce", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    let v: f64 = out
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert!((v - 3f64.ln()).abs() < mutinfo_core::prec::CONVERGED);
    let c = write(d.path(), "c.csv", "2,0\n1,1\n");
    let (code, out, _) = mutinfo(&["pmi", &c, "--measure", "ppmi", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        (v["matrix"][0][0].as_f64().unwrap() - (4.0f64 / 3.0).ln()).abs()
            < mutinfo_core::prec::GOLDEN
    );
}

#[test]
fn output_file_is_written_atomically_and_inputs_are_kept() {
    let d = tempfile::tempdir().unwrap();
    let ch = write(d.path(), "bsc.csv", "0.8,0.2\n0.2,0.8\n");
    let out = d.path().join("cap.json");
    let (code, stdout, _) = mutinfo(&[
        "capacity",
        &ch,
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(stdout.is_empty());
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("\"capacity\""));
    // A failing run leaves the earlier output as it was.
    let bad = write(d.path(), "bad.csv", "0.8,0.3\n");
    let (code, _, _) = mutinfo(&[
        "capacity",
        &bad,
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("\"capacity\""));
    assert_eq!(std::fs::read_to_string(&ch).unwrap(), "0.8,0.2\n0.2,0.8\n");
}

/// Bad inputs: a clear message naming the file and what is wrong, a non-zero exit, no panic.
#[test]
fn bad_inputs_fail_cleanly() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str, t: &str| write(d.path(), n, t);
    let cases: Vec<(Vec<String>, i32, &str)> = vec![
        (
            vec!["capacity".into(), "/no/such/file.csv".into()],
            1,
            "No such file",
        ),
        (
            vec!["capacity".into(), p("e.csv", "")],
            1,
            "no numeric rows",
        ),
        (
            vec!["capacity".into(), p("r.csv", "0.5,0.5\n1\n")],
            1,
            "line 2 has 1 values",
        ),
        (
            vec!["capacity".into(), p("n.csv", "0.5,0.5\n0.5,abc\n")],
            1,
            "\"abc\" is not a finite number",
        ),
        (
            vec!["capacity".into(), p("s.csv", "0.5,0.6\n")],
            1,
            "sum to",
        ),
        (
            vec!["capacity".into(), p("neg.csv", "1.5,-0.5\n")],
            1,
            "negative probability",
        ),
        (
            vec!["capacity".into(), p("inf.csv", "inf,0\n")],
            1,
            "not a finite number",
        ),
        (
            vec![
                "capacity".into(),
                p("ok.csv", "1,0\n0,1\n"),
                "--tolerance".into(),
                "0".into(),
            ],
            1,
            "tolerance",
        ),
        (vec!["ib".into(), p("j.csv", "0.5,0.5\n")], 2, "--beta"),
        (
            vec!["ib".into(), p("j2.csv", "0.5,0.5\n"), "--beta=-1".into()],
            1,
            "beta",
        ),
        (
            vec![
                "ib".into(),
                p("j3.csv", "0.5,0.5\n"),
                "--betas".into(),
                "1:2".into(),
            ],
            2,
            "MIN:MAX:COUNT",
        ),
        (
            vec![
                "ib".into(),
                p("j4.csv", "0.7,0.5\n"),
                "--beta".into(),
                "1".into(),
            ],
            1,
            "sum to",
        ),
        (
            vec!["bound".into(), p("b.csv", "1,2,3\n4,5,6\n")],
            1,
            "columns",
        ),
        (
            vec![
                "bound".into(),
                p("b2.csv", "1,2\n3,4\n"),
                "--bound".into(),
                "mine2".into(),
            ],
            2,
            "expected dv",
        ),
        (vec!["pmi".into(), p("z.csv", "0,0\n0,0\n")], 1, "empty"),
        (
            vec![
                "pmi".into(),
                p("z2.csv", "1,2\n3,4\n"),
                "--alpha".into(),
                "2".into(),
            ],
            1,
            "alpha",
        ),
        (
            vec![
                "pmi".into(),
                p("z3.csv", "1,2\n3,4\n"),
                "--measure".into(),
                "lift".into(),
            ],
            2,
            "expected pmi",
        ),
        (
            vec!["acquire".into(), p("probs.npy", "not numpy")],
            1,
            "probs.npy",
        ),
        (
            vec!["generate".into(), "xor".into(), "--rows".into(), "0".into()],
            2,
            "--rows",
        ),
        (
            vec![
                "capacity".into(),
                p("ok2.csv", "1,0\n0,1\n"),
                "--out".into(),
                "/no/such/dir/x.json".into(),
            ],
            1,
            "x.json",
        ),
        (
            vec![
                "capacity".into(),
                p("ok3.csv", "1,0\n"),
                "--threads".into(),
                "0".into(),
            ],
            2,
            "--threads",
        ),
        (
            vec![
                "ib".into(),
                p("ok4.csv", "0.5,0.5\n"),
                "--beta".into(),
                "1".into(),
                "--plot".into(),
                "x.gif".into(),
            ],
            2,
            ".svg or .png",
        ),
    ];
    for (args, code, needle) in cases {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let (c, _, err) = mutinfo(&a);
        assert_eq!(c, code, "{a:?}: {err}");
        assert!(
            err.contains(needle),
            "{a:?}: {err:?} should mention {needle:?}"
        );
        assert!(
            !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
            "{a:?}: {err}"
        );
    }
}
