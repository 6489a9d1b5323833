//! Property tests: symmetry, monotone-transform invariance (copula exactly, KSG up to its
//! bias), row-permutation invariance, thread-count determinism, brute-force O(N²) KSG /
//! Ross / Gao equal the tree-based ones on tie-heavy data, constant features give exactly 0,
//! and errors name the column and row.

use mutinfo_continuous::{ContinuousError, ContinuousMi, Estimator};
use mutinfo_core::Codes;
use ndarray::{Array1, Array2};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn psi(x: usize) -> f64 {
    // Same digamma as the crate uses (recurrence + asymptotic), via a table-free path is not
    // exported; scipy-free reference: ψ(n) = −γ + Σ_{j<n} 1/j, accurate to ~1e-15 here.
    let mut s = -0.577_215_664_901_532_9;
    for j in 1..x {
        s += 1.0 / j as f64;
    }
    s
}

fn cheb(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// O(N²) KSG-1 with the zero-distance rule, 1-D x and y.
fn brute_ksg1(x: &[f64], y: &[f64], k: usize) -> f64 {
    let n = x.len();
    let mut total = 0.0;
    for i in 0..n {
        let mut d: Vec<f64> = (0..n)
            .filter(|&j| j != i)
            .map(|j| cheb(&[x[i], y[i]], &[x[j], y[j]]))
            .collect();
        d.sort_by(f64::total_cmp);
        let eps = d[k - 1];
        let (kk, nx, ny) = if eps > 0.0 {
            let nx = (0..n).filter(|&j| (x[j] - x[i]).abs() < eps).count();
            let ny = (0..n).filter(|&j| (y[j] - y[i]).abs() < eps).count();
            (k, nx, ny)
        } else {
            let kk = (0..n)
                .filter(|&j| j != i && x[j] == x[i] && y[j] == y[i])
                .count();
            let nx = (0..n).filter(|&j| x[j] == x[i]).count();
            let ny = (0..n).filter(|&j| y[j] == y[i]).count();
            (kk, nx, ny)
        };
        total += psi(kk) - psi(nx) - psi(ny);
    }
    psi(n) + total / n as f64
}

/// O(N²) Ross with sklearn's single-member-class rule and the copy-count rule at distance 0.
fn brute_ross(x: &[f64], y: &[u32], k: usize) -> f64 {
    let n_all = x.len();
    let count = |c: u32| y.iter().filter(|&&v| v == c).count();
    let kept: Vec<usize> = (0..n_all).filter(|&i| count(y[i]) > 1).collect();
    let n = kept.len();
    let mut total = 0.0;
    for &i in &kept {
        let nc = count(y[i]);
        let kc = k.min(nc - 1);
        let mut d: Vec<f64> = (0..n_all)
            .filter(|&j| j != i && y[j] == y[i])
            .map(|j| (x[j] - x[i]).abs())
            .collect();
        d.sort_by(f64::total_cmp);
        let r = d[kc - 1];
        let (kk, m) = if r > 0.0 {
            (
                kc,
                kept.iter().filter(|&&j| (x[j] - x[i]).abs() < r).count(),
            )
        } else {
            (
                (0..n_all).filter(|&j| y[j] == y[i] && x[j] == x[i]).count(),
                kept.iter().filter(|&&j| x[j] == x[i]).count(),
            )
        };
        total += psi(kk) - psi(nc) - psi(m);
    }
    psi(n) + total / n as f64
}

fn tie_heavy(max_n: usize) -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (8usize..max_n).prop_flat_map(|n| {
        (
            proptest::collection::vec((0i32..9).prop_map(|v| v as f64 * 0.5), n),
            proptest::collection::vec((0i32..12).prop_map(|v| v as f64 * 0.25), n),
        )
    })
}

fn continuous(n: usize) -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (
        proptest::collection::vec(-10.0f64..10.0, n),
        proptest::collection::vec(-1.0f64..1.0, n),
    )
        .prop_map(|(x, e)| {
            let y = x.iter().zip(&e).map(|(a, b)| a.sin() * 3.0 + b).collect();
            (x, y)
        })
}

fn mi(est: Estimator, x: &[f64], y: &[f64]) -> f64 {
    ContinuousMi::new()
        .estimator(est)
        .mutual_information_1d(x, y)
        .unwrap()
        .value
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn ksg1_equals_brute_force_on_ties((x, y) in tie_heavy(60), k in 1usize..5) {
        prop_assume!(x.len() > k);
        prop_assume!(x.iter().any(|&v| v != x[0]) && y.iter().any(|&v| v != y[0]));
        let got = ContinuousMi::new().estimator(Estimator::Ksg1).neighbors(k).scale_columns(false).break_ties(false).mutual_information_1d(&x, &y).unwrap().value;
        let want = brute_ksg1(&x, &y, k);
        prop_assert!((got - want).abs() < mutinfo_core::prec::GOLDEN, "{} vs {}", got, want);
    }

    /// Sizes where the 1-D × 1-D path uses its grid (N ≥ 256) and bucketed marginal counts.
    #[test]
    fn ksg1_equals_brute_force_on_the_grid_path(
        (x, y) in (256usize..600).prop_flat_map(continuous), k in 1usize..9, scale in -3i32..4,
    ) {
        // Rescale y so either column can be the one scanned along.
        let y: Vec<f64> = y.iter().map(|v| v * 10f64.powi(scale)).collect();
        let got = ContinuousMi::new().estimator(Estimator::Ksg1).neighbors(k).scale_columns(false).break_ties(false).mutual_information_1d(&x, &y).unwrap().value;
        let want = brute_ksg1(&x, &y, k);
        prop_assert!((got - want).abs() < mutinfo_core::prec::GOLDEN, "{} vs {}", got, want);
    }

    #[test]
    fn ross_equals_brute_force_on_ties((x, y) in tie_heavy(60), k in 1usize..5) {
        let labels: Vec<u32> = y.iter().map(|v| (v * 4.0) as u32 % 3).collect();
        prop_assume!(x.iter().any(|&v| v != x[0]));
        let codes = Codes::from_codes(labels.clone(), 3).unwrap();
        prop_assume!(codes.observed_cardinality() > 1);
        let xa = Array2::from_shape_vec((x.len(), 1), x.clone()).unwrap();
        let got = ContinuousMi::new().estimator(Estimator::Ross).neighbors(k).scale_columns(false)
            .mutual_information_discrete(xa.view(), &codes).unwrap().value;
        let want = brute_ross(&x, &labels, k);
        prop_assert!((got - want).abs() < mutinfo_core::prec::GOLDEN, "{} vs {}", got, want);
    }

    #[test]
    fn symmetric((x, y) in continuous(150)) {
        for est in [Estimator::Ksg1, Estimator::Ksg2, Estimator::Mixed, Estimator::Gaussian, Estimator::Copula] {
            let (a, b) = (mi(est, &x, &y), mi(est, &y, &x));
            prop_assert!((a - b).abs() < mutinfo_core::prec::GOLDEN, "{}: {} vs {}", est, a, b);
        }
    }

    #[test]
    fn copula_invariant_under_monotone_transforms((x, y) in continuous(150)) {
        let fx: Vec<f64> = x.iter().map(|v| (v / 3.0).exp()).collect();
        let gy: Vec<f64> = y.iter().map(|v| v * v * v + v).collect();
        let hy: Vec<f64> = y.iter().map(|v| -v).collect();
        // Strictly monotone maps keep distinct values distinct (checked), so ranks are identical.
        let distinct = |v: &[f64]| { let mut s = v.to_vec(); s.sort_by(f64::total_cmp); s.windows(2).all(|w| w[0] < w[1]) };
        prop_assume!(distinct(&x) && distinct(&fx) && distinct(&y) && distinct(&gy));
        let base = mi(Estimator::Copula, &x, &y);
        prop_assert_eq!(base.to_bits(), mi(Estimator::Copula, &fx, &gy).to_bits());
        // Decreasing maps negate the normal scores up to the last bit of ndtri's symmetry.
        prop_assert!((base - mi(Estimator::Copula, &fx, &hy)).abs() < mutinfo_core::prec::GOLDEN);
    }

    #[test]
    fn row_permutation_invariant((x, y) in continuous(120), seed in 0u64..1000) {
        let mut perm: Vec<usize> = (0..x.len()).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for i in (1..perm.len()).rev() { perm.swap(i, rng.gen_range(0..=i)); }
        let px: Vec<f64> = perm.iter().map(|&i| x[i]).collect();
        let py: Vec<f64> = perm.iter().map(|&i| y[i]).collect();
        for est in [Estimator::Ksg1, Estimator::Ksg2, Estimator::Mixed, Estimator::Gaussian, Estimator::Copula] {
            let (a, b) = (mi(est, &x, &y), mi(est, &px, &py));
            prop_assert!((a - b).abs() < mutinfo_core::prec::GOLDEN, "{}: {} vs {}", est, a, b);
        }
    }
}

fn sample(seed: u64, n: usize, p: usize) -> (Array2<f64>, Array1<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let y = Array1::from_shape_fn(n, |_| rng.gen::<f64>());
    let x = Array2::from_shape_fn((n, p), |(i, j)| {
        y[i] * j as f64 / p as f64 + rng.gen::<f64>()
    });
    (x, y)
}

#[test]
fn ksg_is_monotone_invariant_up_to_bias() {
    let (x, y) = sample(3, 4000, 4);
    let col: Vec<f64> = x.column(3).to_vec();
    let ys = y.to_vec();
    let ex: Vec<f64> = col.iter().map(|v| v.exp()).collect();
    let a = mi(Estimator::Ksg1, &col, &ys);
    let b = mi(Estimator::Ksg1, &ex, &ys);
    assert!((a - b).abs() < 0.03, "{a} vs {b}");
}

#[test]
fn bit_identical_for_any_thread_count() {
    let (x, y) = sample(5, 3000, 12);
    let labels: Vec<u32> = y.iter().map(|v| (v * 3.0) as u32).collect();
    let codes = Codes::from_codes(labels, 3).unwrap();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut bits = Vec::new();
            for est in Estimator::ALL {
                if let Ok(v) = ContinuousMi::new().estimator(est).many(x.view(), y.view()) {
                    bits.extend(v.iter().map(|e| e.value.to_bits()));
                }
                if let Ok(v) = ContinuousMi::new()
                    .estimator(est)
                    .many_discrete(x.view(), &codes)
                {
                    bits.extend(v.iter().map(|e| e.value.to_bits()));
                }
            }
            bits
        })
    };
    let one = run(1);
    assert!(one.len() >= 12 * 10);
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
}

#[test]
fn many_equals_one_at_a_time() {
    let (x, y) = sample(9, 800, 6);
    for est in [
        Estimator::Ksg1,
        Estimator::Ksg2,
        Estimator::Mixed,
        Estimator::Copula,
        Estimator::Auto,
    ] {
        let m = ContinuousMi::new().estimator(est);
        let many = m.many(x.view(), y.view()).unwrap();
        for (j, e) in many.iter().enumerate() {
            let one = m
                .mutual_information_1d(&x.column(j).to_vec(), &y.to_vec())
                .unwrap();
            assert_eq!(e.value.to_bits(), one.value.to_bits(), "{est} feature {j}");
            assert_eq!(e.estimator, one.estimator);
        }
    }
}

#[test]
fn constant_feature_is_exactly_zero() {
    let (mut x, y) = sample(13, 500, 3);
    x.column_mut(1).fill(2.5);
    let labels = Codes::from_codes(y.iter().map(|v| (v * 2.0) as u32).collect(), 2).unwrap();
    for est in Estimator::ALL {
        let m = ContinuousMi::new().estimator(est);
        if let Ok(v) = m.many(x.view(), y.view()) {
            assert_eq!(v[1].value, 0.0, "{est}");
            assert!(v[0].value != 0.0);
        }
        if let Ok(v) = m.many_discrete(x.view(), &labels) {
            assert_eq!(v[1].value, 0.0, "{est}");
        }
    }
}

#[test]
fn auto_reports_its_choice() {
    let (x, y) = sample(17, 600, 2);
    let m = ContinuousMi::new();
    let (xc, yv) = (x.column(0).to_vec(), y.to_vec());
    let e = m.mutual_information_1d(&xc, &yv).unwrap();
    let ksg = mi(Estimator::KsgCopula, &xc, &yv);
    let ell = ContinuousMi::new()
        .estimator(Estimator::Elliptical)
        .mutual_information_1d(&xc, &yv)
        .unwrap();
    assert_eq!(e.value, ksg.max(ell.value));
    assert_eq!(
        e.estimator,
        if ell.value > ksg {
            ell.estimator
        } else {
            Estimator::KsgCopula
        }
    );
    assert!(e.reason.contains("larger of KSG on normal scores"));
    let rounded: Vec<f64> = x.column(0).iter().map(|v| (v * 10.0).round()).collect();
    let e = m.mutual_information_1d(&rounded, &yv).unwrap();
    assert_eq!(e.estimator, Estimator::Mixed);
    assert!(e.reason.contains("repeated"));
    let wide = Array2::from_shape_fn((600, 12), |(i, j)| x[[i, j % 2]] + j as f64 * y[i]);
    let e = m
        .mutual_information(wide.view(), y.view().insert_axis(ndarray::Axis(1)))
        .unwrap();
    assert!(matches!(
        e.estimator,
        Estimator::Copula | Estimator::Elliptical
    ));
    assert!(e.reason.contains("above the KSG limit"));
    let codes = Codes::from_codes(y.iter().map(|v| (v * 2.0) as u32).collect(), 2).unwrap();
    let e = m.mutual_information_discrete(x.view(), &codes).unwrap();
    assert_eq!(e.estimator, Estimator::Ross);
}

#[test]
fn errors_name_column_and_row() {
    let (mut x, y) = sample(19, 50, 3);
    x[[17, 2]] = f64::NAN;
    let err = ContinuousMi::new().many(x.view(), y.view()).unwrap_err();
    assert!(
        matches!(
            err,
            ContinuousError::NonFinite {
                column: 2,
                row: 17,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "non-finite value NaN in features column 2 at row 17"
    );
    let err = ContinuousMi::new()
        .mutual_information(x.view(), x.view())
        .unwrap_err();
    assert!(matches!(
        err,
        ContinuousError::NonFinite {
            what: "x",
            column: 2,
            row: 17,
            ..
        }
    ));
    let short = vec![1.0, 2.0];
    let err = ContinuousMi::new()
        .mutual_information_1d(&short, &[1.0, 2.0, 3.0])
        .unwrap_err();
    assert!(matches!(err, ContinuousError::LengthMismatch { .. }));
    let err = ContinuousMi::new()
        .estimator(Estimator::Ksg1)
        .neighbors(5)
        .mutual_information_1d(&[1.0, 2.0, 3.0], &[3.0, 1.0, 2.0])
        .unwrap_err();
    assert!(matches!(
        err,
        ContinuousError::TooFewRows {
            rows: 3,
            neighbors: 5,
            ..
        }
    ));
    assert!("kNN".parse::<Estimator>().is_err());
    assert_eq!("KSG".parse::<Estimator>().unwrap(), Estimator::Ksg1);
    for e in Estimator::ALL {
        assert_eq!(e.name().parse::<Estimator>().unwrap(), e);
    }
    let err = ContinuousMi::new()
        .estimator(Estimator::Ross)
        .mutual_information_1d(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0, 3.0, 2.0, 5.0, 4.0])
        .unwrap_err();
    assert!(matches!(err, ContinuousError::Unsupported { .. }));
    // X equal to Y: the Gaussian MI is infinite; an error, not inf or NaN.
    let v: Vec<f64> = (0..20).map(|i| (i * 7 % 20) as f64).collect();
    let err = ContinuousMi::new()
        .estimator(Estimator::Gaussian)
        .mutual_information_1d(&v, &v)
        .unwrap_err();
    assert!(
        matches!(err, ContinuousError::SingularCovariance { .. }),
        "{err}"
    );
    // Repeated points: the KL entropy is −∞, an error.
    let dup = Array2::from_shape_fn((10, 1), |(i, _)| (i / 5) as f64);
    let err = ContinuousMi::new().entropy(dup.view()).unwrap_err();
    assert!(matches!(err, ContinuousError::ZeroDistance { .. }));
}

#[test]
fn tiny_inputs_give_errors_or_finite_values_never_nan() {
    for n in 1..6usize {
        let x: Vec<f64> = (0..n)
            .map(|i| (i * 7 % 5) as f64 + 0.5 * i as f64)
            .collect();
        let y: Vec<f64> = (0..n)
            .map(|i| (i * 3 % 4) as f64 - 0.25 * i as f64)
            .collect();
        let codes = Codes::from_codes((0..n).map(|i| (i % 2) as u32).collect(), 2).unwrap();
        let xa = Array2::from_shape_vec((n, 1), x.clone()).unwrap();
        let ya = Array2::from_shape_vec((n, 1), y.clone()).unwrap();
        for est in Estimator::ALL {
            let m = ContinuousMi::new().estimator(est);
            let results = [
                m.mutual_information_1d(&x, &y),
                m.mutual_information_discrete(xa.view(), &codes),
                m.conditional_mutual_information(xa.view(), ya.view(), ya.view()),
                m.entropy(xa.view()),
            ];
            for e in results.into_iter().flatten() {
                assert!(e.value.is_finite(), "{est} n={n}: {e:?}");
            }
        }
    }
}
