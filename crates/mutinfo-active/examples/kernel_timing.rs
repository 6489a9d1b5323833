//! Times the parts of a kernel-committee query on a synthetic pool (issue 19): the map's fit
//! (landmarks, median heuristic, eigendecomposition of `K_mm`), the committee's fit, and the
//! prediction of every pool row, one and two threads.
//!
//! ```text
//! cargo run --release -p mutinfo-active --example kernel_timing -- [rows] [features] [classes]
//! ```
use std::time::Instant;

use mutinfo_active::{Committee, CommitteeFactory, KernelLaplace, NystroemMap, MAP_SEED};
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("a whole number"))
        .collect();
    let rows = args.first().copied().unwrap_or(100_000);
    let d = args.get(1).copied().unwrap_or(64);
    let c = args.get(2).copied().unwrap_or(10);
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let centers = Array2::from_shape_fn((c, d), |_| rng.gen_range(-2.0..2.0));
    let y: Vec<usize> = (0..rows).map(|_| rng.gen_range(0..c)).collect();
    let pool = Array2::from_shape_fn((rows, d), |(i, j)| {
        centers[[y[i], j]] + rng.gen_range(-1.5..1.5)
    });
    let labeled: Vec<usize> = (0..200).collect();
    let yl = &y[..200];
    for threads in [1, 2] {
        let tp = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        tp.install(|| {
            let t = Instant::now();
            let map = NystroemMap::fit(pool.view(), 300, None, MAP_SEED).unwrap();
            let t_map = t.elapsed();
            let t = Instant::now();
            let committee = KernelLaplace::default()
                .fit_in_pool(pool.view(), &labeled, yl, c, 1)
                .unwrap();
            let t_fit = t.elapsed();
            let t = Instant::now();
            let k = map.kernel(pool.view()).unwrap();
            let t_kernel = t.elapsed();
            let t = Instant::now();
            let p = committee.predict_samples(pool.view()).unwrap();
            let t_pred = t.elapsed();
            println!(
                "{threads} thread(s), pool {rows} x {d}, {c} classes: map fit {:.3} s, committee \
                 fit (map included) {:.3} s, kernel rows {:.3} s, predict_samples (kernel \
                 included) {:.3} s [{} x {} x {}], sum {:.6}",
                t_map.as_secs_f64(),
                t_fit.as_secs_f64(),
                t_kernel.as_secs_f64(),
                t_pred.as_secs_f64(),
                p.dim().0,
                p.dim().1,
                p.dim().2,
                k.sum() / rows as f64,
            );
        });
    }
}
