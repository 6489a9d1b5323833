//! A linfa pipeline: select features with mutual information, then fit and score a linfa
//! model on the selected columns, beside the same model on all columns.
//!
//! ```text
//! cargo run --example select_pipeline -- [DATA.csv] [K] [CRITERION]
//! ```
//!
//! Without arguments it reads `datasets/madelon_like.csv` (2000 rows: 5 informative features
//! `i0…i4`, 5 linear combinations of them `r0…r4`, 15 Gaussian noise features, class `y`; see
//! `datasets/README.md`). The last column is the class; every other column a numeric
//! feature. The first 1500 rows train, the last 500 test. The selector discretizes each
//! feature into 10 equal-width bins (fitted on the training rows only) and picks `K` features
//! (default 5) with `CRITERION` (default `jmi`; any name `mutinfo::select::Criterion` parses).
//! The model is linfa-logistic's L2-regularised logistic regression, fitted on the selected
//! columns and on all columns.

use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use mutinfo::data::Binning;
use mutinfo::select::{Criterion, InfoSelector};
use ndarray::{s, Array1, Array2};
use std::time::Instant;

type Data = DatasetBase<Array2<f64>, Array1<usize>>;
type Error = Box<dyn std::error::Error>;
/// Feature names, feature values and class labels.
type Table = (Vec<String>, Array2<f64>, Array1<usize>);

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let default = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/madelon_like.csv");
    let path = args.first().map_or(default, String::as_str);
    let k: usize = args.get(1).map_or(Ok(5), |s| s.parse())?;
    let criterion: Criterion = args.get(2).map_or("jmi", String::as_str).parse()?;

    let (names, x, y) = read_csv(path)?;
    let n = x.nrows();
    let n_train = n * 3 / 4;
    let train: Data = DatasetBase::new(
        x.slice(s![..n_train, ..]).to_owned(),
        y.slice(s![..n_train]).to_owned(),
    )
    .with_feature_names(names.clone());
    let test: Data = DatasetBase::new(
        x.slice(s![n_train.., ..]).to_owned(),
        y.slice(s![n_train..]).to_owned(),
    )
    .with_feature_names(names);
    println!(
        "{path}: {} train / {} test rows, {} features",
        train.nsamples(),
        test.nsamples(),
        train.nfeatures()
    );

    // 1. Feature selection, fitted on the training rows only.
    let t = Instant::now();
    let selector = InfoSelector::params()
        .criterion(criterion)
        .k(k)
        .binning(Binning::Uniform { bins: 10 })
        .fit(&train)?;
    println!(
        "{criterion} selected {:?} in {:.1} ms",
        selector.selected_names(),
        t.elapsed().as_secs_f64() * 1e3
    );
    for (step, name) in selector.steps().iter().zip(selector.selected_names()) {
        println!(
            "  {name:>4}  score {:.4}  relevance {:.4} nats",
            step.score, step.relevance
        );
    }

    // 2. The same model on the selected columns and on all of them.
    let acc_sel = fit_and_score(
        &selector.transform(train.clone()),
        &selector.transform(test.clone()),
    )?;
    let acc_all = fit_and_score(&train, &test)?;
    println!("logistic regression, test accuracy:");
    println!("  {k:>2} selected features: {acc_sel:.3}");
    println!("  {:>2} features (all):    {acc_all:.3}", train.nfeatures());
    Ok(())
}

/// Fits logistic regression on `train` and returns its accuracy on `test`.
fn fit_and_score(train: &Data, test: &Data) -> Result<f32, Error> {
    let model = LogisticRegression::default()
        .alpha(1e-3)
        .max_iterations(200)
        .fit(train)?;
    let pred = model.predict(test);
    Ok(pred.confusion_matrix(test)?.accuracy())
}

/// A CSV of numeric features with a header; the last column is an integer class.
fn read_csv(path: &str) -> Result<Table, Error> {
    let text = std::fs::read_to_string(path)?;
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .ok_or("empty file")?
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    let p = header
        .len()
        .checked_sub(1)
        .filter(|&p| p > 0)
        .ok_or("need features and a class")?;
    let (mut values, mut labels) = (Vec::new(), Vec::new());
    for (i, line) in lines.filter(|l| !l.trim().is_empty()).enumerate() {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != p + 1 {
            return Err(format!(
                "row {}: expected {} fields, found {}",
                i + 1,
                p + 1,
                fields.len()
            )
            .into());
        }
        for f in &fields[..p] {
            values.push(f.parse::<f64>()?);
        }
        labels.push(fields[p].parse::<usize>()?);
    }
    let x = Array2::from_shape_vec((labels.len(), p), values)?;
    Ok((header[..p].to_vec(), x, Array1::from(labels)))
}
