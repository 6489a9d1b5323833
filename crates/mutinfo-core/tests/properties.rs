//! Property tests of the measures and the kernels.

use mutinfo_core::prec::{close, IDENTITY};
use mutinfo_core::*;
use proptest::prelude::*;

/// A column of `n` codes below `card`, declared with cardinality `declared ≥ card`.
fn column(n: usize, card: u32, declared: u32) -> impl Strategy<Value = Codes> {
    prop::collection::vec(0..card, n).prop_map(move |v| Codes::from_codes(v, declared).unwrap())
}

fn triple() -> impl Strategy<Value = (Codes, Codes, Codes)> {
    (1usize..120, 1u32..6, 1u32..6, 1u32..5)
        .prop_flat_map(|(n, a, b, c)| (column(n, a, a), column(n, b, b + 1), column(n, c, c)))
}

/// Brute-force plug-in entropy of the joint of columns, from a hash map of row tuples.
fn brute_entropy(cols: &[&Codes]) -> f64 {
    use std::collections::HashMap;
    let n = cols[0].len();
    let mut m: HashMap<Vec<u32>, u64> = HashMap::new();
    for i in 0..n {
        *m.entry(cols.iter().map(|c| c.get(i)).collect())
            .or_default() += 1;
    }
    let nf = n as f64;
    -m.values()
        .map(|&c| c as f64 / nf * (c as f64 / nf).ln())
        .sum::<f64>()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn mi_basic_properties((x, y, _z) in triple()) {
        let ixy = mutual_information(&x, &y).unwrap();
        let iyx = mutual_information(&y, &x).unwrap();
        let (hx, hy) = (entropy(&x).unwrap(), entropy(&y).unwrap());
        prop_assert!(ixy >= 0.0);
        prop_assert_eq!(ixy.to_bits(), iyx.to_bits(), "symmetry");
        prop_assert!(ixy <= hx.min(hy) + mutinfo_core::prec::GOLDEN);
        prop_assert!(close(mutual_information(&x, &x).unwrap(), hx, IDENTITY), "I(X;X) = H(X)");
        prop_assert!(hx <= (x.observed_cardinality() as f64).ln() + mutinfo_core::prec::GOLDEN, "H(X) <= ln|X|");
        prop_assert!(close(hx, brute_entropy(&[&x]), IDENTITY));
        prop_assert!(close(joint_entropy(&[&x, &y]).unwrap(), brute_entropy(&[&x, &y]), IDENTITY));
    }

    #[test]
    fn chain_rule_and_dpi((x, y, z) in triple()) {
        // I(X,Z;Y) = I(X;Y) + I(Z;Y|X)
        let lhs = joint_mutual_information(&[&x, &z], &y).unwrap();
        let rhs = mutual_information(&x, &y).unwrap() + conditional_mutual_information(&z, &y, &x).unwrap();
        prop_assert!(close(lhs, rhs, IDENTITY), "{} vs {}", lhs, rhs);
        // Data processing: Y -> X -> f(X) is a Markov chain, so I(Y; f(X)) <= I(Y; X).
        let fx: Vec<u32> = x.to_u32_vec().iter().map(|&v| v / 2).collect();
        let fx = Codes::from_codes_auto(fx).unwrap();
        prop_assert!(mutual_information(&fx, &y).unwrap() <= mutual_information(&x, &y).unwrap() + mutinfo_core::prec::GOLDEN);
        // co-information identity: I(X;Y;Z) = I(X;Y) - I(X;Y|Z)
        let ii = interaction_information(&[&x, &y, &z]).unwrap();
        let alt = mutual_information(&x, &y).unwrap() - conditional_mutual_information(&x, &y, &z).unwrap();
        prop_assert!((ii - alt).abs() < mutinfo_core::prec::IDENTITY);
        // VI is H(X|Y) + H(Y|X)
        let vi = variation_of_information(&x, &y).unwrap();
        let alt = conditional_entropy(&x, &y).unwrap() + conditional_entropy(&y, &x).unwrap();
        prop_assert!((vi - alt).abs() < mutinfo_core::prec::IDENTITY);
    }

    #[test]
    fn relabeling_and_row_permutation((x, y, z) in triple(), seed in any::<u64>()) {
        // Relabel X by a permutation of its codes, Y by reversing.
        let card = x.cardinality();
        let map: Vec<u32> = (0..card).map(|c| (c * 7 + 3) % card).collect();
        let xr = Codes::from_codes(x.to_u32_vec().iter().map(|&c| map[c as usize]).collect(), card).unwrap();
        let yc = y.cardinality();
        let yr = Codes::from_codes(y.to_u32_vec().iter().map(|&c| yc - 1 - c).collect(), yc).unwrap();
        for e in Estimator::ALL {
            let m = Discrete::new().estimator(e);
            prop_assert_eq!(m.mutual_information(&x, &y).unwrap().to_bits(), m.mutual_information(&xr, &yr).unwrap().to_bits(), "{}", e);
            prop_assert_eq!(m.joint_entropy(&[&x, &y, &z]).unwrap().to_bits(), m.joint_entropy(&[&xr, &yr, &z]).unwrap().to_bits(), "{}", e);
        }
        // Row permutation (a seeded shuffle).
        let n = x.len();
        let mut perm: Vec<usize> = (0..n).collect();
        let mut s = seed | 1;
        for i in (1..n).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            perm.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let (xp, yp, zp) = (x.take(&perm), y.take(&perm), z.take(&perm));
        prop_assert_eq!(mutual_information(&x, &y).unwrap().to_bits(), mutual_information(&xp, &yp).unwrap().to_bits());
        prop_assert_eq!(
            conditional_mutual_information(&x, &y, &z).unwrap().to_bits(),
            conditional_mutual_information(&xp, &yp, &zp).unwrap().to_bits()
        );
    }
}

/// Random columns of every code width, dense and sparse relative to the row count.
fn random_columns(seed: u64) -> (Vec<Codes>, Codes, Codes) {
    let mut s = seed;
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) as u32
    };
    let n = 600;
    let mut cols = Vec::new();
    for &card in &[1u32, 2, 7, 200, 256, 257, 3000, 70_000, 100_000] {
        let v: Vec<u32> = (0..n).map(|_| next() % card).collect();
        cols.push(Codes::from_codes(v, card).unwrap());
    }
    // A copy of another column relabeled, for ties.
    let relabeled: Vec<u32> = cols[3].to_u32_vec().iter().map(|&c| 199 - c).collect();
    cols.push(Codes::from_codes(relabeled, 200).unwrap());
    let y = Codes::from_codes((0..n).map(|_| next() % 5).collect(), 5).unwrap();
    let z = Codes::from_codes((0..n).map(|_| next() % 300).collect(), 300).unwrap();
    (cols, y, z)
}

#[test]
fn one_against_many_equals_brute_force() {
    for seed in 0..4u64 {
        let (cols, y, z) = random_columns(seed);
        let refs: Vec<&Codes> = cols.iter().collect();
        for e in Estimator::ALL {
            let m = Discrete::new().estimator(e);
            let many = mutual_information_many(&refs, &y, e).unwrap();
            for (j, c) in cols.iter().enumerate() {
                let one = m.mutual_information(c, &y).unwrap();
                assert_eq!(
                    many[j].to_bits(),
                    one.to_bits(),
                    "seed {seed} {e} column {j}"
                );
                if e == Estimator::PlugIn {
                    let brute =
                        brute_entropy(&[c]) + brute_entropy(&[&y]) - brute_entropy(&[c, &y]);
                    assert!(
                        close(many[j], brute.max(0.0), mutinfo_core::prec::IDENTITY),
                        "column {j}"
                    );
                }
            }
            for zz in [&y, &z, &cols[1]] {
                let ct = ConditionedTarget::new(zz, &y, e).unwrap();
                let t = ct.entropies_many(&refs).unwrap();
                for (j, c) in cols.iter().enumerate() {
                    let te = &t[j];
                    let je = |cs: &[&Codes]| m.joint_entropy(cs).unwrap();
                    assert_eq!(te.h_x.to_bits(), je(&[c]).to_bits());
                    assert_eq!(
                        te.h_xz.to_bits(),
                        je(&[c, zz]).to_bits(),
                        "{e} col {j} H(X,Z)"
                    );
                    assert_eq!(
                        te.h_xy.to_bits(),
                        je(&[c, &y]).to_bits(),
                        "{e} col {j} H(X,Y)"
                    );
                    assert!(
                        close(te.h_xzy, je(&[c, zz, &y]), mutinfo_core::prec::SERIES),
                        "{e} col {j} H(X,Z,Y)"
                    );
                    assert!(close(te.h_zy, je(&[zz, &y]), mutinfo_core::prec::SERIES));
                    let cmi = m.conditional_mutual_information(c, &y, zz).unwrap();
                    assert!(
                        (te.cmi_xy_given_z(e) - cmi).abs() < mutinfo_core::prec::GOLDEN,
                        "{e} col {j} CMI"
                    );
                    if e == Estimator::PlugIn {
                        let brute = brute_entropy(&[c, zz]) + brute_entropy(&[zz, &y])
                            - brute_entropy(&[c, zz, &y])
                            - brute_entropy(&[zz]);
                        assert!(close(
                            te.cmi_xy_given_z(e),
                            brute.max(0.0),
                            mutinfo_core::prec::IDENTITY
                        ));
                    }
                }
            }
        }
        // The relabeled copy ties exactly with its original.
        let many = mutual_information_many(&refs, &y, Estimator::PlugIn).unwrap();
        assert_eq!(many[3].to_bits(), many[9].to_bits());
    }
}

#[test]
fn identical_for_one_and_two_threads() {
    let (cols, y, z) = random_columns(42);
    let refs: Vec<&Codes> = cols.iter().collect();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let a = mutual_information_many(&refs, &y, Estimator::ChaoShen).unwrap();
                let b = triple_entropies(&refs, &z, &y, Estimator::PlugIn).unwrap();
                let p = permutation_test(
                    &cols[2],
                    &y,
                    Some(&z),
                    PermutationOptions {
                        permutations: 64,
                        seed: 7,
                        ..Default::default()
                    },
                )
                .unwrap();
                let emi = expected_mutual_information(&[30, 200, 370], &[100, 100, 150, 250], 600);
                (a, b, p, emi)
            })
    };
    let one = run(1);
    let two = run(2);
    assert_eq!(format!("{one:?}"), format!("{two:?}"));
}

#[test]
fn permutation_test_behaves() {
    let (cols, y, _) = random_columns(3);
    // Independent columns: p-value is not small; y against itself: the smallest p.
    let opts = PermutationOptions {
        permutations: 199,
        seed: 1,
        ..Default::default()
    };
    let indep = permutation_test(&cols[1], &y, None, opts).unwrap();
    assert!(indep.p_value > 0.01, "{indep:?}");
    let dep = permutation_test(&y, &y, None, opts).unwrap();
    assert_eq!(dep.p_value, 1.0 / 200.0);
    assert!(dep.null_mean < dep.observed);
    assert!(permutation_test(
        &y,
        &y,
        None,
        PermutationOptions {
            permutations: 0,
            ..opts
        }
    )
    .is_err());
    // Same seed, same answer; another seed, another null sample.
    assert_eq!(
        permutation_test(&cols[2], &y, None, opts).unwrap(),
        permutation_test(&cols[2], &y, None, opts).unwrap()
    );
}

#[test]
fn conditional_g_test_dof() {
    let (cols, y, _) = random_columns(5);
    let t = conditional_g_test(&cols[2], &y, &cols[1]).unwrap();
    assert_eq!(t.dof, (7 - 1) * (5 - 1) * 2);
    assert!(t.p_value > 0.0 && t.p_value <= 1.0);
    let g = conditional_g_test(&y, &y, &cols[0]).unwrap();
    assert!(g.p_value < mutinfo_core::prec::IDENTITY);
}
