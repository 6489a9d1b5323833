//! The kNN estimators' contract (issue 14): scale free as sklearn's `mutual_info_regression`
//! (which scales every column to unit variance), and not fooled by ties: independent data
//! rounded to one decimal give |MI| < 0.03 nats.

use mutinfo::continuous::{ContinuousMi, Estimator};
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = 1.0 - rng.gen::<f64>();
    let v: f64 = rng.gen();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn column(v: &[f64]) -> Array2<f64> {
    Array2::from_shape_vec((v.len(), 1), v.to_vec()).unwrap()
}

const KNN: [Estimator; 3] = [Estimator::Ksg1, Estimator::Ksg2, Estimator::KsgCopula];

#[test]
fn rescaling_a_column_leaves_the_estimate() {
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    let x: Vec<f64> = (0..800).map(|_| normal(&mut rng)).collect();
    let y: Vec<f64> = x.iter().map(|v| 0.6 * v + 0.8 * normal(&mut rng)).collect();
    for est in KNN.into_iter().chain([Estimator::Mixed]) {
        let m = ContinuousMi::new().estimator(est);
        let base = m
            .mutual_information(column(&x).view(), column(&y).view())
            .unwrap()
            .value;
        assert!(base > 0.15, "{est:?}: {base}");
        for (sx, sy) in [(1e-6, 1.0), (1.0, 1e6), (1e-6, 1e-9), (3.0, 1e3)] {
            let xs: Vec<f64> = x.iter().map(|v| v * sx).collect();
            let ys: Vec<f64> = y.iter().map(|v| v * sy).collect();
            let got = m
                .mutual_information(column(&xs).view(), column(&ys).view())
                .unwrap()
                .value;
            assert!(
                (got - base).abs() < 1e-9,
                "{est:?} x·{sx} y·{sy}: {got} vs {base}"
            );
        }
    }
}

#[test]
fn rounded_independent_noise_gives_almost_zero() {
    for seed in 0..3 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let n = 2000;
        let x: Vec<f64> = (0..n)
            .map(|_| (normal(&mut rng) * 10.0).round() / 10.0)
            .collect();
        let y: Vec<f64> = (0..n)
            .map(|_| (normal(&mut rng) * 10.0).round() / 10.0)
            .collect();
        for est in KNN {
            let m = ContinuousMi::new().estimator(est);
            let v = m
                .mutual_information(column(&x).view(), column(&y).view())
                .unwrap()
                .value;
            assert!(v.abs() < 0.03, "{est:?} seed {seed}: {v}");
            // Deterministic: the same input gives the same bits.
            let again = m
                .mutual_information(column(&x).view(), column(&y).view())
                .unwrap()
                .value;
            assert_eq!(v.to_bits(), again.to_bits());
        }
    }
}

#[test]
fn ties_do_not_hide_a_real_dependence() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let n = 2000;
    let x: Vec<f64> = (0..n).map(|_| normal(&mut rng)).collect();
    let y: Vec<f64> = x.iter().map(|v| v + 0.5 * normal(&mut rng)).collect();
    let r = |v: &[f64]| {
        v.iter()
            .map(|a| (a * 10.0).round() / 10.0)
            .collect::<Vec<_>>()
    };
    // The true MI is ½ ln(1 + 1/0.25) = 0.80 nats; rounding to 0.1 loses little of it.
    for est in KNN {
        let m = ContinuousMi::new().estimator(est);
        let v = m
            .mutual_information(column(&r(&x)).view(), column(&r(&y)).view())
            .unwrap()
            .value;
        assert!((v - 0.80).abs() < 0.1, "{est:?}: {v}");
    }
}

#[test]
fn many_and_one_at_a_time_agree_on_tied_data() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let n = 500;
    let f: Vec<f64> = (0..n * 3)
        .map(|_| (normal(&mut rng) * 4.0).round())
        .collect();
    let feats = Array2::from_shape_vec((n, 3), f).unwrap();
    let y: Vec<f64> = (0..n).map(|i| feats[[i, 0]] + normal(&mut rng)).collect();
    let m = ContinuousMi::new().estimator(Estimator::Ksg1);
    let many = m.many(feats.view(), ndarray::ArrayView1::from(&y)).unwrap();
    for (j, e) in many.iter().enumerate() {
        let one = m
            .mutual_information(
                feats.column(j).insert_axis(ndarray::Axis(1)),
                column(&y).view(),
            )
            .unwrap();
        assert_eq!(e.value.to_bits(), one.value.to_bits(), "feature {j}");
    }
}
