//! Times greedy selection on a discretized matrix written by `scripts/bench_select_vs_pymrmr.py`.
//!
//! File layout (little endian): `n: u64`, `p: u64`, then the `p` columns of `n` `u8` codes
//! each, then `n` `u8` class labels.
//!
//! ```text
//! cargo run --release -p mutinfo-select --example select_timing -- DATA.bin K CRITERION...
//! ```
//! Prints one JSON object per criterion: best wall time of 3 runs (seconds), the CPU time of
//! that run (all threads, from `/proc/self/task/*/schedstat` on Linux; `null` elsewhere; on a
//! shared machine it is the steadier figure) and the selection.

use mutinfo_core::{CodeMatrix, Codes};
use mutinfo_select::{select, Criterion, SelectOptions};
use std::time::Instant;

#[path = "common/codes_file.rs"]
mod codes_file;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        return Err("usage: select_timing DATA.bin K CRITERION...".into());
    }
    let (n, p, body) = codes_file::read(&args[1])?;
    let body = body.as_slice();
    let columns = (0..p)
        .map(|j| Codes::from_values(&body[j * n..(j + 1) * n]))
        .collect::<Result<Vec<_>, _>>()?;
    let x = CodeMatrix::from_columns(columns)?;
    let y = Codes::from_values(&body[p * n..])?;
    let k: usize = args[2].parse()?;
    for name in &args[3..] {
        let crit: Criterion = name.parse()?;
        let opts = SelectOptions::new(crit).k(k);
        let mut best = f64::INFINITY;
        let mut best_cpu = f64::INFINITY;
        let mut selected = Vec::new();
        for _ in 0..3 {
            let c = cpu_seconds();
            let t = Instant::now();
            let s = select(&x, &y, &opts)?;
            best = best.min(t.elapsed().as_secs_f64());
            if let (Some(a), Some(b)) = (c, cpu_seconds()) {
                best_cpu = best_cpu.min(b - a);
            }
            selected = s.selected();
        }
        let cpu = if best_cpu.is_finite() {
            best_cpu.to_string()
        } else {
            "null".into()
        };
        println!(
            "{{\"criterion\": \"{}\", \"seconds\": {best}, \"cpu_seconds\": {cpu}, \"selected\": {selected:?}}}",
            crit.name()
        );
    }
    Ok(())
}

/// On-CPU time of every thread of this process so far (Linux), in seconds.
fn cpu_seconds() -> Option<f64> {
    let mut ns = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        ns += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(ns as f64 * 1e-9)
}
