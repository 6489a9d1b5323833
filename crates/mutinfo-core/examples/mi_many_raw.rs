//! Times `mutual_information_many` on a raw table written by `scripts/bench_core_vs_sklearn.py`:
//! `X.bin` (column-major `u8`, `p` columns of `n` rows) and `y.bin` (`u8`, `n` rows).
//!
//! `cargo run --release -p mutinfo-core --example mi_many_raw -- DIR N P REPEATS`
//! prints one JSON line: seconds (best of the repeats), cells per second, and the MI values.

use mutinfo_core::{mutual_information_many, Codes, Estimator};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        return Err("usage: mi_many_raw DIR N P REPEATS".into());
    }
    let dir = std::path::Path::new(&args[1]);
    let n: usize = args[2].parse()?;
    let p: usize = args[3].parse()?;
    let repeats: usize = args[4].parse()?;
    let x = std::fs::read(dir.join("X.bin"))?;
    let y = std::fs::read(dir.join("y.bin"))?;
    if x.len() != n * p || y.len() != n {
        return Err(format!(
            "expected {} and {} bytes, found {} and {}",
            n * p,
            n,
            x.len(),
            y.len()
        )
        .into());
    }
    let cols: Vec<Codes> = x
        .chunks_exact(n)
        .map(|c| Codes::from_codes(c.iter().map(|&v| v as u32).collect(), 256))
        .collect::<Result<_, _>>()?;
    let y = Codes::from_codes_auto(y.iter().map(|&v| v as u32).collect())?;
    let refs: Vec<&Codes> = cols.iter().collect();
    let mut best = f64::INFINITY;
    let mut mi = Vec::new();
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        mi = mutual_information_many(&refs, &y, Estimator::PlugIn)?;
        best = best.min(t.elapsed().as_secs_f64());
    }
    let values: Vec<String> = mi.iter().map(|v| format!("{v:.17e}")).collect();
    println!(
        "{{\"seconds\": {best}, \"cells_per_second\": {}, \"threads\": {}, \"mi\": [{}]}}",
        (n * p) as f64 / best,
        rayon::current_num_threads(),
        values.join(",")
    );
    Ok(())
}
