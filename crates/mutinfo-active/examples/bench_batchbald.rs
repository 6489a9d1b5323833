//! Times greedy BatchBALD on predictive samples read from a `.npy` file and prints the batch.
//!
//! Usage: `bench_batchbald PROBS.npy BATCH M [prune|full]` — driven by
//! `scripts/bench_batchbald.py`, which times a NumPy implementation on the same file.

use std::time::Instant;

use mutinfo_active::{read_npy, BatchBald};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        return Err("usage: bench_batchbald PROBS.npy BATCH M [prune|full]".into());
    }
    let probs = read_npy(&args[1])?;
    let batch: usize = args[2].parse()?;
    let m: usize = args[3].parse()?;
    let prune = args.get(4).map(|s| s != "full").unwrap_or(true);
    let bb = BatchBald::new().num_samples(m).seed(0).prune(prune);
    // One warm-up run on a small slice so page faults and thread start-up are not timed.
    bb.select(
        probs.slice(ndarray::s![..100.min(probs.dim().0), .., ..]),
        2,
    )?;
    let t = Instant::now();
    let sel = bb.select(probs.view(), batch)?;
    let secs = t.elapsed().as_secs_f64();
    println!("seconds {secs:.4}");
    println!("indices {:?}", sel.indices);
    println!("joint_mi {:?}", sel.joint_mi);
    println!("exact {:?}", sel.exact);
    println!("evaluations {}", sel.evaluations);
    Ok(())
}
