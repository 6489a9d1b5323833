//! Whole kNN estimates on the workloads whose joint space has 3 to 6 dimensions (KSG-1 and
//! KSG-2 with 2-D X and 2-D Y, Frenzel–Pompe CMI of three columns, Kozachenko–Leonenko
//! entropy in 3-D, KSG-1 with 3-D X and 3-D Y), best of 3, printing seconds and the value so
//! that two builds can be compared in one run (`scripts/bench_knn_before_after.py`):
//!
//! ```text
//! cargo run --release -p mutinfo-continuous --example ksg_timing -- [N]
//! ```
use mutinfo_continuous::estimator::{ContinuousMi, Estimator};
use ndarray::{s, Array2};
use rand::{Rng, SeedableRng};
use std::time::Instant;

/// One named estimate to time.
type Case<'a> = (&'static str, Box<dyn Fn() -> f64 + 'a>);

fn best_of_3(f: impl Fn() -> f64) -> (f64, f64) {
    let mut best = f64::INFINITY;
    let mut value = 0.0;
    for _ in 0..3 {
        let t = Instant::now();
        value = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, value)
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("N: a row count"))
        .unwrap_or(50_000);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    // Six correlated columns: each is the previous one plus noise.
    let mut data = Array2::<f64>::zeros((n, 6));
    for r in 0..n {
        let mut v = 0.0;
        for c in 0..6 {
            v = 0.7 * v + rng.gen::<f64>() - 0.5;
            data[[r, c]] = v;
        }
    }
    let ksg = ContinuousMi::new().estimator(Estimator::Ksg1).neighbors(3);
    let ksg2 = ContinuousMi::new().estimator(Estimator::Ksg2).neighbors(3);
    let cases: Vec<Case> = vec![
        (
            "ksg1 2x2",
            Box::new(|| {
                ksg.mutual_information(data.slice(s![.., 0..2]), data.slice(s![.., 2..4]))
                    .unwrap()
                    .value
            }),
        ),
        (
            "ksg2 2x2",
            Box::new(|| {
                ksg2.mutual_information(data.slice(s![.., 0..2]), data.slice(s![.., 2..4]))
                    .unwrap()
                    .value
            }),
        ),
        (
            "cmi 1|1|1",
            Box::new(|| {
                ksg.conditional_mutual_information(
                    data.slice(s![.., 0..1]),
                    data.slice(s![.., 2..3]),
                    data.slice(s![.., 1..2]),
                )
                .unwrap()
                .value
            }),
        ),
        (
            "entropy 3-D",
            Box::new(|| ksg.entropy(data.slice(s![.., 0..3])).unwrap().value),
        ),
        (
            "ksg1 3x3",
            Box::new(|| {
                ksg.mutual_information(data.slice(s![.., 0..3]), data.slice(s![.., 3..6]))
                    .unwrap()
                    .value
            }),
        ),
    ];
    for (name, f) in &cases {
        let (t, v) = best_of_3(f);
        println!("{name}\tn={n}\t{t:.4}\t{v:.17}");
    }
}
