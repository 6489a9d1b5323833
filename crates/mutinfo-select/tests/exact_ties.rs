//! Exact scores: the engine against a brute-force greedy reference in exact arithmetic, on
//! small random data sets full of exact ties, for every criterion; and golden tie tests.
//!
//! The reference keeps every plug-in term `N·I` as a linear form `Σ_p A_p ln p` over primes
//! with integer coefficients (from the prime factorizations of the counts), so two terms are
//! equal exactly when their coefficient vectors are (the `ln p` are linearly independent over
//! ℚ). Ratios are compared by cross-multiplying forms symbolically (quadratic forms in the
//! `ln p`, with Peng's MIQ constant as one more symbol). Unequal values are ordered by evaluating
//! the forms in `f64`; the test fails if such a difference is too small to trust, so every
//! ordering it checks is certain. Nothing here uses the engine's fixed point.

use mutinfo_core::{CodeMatrix, Codes};
use mutinfo_select::{select, Criterion, SelectOptions};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// `Σ coeff · ln(symbol)`; symbol 0 stands for Peng's MIQ constant `10⁻⁴ · N`.
type Form = BTreeMap<u64, i128>;

fn factor(mut n: u64) -> Vec<u64> {
    let mut out = Vec::new();
    let mut d = 2;
    while d * d <= n {
        while n % d == 0 {
            out.push(d);
            n /= d;
        }
        d += 1;
    }
    if n > 1 {
        out.push(n);
    }
    out
}

fn add(a: &Form, b: &Form, sign: i128) -> Form {
    let mut out = a.clone();
    for (&p, &c) in b {
        *out.entry(p).or_insert(0) += sign * c;
    }
    out.retain(|_, c| *c != 0);
    out
}

fn scale(a: &Form, k: i128) -> Form {
    let mut out: Form = a.iter().map(|(&p, &c)| (p, c * k)).collect();
    out.retain(|_, c| *c != 0);
    out
}

/// `Σ c ln c` over counts, as a form.
fn sum_c_ln_c(counts: impl IntoIterator<Item = u64>) -> Form {
    let mut f = Form::new();
    for c in counts {
        for p in factor(c) {
            *f.entry(p).or_insert(0) += c as i128;
        }
    }
    f.retain(|_, c| *c != 0);
    f
}

fn value(f: &Form, n: usize) -> f64 {
    f.iter()
        .map(|(&p, &c)| {
            c as f64
                * if p == 0 {
                    1e-4 * n as f64
                } else {
                    (p as f64).ln()
                }
        })
        .sum()
}

/// `N·H` of the joint of some columns, as a form.
fn n_entropy(cols: &[&[u32]], n: usize) -> Form {
    let mut counts: BTreeMap<Vec<u32>, u64> = BTreeMap::new();
    for r in 0..n {
        *counts
            .entry(cols.iter().map(|c| c[r]).collect())
            .or_insert(0) += 1;
    }
    add(
        &sum_c_ln_c([n as u64]),
        &sum_c_ln_c(counts.values().copied()),
        -1,
    )
}

/// `N·I(A;B|C)` as a form (C may be empty).
fn n_cmi(a: &[&[u32]], b: &[&[u32]], c: &[&[u32]], n: usize) -> Form {
    let cat = |x: &[&[u32]], y: &[&[u32]]| -> Vec<Vec<u32>> {
        x.iter().chain(y).map(|v| v.to_vec()).collect()
    };
    let h = |cols: Vec<Vec<u32>>| {
        let r: Vec<&[u32]> = cols.iter().map(|v| v.as_slice()).collect();
        n_entropy(&r, n)
    };
    let ac = h(cat(a, c));
    let bc = h(cat(b, c));
    let abc = h(cat(
        &cat(a, b).iter().map(|v| v.as_slice()).collect::<Vec<_>>(),
        c,
    ));
    let cc = h(cat(c, &[]));
    add(&add(&ac, &bc, 1), &add(&abc, &cc, 1), -1)
}

/// A reference score.
#[derive(Clone, Debug)]
enum Score {
    Lin(Form),
    Ratio(Form, Form),
    /// A sum of ratios (DISR).
    Sum(Vec<(Form, Form)>),
}

/// Quadratic form `a·d − c·b` is zero (symbolically)?
fn cross_zero(a: &Form, b: &Form, c: &Form, d: &Form) -> bool {
    let mut q: BTreeMap<(u64, u64), i128> = BTreeMap::new();
    for (s, x, y) in [(1i128, a, d), (-1, c, b)] {
        for (&p, &u) in x {
            for (&r, &v) in y {
                *q.entry((p.min(r), p.max(r))).or_insert(0) += s * u * v;
            }
        }
    }
    q.values().all(|&v| v == 0)
}

fn certain(diff: f64, what: &str) -> Ordering {
    assert!(
        diff.abs() > 1e-9,
        "reference cannot order {what} safely: difference {diff}"
    );
    if diff > 0.0 {
        Ordering::Greater
    } else {
        Ordering::Less
    }
}

fn ratio_value(a: &Form, b: &Form, n: usize) -> f64 {
    let d = value(b, n);
    if b.is_empty() {
        0.0
    } else {
        value(a, n) / d
    }
}

fn cmp_ratio(a: &(Form, Form), b: &(Form, Form), n: usize) -> Ordering {
    // A zero denominator makes the ratio 0: written 0 / ln 2.
    let norm = |r: &(Form, Form)| {
        if r.1.is_empty() {
            (Form::new(), Form::from([(2, 1)]))
        } else {
            r.clone()
        }
    };
    let (a, b) = (&norm(a), &norm(b));
    if cross_zero(&a.0, &b.1, &b.0, &a.1) {
        Ordering::Equal
    } else {
        certain(
            ratio_value(&a.0, &a.1, n) - ratio_value(&b.0, &b.1, n),
            "ratios",
        )
    }
}

fn cmp(a: &Score, b: &Score, n: usize) -> Ordering {
    match (a, b) {
        (Score::Lin(x), Score::Lin(y)) => {
            let d = add(x, y, -1);
            if d.is_empty() {
                Ordering::Equal
            } else {
                certain(value(&d, n), "forms")
            }
        }
        (Score::Ratio(p, q), Score::Ratio(r, s)) => {
            cmp_ratio(&(p.clone(), q.clone()), &(r.clone(), s.clone()), n)
        }
        (Score::Sum(x), Score::Sum(y)) => {
            // Equal when the multisets of ratios agree (sorted by value, matched exactly).
            let sorted = |v: &Vec<(Form, Form)>| {
                let mut v = v.clone();
                v.sort_by(|a, b| cmp_ratio(a, b, n));
                v
            };
            let (sx, sy) = (sorted(x), sorted(y));
            if sx.len() == sy.len()
                && sx
                    .iter()
                    .zip(&sy)
                    .all(|(a, b)| cmp_ratio(a, b, n) == Ordering::Equal)
            {
                return Ordering::Equal;
            }
            let total =
                |v: &Vec<(Form, Form)>| v.iter().map(|r| ratio_value(&r.0, &r.1, n)).sum::<f64>();
            certain(total(x) - total(y), "sums of ratios")
        }
        _ => unreachable!("one kind per criterion"),
    }
}

fn min_form(forms: &[Form], n: usize) -> Form {
    let mut best = forms[0].clone();
    for f in &forms[1..] {
        if cmp(&Score::Lin(f.clone()), &Score::Lin(best.clone()), n) == Ordering::Less {
            best = f.clone();
        }
    }
    best
}

/// Brute-force greedy selection, every score recomputed from scratch.
fn reference(cols: &[Vec<u32>], y: &[u32], crit: Criterion, k: usize) -> Vec<usize> {
    let n = y.len();
    let p = cols.len();
    let rel: Vec<Form> = (0..p).map(|j| n_cmi(&[&cols[j]], &[y], &[], n)).collect();
    let mut sel: Vec<usize> = Vec::new();
    while sel.len() < k {
        let mut best: Option<(usize, Score)> = None;
        for j in (0..p).filter(|j| !sel.contains(j)) {
            let x: &[u32] = &cols[j];
            let s = sel.len() as i128;
            let pair = |t: usize| n_cmi(&[x], &[&cols[t]], &[], n);
            let cpair = |t: usize| n_cmi(&[x], &[&cols[t]], &[y], n);
            let joint = |t: usize| n_cmi(&[x, &cols[t]], &[y], &[], n);
            let hxzy = |t: usize| n_entropy(&[x, &cols[t], y], n);
            let sum = |f: &dyn Fn(usize) -> Form| {
                sel.iter().fold(Form::new(), |acc, &t| add(&acc, &f(t), 1))
            };
            let score = if sel.is_empty() {
                Score::Lin(rel[j].clone())
            } else {
                match crit {
                    Criterion::Mim => Score::Lin(rel[j].clone()),
                    Criterion::Mifs { .. } => {
                        // β = 0.5: ranked by 2·rel − red.
                        Score::Lin(add(&scale(&rel[j], 2), &sum(&pair), -1))
                    }
                    Criterion::Mrmr => Score::Lin(add(&scale(&rel[j], s), &sum(&pair), -1)),
                    Criterion::MrmrQuotient => {
                        let mut den = sum(&pair);
                        *den.entry(0).or_insert(0) += s;
                        Score::Ratio(rel[j].clone(), den)
                    }
                    Criterion::Jmi => Score::Lin(sum(&joint)),
                    Criterion::Cmim | Criterion::CmimUncapped => {
                        let mut v: Vec<Form> = sel
                            .iter()
                            .map(|&t| n_cmi(&[x], &[y], &[&cols[t]], n))
                            .collect();
                        if crit == Criterion::Cmim {
                            v.push(rel[j].clone());
                        }
                        Score::Lin(min_form(&v, n))
                    }
                    Criterion::Disr => {
                        Score::Sum(sel.iter().map(|&t| (joint(t), hxzy(t))).collect())
                    }
                    Criterion::Icap => {
                        let pen = sel.iter().fold(Form::new(), |acc, &t| {
                            let d = add(&pair(t), &cpair(t), -1);
                            if cmp(&Score::Lin(d.clone()), &Score::Lin(Form::new()), n)
                                == Ordering::Greater
                            {
                                add(&acc, &d, 1)
                            } else {
                                acc
                            }
                        });
                        Score::Lin(add(&rel[j], &pen, -1))
                    }
                    Criterion::Cife => {
                        Score::Lin(add(&add(&rel[j], &sum(&pair), -1), &sum(&cpair), 1))
                    }
                    Criterion::CondMi => {
                        let z: Vec<&[u32]> = sel.iter().map(|&t| cols[t].as_slice()).collect();
                        Score::Lin(n_cmi(&[x], &[y], &z, n))
                    }
                    Criterion::Jmim => Score::Lin(min_form(
                        &sel.iter().map(|&t| joint(t)).collect::<Vec<_>>(),
                        n,
                    )),
                    Criterion::Njmim => {
                        let mut best = (joint(sel[0]), hxzy(sel[0]));
                        for &t in &sel[1..] {
                            let r = (joint(t), hxzy(t));
                            if cmp_ratio(&r, &best, n) == Ordering::Less {
                                best = r;
                            }
                        }
                        Score::Ratio(best.0, best.1)
                    }
                    Criterion::BetaGamma { .. } => {
                        // β = 0.5, γ = 0.25: ranked by 4·rel − 2·red + cred.
                        Score::Lin(add(
                            &add(&scale(&rel[j], 4), &scale(&sum(&pair), 2), -1),
                            &sum(&cpair),
                            1,
                        ))
                    }
                    _ => unreachable!(),
                }
            };
            if best
                .as_ref()
                .is_none_or(|(_, b)| cmp(&score, b, n) == Ordering::Greater)
            {
                best = Some((j, score));
            }
        }
        sel.push(best.expect("a candidate remains").0);
    }
    sel
}

/// Every criterion, with the β/γ weights (0.5, 0.25) the exact oracle above ranks by.
fn criteria() -> [Criterion; 14] {
    Criterion::all().map(|c| match c {
        Criterion::BetaGamma { .. } => Criterion::BetaGamma {
            beta: 0.5,
            gamma: 0.25,
        },
        c => c,
    })
}

/// A small data set with deliberate exact ties: duplicated columns, relabeled columns, and
/// columns whose count multisets differ but whose `Π c^c` agree ({4,1,1,1,1} vs {2,2,2,2}).
fn tied_data(rng: &mut ChaCha8Rng) -> (Vec<Vec<u32>>, Vec<u32>) {
    let n = 8 * rng.gen_range(1..=3);
    let y: Vec<u32> = (0..n).map(|_| rng.gen_range(0..2)).collect();
    let mut cols: Vec<Vec<u32>> = Vec::new();
    let p = rng.gen_range(4..9);
    while cols.len() < p {
        let kind = rng.gen_range(0..5);
        let col: Vec<u32> = match kind {
            // A copy of an earlier column.
            0 if !cols.is_empty() => cols[rng.gen_range(0..cols.len())].clone(),
            // A relabeled earlier column.
            1 if !cols.is_empty() => {
                let src = &cols[rng.gen_range(0..cols.len())];
                src.iter().map(|&v| 3 - v.min(3)).collect()
            }
            // Blocks of 8 rows with counts {4,1,1,1,1} or {2,2,2,2}, in random order.
            2 => {
                let mut v = Vec::with_capacity(n);
                for _ in 0..n / 8 {
                    let mut block: Vec<u32> = if rng.gen_bool(0.5) {
                        vec![0, 0, 0, 0, 1, 2, 3, 4]
                    } else {
                        vec![0, 0, 1, 1, 2, 2, 3, 3]
                    };
                    for i in (1..8).rev() {
                        block.swap(i, rng.gen_range(0..=i));
                    }
                    v.extend(block);
                }
                v
            }
            _ => {
                let card = rng.gen_range(1..4);
                (0..n).map(|_| rng.gen_range(0..card)).collect()
            }
        };
        cols.push(col);
    }
    (cols, y)
}

fn engine(cols: &[Vec<u32>], y: &[u32], crit: Criterion, k: usize) -> Vec<usize> {
    let codes: Vec<Codes> = cols
        .iter()
        .map(|c| Codes::from_codes(c.clone(), c.iter().max().map_or(1, |m| m + 1)).unwrap())
        .collect();
    let x = CodeMatrix::from_columns(codes).unwrap();
    let yc = Codes::from_codes(y.to_vec(), 2).unwrap();
    select(&x, &yc, &SelectOptions::new(crit).k(k))
        .unwrap()
        .selected()
}

#[test]
fn engine_matches_exact_reference_on_tied_data() {
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    for case in 0..40 {
        let (cols, y) = tied_data(&mut rng);
        let k = cols.len().min(5);
        for crit in criteria() {
            let want = reference(&cols, &y, crit, k);
            let got = engine(&cols, &y, crit, k);
            assert_eq!(got, want, "case {case}, {crit}: cols {cols:?}, y {y:?}");
        }
    }
}

#[test]
fn exact_ties_go_to_the_lowest_index_for_every_criterion() {
    // Column 1 carries the class, column 3 is column 1 relabeled, column 4 a copy of column 1;
    // columns 0 and 2 are weaker. Every criterion's first pick is column 1, not 3 or 4, and
    // no score may be told apart by rounding noise.
    let y = vec![0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 0, 1];
    let a = vec![0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1];
    let relabeled: Vec<u32> = a.iter().map(|&v| 1 - v).collect();
    let cols = vec![
        vec![0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1],
        a.clone(),
        vec![0, 0, 0, 1, 1, 1, 2, 2, 2, 0, 1, 2],
        relabeled,
        a,
    ];
    for crit in criteria() {
        let got = engine(&cols, &y, crit, 5);
        assert_eq!(got[0], 1, "{crit}: {got:?}");
        assert_eq!(got, reference(&cols, &y, crit, 5), "{crit}");
    }
}

#[test]
fn exact_zero_scores_are_plus_zero() {
    // Every column is independent of the class in the sample: relevance exactly 0.
    let y = Codes::from_codes(vec![0, 1, 0, 1], 2).unwrap();
    let x = CodeMatrix::from_columns(vec![
        Codes::from_codes(vec![0, 0, 1, 1], 2).unwrap(),
        Codes::from_codes(vec![1, 1, 0, 0], 2).unwrap(),
    ])
    .unwrap();
    for crit in criteria() {
        let sel = select(&x, &y, &SelectOptions::new(crit).k(2)).unwrap();
        for step in &sel.steps {
            assert_eq!(step.relevance.to_bits(), 0f64.to_bits(), "{crit}");
        }
        let first = sel.steps[0].score;
        assert_eq!(first.to_bits(), 0f64.to_bits(), "{crit}: {first}");
        assert_eq!(sel.selected(), vec![0, 1], "{crit}");
    }
}

/// CMIM's lazy heap and MIM's one sort against the reference's full scan of every candidate
/// in every round, on wider data than above (more rounds with stale bounds, more ties).
#[test]
fn lazy_and_sorted_rounds_match_the_reference_on_wider_data() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for case in 0..12 {
        let n = 48;
        let y: Vec<u32> = (0..n).map(|_| rng.gen_range(0..2)).collect();
        let mut cols: Vec<Vec<u32>> = Vec::new();
        for _ in 0..30 {
            let col = if !cols.is_empty() && rng.gen_bool(0.3) {
                cols[rng.gen_range(0..cols.len())].clone()
            } else {
                let card = rng.gen_range(2..4);
                (0..n).map(|_| rng.gen_range(0..card)).collect()
            };
            cols.push(col);
        }
        for crit in [Criterion::Mim, Criterion::Cmim, Criterion::CmimUncapped] {
            let want = reference(&cols, &y, crit, 12);
            assert_eq!(engine(&cols, &y, crit, 12), want, "case {case}, {crit}");
            // Fixing the first picks (in order) changes nothing: the lazy bounds lowered by a
            // fixed pick stay valid in the heap.
            let codes: Vec<Codes> = cols
                .iter()
                .map(|c| Codes::from_codes(c.clone(), 4).unwrap())
                .collect();
            let x = CodeMatrix::from_columns(codes).unwrap();
            let yc = Codes::from_codes(y.clone(), 2).unwrap();
            let opts = SelectOptions::new(crit).k(12).fixed(want[..3].to_vec());
            assert_eq!(
                select(&x, &yc, &opts).unwrap().selected(),
                want,
                "{crit} fixed"
            );
        }
    }
}
