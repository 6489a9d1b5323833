//! End-to-end tests of `mutinfo tree fit | predict | show`.

mod common;
use common::{mutinfo, repo};
use std::path::Path;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const TENNIS: &str = "outlook,temperature,humidity,wind,play
sunny,hot,high,weak,no
sunny,hot,high,strong,no
overcast,hot,high,weak,yes
rain,mild,high,weak,yes
rain,cool,normal,weak,yes
rain,cool,normal,strong,no
overcast,cool,normal,strong,yes
sunny,mild,high,weak,no
sunny,cool,normal,weak,yes
rain,mild,normal,weak,yes
sunny,mild,normal,strong,yes
overcast,mild,high,strong,yes
overcast,hot,normal,weak,yes
rain,mild,high,strong,no
";

#[test]
fn play_tennis_fit_show_predict() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("tennis.csv");
    std::fs::write(&data, TENNIS).unwrap();
    let model = dir.path().join("tree.json");
    let (code, out, err) = mutinfo(&[
        "tree",
        "fit",
        s(&data),
        "--target",
        "play",
        "--model",
        s(&model),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("5 leaves, depth 2, training accuracy 1.0000"),
        "{out}"
    );
    let (code, text, err) = mutinfo(&["tree", "show", "--model", s(&model)]);
    assert_eq!(code, 0, "{err}");
    // Quinlan's ID3 tree; categories are listed in sorted order.
    assert_eq!(
        text,
        "\
|--- outlook = overcast
|   |--- class: yes (weight 4)
|--- outlook = rain
|   |--- wind = strong
|   |   |--- class: no (weight 2)
|   |--- wind = weak
|   |   |--- class: yes (weight 3)
|--- outlook = sunny
|   |--- humidity = high
|   |   |--- class: no (weight 3)
|   |--- humidity = normal
|   |   |--- class: yes (weight 2)
"
    );
    let (code, dot, _) = mutinfo(&["tree", "show", "--model", s(&model), "--dot"]);
    assert_eq!(code, 0);
    assert!(dot.starts_with("digraph Tree {"));
    // New rows: an unseen outlook and a missing one are spread over the branches.
    let new = dir.path().join("new.csv");
    std::fs::write(
        &new,
        "outlook,temperature,humidity,wind\nsunny,hot,normal,weak\nfoggy,hot,high,weak\n,mild,high,strong\n",
    )
    .unwrap();
    let preds = dir.path().join("preds.csv");
    let (code, _, err) = mutinfo(&[
        "tree",
        "predict",
        s(&new),
        "--model",
        s(&model),
        "--proba",
        "--out",
        s(&preds),
    ]);
    assert_eq!(code, 0, "{err}");
    let p = std::fs::read_to_string(&preds).unwrap();
    let lines: Vec<&str> = p.lines().collect();
    assert_eq!(lines[0], "row,play,p(no),p(yes)");
    assert_eq!(lines[1], "0,yes,0,1");
    // foggy: 4/14 overcast (yes), 5/14 rain (weak → yes), 5/14 sunny (high → no).
    let f: Vec<f64> = lines[2]
        .split(',')
        .skip(2)
        .map(|v| v.parse().unwrap())
        .collect();
    assert!(
        (f[0] - 5.0 / 14.0).abs() < mutinfo_core::prec::GOLDEN
            && (f[1] - 9.0 / 14.0).abs() < mutinfo_core::prec::GOLDEN,
        "{p}"
    );
}

#[test]
fn numeric_data_with_pruning_and_json_summary() {
    let data = repo().join("datasets/madelon_like.csv");
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    let (code, out, err) = mutinfo(&[
        "tree",
        "fit",
        s(&data),
        "--target",
        "y",
        "--criterion",
        "gini",
        "--max-depth",
        "6",
        "--prune",
        "ccp:0.001",
        "--model",
        s(&model),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["depth"].as_u64().unwrap() <= 6);
    let imp = v["importances"].as_array().unwrap();
    let total: f64 = imp.iter().map(|f| f["importance"].as_f64().unwrap()).sum();
    assert!((total - 1.0).abs() < mutinfo_core::prec::CONVERGED);
    // Predicting the training file gives the reported training accuracy.
    let (code, preds, err) = mutinfo(&["tree", "predict", s(&data), "--model", s(&model)]);
    assert_eq!(code, 0, "{err}");
    let truth: Vec<String> = std::fs::read_to_string(&data)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().to_string())
        .collect();
    let predicted: Vec<String> = preds
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().to_string())
        .collect();
    assert_eq!(predicted.len(), 2000);
    let acc = predicted.iter().zip(&truth).filter(|(p, t)| p == t).count() as f64 / 2000.0;
    assert!((acc - v["training_accuracy"].as_f64().unwrap()).abs() < mutinfo_core::prec::GOLDEN);
}

#[test]
fn bad_tree_inputs_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("tennis.csv");
    std::fs::write(&data, TENNIS).unwrap();
    let model = dir.path().join("tree.json");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["--target".into(), "nope".into()], "nope"),
        (
            vec![
                "--target".into(),
                "play".into(),
                "--criterion".into(),
                "best".into(),
            ],
            "criterion",
        ),
        (
            vec![
                "--target".into(),
                "play".into(),
                "--prune".into(),
                "ccp".into(),
            ],
            "--prune",
        ),
        (
            vec![
                "--target".into(),
                "play".into(),
                "--max-depth".into(),
                "0".into(),
            ],
            "max_depth",
        ),
        (
            vec![
                "--target".into(),
                "play".into(),
                "--max-features".into(),
                "lots".into(),
            ],
            "--max-features",
        ),
        (
            vec![
                "--target".into(),
                "play".into(),
                "--categorical-split".into(),
                "ternary".into(),
            ],
            "categorical-split",
        ),
    ];
    for (extra, needle) in cases {
        let mut args: Vec<String> = vec!["tree".into(), "fit".into(), s(&data).into()];
        args.extend(extra);
        args.extend(["--model".into(), s(&model).into()]);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, _, err) = mutinfo(&refs);
        assert_ne!(code, 0, "{args:?}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!model.exists(), "a failed fit must not leave a model");
    }
    // The model must not overwrite the data.
    let (code, _, err) = mutinfo(&[
        "tree",
        "fit",
        s(&data),
        "--target",
        "play",
        "--model",
        s(&data),
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("overwrite"), "{err}");
    assert!(std::fs::read_to_string(&data)
        .unwrap()
        .starts_with("outlook"));
    // Infinite values name column and row.
    let inf = dir.path().join("inf.csv");
    std::fs::write(&inf, "a,y\n1.0,x\ninf,y\n2.0,x\n").unwrap();
    let (code, _, err) = mutinfo(&[
        "tree",
        "fit",
        s(&inf),
        "--target",
        "y",
        "--model",
        s(&model),
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("column a") && err.contains("row 1"), "{err}");
    // A corrupt model file.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"format\": \"something else\"}").unwrap();
    let (code, _, err) = mutinfo(&["tree", "show", "--model", s(&bad)]);
    assert_ne!(code, 0);
    assert!(err.contains("bad.json"), "{err}");
    // Predicting a file that lacks a feature names it.
    mutinfo(&[
        "tree",
        "fit",
        s(&data),
        "--target",
        "play",
        "--model",
        s(&model),
    ]);
    let short = dir.path().join("short.csv");
    std::fs::write(&short, "outlook,wind\nsunny,weak\n").unwrap();
    let (code, _, err) = mutinfo(&["tree", "predict", s(&short), "--model", s(&model)]);
    assert_ne!(code, 0);
    assert!(err.contains("temperature"), "{err}");
}
