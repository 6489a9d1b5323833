//! The incremental engine against a from-scratch float recomputation of every criterion at
//! every step (brute force: mutinfo-core's own counting, no accumulators, no laziness), and
//! thread count independence.

use mutinfo_core::prec::{close, IDENTITY};
use mutinfo_core::{
    conditional_mutual_information, mutual_information, triple_entropies, CodeMatrix, Codes,
    Estimator,
};
use mutinfo_select::{select, Criterion, SelectOptions, Selection};
use proptest::prelude::*;

/// The criterion of candidate `j` given the selected `sel`, recomputed from scratch with the
/// formulas of Brown et al. (2012) (see `Criterion`), sums in selection order.
fn brute_score(c: Criterion, x: &CodeMatrix, y: &Codes, j: usize, sel: &[usize]) -> f64 {
    let e = Estimator::PlugIn;
    let xj = x.column(j);
    let rel = mutual_information(xj, y).unwrap();
    if sel.is_empty() {
        return rel;
    }
    if c == Criterion::CondMi {
        let cols: Vec<&Codes> = sel.iter().map(|&s| x.column(s)).collect();
        let z = Codes::joint_of(&cols, y.len()).unwrap();
        return conditional_mutual_information(xj, y, &z).unwrap();
    }
    let t: Vec<_> = sel
        .iter()
        .map(|&s| triple_entropies(&[xj], x.column(s), y, e).unwrap()[0])
        .collect();
    let sum =
        |f: &dyn Fn(&mutinfo_core::TripleEntropies) -> f64| t.iter().fold(0.0, |acc, t| acc + f(t));
    let min = |f: &dyn Fn(&mutinfo_core::TripleEntropies) -> f64| {
        t.iter().fold(f64::INFINITY, |acc, t| acc.min(f(t)))
    };
    let nj = |t: &mutinfo_core::TripleEntropies| {
        if t.h_xzy > 0.0 {
            t.joint_mi(e) / t.h_xzy
        } else {
            0.0
        }
    };
    let red = sum(&|t| t.mi_xz(e));
    let cred = sum(&|t| t.cmi_xz_given_y(e));
    let s = sel.len() as f64;
    match c {
        Criterion::Mim => rel,
        Criterion::Mifs { beta } => rel - beta * red,
        Criterion::Mrmr => rel - red / s,
        Criterion::MrmrQuotient => rel / (red / s + 1e-4),
        Criterion::Jmi => sum(&|t| t.joint_mi(e)),
        Criterion::Cmim => rel.min(min(&|t| t.cmi_xy_given_z(e))),
        Criterion::CmimUncapped => min(&|t| t.cmi_xy_given_z(e)),
        Criterion::Disr => sum(&nj),
        Criterion::Icap => rel - sum(&|t| (t.mi_xz(e) - t.cmi_xz_given_y(e)).max(0.0)),
        Criterion::Cife => rel - red + cred,
        Criterion::Jmim => min(&|t| t.joint_mi(e)),
        Criterion::Njmim => min(&nj),
        Criterion::BetaGamma { beta, gamma } => rel - beta * red + gamma * cred,
        _ => unreachable!(),
    }
}

fn data() -> impl Strategy<Value = (CodeMatrix, Codes)> {
    (10usize..120, 2usize..9, 2u32..4).prop_flat_map(|(n, p, ny)| {
        let cols = proptest::collection::vec(
            (1u32..5)
                .prop_flat_map(move |card| (Just(card), proptest::collection::vec(0..card, n))),
            p,
        );
        (cols, proptest::collection::vec(0..ny, n)).prop_map(move |(cols, y)| {
            let columns = cols
                .into_iter()
                .map(|(card, v)| Codes::from_codes(v, card).unwrap())
                .collect();
            (
                CodeMatrix::from_columns(columns).unwrap(),
                Codes::from_codes(y, ny).unwrap(),
            )
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn incremental_equals_from_scratch((x, y) in data()) {
        // The engine's scores are exact (tests/exact_ties.rs checks its picks against an
        // exact-arithmetic reference); the float recomputation agrees with them to round-off,
        // and at every step the engine's pick is a best candidate of the float scores to
        // round-off (the float scores cannot tell exact ties from rounding noise).
        let k = x.n_cols();
        for c in Criterion::all() {
            let got = select(&x, &y, &SelectOptions::new(c).k(k)).unwrap();
            for (t, step) in got.steps.iter().enumerate() {
                let sel = &got.selected()[..t];
                let want = brute_score(c, &x, &y, step.feature, sel);
                prop_assert!(close(step.score, want, IDENTITY), "{} step {}: {} vs {}", c, t, step.score, want);
                let best = (0..x.n_cols())
                    .filter(|j| !sel.contains(j))
                    .map(|j| brute_score(c, &x, &y, j, sel))
                    .fold(f64::NEG_INFINITY, f64::max);
                prop_assert!(want >= best - IDENTITY * best.abs().max(1.0), "{} step {}: {} < {}", c, t, want, best);
            }
        }
    }

    #[test]
    fn same_result_for_one_and_two_threads((x, y) in data()) {
        let run = |threads: usize| -> Vec<Selection> {
            rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| {
                Criterion::all()
                    .into_iter()
                    .map(|c| select(&x, &y, &SelectOptions::new(c).unlimited()).unwrap())
                    .collect()
            })
        };
        let one = run(1);
        let two = run(2);
        for (a, b) in one.iter().zip(&two) {
            prop_assert_eq!(a.steps.len(), b.steps.len());
            for (s, t) in a.steps.iter().zip(&b.steps) {
                prop_assert_eq!(s.feature, t.feature);
                prop_assert_eq!(s.score.to_bits(), t.score.to_bits());
            }
        }
    }
}
