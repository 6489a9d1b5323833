//! Learning curves of active-learning acquisitions on real data (not run in CI: minutes of CPU).
//!
//! ```text
//! python3 scripts/export_active_datasets.py /tmp/mutinfo-active-data
//! cargo run --release -p mutinfo-active --example active_learning_curves -- /tmp/mutinfo-active-data
//! ```
//!
//! For each data set (digits, isolet, coil20 when exported, and "repeated digits": every pool
//! point three times with N(0, 0.1²) noise), each of 5 seeds and each acquisition (random, margin,
//! BALD top-k, BatchBALD, stochastic power-BALD), a bootstrap committee of 10 multinomial
//! logistic regressions starts from 20 random labels (the same for every method within a seed) and
//! acquires `batch` labels per round up to `budget`. Prints per method the mean accuracy curve,
//! the labels to reach a target accuracy (mean over seeds that reached it, and how many did) and
//! the normalized area under the curve (mean ± sd over seeds).

use std::path::Path;
use std::time::Instant;

use mutinfo_active::{
    read_npy_dyn, Acquisition, ActiveLearner, BatchBald, Bootstrap, LearningCurve, Logistic, Score,
    SimulatedOracle, Stochastic,
};
use ndarray::{Array2, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

struct Data {
    name: String,
    x: Array2<f64>,
    y: Vec<usize>,
    xt: Array2<f64>,
    yt: Vec<usize>,
    classes: usize,
}

fn load(dir: &Path, name: &str) -> Result<Option<Data>, Box<dyn std::error::Error>> {
    let f = |part: &str| dir.join(format!("{name}_{part}.npy"));
    if !f("pool_x").exists() {
        return Ok(None);
    }
    let x = read_npy_dyn(f("pool_x"))?.into_dimensionality::<ndarray::Ix2>()?;
    let xt = read_npy_dyn(f("test_x"))?.into_dimensionality::<ndarray::Ix2>()?;
    let lab = |p| -> Result<Vec<usize>, Box<dyn std::error::Error>> {
        Ok(read_npy_dyn(f(p))?.iter().map(|&v| v as usize).collect())
    };
    let (y, yt) = (lab("pool_y")?, lab("test_y")?);
    let classes = y.iter().chain(&yt).max().map_or(0, |m| m + 1);
    Ok(Some(Data {
        name: name.into(),
        x,
        y,
        xt,
        yt,
        classes,
    }))
}

fn repeated(d: &Data, copies: usize, noise: f64) -> Data {
    let mut rng = ChaCha8Rng::seed_from_u64(12345);
    let n = d.x.nrows();
    let mut x = Array2::zeros((n * copies, d.x.ncols()));
    let mut y = Vec::with_capacity(n * copies);
    for c in 0..copies {
        for i in 0..n {
            for j in 0..d.x.ncols() {
                // Box-Muller normal noise.
                let (u1, u2): (f64, f64) = (1.0 - rng.gen::<f64>(), rng.gen());
                let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
                x[[c * n + i, j]] = d.x[[i, j]] + noise * z;
            }
            y.push(d.y[i]);
        }
    }
    Data {
        name: format!("repeated-{}", d.name),
        x,
        y,
        xt: d.xt.clone(),
        yt: d.yt.clone(),
        classes: d.classes,
    }
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let m = v.iter().sum::<f64>() / v.len() as f64;
    let s = (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len().max(2) - 1) as f64).sqrt();
    (m, s)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/mutinfo-active-data".into());
    let seeds: u64 = std::env::var("SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let members = 10;
    let (initial, batch, budget) = (20, 10, 150);
    let methods: Vec<(&str, Acquisition)> = vec![
        ("random", Acquisition::TopK(Score::Random)),
        ("margin", Acquisition::TopK(Score::Margin)),
        ("bald-topk", Acquisition::TopK(Score::Bald)),
        ("batchbald", Acquisition::BatchBald(BatchBald::new())),
        (
            "power-bald",
            Acquisition::Stochastic {
                score: Score::Bald,
                mode: Stochastic::Power,
                beta: 1.0,
            },
        ),
    ];
    let mut sets = Vec::new();
    for name in ["digits", "isolet", "coil20"] {
        match load(Path::new(&dir), name)? {
            Some(d) => sets.push(d),
            None => eprintln!("{name}: not exported in {dir}, skipped"),
        }
    }
    if let Some(d) = sets.iter().find(|d| d.name == "digits") {
        let r = repeated(d, 3, 0.1);
        sets.push(r);
    }
    println!(
        "committee: bootstrap of {members} multinomial logistic regressions (alpha 1); initial {initial} random labels, \
         batch {batch}, budget {budget}, {seeds} seeds"
    );
    for d in &sets {
        let t = Instant::now();
        let mut curves: Vec<Vec<LearningCurve>> = vec![Vec::new(); methods.len()];
        for seed in 0..seeds {
            // Same initial set for every method within a seed.
            let mut rng = ChaCha8Rng::seed_from_u64(1000 + seed);
            let mut init = Vec::new();
            while init.len() < initial {
                let i = rng.gen_range(0..d.x.nrows());
                if !init.contains(&i) {
                    init.push(i);
                }
            }
            for (m, (_, acq)) in methods.iter().enumerate() {
                let learner = ActiveLearner::new(
                    d.x.view(),
                    d.classes,
                    Bootstrap::new(Logistic::default(), members),
                    acq.clone(),
                )
                .batch_size(batch)
                .budget(budget)
                .seed(seed)
                .evaluation(d.xt.view(), &d.yt);
                let curve = learner.run(&init, &mut SimulatedOracle::new(d.y.clone()))?;
                curves[m].push(curve);
            }
        }
        // Target: 95% of the best final mean accuracy among methods.
        let final_mean = |cs: &[LearningCurve]| {
            cs.iter()
                .map(|c| c.points.last().map_or(0.0, |p| p.accuracy))
                .sum::<f64>()
                / cs.len() as f64
        };
        let best_final = curves.iter().map(|c| final_mean(c)).fold(0.0, f64::max);
        let target = (0.95 * best_final * 100.0).floor() / 100.0;
        println!(
            "\n## {} (pool {} x {}, {} classes, test {}; {:.0} s)",
            d.name,
            d.x.nrows(),
            d.x.ncols(),
            d.classes,
            d.yt.len(),
            t.elapsed().as_secs_f64()
        );
        println!("target accuracy {target:.2} (95% of the best final mean accuracy)");
        println!("| method | AUC (mean ± sd) | final acc | labels to {target:.2} (mean, reached/seeds) |");
        println!("|---|---|---|---|");
        for (m, (name, _)) in methods.iter().enumerate() {
            let aucs: Vec<f64> = curves[m].iter().map(|c| c.normalized_auc()).collect();
            let (a, s) = mean_sd(&aucs);
            let reach: Vec<f64> = curves[m]
                .iter()
                .filter_map(|c| c.labels_to_reach(target))
                .map(|l| l as f64)
                .collect();
            let reach_s = if reach.is_empty() {
                format!("never (0/{seeds})")
            } else {
                format!("{:.0} ({}/{seeds})", mean_sd(&reach).0, reach.len())
            };
            println!(
                "| {name} | {a:.4} ± {s:.4} | {:.4} | {reach_s} |",
                final_mean(&curves[m])
            );
        }
        let labels: Vec<usize> = curves[0][0].points.iter().map(|p| p.labels).collect();
        println!("mean accuracy by labels {labels:?}");
        for (m, (name, _)) in methods.iter().enumerate() {
            let mut row = Vec::new();
            for i in 0..labels.len() {
                let v: Vec<f64> = curves[m].iter().map(|c| c.points[i].accuracy).collect();
                row.push(format!("{:.3}", mean_sd(&v).0));
            }
            println!("  {name:11} {}", row.join(" "));
        }
        let _ = Axis(0);
    }
    Ok(())
}
