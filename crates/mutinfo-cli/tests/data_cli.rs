//! End-to-end tests of `rank`, `select` and `transform` on shipped and real files.

mod common;
use common::{mutinfo, repo};

fn dataset(name: &str) -> String {
    repo()
        .join("datasets")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn shared(name: &str) -> Option<String> {
    let p = repo().join("../shared/datasets").join(name);
    if p.exists() {
        Some(p.to_string_lossy().into_owned())
    } else {
        eprintln!("skipping: {} is absent", p.display());
        None
    }
}

#[test]
fn rank_json_is_sorted_and_ties_keep_file_order() {
    let (code, out, err) = mutinfo(&[
        "rank",
        &dataset("redundant.csv"),
        "--target",
        "y",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = v["features"].as_array().unwrap();
    assert_eq!(f[0]["name"], "signal");
    assert_eq!(f[1]["name"], "copy");
    // A relabeled copy has exactly the same MI.
    assert_eq!(
        f[0]["score"].as_f64().unwrap().to_bits(),
        f[1]["score"].as_f64().unwrap().to_bits()
    );
    assert!(f
        .windows(2)
        .all(|w| w[0]["score"].as_f64() >= w[1]["score"].as_f64()));
    assert_eq!(v["unit"], "nats");
    assert!(v["elapsed_seconds"].as_f64().unwrap() >= 0.0);
}

#[test]
fn csv_parquet_round_trip_gives_the_same_ranking() {
    let d = tempfile::tempdir().unwrap();
    let model = d.path().join("m.json");
    let pq = d.path().join("all.parquet");
    let (code, _, err) = mutinfo(&[
        "select",
        &dataset("madelon_like.csv"),
        "--target",
        "y",
        "--criterion",
        "mim",
        "-k",
        "25",
        "--save-model",
        model.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = mutinfo(&[
        "transform",
        &dataset("madelon_like.csv"),
        "--model",
        model.to_str().unwrap(),
        "--keep-target",
        "--out",
        pq.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let rank = |file: &str| {
        let (code, out, err) = mutinfo(&[
            "rank", file, "--target", "y", "--format", "csv", "--bins", "6",
        ]);
        assert_eq!(code, 0, "{err}");
        out.lines()
            .skip(1)
            .map(|l| {
                let c: Vec<&str> = l.split(',').collect();
                (c[1].to_string(), c[3].to_string())
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    assert_eq!(
        rank(&dataset("madelon_like.csv")),
        rank(pq.to_str().unwrap())
    );
}

#[test]
fn known_selections_on_real_data() {
    // ../shared/datasets/README.md: greedy selection, plug-in MI on raw values, k = 10.
    let cases = [
        (
            "lung_small.parquet",
            "mrmr",
            "f22 f125 f243 f132 f242 f29 f150 f166 f18 f269",
        ),
        (
            "lung_small.parquet",
            "jmi",
            "f22 f163 f243 f18 f29 f132 f125 f242 f166 f150",
        ),
        (
            "lung_small.parquet",
            "cmim",
            "f22 f243 f18 f125 f163 f132 f269 f210 f130 f181",
        ),
        (
            "lung_small.parquet",
            "cmim-uncapped",
            "f22 f163 f243 f18 f125 f132 f269 f210 f130 f181",
        ),
        (
            "lung_small.parquet",
            "disr",
            "f22 f243 f18 f29 f163 f132 f10 f242 f125 f269",
        ),
        (
            "lung_small.parquet",
            "mrmr-quotient",
            "f22 f139 f274 f104 f234 f33 f145 f105 f261 f41",
        ),
        (
            "colon.parquet",
            "mrmr",
            "f764 f1581 f1671 f512 f1670 f1324 f1380 f1971 f1422 f1411",
        ),
        (
            "colon.parquet",
            "jmi",
            "f764 f801 f345 f1422 f1472 f266 f1411 f896 f779 f244",
        ),
    ];
    // Raw values as categories, and the default flags: quantile binning keeps the three
    // values {-1, 0, 1} in three bins, so the answers are the same.
    let flag_sets: [&[&str]; 2] = [&["--binning", "none", "--integer-categories", "yes"], &[]];
    for ((file, criterion, expected), flags) in cases
        .iter()
        .flat_map(|c| flag_sets.iter().map(move |f| (*c, *f)))
    {
        let Some(path) = shared(file) else { return };
        let mut args = vec![
            "select",
            &path,
            "--target",
            "label",
            "--criterion",
            criterion,
            "-k",
            "10",
            "--format",
            "csv",
        ];
        args.extend_from_slice(flags);
        let (code, out, err) = mutinfo(&args);
        assert_eq!(code, 0, "{file} {criterion} {flags:?}: {err}");
        let got: Vec<&str> = out
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap())
            .collect();
        assert_eq!(got.join(" "), expected, "{file} {criterion} {flags:?}");
    }
}

/// Issue 15: with the default flags (every feature binned the same way), JMI finds the
/// relevant madelon features. The 20 relevant columns (5 informative, 15 linear combinations;
/// Guyon et al., NIPS 2003 feature selection challenge) are the only ones strongly correlated
/// with another column: max |r| >= 0.69 against <= 0.09 for the 480 noise columns (numpy
/// `corrcoef` on the Parquet file, see `scripts/bench_ingest.py`).
#[test]
fn madelon_default_flags_find_the_relevant_features() {
    const RELEVANT: [&str; 20] = [
        "f28", "f48", "f64", "f105", "f128", "f153", "f241", "f281", "f318", "f336", "f338",
        "f378", "f433", "f442", "f451", "f453", "f455", "f472", "f475", "f493",
    ];
    let Some(path) = shared("madelon.parquet") else {
        return;
    };
    let (code, out, err) = mutinfo(&[
        "select",
        &path,
        "--target",
        "label",
        "--criterion",
        "jmi",
        "-k",
        "20",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let got: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    let hits = got.iter().filter(|g| RELEVANT.contains(g)).count();
    assert!(hits >= 18, "{hits}/20 relevant: {got:?}");
}

#[test]
fn bad_data_inputs_fail_cleanly() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str, t: &str| {
        let f = d.path().join(n);
        std::fs::write(&f, t).unwrap();
        f.to_string_lossy().into_owned()
    };
    let ok = p("ok.csv", "a,b,y\n1,2,0\n2,3,1\n3,1,0\n4,4,1\n");
    let cases: Vec<(Vec<String>, i32, &str)> = vec![
        (
            vec!["rank".into(), ok.clone(), "--target".into(), "nope".into()],
            1,
            "no column named \"nope\"",
        ),
        (
            vec![
                "rank".into(),
                p("one.csv", "a,y\n1,0\n2,0\n"),
                "--target".into(),
                "y".into(),
            ],
            1,
            "single class",
        ),
        (
            vec![
                "rank".into(),
                p("empty.csv", ""),
                "--target".into(),
                "y".into(),
            ],
            1,
            "empty.csv",
        ),
        (
            vec![
                "rank".into(),
                p("head.csv", "a,y\n"),
                "--target".into(),
                "y".into(),
            ],
            1,
            "head.csv",
        ),
        (
            vec![
                "rank".into(),
                p("rag.csv", "a,b,y\n1,2,0\n1,0\n"),
                "--target".into(),
                "y".into(),
            ],
            1,
            "rag.csv",
        ),
        (
            vec![
                "rank".into(),
                p("nan.csv", "a,y\n1.5,0\nNaN,1\n2.5,1\n"),
                "--target".into(),
                "y".into(),
            ],
            1,
            "row",
        ),
        (
            vec![
                "rank".into(),
                p("inf.csv", "a,y\n1.5,0\ninf,1\n2.5,1\n"),
                "--target".into(),
                "y".into(),
            ],
            1,
            "inf",
        ),
        (
            vec![
                "rank".into(),
                p("bad.parquet", "PAR1 not really"),
                "--target".into(),
                "y".into(),
            ],
            1,
            "bad.parquet",
        ),
        (
            vec![
                "rank".into(),
                p("x.xlsx", "a"),
                "--target".into(),
                "y".into(),
            ],
            1,
            "unknown file format",
        ),
        (
            vec![
                "rank".into(),
                ok.clone(),
                "--target".into(),
                "y".into(),
                "--bins".into(),
                "0".into(),
            ],
            1,
            "bins",
        ),
        (
            vec![
                "rank".into(),
                ok.clone(),
                "--target".into(),
                "y".into(),
                "--binning".into(),
                "magic".into(),
            ],
            1,
            "magic",
        ),
        (
            vec![
                "rank".into(),
                ok.clone(),
                "--target".into(),
                "y".into(),
                "--estimator".into(),
                "foo".into(),
            ],
            2,
            "--estimator",
        ),
        (
            vec![
                "rank".into(),
                ok.clone(),
                "--target".into(),
                "y".into(),
                "--features".into(),
                "zz".into(),
            ],
            1,
            "zz",
        ),
        (
            vec![
                "rank".into(),
                ok.clone(),
                "--target".into(),
                "y".into(),
                "--exclude".into(),
                "a,b".into(),
            ],
            2,
            "no feature columns",
        ),
        (
            vec![
                "rank".into(),
                ok.clone(),
                "--target".into(),
                "y".into(),
                "--missing".into(),
                "ignore".into(),
            ],
            1,
            "ignore",
        ),
        (
            vec![
                "rank".into(),
                p("dup.csv", "a,a,y\n1,2,0\n2,1,1\n"),
                "--target".into(),
                "y".into(),
            ],
            1,
            "duplicate",
        ),
        (
            vec![
                "select".into(),
                ok.clone(),
                "--target".into(),
                "y".into(),
                "--criterion".into(),
                "best".into(),
                "-k".into(),
                "1".into(),
            ],
            1,
            "best",
        ),
        (
            vec![
                "select".into(),
                ok.clone(),
                "--target".into(),
                "y".into(),
                "-k".into(),
                "1".into(),
                "--fix".into(),
                "q".into(),
            ],
            2,
            "--fix",
        ),
        (
            vec![
                "select".into(),
                ok.clone(),
                "--target".into(),
                "y".into(),
                "-k".into(),
                "1".into(),
                "--save-model".into(),
                ok.clone(),
            ],
            2,
            "refusing to overwrite",
        ),
        (
            vec![
                "transform".into(),
                ok.clone(),
                "--model".into(),
                p("m.json", "{}"),
                "--out".into(),
                "o.csv".into(),
            ],
            1,
            "invalid selector model",
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
        assert!(!err.contains("panicked"), "{a:?}: {err}");
    }
    // The input the user gave is untouched.
    assert_eq!(
        std::fs::read_to_string(&ok).unwrap(),
        "a,b,y\n1,2,0\n2,3,1\n3,1,0\n4,4,1\n"
    );
}
