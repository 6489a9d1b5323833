//! Special functions: digamma (statrs) with a table for integer arguments, and the standard
//! normal quantile.

/// Digamma ψ(x), from statrs (`statrs::function::gamma::digamma`): upward recurrence to
/// x ≥ 12, then the asymptotic series of Abramowitz & Stegun 6.3.18 through x⁻¹⁰ (the first
/// omitted term is below 3·10⁻¹⁵ at x = 12, a few ulps; checked against scipy below).
pub use statrs::function::gamma::digamma;

/// ψ(0), ψ(1), …, ψ(n) for integer arguments (ψ(0) is set to −∞ and never used).
///
/// Exact [`digamma`] every 32 arguments and `ψ(m + 1) = ψ(m) + 1/m` in between: one division
/// per entry, within a few ulps of `digamma` everywhere (tested).
pub fn digamma_table(n: usize) -> Vec<f64> {
    let mut t = Vec::with_capacity(n + 1);
    t.push(f64::NEG_INFINITY);
    let mut prev = 0.0;
    for i in 1..=n {
        let v = if i % 32 == 1 {
            digamma(i as f64)
        } else {
            prev + 1.0 / (i - 1) as f64
        };
        t.push(v);
        prev = v;
    }
    t
}

/// The standard normal quantile Φ⁻¹(p) for 0 < p < 1, as `−√2 · erfc⁻¹(2p)`.
pub fn ndtri(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digamma_matches_scipy() {
        // scipy.special.digamma 1.x
        let cases = [
            (1.0, -0.5772156649015329),
            (0.5, -1.9635100260214235),
            (3.0, 0.9227843350984671),
            (7.5, 1.9467574842460866),
            (100.0, 4.600161852738088),
            (12345.0, 9.420965899004846),
        ];
        for (x, want) in cases {
            let got = digamma(x);
            assert!(
                (got - want).abs() <= mutinfo_core::prec::SERIES * want.abs().max(1.0),
                "{x}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn digamma_table_matches_digamma() {
        let t = digamma_table(5000);
        for (i, &v) in t.iter().enumerate().skip(1) {
            let d = digamma(i as f64);
            assert!(
                (v - d).abs() <= mutinfo_core::prec::SERIES * d.abs().max(1.0),
                "{i}: {v} vs {d}"
            );
        }
    }

    #[test]
    fn ndtri_matches_scipy() {
        // scipy.special.ndtri
        let cases = [
            (0.5, 0.0),
            (0.975, 1.959963984540054),
            (0.001, -3.090232306167813),
            (1.0 / 10001.0, -3.7190417463402357),
        ];
        for (p, want) in cases {
            let got = ndtri(p);
            assert!(
                (got - want).abs() <= mutinfo_core::prec::SERIES,
                "{p}: {got} vs {want}"
            );
        }
    }
}
