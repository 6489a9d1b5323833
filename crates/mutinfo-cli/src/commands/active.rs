//! `mutinfo active simulate DATA --target COL`: whole active-learning experiments on a labeled
//! file, with a simulated oracle, against a random-sampling baseline; and the labeling session
//! for a person (`init`, `query`, `teach`, `status`, `export`, in [`session`]).

mod session;

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Subcommand};
use mutinfo_active::{
    Acquisition, ActiveLearner, CommitteeFactory, CommitteeKind, CommitteeSpec, LearningCurve,
    SimulatedOracle,
};
use ndarray::{Array2, ArrayView2, Axis};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use crate::args::{ColumnArgs, InputArgs};
use crate::error::{CliError, Result};
use crate::output::{check_outputs, emit, json_text, Format, TextTable};
use crate::{plot, progress, target};

/// `mutinfo active`.
#[derive(Debug, Args)]
pub struct ActiveArgs {
    #[command(subcommand)]
    pub command: ActiveCommand,
}

/// The active-learning subcommands.
#[derive(Debug, Subcommand)]
pub enum ActiveCommand {
    /// Simulate labeling loops on a labeled file and compare acquisition methods with random
    /// sampling (learning curves, area under them, labels needed to reach an accuracy).
    Simulate(SimulateArgs),
    /// Start a labeling session from a pool file (features + a label column, null = unlabeled).
    Init(session::InitArgs),
    /// The next rows to label: row (0-based position in the pool), id, score.
    Query(session::QueryArgs),
    /// Teach labels from a CSV/Parquet file with columns `row` (or the id column) and `label`.
    Teach(session::TeachArgs),
    /// Labeled and unlabeled counts, classes, and the committee's estimated accuracy.
    Status(session::StatusArgs),
    /// Write the pool with the labels so far.
    Export(session::ExportArgs),
}

/// One simulated labeling run of `mutinfo active simulate`, whatever the committee members.
struct Run<'a> {
    a: &'a SimulateArgs,
    pool: ArrayView2<'a, f64>,
    n_classes: usize,
    acquisition: Acquisition,
    seed: u64,
    test: (ArrayView2<'a, f64>, &'a [usize]),
    initial: &'a [usize],
}

impl Run<'_> {
    fn curve<F: CommitteeFactory>(
        &self,
        factory: F,
        oracle: &mut SimulatedOracle,
    ) -> Result<LearningCurve> {
        Ok(
            ActiveLearner::new(self.pool, self.n_classes, factory, self.acquisition.clone())
                .batch_size(self.a.batch)
                .budget(self.a.budget)
                .seed(self.seed)
                .evaluation(self.test.0, self.test.1)
                .run(self.initial, oracle)?,
        )
    }
}

/// `mutinfo active simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The class column (the simulated oracle's answers).
    #[arg(long)]
    pub target: String,
    #[command(flatten)]
    pub columns: ColumnArgs,
    /// Committee: kernel (Bayesian logistic regression, Laplace posterior samples, on a
    /// Nystroem RBF-kernel map of the pool with 300 landmarks; the default), laplace (the same
    /// on the raw features), tree (randomised trees on bootstrap resamples) or logistic
    /// (bootstrap linfa-logistic).
    #[arg(long, default_value = "kernel")]
    pub model: String,
    /// Committee size K (posterior samples or bootstrap resamples; default 20 for laplace and
    /// kernel, 10 otherwise; at most 1000).
    #[arg(long)]
    pub members: Option<usize>,
    /// Acquisition methods, comma-separated (random is always run as the baseline).
    #[arg(long, value_delimiter = ',', default_value = "bald,batchbald")]
    pub acquisition: Vec<String>,
    /// Points labeled per round (at most 1000000).
    #[arg(long, default_value_t = 10)]
    pub batch: usize,
    /// Randomly labeled points to start from.
    #[arg(long, default_value_t = 20)]
    pub initial: usize,
    /// Labels to acquire beyond the initial ones.
    #[arg(long, default_value_t = 100)]
    pub budget: usize,
    /// Number of repetitions (seeds 0..S), each with its own test split and initial set (at most 10000).
    #[arg(long, default_value_t = 3)]
    pub seeds: u64,
    /// Share of rows held out to measure accuracy.
    #[arg(long, default_value_t = 0.3)]
    pub test_fraction: f64,
    /// Draw the mean learning curves (SVG or PNG).
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the summary here (atomically) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs an active subcommand.
pub fn run(a: &ActiveArgs) -> Result<()> {
    match &a.command {
        ActiveCommand::Simulate(s) => simulate(s),
        ActiveCommand::Init(s) => session::init(s),
        ActiveCommand::Query(s) => session::query(s),
        ActiveCommand::Teach(s) => session::teach(s),
        ActiveCommand::Status(s) => session::status(s),
        ActiveCommand::Export(s) => session::export(s),
    }
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len().max(1) as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0).max(1.0);
    (m, var.sqrt())
}

fn simulate(a: &SimulateArgs) -> Result<()> {
    check_outputs(
        &[&a.input.data],
        &[("--out", a.out.as_deref()), ("--plot", a.plot.as_deref())],
    )?;
    if !(a.test_fraction > 0.0 && a.test_fraction < 1.0) {
        return Err(CliError::Usage(format!(
            "--test-fraction {}: give a number strictly between 0 and 1",
            a.test_fraction
        )));
    }
    use crate::limits::{check, MAX_BATCH, MAX_MEMBERS, MAX_SEEDS};
    check("--batch", a.batch, 1, MAX_BATCH)?;
    crate::limits::positive("--initial", a.initial)?;
    let kind: CommitteeKind = a
        .model
        .parse()
        .map_err(|e: mutinfo_active::ActiveError| CliError::Usage(format!("--model: {e}")))?;
    let members = a.members.unwrap_or(kind.default_members());
    check("--members", members, 1, MAX_MEMBERS)?;
    let spec = CommitteeSpec { kind, members };
    check("--seeds", a.seeds, 1, MAX_SEEDS)?;
    let mut methods: Vec<(String, Acquisition)> = vec![("random".into(), "random".parse()?)];
    for m in &a.acquisition {
        let acq: Acquisition = m
            .parse()
            .map_err(|e: mutinfo_active::ActiveError| CliError::Usage(e.to_string()))?;
        if !methods.iter().any(|(n, _)| n == m) {
            methods.push((m.clone(), acq));
        }
    }
    let t0 = Instant::now();
    let table = a.input.read()?;
    let path = a.input.data.as_path();
    target::check_exists(path, &table, &a.target)?;
    let names = a
        .columns
        .pick(path, &table.column_names(), Some(&a.target))?;
    let x =
        mutinfo_data::numeric_matrix(&table, &names).map_err(|e| crate::error::in_file(path, e))?;
    let (codes, levels) = target::classes(path, &table, &a.target)?;
    let y: Vec<usize> = (0..codes.len()).map(|i| codes.get(i) as usize).collect();
    let n = y.len();
    let n_test = ((n as f64) * a.test_fraction).round() as usize;
    let n_pool = n - n_test;
    if n_test == 0 || a.initial + a.budget > n_pool {
        return Err(CliError::Usage(format!(
            "{n} rows: {n_test} held out leaves a pool of {n_pool}, fewer than --initial {} + --budget {}",
            a.initial, a.budget
        )));
    }
    let bar = progress::bar(a.seeds * methods.len() as u64, "simulating");
    let mut curves: Vec<Vec<LearningCurve>> = vec![Vec::new(); methods.len()];
    for seed in 0..a.seeds {
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        let (test, pool) = order.split_at(n_test);
        let take = |rows: &[usize]| -> (Array2<f64>, Vec<usize>) {
            (
                x.select(Axis(0), rows),
                rows.iter().map(|&r| y[r]).collect(),
            )
        };
        let (xt, yt) = take(test);
        let (xp, yp) = take(pool);
        let initial: Vec<usize> = (0..a.initial).collect();
        for (m, (_, acq)) in methods.iter().enumerate() {
            let oracle = &mut SimulatedOracle::new(yp.clone());
            let run = Run {
                a,
                pool: xp.view(),
                n_classes: levels.len(),
                acquisition: acq.clone(),
                seed,
                test: (xt.view(), &yt),
                initial: &initial,
            };
            let curve = run.curve(spec, oracle)?;
            curves[m].push(curve);
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    let final_acc = |c: &LearningCurve| c.points.last().map_or(0.0, |p| p.accuracy);
    let best_final = curves
        .iter()
        .map(|cs| cs.iter().map(final_acc).sum::<f64>() / cs.len() as f64)
        .fold(0.0, f64::max);
    let target_acc = 0.95 * best_final;
    let labels: Vec<usize> = curves[0][0].points.iter().map(|p| p.labels).collect();
    let mean_curve = |cs: &[LearningCurve]| -> Vec<(f64, f64)> {
        labels
            .iter()
            .enumerate()
            .map(|(i, &l)| {
                let acc = cs
                    .iter()
                    .map(|c| c.points.get(i).map_or(0.0, |p| p.accuracy));
                (l as f64, acc.sum::<f64>() / cs.len() as f64)
            })
            .collect()
    };
    let mut rows = Vec::new();
    let mut json_methods = Vec::new();
    for ((name, _), cs) in methods.iter().zip(&curves) {
        let aucs: Vec<f64> = cs.iter().map(LearningCurve::normalized_auc).collect();
        let (auc, sd) = mean_sd(&aucs);
        let finals: Vec<f64> = cs.iter().map(final_acc).collect();
        let (fin, _) = mean_sd(&finals);
        let reach: Vec<f64> = cs
            .iter()
            .filter_map(|c| c.labels_to_reach(target_acc))
            .map(|l| l as f64)
            .collect();
        let reach_text = if reach.is_empty() {
            format!("never (0/{})", a.seeds)
        } else {
            let (m, sd) = mean_sd(&reach);
            format!("{m:.0} ± {sd:.0} ({}/{})", reach.len(), a.seeds)
        };
        rows.push(vec![
            name.clone(),
            format!("{auc:.4} ± {sd:.4}"),
            format!("{fin:.4}"),
            reach_text,
        ]);
        json_methods.push(json!({
            "method": name, "auc_mean": auc, "auc_sd": sd, "final_accuracy": fin,
            "labels_to_target": reach, "mean_curve": mean_curve(cs),
        }));
    }
    if let Some(p) = &a.plot {
        let series: Vec<(String, Vec<(f64, f64)>)> = methods
            .iter()
            .zip(&curves)
            .map(|((name, _), cs)| (name.clone(), mean_curve(cs)))
            .collect();
        plot::line_chart(
            p,
            &format!(
                "active learning on {} ({} committee of {})",
                a.target, kind, members
            ),
            "labels",
            "held-out accuracy",
            &series,
        )?;
    }
    let text = match a.format {
        Format::Json => json_text(&json!({
            "command": "active simulate", "data": a.input.data.display().to_string(),
            "target": a.target, "model": kind.name(), "members": members, "batch": a.batch,
            "initial": a.initial, "budget": a.budget, "seeds": a.seeds, "test_rows": n_test,
            "pool_rows": n_pool, "target_accuracy": target_acc, "methods": json_methods,
            "elapsed_seconds": t0.elapsed().as_secs_f64(),
        }))?,
        f => {
            let head = if f == Format::Table {
                format!(
                    "{} committee of {}, pool {n_pool}, test {n_test}, {} seeds; target accuracy {target_acc:.4} (95% of the best final mean)\n",
                    kind, members, a.seeds
                )
            } else {
                String::new()
            };
            head + &TextTable {
                header: vec![
                    "method".into(),
                    "AUC (mean ± sd)".into(),
                    "final accuracy".into(),
                    "labels to target".into(),
                ],
                rows,
            }
            .render(f)
        }
    };
    emit(a.out.as_deref(), &text)
}
