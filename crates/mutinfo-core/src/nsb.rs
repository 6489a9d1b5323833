//! The Nemenman–Shafee–Bialek (2002) entropy estimator.
//!
//! NSB puts a prior on Dirichlet concentrations `β` that is flat in the a-priori expected
//! entropy `ξ(β) = ψ(Kβ + 1) − ψ(β + 1)`, and averages the Dirichlet posterior mean entropy
//! over the posterior of `β`:
//!
//! ```text
//! Ĥ = ∫ ⟨H⟩_β p(n|β) ξ'(β) dβ / ∫ p(n|β) ξ'(β) dβ
//! p(n|β)  ∝ Γ(Kβ)/Γ(N + Kβ) · Π_i Γ(n_i + β)/Γ(β)
//! ⟨H⟩_β   = ψ(N + Kβ + 1) − Σ_i (n_i + β)/(N + Kβ) · ψ(n_i + β + 1)
//! ξ'(β)   = K ψ₁(Kβ + 1) − ψ₁(β + 1)
//! ```
//!
//! over the `K` cells (empty ones included). The integral runs over `ln β` with Simpson's rule,
//! refined until it changes by less than 1e-13 relative; cells with equal counts are grouped, so
//! the cost per evaluation is the number of distinct counts.

use statrs::function::gamma::{digamma, ln_gamma};

/// Trigamma `ψ₁(x)` for `x > 0`: recurrence up to 10, then the asymptotic series
/// (Abramowitz & Stegun 6.4.12), accurate to about 1e-13.
fn trigamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 10.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let x2 = 1.0 / (x * x);
    acc + 1.0 / x
        + x2 / 2.0
        + x2 / x
            * (1.0 / 6.0
                - x2 * (1.0 / 30.0 - x2 * (1.0 / 42.0 - x2 * (1.0 / 30.0 - x2 * 5.0 / 66.0))))
}

/// `ln Γ(z + n) − ln Γ(z)` without the cancellation of two huge `ln Γ` values: for `z ≥ 20`
/// from Stirling's series (Abramowitz & Stegun 6.1.41, four correction terms, error below
/// 1e-12), written as `(z − ½) ln(1 + n/z) + n ln(z + n) − n + s(z + n) − s(z)`.
fn ln_gamma_ratio(z: f64, n: f64) -> f64 {
    if z < 20.0 {
        return ln_gamma(z + n) - ln_gamma(z);
    }
    let s = |w: f64| {
        let w2 = 1.0 / (w * w);
        (1.0 / 12.0 - w2 * (1.0 / 360.0 - w2 * (1.0 / 1260.0 - w2 / 1680.0))) / w
    };
    (z - 0.5) * (n / z).ln_1p() + n * (z + n).ln() - n + (s(z + n) - s(z))
}

/// `ξ'(β) = K ψ₁(Kβ + 1) − ψ₁(β + 1)`. For large `β` both terms are about `1/β` while their
/// difference is about `(K − 1)/(2Kβ²)`, so there the asymptotic series of the two trigammas is
/// subtracted term by term, with the leading terms combined exactly:
/// `K/z₁ − 1/z₂ = (K−1)/(z₁z₂)`, `K/2z₁² − 1/2z₂² = (K−1)(1 − Kβ²)/(2z₁²z₂²)`, ….
fn xi_prime(k: f64, beta: f64) -> f64 {
    if beta < 100.0 {
        return k * trigamma(k * beta + 1.0) - trigamma(beta + 1.0);
    }
    let (z1, z2) = (k * beta + 1.0, beta + 1.0);
    let b2 = beta * beta;
    let t1 = (k - 1.0) / (z1 * z2);
    let t2 = (k - 1.0) * (1.0 - k * b2) / (2.0 * (z1 * z2).powi(2));
    let t3 =
        (k - 1.0) * (1.0 - 3.0 * k * b2 - k * (k + 1.0) * b2 * beta) / (6.0 * (z1 * z2).powi(3));
    let t5 = -(k / z1.powi(5) - 1.0 / z2.powi(5)) / 30.0;
    let t7 = (k / z1.powi(7) - 1.0 / z2.powi(7)) / 42.0;
    t1 + t2 + t3 + t5 + t7
}

struct Posterior {
    /// Distinct non-zero counts and how many cells have each.
    counts: Vec<(f64, f64)>,
    k: f64,
    n: f64,
    zeros: f64,
}

impl Posterior {
    /// `ln [p(n|β) ξ'(β) β]`: the integrand's log-weight over `x = ln β`.
    fn log_weight(&self, beta: f64) -> f64 {
        let mut s = -ln_gamma_ratio(self.k * beta, self.n);
        for &(c, m) in &self.counts {
            s += m * ln_gamma_ratio(beta, c);
        }
        s + xi_prime(self.k, beta).max(f64::MIN_POSITIVE).ln() + beta.ln()
    }

    /// Posterior mean entropy for a fixed `β`.
    fn mean_entropy(&self, beta: f64) -> f64 {
        let denom = self.n + self.k * beta;
        let mut h = digamma(denom + 1.0);
        for &(c, m) in &self.counts {
            let a = c + beta;
            h -= m * a / denom * digamma(a + 1.0);
        }
        h - self.zeros * beta / denom * digamma(beta + 1.0)
    }
}

/// `(w, w·⟨H⟩)` at `x = ln β`, the log-weight shifted by `shift`.
fn integrand(p: &Posterior, x: f64, shift: f64) -> (f64, f64) {
    let beta = x.exp();
    let w = (p.log_weight(beta) - shift).exp();
    (w, w * p.mean_entropy(beta))
}

/// NSB entropy (nats) of non-zero `counts` over `cells ≥ counts.len()` cells.
pub(crate) fn nsb_entropy(counts: &[u64], cells: u64) -> f64 {
    let nz: Vec<u64> = counts.iter().copied().filter(|&c| c > 0).collect();
    let k = cells.max(nz.len() as u64);
    let n: u64 = nz.iter().sum();
    if n == 0 || k <= 1 {
        return 0.0;
    }
    let mut distinct: Vec<(f64, f64)> = Vec::new();
    for &c in &nz {
        match distinct.last_mut() {
            Some(last) if last.0 == c as f64 => last.1 += 1.0,
            _ => distinct.push((c as f64, 1.0)),
        }
    }
    let p = Posterior {
        counts: distinct,
        k: k as f64,
        n: n as f64,
        zeros: (k - nz.len() as u64) as f64,
    };
    // Locate the posterior's bulk on a coarse grid of ln β, then integrate where the
    // log-weight is within 50 of its maximum.
    let grid: Vec<f64> = (0..=240).map(|i| -30.0 + 0.25 * i as f64).collect();
    let lw: Vec<f64> = grid.iter().map(|&x| p.log_weight(x.exp())).collect();
    let peak = lw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let inside: Vec<usize> = (0..grid.len()).filter(|&i| lw[i] > peak - 50.0).collect();
    let lo = grid[inside[0].saturating_sub(1)];
    let hi = grid[(inside[inside.len() - 1] + 1).min(grid.len() - 1)];
    // Simpson's rule, halving the step until the estimate settles; each level reuses every
    // point of the previous ones (they become the even points).
    let ends = {
        let (a, b) = (integrand(&p, lo, peak), integrand(&p, hi, peak));
        (a.0 + b.0, a.1 + b.1)
    };
    let mut m = 2usize;
    let mut even = (0.0, 0.0);
    let mut odd = integrand(&p, 0.5 * (lo + hi), peak);
    // The step h/3 cancels in the ratio.
    let simpson = |even: (f64, f64), odd: (f64, f64)| {
        let z = ends.0 + 4.0 * odd.0 + 2.0 * even.0;
        let zh = ends.1 + 4.0 * odd.1 + 2.0 * even.1;
        zh / z
    };
    let mut est = simpson(even, odd);
    while m < 1 << 16 {
        even = (even.0 + odd.0, even.1 + odd.1);
        m *= 2;
        let h = (hi - lo) / m as f64;
        odd = (0.0, 0.0);
        for i in (1..m).step_by(2) {
            let v = integrand(&p, lo + h * i as f64, peak);
            odd.0 += v.0;
            odd.1 += v.1;
        }
        let next = simpson(even, odd);
        let done = m >= 64 && (next - est).abs() <= 1e-13 * next.abs().max(1.0);
        est = next;
        if done {
            break;
        }
    }
    est.max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xi_prime_is_continuous_at_the_switch() {
        for k in [2.0, 7.0, 500.0] {
            let a = xi_prime(k, 100.0 - 1e-9);
            let b = xi_prime(k, 100.0);
            assert!((a - b).abs() / b < crate::prec::ITERATIVE, "{k}: {a} {b}");
            let big = xi_prime(k, 1e13);
            let approx = (k - 1.0) / (2.0 * k * 1e26);
            assert!(
                (big - approx).abs() / approx < crate::prec::ITERATIVE,
                "{big} {approx}"
            );
        }
    }

    #[test]
    fn ln_gamma_ratio_agrees() {
        for (z, n) in [(20.0, 3.0), (25.5, 100.0), (1e3, 7.0), (50.0, 0.5)] {
            let direct = ln_gamma(z + n) - ln_gamma(z);
            assert!(
                (ln_gamma_ratio(z, n) - direct).abs()
                    < crate::prec::IDENTITY * direct.abs().max(1.0),
                "{z} {n}"
            );
        }
        // Far out, Σ ln(z + j) for integer n.
        let z = 1e13;
        let exact: f64 = (0..50).map(|j| (z + j as f64).ln()).sum();
        assert!((ln_gamma_ratio(z, 50.0) - exact).abs() < crate::prec::CONVERGED);
    }

    #[test]
    fn trigamma_values() {
        // ψ₁(1) = π²/6, ψ₁(1/2) = π²/2.
        let pi2 = std::f64::consts::PI.powi(2);
        assert!((trigamma(1.0) - pi2 / 6.0).abs() < crate::prec::SERIES);
        assert!((trigamma(0.5) - pi2 / 2.0).abs() < crate::prec::GOLDEN);
        assert!(
            (trigamma(1e-6) - (1e12 + trigamma(1.0 + 1e-6))).abs() / 1e12 < crate::prec::ROUNDOFF
        );
    }
}

#[cfg(test)]
mod golden {
    use super::nsb_entropy;

    /// The NSB integral by scipy 1.17.1 `integrate.quad`, and ndd 1.10.6 `ndd.entropy(counts, k)`
    /// (nats), from scripts/golden_nsb.py. ndd's fixed quadrature differs from the adaptive
    /// integral by up to 1e-3.
    #[test]
    fn matches_scipy_quadrature_and_ndd() {
        let cases: [(&[u64], u64, f64, f64); 5] = [
            (&[3, 1, 0, 5, 2], 6, 1.4220790504521472, 1.4213503474266351),
            (&[10, 10], 2, 0.6742145173626946, 0.674209315410779),
            (&[1, 1, 1, 2], 10, 1.8658722534666041, 1.8654005681073735),
            (
                &[50, 20, 5, 1, 1, 0, 0],
                7,
                0.9571372465012385,
                0.9571390699082349,
            ),
            (&[4, 1], 40, 1.0030672343169988, 1.002899614120306),
        ];
        for (counts, k, quad, ndd) in cases {
            let ours = nsb_entropy(counts, k);
            assert!(
                (ours - quad).abs() < crate::prec::IDENTITY,
                "{counts:?} k={k}: {ours} vs quad {quad}"
            );
            assert!(
                (ours - ndd).abs() < crate::prec::ESTIMATE,
                "{counts:?} k={k}: {ours} vs ndd {ndd}"
            );
        }
    }
}
