//! Model round trips across crates and commands (current formats): a tree fitted by
//! `tree fit` predicts its own training rows as `fit` reported, and a selector saved by
//! `select --save-model` drives `transform`; the model files are read, never changed.

mod common;
use common::*;

#[test]
fn tree_fit_predict_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let data = dataset("xor.csv");
    let model = dir.path().join("tree.json").display().to_string();
    let fit = mutinfo(&[
        "tree", "fit", &data, "--target", "y", "--model", &model, "--format", "json",
    ]);
    let summary: serde_json::Value = serde_json::from_str(fit.ok()).unwrap();
    let acc = summary["training_accuracy"].as_f64().unwrap();
    let before = std::fs::read(&model).unwrap();
    let pred = mutinfo(&["tree", "predict", &data, "--model", &model])
        .ok()
        .to_string();
    assert_eq!(
        std::fs::read(&model).unwrap(),
        before,
        "predict changed the model"
    );
    let truth: Vec<String> = std::fs::read_to_string(&data)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().to_string())
        .collect();
    let predicted: Vec<&str> = pred
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(predicted.len(), truth.len());
    let hits = predicted
        .iter()
        .zip(&truth)
        .filter(|(p, t)| **p == t.as_str())
        .count();
    assert!((hits as f64 / truth.len() as f64 - acc).abs() < 1e-12);
    let shown = mutinfo(&["tree", "show", "--model", &model])
        .ok()
        .to_string();
    assert!(!shown.is_empty());
}

#[test]
fn select_save_model_transform_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let data = dataset("redundant.csv");
    let model = dir.path().join("sel.json").display().to_string();
    let out = mutinfo(&[
        "select",
        &data,
        "--target",
        "y",
        "-k",
        "2",
        "--save-model",
        &model,
        "--format",
        "csv",
    ])
    .ok()
    .to_string();
    let picked: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    let before = std::fs::read(&model).unwrap();
    for ext in ["csv", "parquet", "arrow"] {
        let t = dir.path().join(format!("t.{ext}")).display().to_string();
        mutinfo(&[
            "transform",
            &data,
            "--model",
            &model,
            "--keep-target",
            "--out",
            &t,
        ])
        .ok();
        // The projected file has the selected columns and the target, in that order.
        let r = mutinfo(&["rank", &t, "--target", "y", "--format", "csv"])
            .ok()
            .to_string();
        let mut cols: Vec<&str> = r
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap())
            .collect();
        cols.sort_unstable();
        let mut want = picked.clone();
        want.sort_unstable();
        assert_eq!(cols, want, "{ext}");
    }
    assert_eq!(std::fs::read(&model).unwrap(), before);
}

/// Tree models carry their format and version (the CLI file and the library tree inside it);
/// probability columns are ordered by class value (2 before 10), thresholds print at the
/// data's precision, and `show --dot` names classes.
#[test]
fn tree_model_is_versioned_and_prints_classes_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::from("a,y\n");
    for i in 0..60 {
        let (a, y) = match i % 3 {
            0 => (1.1 + (i % 2) as f64 * 0.1, 10),
            1 => (2.3, 2),
            _ => (3.4, 1),
        };
        s.push_str(&format!("{a:.1},{y}\n"));
    }
    let data = write(dir.path(), "d.csv", &s);
    let model = dir.path().join("tree.json").display().to_string();
    mutinfo(&["tree", "fit", &data, "--target", "y", "--model", &model]).ok();
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(m["format"], "mutinfo-tree-model");
    assert_eq!(m["format_version"], 1);
    assert_eq!(m["tree"]["format"], "mutinfo-tree");
    assert_eq!(m["tree"]["format_version"], 1);
    let pred = mutinfo(&["tree", "predict", &data, "--model", &model, "--proba"])
        .ok()
        .to_string();
    assert_eq!(pred.lines().next().unwrap(), "row,y,p(1),p(2),p(10)");
    assert!(
        pred.lines().nth(1).unwrap().starts_with("0,10,0,0,1"),
        "{pred}"
    );
    let text = mutinfo(&["tree", "show", "--model", &model])
        .ok()
        .to_string();
    // Midpoints of 1.2|2.3 and 2.3|3.4: exact with two decimals.
    assert!(
        text.contains("a <= 1.75") && text.contains("a <= 2.85"),
        "{text}"
    );
    let dot = mutinfo(&["tree", "show", "--model", &model, "--dot"])
        .ok()
        .to_string();
    assert!(dot.contains("class = 10") && dot.contains("1.75"), "{dot}");
    // Another version is refused, naming the file.
    let mut v = m.clone();
    v["format_version"] = 2.into();
    let bad = write(dir.path(), "v2.json", &v.to_string());
    mutinfo(&["tree", "predict", &data, "--model", &bad]).refused(&[&bad, "version"]);
    let mut v = m;
    v["tree"]["format_version"] = 7.into();
    let bad = write(dir.path(), "t7.json", &v.to_string());
    mutinfo(&["tree", "predict", &data, "--model", &bad]).refused(&[&bad, "format_version 7"]);
}
