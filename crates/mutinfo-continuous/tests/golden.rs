//! Golden values from scripts/golden_continuous.py (sklearn 1.9.1 `_compute_mi_cc` /
//! `_compute_mi_cd` — the internals of mutual_info_regression / mutual_info_classif without
//! their noise —, Kraskov 2004 and Frenzel–Pompe over scipy cKDTree, Gao et al. 2017
//! `Mixed_KSG`, Ince et al. 2017 gcmi, and a scipy t-copula fit: `kendalltau`, `t.ppf` /
//! `t.logpdf`, bounded Brent over ln ν). Inputs are stored as IEEE-754 bit patterns. Every
//! case agrees to 1e-9 except the elliptical ones (3e-4: the library searches ν on a grid
//! refined by a parabola, scipy to 1e-9).

use mutinfo_continuous::{ContinuousMi, Estimator};
use mutinfo_core::Codes;
use ndarray::Array2;
use serde_json::Value;

const GOLDEN: &str = include_str!("data/golden_continuous.json");

fn block(case: &Value, key: &str, dim_key: &str) -> Option<Array2<f64>> {
    let bits = case.get(key)?.as_array()?;
    let rows = case["rows"].as_u64()? as usize;
    let dim = case[dim_key].as_u64()? as usize;
    let v: Vec<f64> = bits
        .iter()
        .map(|b| f64::from_bits(b.as_u64().unwrap()))
        .collect();
    Some(Array2::from_shape_vec((rows, dim), v).unwrap())
}

#[test]
fn golden_values_agree_to_1e_9() {
    let doc: Value = serde_json::from_str(GOLDEN).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let est: Estimator = case["estimator"].as_str().unwrap().parse().unwrap();
        let want = case["value"].as_f64().unwrap();
        let k = case["k"].as_u64().unwrap() as usize;
        let m = ContinuousMi::new().estimator(est).neighbors(k.max(1));
        let x = block(case, "x", "dx").unwrap();
        let got = if let Some(labels) = case.get("labels") {
            let l: Vec<i64> = labels
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap())
                .collect();
            let codes = Codes::from_values(&l).unwrap();
            m.mutual_information_discrete(x.view(), &codes).unwrap()
        } else if name.starts_with("kl_entropy") {
            m.entropy(x.view()).unwrap()
        } else {
            let y = block(case, "y", "dy").unwrap();
            match block(case, "z", "dz") {
                Some(z) => m
                    .conditional_mutual_information(x.view(), y.view(), z.view())
                    .unwrap(),
                None => m.mutual_information(x.view(), y.view()).unwrap(),
            }
        };
        let reported: Estimator = case
            .get("reported")
            .map_or(est, |r| r.as_str().unwrap().parse().unwrap());
        assert_eq!(got.estimator, reported, "{name}");
        let tol = case.get("tol").map_or(1e-9, |t| t.as_f64().unwrap());
        assert!(
            (got.value - want).abs() <= tol,
            "{name}: got {} want {want} (diff {:e})",
            got.value,
            got.value - want
        );
    }
}
