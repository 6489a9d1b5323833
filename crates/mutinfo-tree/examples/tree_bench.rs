//! Fits our tree (and, with `--linfa`, linfa-trees at the same settings) on raw little-endian
//! f64 files written by `scripts/bench_tree.py`, prints fit times as JSON and writes test-set
//! predictions, so the script can time sklearn beside both in one run.
//!
//! ```text
//! tree_bench TRAIN_X TRAIN_Y TEST_X N_TRAIN N_TEST D OUT_PRED
//!            [--criterion gain|gini] [--max-depth D] [--linfa] [--repeat R]
//! ```

use std::time::Instant;

use linfa::prelude::*;
use mutinfo_tree::{Criterion, DecisionTree};
use ndarray::{Array1, Array2};

fn read_f64(path: &str, len: usize) -> Vec<f64> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(bytes.len(), len * 8, "{path}: expected {len} f64 values");
    bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 8 {
        eprintln!("usage: tree_bench TRAIN_X TRAIN_Y TEST_X N_TRAIN N_TEST D OUT_PRED [--criterion gain|gini] [--max-depth D] [--linfa] [--repeat R]");
        std::process::exit(2);
    }
    let (n, nt, d): (usize, usize, usize) = (
        a[4].parse().unwrap(),
        a[5].parse().unwrap(),
        a[6].parse().unwrap(),
    );
    let flag = |name: &str| a.iter().position(|s| s == name).map(|i| a[i + 1].clone());
    let criterion = Criterion::parse(&flag("--criterion").unwrap_or("gain".into())).unwrap();
    let max_depth: Option<usize> = flag("--max-depth").map(|s| s.parse().unwrap());
    let repeat: usize = flag("--repeat").map_or(3, |s| s.parse().unwrap());
    let x = Array2::from_shape_vec((n, d), read_f64(&a[1], n * d)).unwrap();
    let y: Array1<usize> = read_f64(&a[2], n).iter().map(|&v| v as usize).collect();
    let xt = Array2::from_shape_vec((nt, d), read_f64(&a[3], nt * d)).unwrap();
    let data = Dataset::new(x, y);

    let mut best = f64::INFINITY;
    let mut tree = None;
    for _ in 0..repeat {
        let t0 = Instant::now();
        let t = DecisionTree::params()
            .criterion(criterion)
            .max_depth(max_depth)
            .fit(&data)
            .unwrap();
        best = best.min(t0.elapsed().as_secs_f64());
        tree = Some(t);
    }
    let tree = tree.unwrap();
    let pred = tree.predict(&xt);
    let bytes: Vec<u8> = pred
        .iter()
        .flat_map(|&p| (p as f64).to_le_bytes())
        .collect();
    std::fs::write(&a[7], bytes).unwrap();
    let mut out = format!(
        "{{\"mutinfo_fit_s\": {best}, \"leaves\": {}, \"depth\": {}",
        tree.n_leaves(),
        tree.depth()
    );
    if a.iter().any(|s| s == "--linfa") {
        let xf = data.records().mapv(|v| v as f32);
        let lin = Dataset::new(xf, data.targets().clone());
        let split = match criterion {
            Criterion::Gini => linfa_trees::SplitQuality::Gini,
            _ => linfa_trees::SplitQuality::Entropy,
        };
        let t0 = Instant::now();
        let m = linfa_trees::DecisionTree::params()
            .split_quality(split)
            .max_depth(max_depth)
            .min_weight_split(2.0)
            .min_weight_leaf(1.0)
            .fit(&lin)
            .unwrap();
        let secs = t0.elapsed().as_secs_f64();
        let pl = m.predict(&xt.mapv(|v| v as f32));
        let acc =
            pl.iter().zip(pred.iter()).filter(|(a, b)| a == b).count() as f64 / nt.max(1) as f64;
        out.push_str(&format!(
            ", \"linfa_fit_s\": {secs}, \"linfa_agreement_with_mutinfo\": {acc}"
        ));
    }
    println!("{out}}}");
}
