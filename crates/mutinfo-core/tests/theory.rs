//! Channel capacity against dit 2.3's Blahut–Arimoto and the information bottleneck against
//! embo 1.1.0's update equations, both from `scripts/golden_theory.py`.

use mutinfo_core::bottleneck::{
    information_bottleneck, BottleneckInit, BottleneckKind, BottleneckOptions,
};
use mutinfo_core::channel::{CapacityOptions, Channel};
use ndarray::Array2;
use serde_json::Value;

fn golden() -> Value {
    serde_json::from_str(include_str!("data/golden_theory.json")).unwrap()
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        })
        .collect();
    let (r, c) = (rows.len(), rows[0].len());
    Array2::from_shape_vec((r, c), rows.into_iter().flatten().collect()).unwrap()
}

#[test]
fn capacity_matches_dit() {
    let g = golden();
    for case in g["channels"].as_array().unwrap() {
        let w = matrix(&case["w"]);
        // dit's rows sum to 1 in its own float order; renormalise in ours.
        let sums = w.sum_axis(ndarray::Axis(1));
        let w = &w / &sums.insert_axis(ndarray::Axis(1));
        let c = Channel::new(w)
            .unwrap()
            .capacity(CapacityOptions::default())
            .unwrap();
        let expected = case["capacity_nats"].as_f64().unwrap();
        assert!(
            (c.capacity - expected).abs() < mutinfo_core::prec::ITERATIVE,
            "{} vs dit {}",
            c.capacity,
            expected
        );
        assert!(c.converged);
        for (a, b) in c.input.iter().zip(case["input"].as_array().unwrap()) {
            assert!(
                (a - b.as_f64().unwrap()).abs() < mutinfo_core::prec::PUBLISHED,
                "input {a} vs {b}"
            );
        }
    }
}

#[test]
fn bottleneck_matches_embo() {
    let g = golden();
    for case in g["bottlenecks"].as_array().unwrap() {
        let joint = matrix(&case["joint"]);
        let joint = &joint / joint.sum();
        let init = matrix(&case["init"]);
        let init = &init
            / &init
                .sum_axis(ndarray::Axis(0))
                .insert_axis(ndarray::Axis(0));
        let mut o = BottleneckOptions::new(case["beta"].as_f64().unwrap());
        o.init = BottleneckInit::Encoder(init);
        o.kind = if case["deterministic"].as_bool().unwrap() {
            BottleneckKind::Deterministic
        } else {
            BottleneckKind::Soft
        };
        o.tolerance = f64::MIN_POSITIVE;
        o.max_iterations = case["iterations"].as_u64().unwrap() as usize;
        let fit = information_bottleneck(joint.view(), &o).unwrap();
        for (ours, key) in [
            (fit.i_xt, "i_xt_nats"),
            (fit.i_ty, "i_ty_nats"),
            (fit.h_t, "h_t_nats"),
        ] {
            let theirs = case[key].as_f64().unwrap();
            assert!(
                (ours - theirs).abs() < mutinfo_core::prec::ITERATIVE,
                "{key}: {ours} vs embo {theirs} (beta {}, {:?})",
                o.beta,
                o.kind
            );
        }
    }
}
