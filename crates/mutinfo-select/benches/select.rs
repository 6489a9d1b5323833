//! Greedy selection on make_classification-like data (10 equal-width bins), k = 50.
//!
//! `RAYON_NUM_THREADS=1 cargo bench -p mutinfo-select --bench select` gives the one-core
//! figures quoted in the README (targets at 10,000 × 1000: JMI ≤ 0.35 s, mRMR ≤ 0.18 s,
//! CMIM ≤ 0.07 s).
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion as Bench, Throughput};
use mutinfo_core::{CodeMatrix, Codes};
use mutinfo_select::{select, Criterion, SelectOptions};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// sklearn-like `make_classification`: 2 classes, 10 informative Gaussian features shifted by
/// class, 10 redundant (sums of two informative ones), the rest noise; each column cut into
/// 10 equal-width bins.
fn make_classification(n: usize, p: usize, seed: u64) -> (CodeMatrix, Codes) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let normal = |rng: &mut ChaCha8Rng| {
        let u: f64 = rng.gen::<f64>().max(1e-300);
        let v: f64 = rng.gen();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    let y: Vec<u32> = (0..n).map(|i| (i % 2) as u32).collect();
    let mut cols: Vec<Vec<f64>> = Vec::with_capacity(p);
    for j in 0..p {
        let col: Vec<f64> = if j < 10 {
            (0..n)
                .map(|i| {
                    normal(&mut rng) + if y[i] == 1 { 1.0 } else { -1.0 } * (1.0 + j as f64 * 0.1)
                })
                .collect()
        } else if j < 20 {
            let (a, b) = (j - 10, (j - 9) % 10);
            (0..n)
                .map(|i| cols[a][i] + 0.5 * cols[b][i] + 0.3 * normal(&mut rng))
                .collect()
        } else {
            (0..n).map(|_| normal(&mut rng)).collect()
        };
        cols.push(col);
    }
    let columns = cols
        .iter()
        .map(|c| {
            let lo = c.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = c.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let w = (hi - lo) / 10.0;
            let codes = c.iter().map(|&v| (((v - lo) / w) as u32).min(9)).collect();
            Codes::from_codes(codes, 10).unwrap()
        })
        .collect();
    (
        CodeMatrix::from_columns(columns).unwrap(),
        Codes::from_codes(y, 2).unwrap(),
    )
}

fn bench(c: &mut Bench) {
    let mut g = c.benchmark_group("select_k50");
    g.sample_size(10);
    for &(n, p) in &[(2000usize, 500usize), (10_000, 1000)] {
        let (x, y) = make_classification(n, p, 42);
        g.throughput(Throughput::Elements((n * p) as u64));
        for crit in [
            Criterion::Jmi,
            Criterion::Mrmr,
            Criterion::Cmim,
            Criterion::Mim,
        ] {
            let opts = SelectOptions::new(crit).k(50);
            g.bench_with_input(
                BenchmarkId::new(crit.name(), format!("{n}x{p}")),
                &opts,
                |b, o| b.iter(|| select(&x, &y, o).unwrap()),
            );
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
