//! A mutual-information selector chained with a linfa classifier, cross-validated.
//!
//! ```text
//! cargo run --release --example linfa_pipeline -- [--save SELECTOR.json]
//! ```
//!
//! Reads madelon from `../shared/datasets/madelon.parquet` (2600 rows × 500 features, class
//! `label`) when that file is there, else the shipped `datasets/madelon_like.csv` (class `y`),
//! through the data crate's Arrow reader and its linfa bridge. For several `k` it chains a
//! JMI selector (quantile bins, fitted on each training fold only) with a linfa classifier —
//! mutinfo's decision tree, a linfa `Fit`/`Predict` model — as one
//! [`Selected`](mutinfo::select::Selected) step and prints the 3-fold cross-validated accuracy
//! (linfa's `cross_validate_single`) as a table, the same bit for bit on every run and thread
//! count. (linfa-trees' `DecisionTree` chains the same way, but its accuracies move in the
//! third decimal from run to run: it sums `f32` class frequencies in `HashMap` order.) With
//! `--save PATH` it also fits the k = 20 JMI selector on all rows and saves it through the
//! library, in the format `mutinfo transform --model PATH` reads.

use mutinfo::data::{linfa_classification, read_table, Binning, ReadOptions};
use mutinfo::linfa::prelude::*;
use mutinfo::select::{Criterion, InfoSelector};
use mutinfo::tree::DecisionTree;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

type Error = Box<dyn std::error::Error>;

const KS: [usize; 3] = [5, 10, 20];
const FOLDS: usize = 3;

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let save = match args.as_slice() {
        [] => None,
        [flag, path] if flag == "--save" => Some(PathBuf::from(path)),
        _ => return Err("usage: linfa_pipeline [--save SELECTOR.json]".into()),
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let madelon = root.join("../shared/datasets/madelon.parquet");
    let (path, target) = if madelon.exists() {
        (madelon, "label")
    } else {
        (root.join("datasets/madelon_like.csv"), "y")
    };
    let table = read_table(&path, &ReadOptions::default())?;
    let (data, _classes) = linfa_classification(&table.concat()?, target)?;
    // Shuffle once (seeded) so that every fold holds both classes.
    let mut data = data.shuffle(&mut ChaCha8Rng::seed_from_u64(7));
    println!(
        "{}: {} rows, {} features, {FOLDS}-fold cross-validation",
        path.display(),
        data.nsamples(),
        data.nfeatures()
    );

    let selector = |k: usize| {
        InfoSelector::params()
            .criterion(Criterion::Jmi)
            .k(k)
            .binning(Binning::Quantile { bins: 5 })
    };
    let chains: Vec<_> = KS
        .iter()
        .filter(|&&k| k <= data.nfeatures())
        .map(|&k| selector(k).chain(DecisionTree::params().max_depth(Some(8))))
        .collect();
    let accuracy = data.cross_validate_single(FOLDS, &chains, |predicted, truth| {
        let hits = predicted.iter().zip(truth).filter(|(p, t)| p == t).count();
        Ok(hits as f32 / truth.len() as f32)
    })?;
    println!("| k | JMI + decision tree, accuracy |");
    println!("|---|---|");
    for (k, acc) in KS.iter().zip(&accuracy) {
        println!("| {k} | {acc:.3} |");
    }

    if let Some(out) = save {
        let fitted = selector(20).fit(&data)?.with_target(target);
        fitted.save(&out)?;
        println!(
            "saved the k = 20 JMI selector to {} ({} bytes): {}",
            out.display(),
            std::fs::metadata(&out)?.len(),
            fitted.selected_names().join(" ")
        );
    }
    Ok(())
}
