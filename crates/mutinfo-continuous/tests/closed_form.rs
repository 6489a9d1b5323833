//! Closed-form checks: Gaussians with known `−½ ln det` MI terms (tolerance ±0.02 nats at
//! N ≥ 1000, k = 3, as required by issue 5), conditional MI, entropy, independence.

use mutinfo_continuous::{ContinuousMi, Estimator};
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Standard normals by Box–Muller from a seeded ChaCha8 stream.
fn normals(rng: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(n + 1);
    while out.len() < n {
        let u1: f64 = 1.0 - rng.gen::<f64>();
        let u2: f64 = rng.gen();
        let r = (-2.0 * u1.ln()).sqrt();
        out.push(r * (std::f64::consts::TAU * u2).cos());
        out.push(r * (std::f64::consts::TAU * u2).sin());
    }
    out.truncate(n);
    out
}

/// Rows of `L z` for a lower-triangular `L` (d × d, row-major): samples with covariance `L Lᵀ`.
fn correlated(seed: u64, n: usize, l: &[f64], d: usize) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let z = normals(&mut rng, n * d);
    Array2::from_shape_fn((n, d), |(i, a)| {
        (0..=a).map(|b| l[a * d + b] * z[i * d + b]).sum()
    })
}

fn pair(seed: u64, n: usize, rho: f64) -> Array2<f64> {
    correlated(seed, n, &[1.0, 0.0, rho, (1.0 - rho * rho).sqrt()], 2)
}

#[test]
fn bivariate_gaussian_within_002_nats() {
    for (i, &rho) in [0.0f64, 0.3, 0.6, 0.9, 0.95, 0.99].iter().enumerate() {
        let truth = -0.5 * (1.0 - rho * rho).ln();
        let s = pair(100 + i as u64, 10_000, rho);
        let (x, y) = (
            s.slice(ndarray::s![.., 0..1]),
            s.slice(ndarray::s![.., 1..2]),
        );
        for est in [
            Estimator::Ksg1,
            Estimator::Ksg2,
            Estimator::Mixed,
            Estimator::Gaussian,
            Estimator::Copula,
        ] {
            let got = ContinuousMi::new()
                .estimator(est)
                .neighbors(3)
                .mutual_information(x, y)
                .unwrap();
            assert!(
                (got.value - truth).abs() <= 0.02,
                "{est} rho={rho}: {} vs closed form {truth}",
                got.value
            );
        }
    }
}

#[test]
fn multivariate_gaussian_within_002_nats() {
    // Covariance L Lᵀ of (x1, x2, y1, y2); MI = ½ ln(det Σx det Σy / det Σ), computed from L.
    let l = [
        1.0, 0.0, 0.0, 0.0, //
        0.5, 0.8, 0.0, 0.0, //
        0.6, -0.3, 0.7, 0.0, //
        0.2, 0.5, 0.1, 0.6,
    ];
    let mut cov = [0.0; 16];
    for a in 0..4 {
        for b in 0..4 {
            cov[a * 4 + b] = (0..4).map(|c| l[a * 4 + c] * l[b * 4 + c]).sum();
        }
    }
    let det2 = |m: [f64; 4]| m[0] * m[3] - m[1] * m[2];
    let det_x = det2([cov[0], cov[1], cov[4], cov[5]]);
    let det_y = det2([cov[10], cov[11], cov[14], cov[15]]);
    let det_all: f64 = (0..4).map(|a| l[a * 4 + a] * l[a * 4 + a]).product();
    let truth = 0.5 * (det_x * det_y / det_all).ln();
    let s = correlated(7, 4000, &l, 4);
    let (x, y) = (
        s.slice(ndarray::s![.., 0..2]),
        s.slice(ndarray::s![.., 2..4]),
    );
    for est in [
        Estimator::Ksg1,
        Estimator::Gaussian,
        Estimator::Copula,
        Estimator::Auto,
    ] {
        let got = ContinuousMi::new()
            .estimator(est)
            .neighbors(3)
            .mutual_information(x, y)
            .unwrap();
        assert!(
            (got.value - truth).abs() <= 0.02,
            "{est}: {} vs {truth}",
            got.value
        );
    }
}

#[test]
fn gaussian_cmi_and_entropy_closed_form() {
    // z ~ N(0,1); x = z + a e1; y = z + b e2: I(X;Y|Z) = 0, and with y = z + x + e2,
    // I(X;Y|Z) = ½ ln(1 + Var(x|z)/Var(e2)) = ½ ln(1 + 0.25/0.25) = ½ ln 2.
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let n = 3000;
    let e = normals(&mut rng, 3 * n);
    let z = Array2::from_shape_fn((n, 1), |(i, _)| e[3 * i]);
    let x = Array2::from_shape_fn((n, 1), |(i, _)| e[3 * i] + 0.5 * e[3 * i + 1]);
    let y0 = Array2::from_shape_fn((n, 1), |(i, _)| e[3 * i] + 0.5 * e[3 * i + 2]);
    let y1 = Array2::from_shape_fn((n, 1), |(i, _)| e[3 * i] + x[[i, 0]] + 0.5 * e[3 * i + 2]);
    for est in [Estimator::Ksg1, Estimator::Gaussian, Estimator::Copula] {
        let m = ContinuousMi::new().estimator(est);
        let c0 = m
            .conditional_mutual_information(x.view(), y0.view(), z.view())
            .unwrap()
            .value;
        let c1 = m
            .conditional_mutual_information(x.view(), y1.view(), z.view())
            .unwrap()
            .value;
        assert!(c0.abs() <= 0.02, "{est}: {c0}");
        assert!((c1 - 0.5 * 2f64.ln()).abs() <= 0.02, "{est}: {c1}");
    }
    // H of N(0, Σ) = ½ ln((2πe)² det Σ), det Σ = (1·0.36)·… from L.
    let s = correlated(12, 4000, &[1.0, 0.0, 0.8, 0.6], 2);
    let truth = 0.5 * ((2.0 * std::f64::consts::PI * std::f64::consts::E).powi(2) * 0.36).ln();
    for est in [Estimator::Ksg1, Estimator::Gaussian] {
        let h = ContinuousMi::new()
            .estimator(est)
            .entropy(s.view())
            .unwrap()
            .value;
        assert!((h - truth).abs() <= 0.03, "{est}: {h} vs {truth}");
    }
}

#[test]
fn independent_data_near_zero_unclipped() {
    // 20 independent samples of N = 1000: KSG-1 is nearly unbiased at 0 and may go negative;
    // the values are reported raw (never clipped).
    let vals: Vec<f64> = (0..20)
        .map(|s| {
            let d = pair(1000 + s, 1000, 0.0);
            ContinuousMi::new()
                .estimator(Estimator::Ksg1)
                .mutual_information(
                    d.slice(ndarray::s![.., 0..1]),
                    d.slice(ndarray::s![.., 1..2]),
                )
                .unwrap()
                .value
        })
        .collect();
    let mean = vals.iter().sum::<f64>() / vals.len() as f64;
    let sd =
        (vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (vals.len() - 1) as f64).sqrt();
    assert!(mean.abs() < 0.01, "mean {mean}");
    assert!(sd < 0.04, "sd {sd}");
    assert!(
        vals.iter().any(|&v| v < 0.0),
        "raw values must not be clipped: {vals:?}"
    );
}

/// Multivariate Student-t samples with identity scale: `z / √(w/ν)`, `w ~ χ²_ν` (integer ν).
fn student(seed: u64, n: usize, d: usize, nu: usize) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let z = normals(&mut rng, n * d);
    let w = normals(&mut rng, n * nu);
    Array2::from_shape_fn((n, d), |(i, a)| {
        let chi2: f64 = w[i * nu..(i + 1) * nu].iter().map(|v| v * v).sum();
        z[i * d + a] / (chi2 / nu as f64).sqrt()
    })
}

/// Student-t data with identity correlation: all of the MI is tail dependence, which the
/// Gaussian copula cannot see (it reports about 0). Ground truth: the closed-form MI of the
/// multivariate t, as benchmark-mi 0.1.3 (Czyż et al. 2023) gives it for its
/// `student-identity-{dx}-{dy}-{ν}` tasks. A monotone map of X (asinh) changes nothing.
#[test]
fn student_t_tail_dependence_within_003_nats() {
    for (seed, dx, dy, nu, truth) in [
        (300u64, 1usize, 1usize, 1usize, 0.22417142752923613),
        (301, 2, 2, 1, 0.43194562200144127),
        (302, 2, 2, 2, 0.1931471805599454),
        (303, 3, 3, 2, 0.29092192268276484),
    ] {
        let s = student(seed, 5000, dx + dy, nu);
        let x = s.slice(ndarray::s![.., ..dx]).mapv(f64::asinh);
        let y = s.slice(ndarray::s![.., dx..]).to_owned();
        for est in [Estimator::Elliptical, Estimator::Auto] {
            let e = ContinuousMi::new()
                .estimator(est)
                .mutual_information(x.view(), y.view())
                .unwrap();
            assert!(
                (e.value - truth).abs() <= 0.03,
                "{dx}+{dy} nu={nu} {est}: {} vs {truth}",
                e.value
            );
            assert_eq!(
                e.estimator,
                Estimator::Elliptical,
                "{dx}+{dy} nu={nu} {est}"
            );
        }
        let g = ContinuousMi::new()
            .estimator(Estimator::Copula)
            .mutual_information(x.view(), y.view())
            .unwrap();
        assert!(
            g.value < 0.05,
            "Gaussian copula sees no tail dependence: {}",
            g.value
        );
    }
}
