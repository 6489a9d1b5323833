//! Pick the next pool points to label from a committee's predictive samples — what
//! `mutinfo acquire PROBS --method M --batch B --seed S` does.
//!
//! ```text
//! cargo run --example active_acquire -- [PROBS.npy] [METHOD] [BATCH] [SEED]
//! ```
//!
//! `PROBS.npy` holds an `[N pool × K members × C classes]` float array (e.g. MC-dropout or
//! ensemble outputs saved with `numpy.save`); without arguments a small synthetic committee is
//! used. METHOD is any name `mutinfo::active::Acquisition` parses (bald, batchbald, power,
//! softmax, softrank, entropy, margin, least-confidence, variation-ratios, mean-std, random).

use mutinfo::active::{read_npy, Acquisition};
use ndarray::Array3;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let probs = match args.first() {
        Some(path) => read_npy(path)?,
        None => synthetic(),
    };
    let method: Acquisition = args.get(1).map_or("batchbald", String::as_str).parse()?;
    let batch: usize = args.get(2).map_or(Ok(5), |s| s.parse())?;
    let seed: u64 = args.get(3).map_or(Ok(0), |s| s.parse())?;
    let (n, k, c) = probs.dim();
    println!("pool {n}, {k} members, {c} classes; method {method}, batch {batch}, seed {seed}");
    let sel = method.select(probs.view(), batch, seed)?;
    println!("rank\tindex\tscore_nats");
    for (r, (i, s)) in sel.indices.iter().zip(&sel.scores).enumerate() {
        println!("{}\t{i}\t{s:.6}", r + 1);
    }
    Ok(())
}

/// 60 points, 8 members, 3 classes: points 0..20 agreed on, 20..40 disputed, 40..60 duplicates
/// of 20..40 (BatchBALD should not take both copies of a disputed point).
fn synthetic() -> Array3<f64> {
    Array3::from_shape_fn((60, 8, 3), |(n, k, c)| {
        let base = n % 20;
        let logit = |class: usize| -> f64 {
            let disputed = n >= 20;
            let shift = if disputed {
                ((k + base) % 3 == class) as u8 as f64 * 3.0
            } else {
                0.0
            };
            (base % 3 == class) as u8 as f64 * 2.0 + shift
        };
        let z: f64 = (0..3).map(|j| logit(j).exp()).sum();
        logit(c).exp() / z
    })
}
