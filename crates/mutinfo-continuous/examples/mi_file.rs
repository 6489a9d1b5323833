//! Estimates from raw little-endian f64 files, for the Python comparison scripts
//! (scripts/bench_continuous_vs_sklearn.py, scripts/benchmark_mi_continuous.py).
//!
//! ```text
//! mi_file                      a small synthetic demo (what CI runs)
//! mi_file estimate FILE K      FILE = u64 n, u64 dx, u64 dy, n·(dx+dy) f64 row-major;
//!                              prints "estimator value" for every estimator
//! mi_file many FILE K REPEATS  FILE = u64 n, u64 p, n·p features row-major, n target values;
//!                              prints the best wall and CPU time (ms) of `many` for ksg and
//!                              copula, and the KSG values
//! ```

use std::error::Error;
use std::time::Instant;

use mutinfo_continuous::{ContinuousMi, Estimator};
use ndarray::{s, Array1, Array2};

fn read(path: &str) -> Result<(Vec<u64>, Vec<f64>), Box<dyn Error>> {
    let bytes = std::fs::read(path)?;
    let header: Vec<u64> = bytes[..24]
        .chunks(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let values = bytes[24..]
        .chunks(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    Ok((header, values))
}

/// CPU time of all threads of this process in ms (Linux `/proc/self/task/*/schedstat`, ns), to
/// time fairly on a busy machine.
fn cpu_ms() -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return f64::NAN;
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_to_string(e.path().join("schedstat")).ok())
        .filter_map(|s| {
            s.split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
        })
        .sum::<f64>()
        / 1e6
}

fn estimate(x: &Array2<f64>, y: &Array2<f64>, k: usize) {
    for est in Estimator::ALL {
        if est == Estimator::Ross {
            continue;
        }
        match ContinuousMi::new()
            .estimator(est)
            .neighbors(k)
            .mutual_information(x.view(), y.view())
        {
            Ok(e) => println!("{} {:.17e} {}", est, e.value, e.estimator),
            Err(err) => println!("{est} nan error: {err}"),
        }
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("estimate") => {
            let (h, v) = read(&args[2])?;
            let (n, dx, dy) = (h[0] as usize, h[1] as usize, h[2] as usize);
            let all = Array2::from_shape_vec((n, dx + dy), v)?;
            let x = all.slice(s![.., ..dx]).to_owned();
            let y = all.slice(s![.., dx..]).to_owned();
            estimate(&x, &y, args[3].parse()?);
        }
        Some("many") => {
            let (h, v) = read(&args[2])?;
            let (n, p) = (h[0] as usize, h[1] as usize);
            let k: usize = args[3].parse()?;
            let repeats: usize = args[4].parse()?;
            let x = Array2::from_shape_vec((n, p), v[..n * p].to_vec())?;
            let y = Array1::from_vec(v[n * p..n * p + n].to_vec());
            for est in [Estimator::Ksg1, Estimator::Copula, Estimator::Auto] {
                let m = ContinuousMi::new().estimator(est).neighbors(k);
                let (mut best, mut best_cpu) = (f64::INFINITY, f64::INFINITY);
                let mut values = Vec::new();
                for _ in 0..repeats {
                    let (t, c) = (Instant::now(), cpu_ms());
                    values = m.many(x.view(), y.view())?;
                    best = best.min(t.elapsed().as_secs_f64() * 1e3);
                    best_cpu = best_cpu.min(cpu_ms() - c);
                }
                println!("time_ms {est} {best:.3} {best_cpu:.3}");
                if est == Estimator::Ksg1 {
                    let v: Vec<String> =
                        values.iter().map(|e| format!("{:.17e}", e.value)).collect();
                    println!("values {}", v.join(" "));
                }
            }
        }
        _ => {
            // Demo: y = x² + small deterministic noise.
            let n = 2000;
            let x = Array2::from_shape_fn((n, 1), |(i, _)| {
                ((i * 7919) % n) as f64 / n as f64 * 4.0 - 2.0
            });
            let y = Array2::from_shape_fn((n, 1), |(i, _)| {
                x[[i, 0]].powi(2) + ((i * 31) % 97) as f64 * 1e-3
            });
            estimate(&x, &y, 3);
        }
    }
    Ok(())
}
