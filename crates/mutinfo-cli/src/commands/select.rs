//! `mutinfo select DATA --target COL --criterion C -k K` and `mutinfo transform DATA --model M`.

use crate::args::{EncodeArgs, InputArgs, ReportArgs};
use crate::engine::{Engine, EngineArgs};
use crate::error::{CliError, Result};
use crate::output::{check_outputs, emit, json_text, num, write_file, Format, TextTable};
use crate::{plot, progress, target};
use clap::Args;
use mutinfo_select::{
    select, select_continuous, ContinuousTarget, Criterion, InfoSelector, SelectOptions,
};
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
    /// Number of features to select (at most the number of feature columns).
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
    /// Neighbour count k of the kNN estimators (with --estimator; at most 10000).
    #[arg(long, default_value_t = 3)]
    pub neighbors: usize,
    /// Save the fitted selector (and its encoding) as JSON, for `mutinfo transform`.
    #[arg(long)]
    pub save_model: Option<PathBuf>,
    #[command(flatten)]
    pub encode: EncodeArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub report: ReportArgs,
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

/// The input opened on DataFusion, and its feature columns.
#[cfg(feature = "datafusion")]
fn open_scan(a: &SelectArgs) -> Result<(mutinfo_engine::Scan, Vec<String>)> {
    crate::engine::open_for(&a.input.data, &a.engine, &a.encode, &a.target)
}

#[cfg(not(feature = "datafusion"))]
fn open_scan(a: &SelectArgs) -> Result<(Never, Vec<String>)> {
    Err(crate::engine::unavailable(a.engine.engine()?))
}

/// No scan without the `datafusion` feature.
#[cfg(not(feature = "datafusion"))]
enum Never {}

/// The selection of `--engine datafusion|ballista`: one pass fits the encoding, one per round counts;
/// the encoding and the rows counted.
#[cfg(feature = "datafusion")]
fn scan_select(
    a: &SelectArgs,
    scan: &mutinfo_engine::Scan,
    features: &[String],
    opts: &SelectOptions,
) -> Result<(mutinfo_select::Selection, mutinfo_data::Encoding, usize)> {
    let (encoding, rows) = crate::engine::fit(scan, &a.input.data, &a.encode, &a.target, features)?;
    let steps = opts.k.unwrap_or(features.len()).min(features.len());
    let pb = progress::bar(steps as u64, "selecting (one pass per step)");
    let bar = pb.clone();
    let opts = opts.clone().progress(move |s| bar.set_position(s as u64));
    let sel = mutinfo_select::select_counted(&scan.counter(&encoding), &opts);
    pb.finish_and_clear();
    Ok((sel?, encoding, rows))
}

#[cfg(not(feature = "datafusion"))]
fn scan_select(
    _: &SelectArgs,
    scan: &Never,
    _: &[String],
    _: &SelectOptions,
) -> Result<(mutinfo_select::Selection, mutinfo_data::Encoding, usize)> {
    match *scan {}
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
    crate::limits::check("--neighbors", a.neighbors, 1, crate::limits::MAX_NEIGHBORS)?;
    match estimator {
        None => {
            crate::args::refuse_given(&[("neighbors", "--neighbors")], "without a kNN --estimator")?
        }
        Some(_) => crate::args::refuse_given(
            crate::args::BINNING_FLAGS,
            "with --estimator, which reads the raw values (no binning)",
        )?,
    }
    if !matches!(
        criterion,
        Criterion::Mifs { .. } | Criterion::BetaGamma { .. }
    ) {
        crate::args::refuse_given(
            &[("beta", "--beta")],
            "to this criterion (only mifs and beta-gamma)",
        )?;
    }
    if !matches!(criterion, Criterion::BetaGamma { .. }) {
        crate::args::refuse_given(
            &[("gamma", "--gamma")],
            "to this criterion (only beta-gamma)",
        )?;
    }
    if let Some(k) = a.k {
        crate::limits::positive("-k", k)?;
    }
    if a.k.is_none() && a.alpha.is_none() && a.threshold.is_none() {
        return Err(CliError::Usage(
            "give -k K, --alpha A or --threshold T to say when to stop".into(),
        ));
    }
    check_outputs(
        &[a.input.data.as_path()],
        &[
            ("--out", a.report.out.as_deref()),
            ("--save-model", a.save_model.as_deref()),
            ("--plot", a.report.plot.as_deref()),
        ],
    )?;
    let path = a.input.data.as_path();
    let engine = a.engine.engine()?;
    if engine.scans() && (estimator.is_some() || a.alpha.is_some()) {
        return Err(CliError::Usage(format!(
            "--engine {} counts codes: no --estimator, and stop with -k or --threshold \
             (--alpha's G-test needs the codes in memory)",
            engine.name()
        )));
    }
    let (batches, features, scan) = match engine {
        Engine::Memory => {
            let (b, f) = a.input.open_for(&a.encode, &a.target)?;
            (Some(b), f, None)
        }
        Engine::DataFusion | Engine::Ballista => {
            let (scan, f) = open_scan(a)?;
            (None, f, Some(scan))
        }
    };
    if let Some(k) = a.k.filter(|&k| k > features.len()) {
        // sklearn's SelectKBest raises here too: the request cannot be met.
        return Err(CliError::Usage(format!(
            "-k {k}: more than the {} feature columns of {}",
            features.len(),
            path.display()
        )));
    }
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
    let (sel, names, rows, encoding, continuous) = match (estimator, scan, batches) {
        (None, Some(scan), _) => {
            let (sel, encoding, rows) = scan_select(a, &scan, &features, &opts)?;
            (sel, features.clone(), rows, Some(encoding), None)
        }
        (None, None, Some(batches)) => {
            let builder = a.encode.builder(&a.target, &features)?;
            let (encoding, enc) = crate::args::fit_stream(&builder, batches)?;
            crate::args::warn_identifiers(path, &enc);
            if enc.target.observed_cardinality() < 2 {
                return Err(CliError::input(
                    path,
                    format!("target column {} has a single class", a.target),
                ));
            }
            let steps = opts.k.unwrap_or(features.len()).min(features.len());
            let pb = progress::bar(steps as u64, "selecting");
            let bar = pb.clone();
            let opts = opts.clone().progress(move |s| bar.set_position(s as u64));
            let sel = select(&enc.features, &enc.target, &opts);
            pb.finish_and_clear();
            (sel?, enc.names, enc.target.len(), Some(encoding), None)
        }
        (None, None, None) => unreachable!("one engine opened the input"),
        (Some(est), _, batches) => {
            drop(batches);
            let pb = progress::spinner("reading");
            let table = a.input.read()?;
            if a.alpha.is_some() {
                return Err(CliError::Usage(
                    "--alpha needs the discrete engine (the G-test is for counts):                      stop a continuous selection with -k or --threshold"
                        .into(),
                ));
            }
            pb.set_message("reading values");
            let x = mutinfo_data::numeric_matrix(&table, &features)
                .map_err(|e| crate::error::in_file(path, e))?;
            let mi = mutinfo_continuous::ContinuousMi::new()
                .estimator(est)
                .neighbors(a.neighbors);
            pb.set_message("selecting");
            let (sel, kind) = if target::is_float(&table, &a.target) {
                let y = mutinfo_data::numeric_matrix(&table, std::slice::from_ref(&a.target))
                    .map_err(|e| crate::error::in_file(path, e))?;
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
    if sel.steps.is_empty() {
        // sklearn warns the same way ("No features were selected"); the result stays a valid,
        // empty table, and no empty chart is drawn.
        eprintln!(
            "mutinfo: warning: {}: no feature selected: the stopping rule ({}) held before the first step{}",
            a.input.data.display(),
            sel.stop.name(),
            if a.report.plot.is_some() { "; --plot not drawn" } else { "" }
        );
    }
    if let Some(p) = &a.save_model {
        let mut params = InfoSelector::params().options(opts.clone());
        if let Some(est) = estimator {
            params = params.estimator(Some(est)).neighbors(a.neighbors);
        } else {
            params = params.binning(mutinfo_data::Binning::parse(
                &a.encode.discretize.binning,
                a.encode.discretize.bins,
            )?);
        }
        let params = linfa::ParamGuard::check(params)?;
        let selector = InfoSelector::from_selection(params, &sel, names, encoding.as_ref())?
            .with_target(a.target.clone());
        write_file("--save-model", p, selector.to_json()?.as_bytes())?;
    }
    if let Some(p) = a.report.plot.as_ref().filter(|_| !sel.steps.is_empty()) {
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
            json_text(&json!({
                "command": "select", "data": a.input.data, "target": a.target, "rows": rows,
                "unit": b.unit(), "criterion": a.criterion,
                "settings": {"k": a.k, "alpha": a.alpha, "threshold": a.threshold, "beta": a.beta, "gamma": a.gamma,
                             "binning": a.encode.discretize.binning, "bins": a.encode.discretize.bins, "missing": a.encode.discretize.missing,
                             "continuous": continuous},
                "stop": sel.stop.name(),
                "elapsed_seconds": elapsed,
                "features": steps,
            }))?
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
    /// A selector saved by `mutinfo select --save-model` or the library's `InfoSelector::save`.
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
    let selector = InfoSelector::load(&a.model)?;
    check_outputs(
        &[a.input.data.as_path(), a.model.as_path()],
        &[("--out", Some(a.out.as_path()))],
    )?;
    if selector.selected_names().is_empty() {
        return Err(CliError::input(
            &a.model,
            "the selector selected no feature (its stopping rule held before the first step): nothing to transform",
        ));
    }
    let table = a.input.read()?;
    let mut cols = selector.selected_names();
    if let Some(t) = selector.target().filter(|_| a.keep_target) {
        if table.schema.field_with_name(t).is_ok() {
            cols.push(t.to_string());
        }
    }
    for c in &cols {
        target::check_exists(&a.input.data, &table, c)?;
    }
    let batch = table
        .concat()
        .map_err(|e| crate::error::in_file(&a.input.data, e))?;
    let idx: Vec<usize> = cols
        .iter()
        .map(|c| batch.schema().index_of(c).unwrap_or(0))
        .collect();
    let projected = batch
        .project(&idx)
        .map_err(|e| CliError::input(&a.input.data, e.to_string()))?;
    crate::write::write_batch(&a.out, &projected)
}
