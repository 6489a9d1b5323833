//! `mutinfo select DATA --target COL --criterion C -k K` and `mutinfo transform DATA --model M`.

use crate::args::{EncodeArgs, InputArgs, ReportArgs};
use crate::error::{CliError, Result};
use crate::output::{check_not_input, emit, num, write_atomic, Format, TextTable};
use crate::{plot, progress, target};
use clap::Args;
use mutinfo_select::{
    select, select_continuous, ContinuousTarget, Criterion, SelectOptions, Selection,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;

/// `mutinfo select`.
#[derive(Debug, Args)]
pub struct SelectArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The target (class) column.
    #[arg(long)]
    pub target: String,
    /// mim, mrmr, mrmr-quotient, mifs, jmi, cmim, cmim-uncapped, disr, icap, cife, condmi,
    /// jmim, njmim or beta-gamma.
    #[arg(long, default_value = "jmi")]
    pub criterion: String,
    /// Number of features to select.
    #[arg(short, long)]
    pub k: Option<usize>,
    /// Stop when the best candidate's conditional MI is not significant at this level (G-test).
    #[arg(long)]
    pub alpha: Option<f64>,
    /// Stop when the best criterion value falls below this.
    #[arg(long)]
    pub threshold: Option<f64>,
    /// β of mifs and beta-gamma.
    #[arg(long, default_value_t = 1.0)]
    pub beta: f64,
    /// γ of beta-gamma.
    #[arg(long, default_value_t = 1.0)]
    pub gamma: f64,
    /// Features selected first, whatever their scores (comma-separated names).
    #[arg(long, value_delimiter = ',')]
    pub fix: Vec<String>,
    /// Estimate every term on the raw numeric features with a continuous estimator (ksg, ksg2,
    /// mixed, gaussian, copula, ksg-copula, elliptical or auto) instead of binning them; a float target is then
    /// continuous, any other target classes. Without it, features are encoded (binned).
    #[arg(long)]
    pub estimator: Option<String>,
    /// Neighbour count k of the kNN estimators (with --estimator).
    #[arg(long, default_value_t = 3)]
    pub neighbors: usize,
    /// Save the fitted selector (and its encoding) as JSON, for `mutinfo transform`.
    #[arg(long)]
    pub save_model: Option<PathBuf>,
    #[command(flatten)]
    pub encode: EncodeArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// What `--save-model` writes.
#[derive(Debug, Serialize, Deserialize)]
pub struct SavedSelector {
    /// Always `"mutinfo-selector"`.
    pub kind: String,
    /// Format version.
    pub version: u32,
    /// The target column it was fitted for.
    pub target: String,
    /// Every feature considered, in order.
    pub features: Vec<String>,
    /// The selected feature names, in selection order.
    pub selected: Vec<String>,
    /// The engine's full record (criterion, steps, relevance, stop reason).
    pub selection: Selection,
    /// The fitted encoding (binning, categories) of target and features (absent when a
    /// continuous estimator selected on the raw values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<mutinfo_data::Encoding>,
    /// The continuous estimator and its neighbour count, when one was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimator: Option<serde_json::Value>,
}

/// The continuous estimator of `--estimator`.
fn continuous_estimator(name: &str) -> Result<mutinfo_continuous::Estimator> {
    use mutinfo_continuous::Estimator;
    match name.parse::<Estimator>() {
        Ok(e) if e != Estimator::Ross => Ok(e),
        _ => Err(CliError::Usage(format!(
            "--estimator {name:?}: expected ksg, ksg2, mixed, gaussian, copula, ksg-copula, elliptical or auto"
        ))),
    }
}

/// Runs `mutinfo select`.
pub fn run(a: &SelectArgs) -> Result<()> {
    let t0 = Instant::now();
    let criterion = Criterion::from_name(&a.criterion, a.beta, a.gamma)?;
    let estimator = a
        .estimator
        .as_deref()
        .map(continuous_estimator)
        .transpose()?;
    if a.k.is_none() && a.alpha.is_none() && a.threshold.is_none() {
        return Err(CliError::Usage(
            "give -k K, --alpha A or --threshold T to say when to stop".into(),
        ));
    }
    let path = a.input.data.as_path();
    let (batches, features) = a.input.open_for(&a.encode, &a.target)?;
    let mut fixed = Vec::new();
    for f in &a.fix {
        match features.iter().position(|c| c == f) {
            Some(i) => fixed.push(i),
            None => {
                return Err(CliError::Usage(format!(
                    "--fix {f:?}: not among the feature columns"
                )))
            }
        }
    }
    let mut opts = SelectOptions::new(criterion).fixed(fixed);
    opts = match a.k {
        Some(k) => opts.k(k),
        None => opts.unlimited(),
    };
    if let Some(al) = a.alpha {
        opts = opts.alpha(al);
    }
    if let Some(t) = a.threshold {
        opts = opts.threshold(t);
    }
    let (sel, names, rows, encoding, continuous) = match estimator {
        None => {
            let builder = a.encode.builder(&a.target, &features)?;
            let (encoding, enc) = crate::args::fit_stream(&builder, batches)?;
            if enc.target.observed_cardinality() < 2 {
                return Err(CliError::input(
                    path,
                    format!("target column {} has a single class", a.target),
                ));
            }
            let steps = opts.k.unwrap_or(features.len()).min(features.len());
            let pb = progress::bar(steps as u64, "selecting");
            let bar = pb.clone();
            let opts = opts.progress(move |s| bar.set_position(s as u64));
            let sel = select(&enc.features, &enc.target, &opts);
            pb.finish_and_clear();
            (sel?, enc.names, enc.target.len(), Some(encoding), None)
        }
        Some(est) => {
            drop(batches);
            let pb = progress::spinner("reading");
            let table = a.input.read()?;
            if a.neighbors == 0 {
                return Err(CliError::Usage("--neighbors must be at least 1".into()));
            }
            if a.alpha.is_some() {
                return Err(CliError::Usage(
                    "--alpha needs the discrete engine (the G-test is for counts):                      stop a continuous selection with -k or --threshold"
                        .into(),
                ));
            }
            pb.set_message("reading values");
            let x = mutinfo_data::numeric_matrix(&table, &features)?;
            let mi = mutinfo_continuous::ContinuousMi::new()
                .estimator(est)
                .neighbors(a.neighbors);
            pb.set_message("selecting");
            let (sel, kind) = if target::is_float(&table, &a.target) {
                let y = mutinfo_data::numeric_matrix(&table, std::slice::from_ref(&a.target))?;
                let t = ContinuousTarget::Values(y.column(0));
                (select_continuous(x.view(), t, &opts, &mi), "continuous")
            } else {
                let (codes, _) = target::classes(path, &table, &a.target)?;
                let t = ContinuousTarget::Classes(&codes);
                (select_continuous(x.view(), t, &opts, &mi), "classes")
            };
            let sel = sel.map_err(|e| match e {
                mutinfo_select::SelectError::NonFinite { column, row, value } => CliError::input(
                    path,
                    format!(
                        "column {}: non-finite value {value} at row {row}",
                        features[column]
                    ),
                ),
                mutinfo_select::SelectError::Estimate {
                    term,
                    source: mutinfo_continuous::ContinuousError::Feature { index, source },
                } => CliError::input(
                    path,
                    format!("column {}: {term}: {source}", features[index]),
                ),
                e => e.into(),
            })?;
            let settings = json!({
                "estimator": est.name(), "neighbors": a.neighbors, "target_kind": kind,
            });
            pb.finish_and_clear();
            (sel, features.clone(), x.nrows(), None, Some(settings))
        }
    };
    let b = a.report.base;
    let names = &names;
    let selected: Vec<String> = sel.steps.iter().map(|s| names[s.feature].clone()).collect();
    if let Some(p) = &a.save_model {
        check_not_input(p, &[path])?;
        let saved = SavedSelector {
            kind: "mutinfo-selector".into(),
            version: 1,
            target: a.target.clone(),
            features: names.clone(),
            selected: selected.clone(),
            selection: sel.clone(),
            encoding,
            estimator: continuous.clone(),
        };
        let text =
            serde_json::to_string_pretty(&saved).map_err(|e| CliError::Usage(e.to_string()))?;
        write_atomic(p, text.as_bytes())?;
    }
    if let Some(p) = &a.report.plot {
        let bars: Vec<(String, f64)> = sel
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (
                    format!("{}. {}", i + 1, names[s.feature]),
                    b.convert(s.score),
                )
            })
            .collect();
        plot::bar_chart(
            p,
            &format!("{} criterion at each step", a.criterion),
            b.unit(),
            &bars,
        )?;
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let text = match a.report.format {
        Format::Json => {
            let steps: Vec<_> = sel
                .steps
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    json!({
                        "step": i + 1, "name": names[s.feature], "index": s.feature,
                        "score": b.convert(s.score), "relevance": b.convert(s.relevance),
                        "redundancy": s.redundancy.map(|v| b.convert(v)),
                        "conditional_redundancy": s.conditional_redundancy.map(|v| b.convert(v)),
                        "p_value": s.p_value, "fixed": s.fixed,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&json!({
                "command": "select", "data": a.input.data, "target": a.target, "rows": rows,
                "unit": b.unit(), "criterion": a.criterion,
                "settings": {"k": a.k, "alpha": a.alpha, "threshold": a.threshold, "beta": a.beta, "gamma": a.gamma,
                             "binning": a.encode.discretize.binning, "bins": a.encode.discretize.bins, "missing": a.encode.discretize.missing,
                             "continuous": continuous},
                "stop": format!("{:?}", sel.stop),
                "elapsed_seconds": elapsed,
                "features": steps,
            }))
            .map_err(|e| CliError::Usage(e.to_string()))?
                + "\n"
        }
        f => TextTable {
            header: vec![
                "step".into(),
                "feature".into(),
                "index".into(),
                format!("score_{}", b.unit()),
                format!("relevance_{}", b.unit()),
            ],
            rows: sel
                .steps
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    vec![
                        (i + 1).to_string(),
                        names[s.feature].clone(),
                        s.feature.to_string(),
                        num(b.convert(s.score)),
                        num(b.convert(s.relevance)),
                    ]
                })
                .collect(),
        }
        .render(f),
    };
    emit(a.report.out.as_deref(), &text)
}

/// `mutinfo transform`.
#[derive(Debug, Args)]
pub struct TransformArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// A selector saved by `mutinfo select --save-model`.
    #[arg(long)]
    pub model: PathBuf,
    /// Also keep the target column (if the file has it).
    #[arg(long)]
    pub keep_target: bool,
    /// Output file: .parquet, .arrow, .arrows or .csv (written atomically).
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs `mutinfo transform`: projects a file onto the selected columns.
pub fn transform(a: &TransformArgs) -> Result<()> {
    let text = std::fs::read_to_string(&a.model).map_err(|source| CliError::Io {
        path: a.model.clone(),
        source,
    })?;
    let saved: SavedSelector = serde_json::from_str(&text)
        .map_err(|e| CliError::input(&a.model, format!("not a saved selector: {e}")))?;
    if saved.kind != "mutinfo-selector" {
        return Err(CliError::input(
            &a.model,
            format!("kind {:?} is not a mutinfo selector", saved.kind),
        ));
    }
    check_not_input(&a.out, &[a.input.data.as_path(), a.model.as_path()])?;
    let table = a.input.read()?;
    let mut cols = saved.selected.clone();
    if a.keep_target && table.schema.field_with_name(&saved.target).is_ok() {
        cols.push(saved.target.clone());
    }
    for c in &cols {
        target::check_exists(&a.input.data, &table, c)?;
    }
    let batch = table.concat()?;
    let idx: Vec<usize> = cols
        .iter()
        .map(|c| batch.schema().index_of(c).unwrap_or(0))
        .collect();
    let projected = batch
        .project(&idx)
        .map_err(|e| CliError::input(&a.input.data, e.to_string()))?;
    crate::write::write_batch(&a.out, &projected)
}
