//! Our max-norm k-d tree against kiddo's on the KSG workload: build the tree over n points in
//! the joint space, then the k = 3 nearest neighbours of every point (issue 16 asked for this
//! comparison before any switch), on uniform data and on data rounded to one decimal (many
//! equal coordinates and repeated points, as kNN estimators meet in practice before jitter).
//! Also ball counts (the marginal-space query of KSG): ours counts whole cells inside the
//! ball, kiddo collects every point. One thread, best of 3, in one run:
//!
//! ```text
//! RAYON_NUM_THREADS=1 cargo run --release -p mutinfo-continuous --example kdtree_vs_kiddo
//! ```
use kiddo::immutable::float::kdtree::ImmutableKdTree;
use kiddo::Chebyshev;
use mutinfo_continuous::kdtree::KdTree;
use rand::{Rng, SeedableRng};
use std::num::NonZeroUsize;
use std::time::Instant;

fn best_of_3(mut f: impl FnMut() -> f64) -> (f64, f64) {
    let mut best = f64::INFINITY;
    let mut out = 0.0;
    for _ in 0..3 {
        let t = Instant::now();
        out = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, out)
}

fn run<const D: usize>(n: usize, k: usize, rounded: bool) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let pts: Vec<[f64; D]> = (0..n)
        .map(|_| {
            std::array::from_fn(|_| {
                let v = rng.gen::<f64>();
                if rounded {
                    (v * 10.0).round() / 10.0 + 0.0
                } else {
                    v
                }
            })
        })
        .collect();
    let flat: Vec<f64> = pts.iter().flatten().copied().collect();
    let (t_ours, s_ours) = best_of_3(|| {
        let tree = KdTree::new(&flat, D);
        let mut out = Vec::new();
        let mut sum = 0.0;
        for r in 0..n {
            tree.knn(r, k, &mut out);
            sum += out[k - 1].0;
        }
        sum
    });
    let qty = NonZeroUsize::new(k + 1).unwrap();
    let (t_kiddo, s_kiddo) = best_of_3(|| {
        let kt: ImmutableKdTree<f64, u32, D, 32> = ImmutableKdTree::new_from_slice(&pts);
        let mut sum = 0.0;
        for p in &pts {
            let nn = kt.nearest_n::<Chebyshev>(p, qty);
            sum += nn[k].distance;
        }
        sum
    });
    // Ball counts at each point's k-th distance (what KSG asks of a marginal space).
    let tree = KdTree::new(&flat, D);
    let radii: Vec<f64> = (0..n)
        .map(|r| {
            let mut out = Vec::new();
            tree.knn(r, k, &mut out);
            out[k - 1].0
        })
        .collect();
    let (c_ours, n_ours) = best_of_3(|| {
        let mut total = 0usize;
        for (p, &r) in pts.iter().zip(&radii) {
            total += tree.count_within(p, r, true);
        }
        total as f64
    });
    let kt: ImmutableKdTree<f64, u32, D, 32> = ImmutableKdTree::new_from_slice(&pts);
    let (c_kiddo, n_kiddo) = best_of_3(|| {
        let mut total = 0usize;
        for (p, &r) in pts.iter().zip(&radii) {
            total += kt.within_unsorted_exclusive::<Chebyshev>(p, r, false).len();
        }
        total as f64
    });
    println!(
        "{} dim {D}, n {n}, k {k}: build + kNN ours {:.4} s, kiddo {:.4} s, kiddo/ours {:.2}, same k-th distances {}; ball counts ours {:.4} s, kiddo {:.4} s, kiddo/ours {:.2}, same counts {}",
        if rounded { "rounded" } else { "uniform" },
        t_ours,
        t_kiddo,
        t_kiddo / t_ours,
        s_ours == s_kiddo,
        c_ours,
        c_kiddo,
        c_kiddo / c_ours,
        n_ours == n_kiddo
    );
}

/// Times both trees and checks they find the same k-th distances and counts.
fn main() {
    for rounded in [false, true] {
        for n in [10_000, 100_000] {
            run::<2>(n, 3, rounded);
            run::<3>(n, 3, rounded);
            run::<4>(n, 3, rounded);
            run::<6>(n, 3, rounded);
        }
    }
}
