//! Behaviour of the tree: Quinlan's play-tennis tree, brute-force equality, missing values,
//! weights, categorical splits, pruning, probabilities, determinism, save/load, bad input.

use linfa::prelude::*;
use mutinfo_tree::split::child_cost_direct;
use mutinfo_tree::{
    CategoricalSplit, CategoricalTest, Criterion, DecisionTree, MaxFeatures, Pruning, Test,
    TreeError,
};
use ndarray::{array, Array1, Array2};
use proptest::prelude::*;

/// Quinlan (1986), Table 1: outlook, temperature, humidity, windy → play.
fn play_tennis() -> (Array2<f64>, Vec<&'static str>) {
    let rows = [
        ("sunny", "hot", "high", "weak", "no"),
        ("sunny", "hot", "high", "strong", "no"),
        ("overcast", "hot", "high", "weak", "yes"),
        ("rain", "mild", "high", "weak", "yes"),
        ("rain", "cool", "normal", "weak", "yes"),
        ("rain", "cool", "normal", "strong", "no"),
        ("overcast", "cool", "normal", "strong", "yes"),
        ("sunny", "mild", "high", "weak", "no"),
        ("sunny", "cool", "normal", "weak", "yes"),
        ("rain", "mild", "normal", "weak", "yes"),
        ("sunny", "mild", "normal", "strong", "yes"),
        ("overcast", "mild", "high", "strong", "yes"),
        ("overcast", "hot", "normal", "weak", "yes"),
        ("rain", "mild", "high", "strong", "no"),
    ];
    let code = |vals: &[&str], v: &str| vals.iter().position(|&x| x == v).unwrap() as f64;
    let (o, t, h, w) = (
        ["sunny", "overcast", "rain"],
        ["hot", "mild", "cool"],
        ["high", "normal"],
        ["weak", "strong"],
    );
    let x = Array2::from_shape_fn((14, 4), |(i, j)| {
        let r = rows[i];
        match j {
            0 => code(&o, r.0),
            1 => code(&t, r.1),
            2 => code(&h, r.2),
            _ => code(&w, r.3),
        }
    });
    (x, rows.iter().map(|r| r.4).collect())
}

fn names() -> Vec<Vec<String>> {
    [
        vec!["sunny", "overcast", "rain"],
        vec!["hot", "mild", "cool"],
        vec!["high", "normal"],
        vec!["weak", "strong"],
    ]
    .iter()
    .map(|v| v.iter().map(|s| s.to_string()).collect())
    .collect()
}

#[test]
fn play_tennis_gives_quinlans_id3_tree() {
    let (x, y) = play_tennis();
    let data = Dataset::new(x.clone(), Array1::from(y.clone())).with_feature_names(vec![
        "outlook",
        "temperature",
        "humidity",
        "wind",
    ]);
    let tree = DecisionTree::params()
        .categorical(vec![0, 1, 2, 3])
        .fit(&data)
        .unwrap()
        .with_category_names(names());
    let root = tree.nodes()[0].split.as_ref().unwrap();
    assert_eq!(root.feature, 0, "root tests outlook");
    // Gain(outlook) = 0.246 bits (Quinlan 1986).
    assert!(
        (root.gain / std::f64::consts::LN_2 - 0.246_749_819_774_439_1).abs()
            < mutinfo_core::prec::GOLDEN
    );
    let text = tree.export_text();
    let expected = "\
|--- outlook = sunny
|   |--- humidity = high
|   |   |--- class: no (weight 3)
|   |--- humidity = normal
|   |   |--- class: yes (weight 2)
|--- outlook = overcast
|   |--- class: yes (weight 4)
|--- outlook = rain
|   |--- wind = weak
|   |   |--- class: yes (weight 3)
|   |--- wind = strong
|   |   |--- class: no (weight 2)
";
    assert_eq!(text, expected);
    assert_eq!(tree.predict(&x).to_vec(), y);
    let dot = tree.export_dot();
    assert!(dot.starts_with("digraph Tree {") && dot.contains("0 -> 1 [label=\"= sunny\"]"));
    // Gain ratio picks the same tree here.
    let gr = DecisionTree::params()
        .criterion(Criterion::GainRatio)
        .categorical(vec![0, 1, 2, 3])
        .fit(&data)
        .unwrap();
    assert_eq!(gr.n_leaves(), 5);
    assert_eq!(gr.nodes()[0].split.as_ref().unwrap().feature, 0);
}

/// A naive recursive tree: every feature, every threshold, from scratch.
fn brute_tree(
    x: &Array2<f64>,
    y: &[usize],
    rows: Vec<usize>,
    k: usize,
    crit: Criterion,
    out: &mut Vec<Option<(usize, f64)>>,
) {
    let mut tot = vec![0.0; k];
    rows.iter().for_each(|&r| tot[y[r]] += 1.0);
    if tot.iter().filter(|&&v| v > 0.0).count() <= 1 {
        out.push(None);
        return;
    }
    let w = rows.len() as f64;
    let parent = child_cost_direct(crit, &tot);
    let mut best: Option<(f64, usize, f64)> = None;
    for f in 0..x.ncols() {
        let mut vals: Vec<f64> = rows.iter().map(|&r| x[[r, f]]).collect();
        vals.sort_by(f64::total_cmp);
        vals.dedup();
        for p in vals.windows(2) {
            let t = p[0] / 2.0 + p[1] / 2.0;
            let (mut l, mut r) = (vec![0.0; k], vec![0.0; k]);
            for &i in &rows {
                if x[[i, f]] <= t {
                    l[y[i]] += 1.0
                } else {
                    r[y[i]] += 1.0
                }
            }
            let gain = (parent - child_cost_direct(crit, &l) - child_cost_direct(crit, &r)) / w;
            if best.is_none_or(|b| gain > b.0 + mutinfo_core::prec::GOLDEN * parent / w) {
                best = Some((gain, f, t));
            }
        }
    }
    match best {
        None => out.push(None),
        Some((_, f, t)) => {
            out.push(Some((f, t)));
            let (l, r): (Vec<usize>, Vec<usize>) = rows.iter().partition(|&&i| x[[i, f]] <= t);
            brute_tree(x, y, l, k, crit, out);
            brute_tree(x, y, r, k, crit, out);
        }
    }
}

fn preorder<L: linfa::Label>(tree: &DecisionTree<L>) -> Vec<Option<(usize, f64)>> {
    let mut out = Vec::new();
    let mut stack = vec![0usize];
    while let Some(id) = stack.pop() {
        match &tree.nodes()[id].split {
            None => out.push(None),
            Some(s) => {
                let Test::Threshold(t) = s.test else { panic!() };
                out.push(Some((s.feature, t)));
                stack.extend(s.children.iter().rev());
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn grown_tree_equals_brute_force(
        n in 2usize..60, d in 1usize..5, k in 2usize..4, seed in any::<u64>(), gini in any::<bool>()
    ) {
        let mut s = seed | 1;
        let mut next = move || { s ^= s << 13; s ^= s >> 7; s ^= s << 17; s };
        let x = Array2::from_shape_fn((n, d), |_| (next() % 7) as f64);
        let y: Vec<usize> = (0..n).map(|_| (next() % k as u64) as usize).collect();
        let crit = if gini { Criterion::Gini } else { Criterion::InformationGain };
        let data = Dataset::new(x.clone(), Array1::from(y.clone()));
        let tree = DecisionTree::params().criterion(crit).min_samples_split(0.0).fit(&data).unwrap();
        let mut expected = Vec::new();
        brute_tree(&x, &y, (0..n).collect(), k, crit, &mut expected);
        prop_assert_eq!(preorder(&tree), expected);
        let p = tree.predict_proba(x.view()).unwrap();
        for r in p.rows() {
            prop_assert!((r.sum() - 1.0).abs() < mutinfo_core::prec::GOLDEN);
        }
    }

    #[test]
    fn probabilities_sum_to_one_with_missing_values(seed in any::<u64>(), laplace in 0.0f64..2.0) {
        let mut s = seed | 1;
        let mut next = move || { s ^= s << 13; s ^= s >> 7; s ^= s << 17; s };
        let x = Array2::from_shape_fn((80, 3), |_| {
            let v = next() % 10;
            if v == 0 { f64::NAN } else { v as f64 }
        });
        let y: Array1<usize> = (0..80).map(|_| (next() % 3) as usize).collect();
        let tree = DecisionTree::params().laplace(laplace).fit(&Dataset::new(x.clone(), y)).unwrap();
        let p = tree.predict_proba(x.view()).unwrap();
        for r in p.rows() {
            prop_assert!((r.sum() - 1.0).abs() < mutinfo_core::prec::GOLDEN);
            prop_assert!(r.iter().all(|&v| (0.0..=1.0 + mutinfo_core::prec::GOLDEN).contains(&v)));
        }
    }
}

#[test]
fn weights_equal_duplicated_rows() {
    let x = array![[1.0, 5.0], [2.0, 3.0], [3.0, 4.0], [4.0, 1.0], [5.0, 2.0]];
    let y = array![0usize, 1, 0, 1, 1];
    let w = [3.0f32, 1.0, 2.0, 1.0, 2.0];
    let weighted = Dataset::new(x.clone(), y.clone()).with_weights(Array1::from(w.to_vec()));
    let mut xd = Vec::new();
    let mut yd = Vec::new();
    for (i, &wi) in w.iter().enumerate() {
        for _ in 0..wi as usize {
            xd.extend(x.row(i).iter().copied());
            yd.push(y[i]);
        }
    }
    let dup = Dataset::new(
        Array2::from_shape_vec((yd.len(), 2), xd).unwrap(),
        Array1::from(yd),
    );
    let a = DecisionTree::params().fit(&weighted).unwrap();
    let b = DecisionTree::params().fit(&dup).unwrap();
    assert_eq!(a.nodes(), b.nodes());
}

#[test]
fn missing_values_follow_c45() {
    // Feature 0 separates the classes; two rows lack it. C4.5 measures the gain on the 6 known
    // rows (1 bit... = ln 2 nats) and scales it by 6/8.
    let nan = f64::NAN;
    let x = array![[1.0], [2.0], [3.0], [10.0], [11.0], [12.0], [nan], [nan]];
    let y = array![0usize, 0, 0, 1, 1, 1, 0, 1];
    let tree = DecisionTree::params().fit(&Dataset::new(x, y)).unwrap();
    let root = tree.nodes()[0].split.as_ref().unwrap();
    assert!((root.gain - 0.75 * std::f64::consts::LN_2).abs() < mutinfo_core::prec::ROUNDOFF);
    assert_eq!(root.fractions, vec![0.5, 0.5]);
    // Each child carries its 3 known rows and half of each missing row.
    for &c in &root.children {
        assert_eq!(tree.nodes()[c].weight, 4.0);
    }
    let p = tree.predict_proba(array![[nan], [2.0]].view()).unwrap();
    for (got, want) in p.iter().zip([0.5, 0.5, 3.5 / 4.0, 0.5 / 4.0]) {
        assert!(
            (got - want).abs() < mutinfo_core::prec::ROUNDOFF,
            "{got} vs {want}"
        );
    }
}

#[test]
fn binary_subset_split_groups_categories() {
    // Categories 0 and 2 are class 0, 1 and 3 are class 1: one subset split separates them.
    let x = array![[0.0], [1.0], [2.0], [3.0], [0.0], [1.0], [2.0], [3.0]];
    let y = array![0usize, 1, 0, 1, 0, 1, 0, 1];
    for k_classes in [2usize, 3] {
        let mut y = y.clone();
        if k_classes == 3 {
            y[7] = 2;
        }
        let tree = DecisionTree::params()
            .categorical(vec![0])
            .categorical_split(CategoricalSplit::Binary)
            .fit(&Dataset::new(x.clone(), y))
            .unwrap();
        let root = tree.nodes()[0].split.as_ref().unwrap();
        match &root.test {
            Test::Categorical(CategoricalTest::Subset { left, right }) => {
                assert_eq!((left.clone(), right.clone()), (vec![0, 2], vec![1, 3]))
            }
            t => panic!("{t:?}"),
        }
    }
    // An unseen category is treated as missing: the training mix of the branches.
    let tree = DecisionTree::params()
        .categorical(vec![0])
        .categorical_split(CategoricalSplit::Binary)
        .fit(&Dataset::new(x, y))
        .unwrap();
    let p = tree.predict_proba(array![[7.0]].view()).unwrap();
    assert_eq!(p.row(0).to_vec(), vec![0.5, 0.5]);
}

#[test]
fn pruning_shrinks_noisy_trees() {
    let mut s = 99u64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let x = Array2::from_shape_fn((300, 4), |_| (next() % 1000) as f64);
    // The class is x0 > 500, with 15 % of labels flipped.
    let y: Array1<usize> = x
        .rows()
        .into_iter()
        .map(|r| usize::from(r[0] > 500.0) ^ usize::from(next() % 100 < 15))
        .collect();
    let data = Dataset::new(x, y);
    let full = DecisionTree::params().fit(&data).unwrap();
    let pess = DecisionTree::params()
        .pruning(Pruning::Pessimistic { confidence: 0.25 })
        .fit(&data)
        .unwrap();
    let ccp = DecisionTree::params()
        .pruning(Pruning::CostComplexity { alpha: 0.01 })
        .fit(&data)
        .unwrap();
    assert!(
        pess.n_leaves() < full.n_leaves(),
        "{} vs {}",
        pess.n_leaves(),
        full.n_leaves()
    );
    assert!(ccp.n_leaves() < pess.n_leaves());
    assert_eq!(ccp.nodes()[0].split.as_ref().unwrap().feature, 0);
    // A huge α leaves only the root.
    let root = DecisionTree::params()
        .pruning(Pruning::CostComplexity { alpha: 10.0 })
        .fit(&data)
        .unwrap();
    assert_eq!(root.n_leaves(), 1);
}

#[test]
fn same_seed_same_tree_for_any_thread_count() {
    let mut s = 5u64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let x = Array2::from_shape_fn((3000, 12), |_| (next() % 10_000) as f64 / 7.0);
    let y: Array1<usize> = (0..3000).map(|_| (next() % 3) as usize).collect();
    let data = Dataset::new(x, y);
    let fit = |threads: usize, seed: u64| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                DecisionTree::params()
                    .max_features(MaxFeatures::Sqrt)
                    .seed(seed)
                    .fit(&data)
                    .unwrap()
            })
    };
    let a = fit(1, 7);
    assert_eq!(a, fit(2, 7));
    assert_ne!(a.nodes(), fit(1, 8).nodes());
}

#[test]
fn save_and_load_round_trip_exactly() {
    let (x, y) = play_tennis();
    let data = Dataset::new(
        x.clone() + 0.1,
        Array1::from(y.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
    );
    let tree = DecisionTree::params().laplace(1.0).fit(&data).unwrap();
    let dir = std::env::temp_dir().join(format!("mutinfo-tree-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tree.json");
    tree.save(&path).unwrap();
    let back = DecisionTree::<String>::load(&path).unwrap();
    assert_eq!(tree, back);
    assert_eq!(
        tree.predict_proba(x.view()).unwrap(),
        back.predict_proba(x.view()).unwrap()
    );
    std::fs::write(&path, "{\"not\": \"a tree\"}").unwrap();
    let err = DecisionTree::<String>::load(&path).unwrap_err();
    assert!(err.to_string().contains("tree.json"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_is_a_typed_error() {
    let x = array![[1.0, 0.0], [f64::INFINITY, 1.0]];
    let y = array![0usize, 1];
    let err = DecisionTree::params()
        .fit(&Dataset::new(x, y.clone()))
        .unwrap_err();
    assert_eq!(
        err,
        TreeError::InfiniteValue {
            row: 1,
            column: 0,
            value: f64::INFINITY
        }
    );
    let x = array![[1.0, 0.5], [2.0, 1.0]];
    let err = DecisionTree::params()
        .categorical(vec![1])
        .fit(&Dataset::new(x.clone(), y.clone()))
        .unwrap_err();
    assert!(matches!(
        err,
        TreeError::InvalidCategory {
            row: 0,
            column: 1,
            ..
        }
    ));
    let err = DecisionTree::params()
        .categorical(vec![5])
        .fit(&Dataset::new(x.clone(), y.clone()))
        .unwrap_err();
    assert!(matches!(
        err,
        TreeError::InvalidParameter {
            name: "categorical",
            ..
        }
    ));
    for p in [
        DecisionTree::params().max_depth(Some(0)),
        DecisionTree::params().min_samples_leaf(0.0),
        DecisionTree::params().max_features(MaxFeatures::Fraction(1.5)),
        DecisionTree::params().pruning(Pruning::Pessimistic { confidence: 0.9 }),
        DecisionTree::params().laplace(f64::NAN),
    ] {
        assert!(matches!(
            p.fit(&Dataset::new(x.clone(), y.clone())),
            Err(TreeError::InvalidParameter { .. })
        ));
    }
    let tree = DecisionTree::params()
        .fit(&Dataset::new(x.clone(), y))
        .unwrap();
    assert!(matches!(
        tree.predict_proba(array![[1.0]].view()),
        Err(TreeError::LengthMismatch { .. })
    ));
    assert!(matches!(
        tree.predict_proba(array![[1.0, f64::NEG_INFINITY]].view()),
        Err(TreeError::InfiniteValue {
            row: 0,
            column: 1,
            ..
        })
    ));
}

/// A hand-edited model file with an impossible value is refused on load, naming what is wrong
/// (regression for issue 14: Laplace −5, negative weights and repeated names used to load).
#[test]
fn tampered_model_files_are_refused() {
    let (x, y) = play_tennis();
    let data = Dataset::new(
        x + 0.1,
        Array1::from(y.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
    );
    let tree = DecisionTree::params().laplace(1.0).fit(&data).unwrap();
    let good: serde_json::Value = serde_json::from_str(&tree.to_json().unwrap()).unwrap();
    assert!(DecisionTree::<String>::from_json(&good.to_string()).is_ok());
    type Edit = fn(&mut serde_json::Value);
    assert_eq!(good["format"], "mutinfo-tree");
    assert_eq!(good["format_version"], 1);
    let cases: [(Edit, &str); 8] = [
        (|v| v["format_version"] = 99.into(), "format_version 99"),
        (
            |v| {
                v.as_object_mut().unwrap().remove("format");
            },
            "format",
        ),
        (|v| v["surprise"] = 1.into(), "unknown field"),
        (|v| v["settings"]["laplace"] = (-5.0).into(), "laplace"),
        (
            |v| v["nodes"][0]["class_weights"][0] = (-1.0).into(),
            "weight",
        ),
        (|v| v["nodes"][0]["weight"] = (-3.0).into(), "weight"),
        (
            |v| v["feature_names"][1] = v["feature_names"][0].clone(),
            "repeated",
        ),
        (|v| v["feature_names"][0] = "".into(), "empty"),
    ];
    for (edit, word) in cases {
        let mut v = good.clone();
        edit(&mut v);
        let err = DecisionTree::<String>::from_json(&v.to_string()).unwrap_err();
        assert!(err.to_string().contains(word), "{word}: {err}");
    }
}
