//! Our max-norm k-d tree against kiddo's on the KSG workload: build the tree over n uniform
//! points in the joint space, then the k = 3 nearest neighbours of every point (issue 16 asked
//! for this comparison before any switch). One thread, best of 3, in one run:
//!
//! ```text
//! RAYON_NUM_THREADS=1 cargo run --release -p mutinfo-continuous --example kdtree_vs_kiddo
//! ```
use kiddo::float::kdtree::KdTree as Kiddo;
use kiddo::Chebyshev;
use mutinfo_continuous::kdtree::KdTree;
use rand::{Rng, SeedableRng};
use std::time::Instant;

fn run<const D: usize>(n: usize, k: usize) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let pts: Vec<[f64; D]> = (0..n)
        .map(|_| std::array::from_fn(|_| rng.gen::<f64>()))
        .collect();
    let flat: Vec<f64> = pts.iter().flatten().copied().collect();
    let mut best = (f64::INFINITY, f64::INFINITY);
    let (mut s_ours, mut s_kiddo) = (0.0, 0.0);
    for _ in 0..3 {
        let t = Instant::now();
        let tree = KdTree::new(&flat, D);
        let mut out = Vec::new();
        let mut sum = 0.0;
        for r in 0..n {
            tree.knn(r, k, &mut out);
            sum += out[k - 1].0;
        }
        best.0 = best.0.min(t.elapsed().as_secs_f64());
        s_ours = sum;
        let t = Instant::now();
        let mut kt: Kiddo<f64, u64, D, 32, u32> = Kiddo::with_capacity(n);
        for (i, p) in pts.iter().enumerate() {
            kt.add(p, i as u64);
        }
        let mut sum = 0.0;
        for p in &pts {
            let nn = kt.nearest_n::<Chebyshev>(p, k + 1);
            sum += nn[k].distance;
        }
        best.1 = best.1.min(t.elapsed().as_secs_f64());
        s_kiddo = sum;
    }
    println!(
        "dim {D}, n {n}, k {k}: build + all kNN queries, best of 3: ours {:.4} s, kiddo {:.4} s, kiddo/ours {:.2}; sum of k-th distances equal: {}",
        best.0, best.1, best.1 / best.0, s_ours == s_kiddo
    );
}

/// Times both trees and checks they find the same k-th distances.
fn main() {
    for n in [10_000, 100_000] {
        run::<2>(n, 3);
        run::<4>(n, 3);
    }
}
