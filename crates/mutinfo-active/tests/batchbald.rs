//! BatchBALD against closed forms, brute-force enumeration and itself (pruning, threads, M).
#![allow(clippy::needless_range_loop)] // steps index several parallel vectors

use mutinfo_active::{bald, joint_mutual_information, BatchBald};
use ndarray::Array3;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A random committee: Dirichlet-like rows from cubed uniforms, some exact zeros.
fn random_probs(n: usize, k: usize, c: usize, seed: u64, zeros: bool) -> Array3<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut a = Array3::from_shape_fn((n, k, c), |_| {
        let u: f64 = rng.gen();
        if zeros && u < 0.15 {
            0.0
        } else {
            u * u * u
        }
    });
    for mut row in a.rows_mut() {
        let s: f64 = row.sum();
        if s == 0.0 {
            row[0] = 1.0;
        } else {
            row.mapv_inplace(|v| v / s);
        }
    }
    a
}

#[test]
fn batch_of_one_is_bald() {
    for seed in 0..5 {
        let p = random_probs(40, 6, 4, seed, seed % 2 == 0);
        let b = bald(p.view()).unwrap();
        let sel = BatchBald::new().select(p.view(), 1).unwrap();
        let best = mutinfo_active::top_k(&b, 1)[0];
        assert_eq!(sel.indices, vec![best]);
        assert!(
            (sel.joint_mi[0] - b[best]).abs() <= mutinfo_core::prec::GOLDEN,
            "{} vs {}",
            sel.joint_mi[0],
            b[best]
        );
    }
}

#[test]
fn duplicates_add_nothing_independent_points_add_everything() {
    // Two confident members disagreeing: each point carries ln 2; a duplicate of a chosen point
    // adds 0, a point whose disagreement is independent adds ln 2 more (closed form ln 4).
    let p = ndarray::array![
        [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]],
        [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]],
        [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]],
    ];
    let sel = BatchBald::new().select(p.view(), 3).unwrap();
    assert_eq!(sel.indices, vec![0, 2, 1]);
    let ln2 = std::f64::consts::LN_2;
    assert!((sel.joint_mi[0] - ln2).abs() < mutinfo_core::prec::ROUNDOFF);
    assert!((sel.joint_mi[1] - 2.0 * ln2).abs() < mutinfo_core::prec::ROUNDOFF);
    assert!((sel.joint_mi[2] - 2.0 * ln2).abs() < mutinfo_core::prec::ROUNDOFF);
    assert!(sel.exact.iter().all(|&e| e));
}

/// Greedy over `joint_mutual_information` (brute force), ties to the lowest index.
fn brute_force_greedy(p: &Array3<f64>, batch: usize) -> (Vec<usize>, Vec<f64>) {
    let n = p.dim().0;
    let mut chosen = Vec::new();
    let mut values = Vec::new();
    for _ in 0..batch {
        let mut best: Option<(usize, f64)> = None;
        for x in (0..n).filter(|x| !chosen.contains(x)) {
            let mut b = chosen.clone();
            b.push(x);
            let v = joint_mutual_information(p.view(), &b).unwrap();
            if best.is_none_or(|(_, bv)| v > bv + mutinfo_core::prec::GOLDEN) {
                best = Some((x, v));
            }
        }
        let (x, v) = best.unwrap();
        chosen.push(x);
        values.push(v);
    }
    (chosen, values)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn exact_greedy_matches_brute_force(
        n in 3usize..9, k in 1usize..6, c in 2usize..4, seed in 0u64..1000, zeros in any::<bool>()
    ) {
        let p = random_probs(n, k, c, seed, zeros);
        let batch = 3.min(n);
        let sel = BatchBald::new().exact_limit(1 << 20).select(p.view(), batch).unwrap();
        let (bf, vals) = brute_force_greedy(&p, batch);
        // Values at each step agree; the picks agree unless two candidates tie within 1e-12.
        for t in 0..batch {
            prop_assert!((sel.joint_mi[t] - vals[t]).abs() <= mutinfo_core::prec::GOLDEN,
                "step {}: {} vs {}", t, sel.joint_mi[t], vals[t]);
            let mine = joint_mutual_information(p.view(), &sel.indices[..=t]).unwrap();
            prop_assert!((mine - sel.joint_mi[t]).abs() <= mutinfo_core::prec::GOLDEN);
        }
        if sel.indices != bf {
            // Only acceptable as a numerical tie.
            let mine = joint_mutual_information(p.view(), &sel.indices).unwrap();
            let theirs = joint_mutual_information(p.view(), &bf).unwrap();
            prop_assert!((mine - theirs).abs() <= mutinfo_core::prec::GOLDEN);
        }
        // Joint MI is non-negative, bounded by ln K, and increases along the batch.
        for t in 0..batch {
            prop_assert!(sel.joint_mi[t] >= -mutinfo_core::prec::GOLDEN);
            prop_assert!(sel.joint_mi[t] <= (k as f64).ln() + mutinfo_core::prec::GOLDEN);
            if t > 0 {
                prop_assert!(sel.joint_mi[t] >= sel.joint_mi[t - 1] - mutinfo_core::prec::GOLDEN);
            }
        }
    }

    #[test]
    fn pruning_changes_nothing(n in 5usize..60, k in 2usize..8, c in 2usize..5, seed in 0u64..1000,
                               limit in 1usize..40, m in 1usize..80) {
        let p = random_probs(n, k, c, seed, seed % 3 == 0);
        let batch = 5.min(n);
        let bb = BatchBald::new().num_samples(m).exact_limit(limit).seed(seed);
        let a = bb.clone().prune(true).select(p.view(), batch).unwrap();
        let b = bb.prune(false).select(p.view(), batch).unwrap();
        prop_assert_eq!(&a.indices, &b.indices);
        prop_assert_eq!(&a.joint_mi, &b.joint_mi);
        prop_assert!(a.evaluations <= b.evaluations);
    }
}

#[test]
fn sampled_approaches_exact() {
    // Fix a batch, force sampling from the second pick on, and compare the estimate of the
    // final joint MI with exact enumeration as M grows (mean absolute error over 8 seeds).
    let p = random_probs(30, 8, 3, 11, false);
    let batch = 5;
    let exact_sel = BatchBald::new()
        .exact_limit(1 << 20)
        .select(p.view(), batch)
        .unwrap();
    let mut errors = Vec::new();
    for m in [100usize, 1000, 10_000] {
        let mut err = 0.0;
        for seed in 0..8 {
            let s = BatchBald::new()
                .num_samples(m)
                .exact_limit(1)
                .seed(seed)
                .select(p.view(), batch)
                .unwrap();
            assert!(!s.exact[2]);
            let truth = joint_mutual_information(p.view(), &s.indices).unwrap();
            err += (s.joint_mi[batch - 1] - truth).abs() / 8.0;
        }
        errors.push(err);
    }
    // Monte-Carlo error shrinks like 1/√M: allow slack but demand the trend and the level.
    assert!(errors[1] < errors[0] && errors[2] < errors[1], "{errors:?}");
    assert!(errors[2] < 0.01, "{errors:?}");
    // At large M the greedy batch's value matches the exact greedy's to within the same error.
    let big = BatchBald::new()
        .num_samples(10_000)
        .exact_limit(1)
        .seed(3)
        .select(p.view(), batch)
        .unwrap();
    let truth = joint_mutual_information(p.view(), &big.indices).unwrap();
    assert!(truth >= exact_sel.joint_mi[batch - 1] - 0.02);
}

#[test]
fn deterministic_across_thread_counts() {
    let p = random_probs(700, 12, 5, 5, true);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            BatchBald::new()
                .num_samples(200)
                .seed(9)
                .select(p.view(), 6)
                .unwrap()
        })
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
    assert!(one.exact.contains(&false));
}

#[test]
fn errors_are_typed() {
    let p = random_probs(3, 2, 2, 0, false);
    assert!(matches!(
        BatchBald::new().select(p.view(), 4),
        Err(mutinfo_active::ActiveError::BatchTooLarge { batch: 4, pool: 3 })
    ));
    assert!(BatchBald::new().num_samples(0).select(p.view(), 1).is_err());
    let mut bad = p.clone();
    bad[[1, 1, 1]] = f64::NAN;
    assert!(matches!(
        BatchBald::new().select(bad.view(), 1),
        Err(mutinfo_active::ActiveError::NonFinite {
            point: 1,
            member: 1,
            class: 1,
            ..
        })
    ));
    assert!(joint_mutual_information(p.view(), &[5]).is_err());
}
