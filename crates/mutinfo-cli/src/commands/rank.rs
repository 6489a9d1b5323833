//! `mutinfo rank DATA --target COL`: the mutual information of every feature with the target.

use crate::args::{EncodeArgs, InputArgs, ReportArgs};
use crate::error::{CliError, Result};
use crate::output::{emit, json_text, num, Format, TextTable};
use crate::{plot, progress, target};
use clap::Args;
use mutinfo_core::{g_test, Codes};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;
use std::time::Instant;

/// `mutinfo rank`.
#[derive(Debug, Args)]
pub struct RankArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The target (class) column.
    #[arg(long)]
    pub target: String,
    /// Estimator: plugin, miller-madow, chao-shen, james-stein, grassberger, nsb (on the
    /// discretized features), or ksg, ksg2, ross, mixed, gaussian, copula, ksg-copula, elliptical, auto (on the raw
    /// numeric features, no binning).
    #[arg(long, default_value = "plugin")]
    pub estimator: String,
    /// Neighbours k of the kNN estimators (at most 10000).
    #[arg(long, default_value_t = 3)]
    pub neighbors: usize,
    /// Add G-test p-values (discrete estimators: 2N·I against χ² with (|X|−1)(|Y|−1) dof).
    #[arg(long)]
    pub p_values: bool,
    /// Show only the best N features.
    #[arg(long)]
    pub top: Option<usize>,
    #[command(flatten)]
    pub encode: EncodeArgs,
    #[command(flatten)]
    pub engine: crate::engine::EngineArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// One ranked feature.
#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    /// Column name.
    pub name: String,
    /// Position among the features (0-based, file order).
    pub index: usize,
    /// Mutual information with the target, in the chosen unit.
    pub score: f64,
    /// G-test p-value, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
}

/// Which family an estimator name belongs to.
pub enum Family {
    /// On codes.
    Discrete(mutinfo_core::Estimator),
    /// On raw numbers.
    Continuous(mutinfo_continuous::Estimator),
}

/// Parses `--estimator`.
pub fn family(name: &str) -> Result<Family> {
    if let Ok(e) = name.parse::<mutinfo_core::Estimator>() {
        return Ok(Family::Discrete(e));
    }
    name.parse::<mutinfo_continuous::Estimator>()
        .map(Family::Continuous)
        .map_err(|_| {
            CliError::Usage(format!(
                "--estimator {name:?}: expected plugin, miller-madow, chao-shen, james-stein, grassberger, nsb, \
                 ksg, ksg2, ross, mixed, gaussian, copula, ksg-copula, elliptical or auto"
            ))
        })
}

/// Refuses the flags of the other estimator family: `--neighbors` for a discrete estimator,
/// the binning flags for a continuous one.
pub fn refuse_other_family_flags(fam: &Family) -> Result<()> {
    match fam {
        Family::Discrete(_) => crate::args::refuse_given(
            &[("neighbors", "--neighbors")],
            "to a discrete estimator (it is the k of the kNN estimators)",
        ),
        Family::Continuous(_) => crate::args::refuse_given(
            crate::args::BINNING_FLAGS,
            "to a continuous estimator, which reads the raw values (no binning)",
        ),
    }
}

/// `--engine datafusion|ballista`: one pass fits the encoding, one counts every feature against the
/// target; the rows, features, scores (nats) and settings.
#[cfg(feature = "datafusion")]
fn scan_rank(
    a: &RankArgs,
    est: mutinfo_core::Estimator,
) -> Result<(usize, Vec<String>, Vec<f64>, serde_json::Value)> {
    use mutinfo_select::RoundCounts;
    let path = a.input.data.as_path();
    let (scan, features) = crate::engine::open_for(path, &a.engine, &a.encode, &a.target)?;
    let (encoding, rows) = crate::engine::fit(&scan, path, &a.encode, &a.target, &features)?;
    let pb = progress::spinner("counting (one pass)");
    pb.set_message("counting (one pass)");
    let tables = scan.counter(&encoding).count(&[])?;
    pb.finish_and_clear();
    let scores = tables
        .iter()
        .map(|t| {
            let (x, y, xy) = t.pair_counts();
            mutinfo_core::PairEntropies::from_counts(est, &x, &y, &xy).mutual_information(est)
        })
        .collect();
    let settings = json!({
        "estimator": est.name(), "binning": a.encode.discretize.binning, "bins": a.encode.discretize.bins,
        "missing": a.encode.discretize.missing, "dropped_rows": 0, "engine": a.engine.engine()?.name(),
        "encoding": encoding,
    });
    Ok((rows, features, scores, settings))
}

#[cfg(not(feature = "datafusion"))]
fn scan_rank(
    a: &RankArgs,
    _: mutinfo_core::Estimator,
) -> Result<(usize, Vec<String>, Vec<f64>, serde_json::Value)> {
    Err(crate::engine::unavailable(a.engine.engine()?))
}

/// Runs `mutinfo rank`.
pub fn run(a: &RankArgs) -> Result<()> {
    let t0 = Instant::now();
    let fam = family(&a.estimator)?;
    refuse_other_family_flags(&fam)?;
    crate::limits::check("--neighbors", a.neighbors, 1, crate::limits::MAX_NEIGHBORS)?;
    if let Some(t) = a.top {
        crate::limits::positive("--top", t)?;
    }
    crate::output::check_outputs(
        &[&a.input.data],
        &[
            ("--out", a.report.out.as_deref()),
            ("--plot", a.report.plot.as_deref()),
        ],
    )?;
    let path = a.input.data.as_path();
    let engine = a.engine.engine()?;
    if engine.scans() {
        let Family::Discrete(est) = fam else {
            return Err(CliError::Usage(format!(
                "--engine {} counts codes: give a discrete --estimator",
                engine.name()
            )));
        };
        if a.p_values {
            return Err(CliError::Usage(
                "--p-values needs the codes in memory (--engine memory)".into(),
            ));
        }
        let (rows, features, scores, settings) = scan_rank(a, est)?;
        return report(a, t0, rows, &features, scores, None, settings);
    }
    let (batches, features) = a.input.open_for(&a.encode, &a.target)?;
    let (rows, scores, pvalues, settings): (usize, Vec<f64>, Option<Vec<f64>>, serde_json::Value) =
        match fam {
            Family::Discrete(est) => {
                let builder = a.encode.builder(&a.target, &features)?;
                let (encoding, enc) = crate::args::fit_stream(&builder, batches)?;
                crate::args::warn_identifiers(path, &enc);
                if enc.target.observed_cardinality() < 2 {
                    return Err(CliError::input(
                        path,
                        format!("target column {} has a single class", a.target),
                    ));
                }
                let refs: Vec<&Codes> = enc.features.columns().iter().collect();
                let mi = mutinfo_core::mutual_information_many(&refs, &enc.target, est)?;
                let p = if a.p_values {
                    Some(
                        refs.par_iter()
                            .map(|x| g_test(x, &enc.target).map(|t| t.p_value))
                            .collect::<std::result::Result<Vec<_>, _>>()?,
                    )
                } else {
                    None
                };
                let settings = json!({
                    "estimator": est.name(), "binning": a.encode.discretize.binning, "bins": a.encode.discretize.bins,
                    "missing": a.encode.discretize.missing, "dropped_rows": enc.dropped_rows.len(),
                    "encoding": encoding,
                });
                (enc.target.len(), mi, p, settings)
            }
            Family::Continuous(est) => {
                if a.p_values {
                    return Err(CliError::Usage(
                        "--p-values needs a discrete estimator (the G-test is for counts)".into(),
                    ));
                }
                drop(batches);
                let pb = progress::spinner("reading");
                let table = a.input.read()?;
                let x = mutinfo_data::numeric_matrix(&table, &features)
                    .map_err(|e| crate::error::in_file(path, e))?;
                let m = mutinfo_continuous::ContinuousMi::new()
                    .estimator(est)
                    .neighbors(a.neighbors);
                let (estimates, kind) = if target::is_float(&table, &a.target) {
                    let y = mutinfo_data::numeric_matrix(&table, std::slice::from_ref(&a.target))
                        .map_err(|e| crate::error::in_file(path, e))?;
                    (m.many(x.view(), y.column(0)), "continuous")
                } else {
                    let (codes, _) = target::classes(path, &table, &a.target)?;
                    (m.many_discrete(x.view(), &codes), "classes")
                };
                let estimates =
                    estimates.map_err(|e| crate::error::continuous_in_file(path, &features, e))?;
                pb.finish_and_clear();
                let used: Vec<String> = estimates
                    .iter()
                    .map(|e| e.estimator.name().to_string())
                    .collect();
                let settings = json!({
                    "estimator": a.estimator, "neighbors": a.neighbors, "target_kind": kind,
                    "estimators_used": used,
                });
                (
                    x.nrows(),
                    estimates
                        .iter()
                        .map(|e| mutinfo_core::Base::Nats.convert(e.value))
                        .collect(),
                    None,
                    settings,
                )
            }
        };
    report(a, t0, rows, &features, scores, pvalues, settings)
}

/// Ranks and prints the scores (nats) of `features`.
fn report(
    a: &RankArgs,
    t0: Instant,
    rows: usize,
    features: &[String],
    scores: Vec<f64>,
    pvalues: Option<Vec<f64>>,
    settings: serde_json::Value,
) -> Result<()> {
    let b = a.report.base;
    let mut ranked: Vec<Ranked> = features
        .iter()
        .enumerate()
        .map(|(i, name)| Ranked {
            name: name.clone(),
            index: i,
            score: b.convert(scores[i]),
            p_value: pvalues.as_ref().map(|p| p[i]),
        })
        .collect();
    // Best first; equal scores keep file order.
    ranked.sort_by(|x, y| y.score.total_cmp(&x.score).then(x.index.cmp(&y.index)));
    if let Some(t) = a.top {
        ranked.truncate(t);
    }
    if let Some(p) = &a.report.plot {
        let bars: Vec<(String, f64)> = ranked
            .iter()
            .take(60)
            .map(|r| (r.name.clone(), r.score))
            .collect();
        plot::bar_chart(
            p,
            &format!("I(feature; {}) — {}", a.target, a.estimator),
            b.unit(),
            &bars,
        )?;
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let text = match a.report.format {
        Format::Json => json_text(&json!({
            "command": "rank",
            "data": a.input.data,
            "target": a.target,
            "rows": rows,
            "unit": b.unit(),
            "settings": settings,
            "elapsed_seconds": elapsed,
            "features": ranked,
        }))?,
        f => {
            let mut header = vec![
                "rank".to_string(),
                "feature".into(),
                "index".into(),
                format!("mi_{}", b.unit()),
            ];
            if pvalues.is_some() {
                header.push("p_value".into());
            }
            TextTable {
                header,
                rows: ranked
                    .iter()
                    .enumerate()
                    .map(|(r, x)| {
                        let mut row = vec![
                            (r + 1).to_string(),
                            x.name.clone(),
                            x.index.to_string(),
                            num(x.score),
                        ];
                        if let Some(p) = x.p_value {
                            row.push(format!("{p:.3e}"));
                        }
                        row
                    })
                    .collect(),
            }
            .render(f)
        }
    };
    emit(a.report.out.as_deref(), &text)
}
