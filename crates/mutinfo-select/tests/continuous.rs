//! Selection on continuous features with the estimators of mutinfo-continuous: known answers on
//! synthetic data, the incremental engine against a from-scratch recomputation by direct calls
//! to `ContinuousMi`, class targets, errors and thread-count independence.

use linfa::prelude::*;
use mutinfo_continuous::{ContinuousMi, Estimator};
use mutinfo_core::Codes;
use mutinfo_select::{
    select_continuous, select_continuous_traced, ContinuousTarget, Criterion, InfoSelector,
    SelectError, SelectOptions, Selection,
};
use ndarray::{concatenate, Array1, Array2, ArrayView2, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box–Muller: portable and reproducible.
    let u: f64 = 1.0 - rng.gen::<f64>();
    let v: f64 = rng.gen();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// `y = x0 + x1 + noise` with `x0 ~ N(0, 1.5²)`, `x1 ~ N(0, 1)`, noise `N(0, 0.3²)`;
/// `x2 = x0 + N(0, 0.3²)` (a noisy copy, correlation 0.98); `x3..x5` pure noise.
fn synthetic(n: usize, seed: u64) -> (Array2<f64>, Array1<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut x = Array2::zeros((n, 6));
    let mut y = Array1::zeros(n);
    for i in 0..n {
        let x0 = 1.5 * normal(&mut rng);
        let x1 = normal(&mut rng);
        x[[i, 0]] = x0;
        x[[i, 1]] = x1;
        x[[i, 2]] = x0 + 0.3 * normal(&mut rng);
        for j in 3..6 {
            x[[i, j]] = normal(&mut rng);
        }
        y[i] = x0 + x1 + 0.3 * normal(&mut rng);
    }
    (x, y)
}

/// Three classes by the terciles of a continuous target.
fn classes_of(y: &Array1<f64>) -> Codes {
    let mut s: Vec<f64> = y.to_vec();
    s.sort_by(f64::total_cmp);
    let (a, b) = (s[s.len() / 3], s[2 * s.len() / 3]);
    let labels: Vec<u32> = y
        .iter()
        .map(|&v| u32::from(v >= a) + u32::from(v >= b))
        .collect();
    Codes::from_values(&labels).unwrap()
}

fn ksg() -> ContinuousMi {
    ContinuousMi::new().estimator(Estimator::Ksg1).neighbors(3)
}

fn run(
    x: &Array2<f64>,
    t: ContinuousTarget<'_>,
    c: Criterion,
    k: usize,
    mi: &ContinuousMi,
) -> Selection {
    select_continuous(x.view(), t, &SelectOptions::new(c).k(k), mi).unwrap()
}

#[test]
fn picks_the_drivers_before_the_copy_and_the_noise() {
    for seed in [1, 2, 3] {
        let (x, y) = synthetic(1000, seed);
        for mi in [ksg(), ContinuousMi::new().estimator(Estimator::Copula)] {
            let t = ContinuousTarget::Values(y.view());
            for c in [Criterion::Mrmr, Criterion::Jmi, Criterion::Cmim] {
                let s = run(&x, t, c, 3, &mi);
                assert_eq!(&s.selected()[..2], &[0, 1], "{c} seed {seed} {mi:?}: {s:?}");
                if c == Criterion::Mrmr {
                    // JMI rewards the copy's complementarity with x1 (I(X2,X1;Y) is large), so
                    // only mRMR is sure to rank a noise column before the copy.
                    assert_ne!(s.selected()[2], 2, "{c} seed {seed}: the copy after noise");
                }
            }
            let m = run(&x, t, Criterion::Mim, 3, &mi);
            assert_eq!(m.selected(), vec![0, 2, 1], "MIM seed {seed}: {m:?}");
            // The relevance reported is the estimator's own.
            let direct = mi.many(x.view(), y.view()).unwrap();
            for (r, e) in m.relevance.iter().zip(&direct) {
                assert_eq!(r.to_bits(), e.value.to_bits());
            }
        }
    }
}

#[test]
fn steps_report_the_terms_the_criterion_uses() {
    let (x, y) = synthetic(600, 7);
    let t = ContinuousTarget::Values(y.view());
    let s = run(&x, t, Criterion::Mrmr, 2, &ksg());
    assert_eq!(s.steps[0].redundancy, Some(0.0));
    let r = s.steps[1].redundancy.unwrap();
    // I(X1;X0) is ~0 for independent columns: small, not clipped.
    assert!(r.abs() < 0.05, "{r}");
    assert_eq!(s.steps[1].score, s.steps[1].relevance - r);
    let c = run(&x, t, Criterion::Cife, 2, &ksg());
    assert!(c.steps[1].conditional_redundancy.is_some());
    let j = run(&x, t, Criterion::Jmi, 2, &ksg());
    assert_eq!(j.steps[1].redundancy, None);
    // JMI's second score is I(X1,X0;Y): close to the full information of y about (x0, x1).
    assert!(j.steps[1].score > 1.3, "{:?}", j.steps[1]);
}

/// The criterion of candidate `j` given the selected `sel`, from scratch by direct calls to
/// `ContinuousMi` with the formulas of `select_continuous`'s documentation (sums in selection
/// order, classes in code order).
fn brute(
    c: Criterion,
    x: ArrayView2<'_, f64>,
    t: ContinuousTarget<'_>,
    mi: &ContinuousMi,
    j: usize,
    sel: &[usize],
) -> f64 {
    let cc = match mi.get_estimator() {
        Estimator::Ross => mi.estimator(Estimator::Ksg1),
        _ => *mi,
    };
    let cd = match mi.get_estimator() {
        Estimator::Ksg1 | Estimator::Ksg2 => mi.estimator(Estimator::Ross),
        _ => *mi,
    };
    let rel_of = |j: usize| match t {
        ContinuousTarget::Values(y) => cc.many(x, y).unwrap()[j].value,
        ContinuousTarget::Classes(y) => cd.many_discrete(x, y).unwrap()[j].value,
    };
    let col = |j: usize| x.column(j).insert_axis(Axis(1)).to_owned();
    let block = |cols: &[usize]| x.select(Axis(1), cols);
    let ycol = |y: ndarray::ArrayView1<'_, f64>| y.insert_axis(Axis(1)).to_owned();
    // I(block; Y)
    let mi_y = |b: &Array2<f64>| match t {
        ContinuousTarget::Values(y) => {
            cc.mutual_information(b.view(), ycol(y).view())
                .unwrap()
                .value
        }
        ContinuousTarget::Classes(y) => cd.mutual_information_discrete(b.view(), y).unwrap().value,
    };
    let rel = rel_of(j);
    if sel.is_empty() {
        return rel;
    }
    if c == Criterion::CondMi {
        let z = block(sel);
        return match t {
            ContinuousTarget::Values(y) => {
                cc.conditional_mutual_information(col(j).view(), ycol(y).view(), z.view())
                    .unwrap()
                    .value
            }
            ContinuousTarget::Classes(_) => {
                let xz = concatenate(Axis(1), &[col(j).view(), z.view()]).unwrap();
                mi_y(&xz) - mi_y(&z)
            }
        };
    }
    let mi_xz = |s: usize| {
        cc.mutual_information(col(j).view(), col(s).view())
            .unwrap()
            .value
    };
    let joint = |s: usize| mi_y(&block(&[j, s]));
    let cmi = |s: usize| joint(s) - rel_of(s);
    let cred = |s: usize| match t {
        ContinuousTarget::Values(y) => {
            cc.conditional_mutual_information(col(j).view(), col(s).view(), ycol(y).view())
                .unwrap()
                .value
        }
        ContinuousTarget::Classes(y) => {
            let n = y.len();
            let mut sum = 0.0;
            for class in 0..y.cardinality() {
                let rows: Vec<usize> = (0..n).filter(|&i| y.get(i) == class).collect();
                if rows.len() < 2 {
                    continue;
                }
                let m = cc.neighbors(cc.get_neighbors().min(rows.len() - 1));
                let v = m
                    .mutual_information(
                        col(j).select(Axis(0), &rows).view(),
                        col(s).select(Axis(0), &rows).view(),
                    )
                    .unwrap()
                    .value;
                sum += rows.len() as f64 / n as f64 * v;
            }
            sum
        }
    };
    let sum = |f: &dyn Fn(usize) -> f64| sel.iter().fold(0.0, |a, &s| a + f(s));
    let min = |f: &dyn Fn(usize) -> f64| sel.iter().fold(f64::INFINITY, |a, &s| a.min(f(s)));
    let k = sel.len() as f64;
    match c {
        Criterion::Mim => rel,
        Criterion::Mifs { beta } => rel - beta * sum(&mi_xz),
        Criterion::Mrmr => rel - sum(&mi_xz) / k,
        Criterion::MrmrQuotient => rel / (sum(&mi_xz) / k + 1e-4),
        Criterion::Jmi => sum(&joint),
        Criterion::Cmim => rel.min(min(&cmi)),
        Criterion::CmimUncapped => min(&cmi),
        Criterion::Icap => rel - sum(&|s| (mi_xz(s) - cred(s)).max(0.0)),
        Criterion::Cife => rel - sum(&mi_xz) + sum(&cred),
        Criterion::Jmim => min(&joint),
        Criterion::BetaGamma { beta, gamma } => rel - beta * sum(&mi_xz) + gamma * sum(&cred),
        other => panic!("no continuous form for {other}"),
    }
}

fn check_against_brute(x: &Array2<f64>, t: ContinuousTarget<'_>, mi: &ContinuousMi) {
    let criteria = Criterion::all()
        .into_iter()
        .filter(|c| !matches!(c, Criterion::Disr | Criterion::Njmim));
    for c in criteria {
        let opts = SelectOptions::new(c).k(3);
        let (sel, rounds) = select_continuous_traced(x.view(), t, &opts, mi).unwrap();
        // Tracing evaluates CMIM in full; the lazy run must pick the same.
        assert_eq!(
            sel,
            select_continuous(x.view(), t, &opts, mi).unwrap(),
            "{c}"
        );
        assert_eq!(rounds.len(), 3, "{c}");
        let chosen = sel.selected();
        for (r, round) in rounds.iter().enumerate() {
            assert_eq!(round.len(), x.ncols() - r, "{c} round {r}");
            for &(j, v) in round {
                let b = brute(c, x.view(), t, mi, j, &chosen[..r]);
                assert_eq!(
                    v.to_bits(),
                    b.to_bits(),
                    "{c} round {r} candidate {j}: {v} vs {b}"
                );
            }
            // The pick is the largest value, ties to the lowest index.
            let best = round
                .iter()
                .fold((usize::MAX, f64::NEG_INFINITY), |acc, &(j, v)| {
                    if v > acc.1 || acc.0 == usize::MAX {
                        (j, v)
                    } else {
                        acc
                    }
                });
            assert_eq!(best.0, chosen[r], "{c} round {r}");
            assert_eq!(
                best.1.to_bits(),
                sel.steps[r].score.to_bits(),
                "{c} round {r}"
            );
        }
    }
}

#[test]
fn incremental_equals_from_scratch_continuous_target() {
    let (x, y) = synthetic(240, 11);
    check_against_brute(&x, ContinuousTarget::Values(y.view()), &ksg());
    let cop = ContinuousMi::new().estimator(Estimator::Copula);
    check_against_brute(&x, ContinuousTarget::Values(y.view()), &cop);
}

#[test]
fn incremental_equals_from_scratch_class_target() {
    let (x, y) = synthetic(240, 12);
    let classes = classes_of(&y);
    check_against_brute(&x, ContinuousTarget::Classes(&classes), &ksg());
    let gauss = ContinuousMi::new().estimator(Estimator::Gaussian);
    check_against_brute(&x, ContinuousTarget::Classes(&classes), &gauss);
}

#[test]
fn class_target_selects_the_drivers() {
    let (x, y) = synthetic(900, 5);
    let classes = classes_of(&y);
    let t = ContinuousTarget::Classes(&classes);
    for mi in [
        ksg(),
        ContinuousMi::new(),
        ContinuousMi::new().estimator(Estimator::Mixed),
    ] {
        for c in [
            Criterion::Mrmr,
            Criterion::Jmi,
            Criterion::Cmim,
            Criterion::CondMi,
        ] {
            let s = run(&x, t, c, 2, &mi);
            assert_eq!(s.selected(), vec![0, 1], "{c} {mi:?}: {s:?}");
        }
        let m = run(&x, t, Criterion::Mim, 2, &mi);
        assert_eq!(m.selected(), vec![0, 2], "MIM {mi:?}");
    }
    // Through linfa's Fit with class labels.
    let labels: Array1<usize> = (0..classes.len())
        .map(|i| classes.get(i) as usize)
        .collect();
    let data = Dataset::new(x.clone(), labels);
    let fitted = InfoSelector::params()
        .estimator(Some(Estimator::Ksg1))
        .criterion(Criterion::Jmi)
        .k(2)
        .fit(&data)
        .unwrap();
    assert_eq!(fitted.selected(), &[0, 1]);
    assert_eq!(
        fitted.steps(),
        run(&x, t, Criterion::Jmi, 2, &ksg()).steps,
        "Fit is select_continuous on the class codes"
    );
    let back = InfoSelector::from_json(&fitted.to_json().unwrap()).unwrap();
    assert_eq!(back, fitted);
}

#[test]
fn errors_are_typed() {
    let (x, y) = synthetic(100, 3);
    let t = ContinuousTarget::Values(y.view());
    let mi = ksg();
    for (c, name) in [(Criterion::Disr, "disr"), (Criterion::Njmim, "njmim")] {
        let e = select_continuous(x.view(), t, &SelectOptions::new(c), &mi).unwrap_err();
        assert!(
            matches!(e, SelectError::UnsupportedCriterion { criterion, .. } if criterion == name),
            "{e}"
        );
        assert!(
            e.to_string().contains(name) && e.to_string().contains("entropy"),
            "{e}"
        );
    }
    let mut bad = x.clone();
    bad[[5, 2]] = f64::NAN;
    let e = select_continuous(bad.view(), t, &SelectOptions::default(), &mi).unwrap_err();
    assert!(
        matches!(
            e,
            SelectError::NonFinite {
                column: 2,
                row: 5,
                ..
            }
        ),
        "{e}"
    );
    bad[[5, 2]] = f64::INFINITY;
    let e = select_continuous(bad.view(), t, &SelectOptions::default(), &mi).unwrap_err();
    assert!(e.to_string().contains("column 2 at row 5"), "{e}");
    let mut ybad = y.clone();
    ybad[7] = f64::NEG_INFINITY;
    let e = select_continuous(
        x.view(),
        ContinuousTarget::Values(ybad.view()),
        &SelectOptions::default(),
        &mi,
    )
    .unwrap_err();
    assert!(
        matches!(e, SelectError::NonFiniteTarget { row: 7, .. }),
        "{e}"
    );
    let short = y.slice(ndarray::s![..50]);
    let e = select_continuous(
        x.view(),
        ContinuousTarget::Values(short),
        &SelectOptions::default(),
        &mi,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            SelectError::TargetLength {
                expected: 100,
                found: 50
            }
        ),
        "{e}"
    );
    let codes = Codes::from_values(&[0u8, 1, 0]).unwrap();
    let e = select_continuous(
        x.view(),
        ContinuousTarget::Classes(&codes),
        &SelectOptions::default(),
        &mi,
    )
    .unwrap_err();
    assert!(
        matches!(e, SelectError::TargetLength { found: 3, .. }),
        "{e}"
    );
    let e = select_continuous(x.view(), t, &SelectOptions::default().alpha(0.05), &mi).unwrap_err();
    assert!(
        matches!(e, SelectError::InvalidParameter { name: "alpha", .. }),
        "{e}"
    );
    let e =
        select_continuous(x.view(), t, &SelectOptions::default(), &mi.neighbors(0)).unwrap_err();
    assert!(
        matches!(
            e,
            SelectError::InvalidParameter {
                name: "neighbors",
                ..
            }
        ),
        "{e}"
    );
    // Too many neighbours for the rows: the estimator's error, naming the term.
    let e =
        select_continuous(x.view(), t, &SelectOptions::default(), &mi.neighbors(100)).unwrap_err();
    assert!(matches!(e, SelectError::Estimate { .. }), "{e}");
    // KSG-2 has no conditional form: CIFE with a continuous target names the term.
    let e = select_continuous(
        x.view(),
        t,
        &SelectOptions::new(Criterion::Cife).k(2),
        &mi.estimator(Estimator::Ksg2),
    )
    .unwrap_err();
    assert!(
        matches!(&e, SelectError::Estimate { term, .. } if term.contains("|Y)")),
        "{e}"
    );
    let empty = Array2::<f64>::zeros((100, 0));
    assert!(matches!(
        select_continuous(empty.view(), t, &SelectOptions::default(), &mi),
        Err(SelectError::Empty { unit: "features" })
    ));
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let (x, y) = synthetic(400, 9);
    let classes = classes_of(&y);
    let targets = [
        ContinuousTarget::Values(y.view()),
        ContinuousTarget::Classes(&classes),
    ];
    let go = || {
        let mut out = Vec::new();
        for t in targets {
            for c in [
                Criterion::Mrmr,
                Criterion::Jmi,
                Criterion::Cmim,
                Criterion::Icap,
                Criterion::CondMi,
            ] {
                for mi in [ksg(), ContinuousMi::new()] {
                    let opts = SelectOptions::new(c).k(4);
                    let (s, r) = select_continuous_traced(x.view(), t, &opts, &mi).unwrap();
                    let bits: Vec<u64> = r.iter().flatten().map(|&(_, v)| v.to_bits()).collect();
                    out.push((s, bits));
                }
            }
        }
        out
    };
    let pool = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
    };
    let one = pool(1).install(go);
    let two = pool(2).install(go);
    assert_eq!(one, two);
}

#[test]
fn constant_and_duplicate_columns() {
    // A constant column has exactly zero relevance; an exact duplicate ties with its original
    // and loses to the lower index.
    let (x, y) = synthetic(300, 4);
    let dup = concatenate(
        Axis(1),
        &[
            x.view(),
            x.column(0).insert_axis(Axis(1)),
            Array2::from_elem((300, 1), 2.5).view(),
        ],
    )
    .unwrap();
    let t = ContinuousTarget::Values(y.view());
    let s = run(&dup, t, Criterion::Mim, 8, &ksg());
    assert_eq!(s.relevance[6].to_bits(), s.relevance[0].to_bits());
    assert_eq!(s.relevance[7], 0.0);
    let order = s.selected();
    let pos = |j| order.iter().position(|&v| v == j).unwrap();
    assert!(pos(0) < pos(6));
}
