//! Criterion benchmarks: KSG on one feature over log-spaced N, and many features against one target.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mutinfo_continuous::{ContinuousMi, Estimator};
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn correlated(n: usize, p: usize, seed: u64) -> (Array2<f64>, Array1<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let y = Array1::from_shape_fn(n, |_| rng.gen::<f64>() * 2.0 - 1.0);
    let x = Array2::from_shape_fn((n, p), |(i, j)| {
        y[i] * (j as f64 / p as f64) + rng.gen::<f64>()
    });
    (x, y)
}

fn one_feature(c: &mut Criterion) {
    let mut g = c.benchmark_group("ksg1_one_feature");
    g.sample_size(10);
    for &n in &[1_000usize, 10_000, 100_000] {
        let (x, y) = correlated(n, 1, 1);
        let xs: Vec<f64> = x.column(0).to_vec();
        let ys = y.to_vec();
        let est = ContinuousMi::new().estimator(Estimator::Ksg1);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| est.mutual_information_1d(&xs, &ys).map(|e| e.value))
        });
    }
    g.finish();
}

fn many_features(c: &mut Criterion) {
    let mut g = c.benchmark_group("many_100x10000");
    g.sample_size(10);
    let (x, y) = correlated(10_000, 100, 2);
    for est in [Estimator::Ksg1, Estimator::Copula] {
        let m = ContinuousMi::new().estimator(est);
        g.throughput(Throughput::Elements(100 * 10_000));
        g.bench_function(est.name(), |b| {
            b.iter(|| m.many(x.view(), y.view()).map(|v| v.len()))
        });
    }
    g.finish();
}

criterion_group!(benches, one_feature, many_features);
criterion_main!(benches);
