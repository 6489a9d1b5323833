//! Counting throughput of the one-against-many kernels, in cells (rows × columns) per second.
//!
//! `cargo bench -p mutinfo-core --bench counting` (add `-- mi_many/1000000x200` for the headline
//! case; `RAYON_NUM_THREADS=1` for one core).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mutinfo_core::{mutual_information_many, Codes, ConditionedTarget, Estimator};

fn lcg(seed: u64) -> impl FnMut() -> u32 {
    let mut s = seed;
    move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) as u32
    }
}

fn table(n: usize, p: usize, card: u32, seed: u64) -> (Vec<Codes>, Codes) {
    let mut next = lcg(seed);
    let y: Vec<u32> = (0..n).map(|_| next() % 10).collect();
    let cols = (0..p)
        .map(|_| Codes::from_codes((0..n).map(|_| next() % card).collect(), card).unwrap())
        .collect();
    (cols, Codes::from_codes(y, 10).unwrap())
}

fn mi_many(c: &mut Criterion) {
    let mut g = c.benchmark_group("mi_many");
    g.sample_size(10);
    for &(n, p) in &[
        (10_000usize, 1000usize),
        (100_000, 1000),
        (1_000_000, 200),
        (10_000_000, 20),
    ] {
        let (cols, y) = table(n, p, 256, 1);
        let refs: Vec<&Codes> = cols.iter().collect();
        g.throughput(Throughput::Elements((n * p) as u64));
        g.bench_with_input(
            BenchmarkId::from_parameter(format!("{n}x{p}")),
            &refs,
            |b, refs| b.iter(|| mutual_information_many(refs, &y, Estimator::PlugIn).unwrap()),
        );
    }
    g.finish();
}

fn conditioned(c: &mut Criterion) {
    let mut g = c.benchmark_group("conditioned");
    g.sample_size(10);
    for &(n, p) in &[(10_000usize, 1000usize), (1_000_000, 50)] {
        let (cols, y) = table(n, p, 10, 2);
        let refs: Vec<&Codes> = cols.iter().collect();
        let ct = ConditionedTarget::new(&cols[0], &y, Estimator::PlugIn).unwrap();
        g.throughput(Throughput::Elements((n * p) as u64));
        g.bench_with_input(
            BenchmarkId::from_parameter(format!("{n}x{p}")),
            &refs,
            |b, refs| b.iter(|| ct.entropies_many(refs).unwrap()),
        );
    }
    g.finish();
}

criterion_group!(benches, mi_many, conditioned);
criterion_main!(benches);
