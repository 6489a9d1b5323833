//! `mutinfo capacity | ib | bound | pmi`: the canonical computations of information theory on
//! small matrices.

use crate::error::{CliError, Result};
use crate::matrix::read_matrix;
use crate::output::{check_outputs, emit, json_text, num, Format, TextTable};
use crate::plot;
use clap::Args;
use mutinfo_core::bottleneck::{bottleneck_curve, BottleneckKind, BottleneckOptions};
use mutinfo_core::bounds::{bound, Bound};
use mutinfo_core::channel::{CapacityOptions, Channel};
use mutinfo_core::cooccurrence::{pmi_matrix, Association, PmiOptions};
use mutinfo_core::Base;
use serde_json::json;
use std::path::PathBuf;

/// Shared output flags of the theory commands.
#[derive(Debug, Args)]
pub struct TheoryOutput {
    /// Unit of information.
    #[arg(long, default_value = "nats", value_parser = parse_base)]
    pub base: Base,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the result here (atomically) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub(crate) fn parse_base(s: &str) -> std::result::Result<Base, String> {
    s.parse::<Base>().map_err(|e| e.to_string())
}

/// `mutinfo capacity CHANNEL`.
#[derive(Debug, Args)]
pub struct CapacityArgs {
    /// Channel matrix W(y|x): one row per input, rows summing to 1 (CSV or .npy).
    pub channel: PathBuf,
    /// Stop when the capacity bounds are this close (nats).
    #[arg(long, default_value_t = 1e-12)]
    pub tolerance: f64,
    /// Iteration bound.
    #[arg(long, default_value_t = 100_000)]
    pub max_iterations: usize,
    /// Draw capacity against added noise (.svg or .png): the channel mixed with the uniform
    /// channel, (1 − ε) W + ε/|Y|, for ε = 0, 0.05, …, 1.
    #[arg(long)]
    pub plot: Option<PathBuf>,
    #[command(flatten)]
    pub output: TheoryOutput,
}

/// Runs `mutinfo capacity`.
pub fn capacity(a: &CapacityArgs) -> Result<()> {
    check_outputs(
        &[&a.channel],
        &[
            ("--out", a.output.out.as_deref()),
            ("--plot", a.plot.as_deref()),
        ],
    )?;
    let w = read_matrix(&a.channel)?;
    let ch = Channel::new(w.clone()).map_err(|e| CliError::input(&a.channel, e.to_string()))?;
    let opts = CapacityOptions {
        tolerance: a.tolerance,
        max_iterations: a.max_iterations,
    };
    let c = ch.capacity(opts)?;
    let b = a.output.base;
    if let Some(p) = &a.plot {
        let ny = w.ncols() as f64;
        let mut pts = Vec::new();
        for i in 0..=20 {
            let eps = i as f64 / 20.0;
            let noisy = w.mapv(|v| (1.0 - eps) * v + eps / ny);
            let cap = Channel::new(noisy)?.capacity(opts)?;
            pts.push((eps, b.convert(cap.capacity)));
        }
        plot::line_chart(
            p,
            "capacity against added noise",
            "noise ε (mixture with the uniform channel)",
            &format!("capacity [{}]", b.unit()),
            &[("capacity".into(), pts)],
        )?;
    }
    let text = match a.output.format {
        Format::Json => json_text(&json!({
            "command": "capacity",
            "unit": b.unit(),
            "capacity": b.convert(c.capacity),
            "gap": b.convert(c.gap),
            "input": c.input,
            "iterations": c.iterations,
            "converged": c.converged,
        }))?,
        f => {
            let mut t = TextTable {
                header: vec!["input".into(), "p(x)".into()],
                rows: c
                    .input
                    .iter()
                    .enumerate()
                    .map(|(i, p)| vec![i.to_string(), num(*p)])
                    .collect(),
            };
            let head = format!(
                "capacity {} {} (gap {:.1e}, {} iterations{})\n",
                num(b.convert(c.capacity)),
                b.unit(),
                b.convert(c.gap),
                c.iterations,
                if c.converged { "" } else { ", NOT converged" }
            );
            if f == Format::Csv {
                t.header.insert(0, "capacity".into());
                for r in &mut t.rows {
                    r.insert(0, num(b.convert(c.capacity)));
                }
                t.csv()
            } else {
                head + &t.aligned()
            }
        }
    };
    emit(a.output.out.as_deref(), &text)
}

/// `mutinfo ib JOINT`.
#[derive(Debug, Args)]
pub struct IbArgs {
    /// Joint distribution p(x, y): one row per x, entries summing to 1 (CSV or .npy).
    pub joint: PathBuf,
    /// Trade-off β (multiplies nats); several values, or a grid with --betas.
    #[arg(long, num_args = 1.., value_delimiter = ',')]
    pub beta: Vec<f64>,
    /// A log-spaced grid `MIN:MAX:COUNT` of β values, for the IB curve (COUNT at most 10000).
    #[arg(long)]
    pub betas: Option<String>,
    /// The deterministic bottleneck (Strouse & Schwab 2017) instead of the soft one.
    #[arg(long)]
    pub deterministic: bool,
    /// Number of clusters |T| (default |X|; at most 100000).
    #[arg(long)]
    pub clusters: Option<usize>,
    /// Random restarts per β (the best objective is kept; at most 10000).
    #[arg(long, default_value_t = 5)]
    pub restarts: usize,
    /// Seed of the random initial encoders.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Draw the curve I(T;Y) against I(X;T) (.svg or .png).
    #[arg(long)]
    pub plot: Option<PathBuf>,
    #[command(flatten)]
    pub output: TheoryOutput,
}

fn parse_grid(s: &str) -> Result<Vec<f64>> {
    let bad = || {
        CliError::Usage(format!(
            "--betas {s:?}: expected MIN:MAX:COUNT with 0 < MIN <= MAX and COUNT >= 1"
        ))
    };
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 3 {
        return Err(bad());
    }
    let lo: f64 = parts[0].parse().map_err(|_| bad())?;
    let hi: f64 = parts[1].parse().map_err(|_| bad())?;
    let n: usize = parts[2].parse().map_err(|_| bad())?;
    crate::limits::check("--betas COUNT", n, 1, crate::limits::MAX_BETAS)?;
    if !(lo > 0.0 && hi >= lo && n >= 1 && hi.is_finite()) {
        return Err(bad());
    }
    Ok((0..n)
        .map(|i| {
            if n == 1 {
                lo
            } else {
                lo * (hi / lo).powf(i as f64 / (n - 1) as f64)
            }
        })
        .collect())
}

/// Runs `mutinfo ib`.
pub fn ib(a: &IbArgs) -> Result<()> {
    check_outputs(
        &[&a.joint],
        &[
            ("--out", a.output.out.as_deref()),
            ("--plot", a.plot.as_deref()),
        ],
    )?;
    let joint = read_matrix(&a.joint)?;
    if let Some(c) = a.clusters {
        crate::limits::check("--clusters", c, 1, crate::limits::MAX_CLUSTERS)?;
    }
    crate::limits::check("--restarts", a.restarts, 1, crate::limits::MAX_RESTARTS)?;
    let mut betas = a.beta.clone();
    if let Some(g) = &a.betas {
        betas.extend(parse_grid(g)?);
    }
    if betas.is_empty() {
        return Err(CliError::Usage(
            "give --beta B (or a grid --betas MIN:MAX:COUNT)".into(),
        ));
    }
    let mut o = BottleneckOptions::new(1.0);
    o.kind = if a.deterministic {
        BottleneckKind::Deterministic
    } else {
        BottleneckKind::Soft
    };
    o.clusters = a.clusters;
    o.init = mutinfo_core::bottleneck::BottleneckInit::Random { seed: a.seed };
    let curve = bottleneck_curve(joint.view(), &betas, &o, a.restarts).map_err(|e| match e {
        e @ mutinfo_core::CoreError::InvalidParameter { .. } => CliError::Core(e),
        e => CliError::input(&a.joint, e.to_string()),
    })?;
    let b = a.output.base;
    if let Some(p) = &a.plot {
        let pts = curve
            .iter()
            .map(|c| (b.convert(c.i_xt), b.convert(c.i_ty)))
            .collect();
        plot::line_chart(
            p,
            "information bottleneck",
            &format!("I(X;T) [{}]", b.unit()),
            &format!("I(T;Y) [{}]", b.unit()),
            &[("IB curve".into(), pts)],
        )?;
    }
    let text = match a.output.format {
        Format::Json => {
            let pts: Vec<_> = curve
                .iter()
                .map(|c| {
                    json!({"beta": c.beta, "i_xt": b.convert(c.i_xt), "i_ty": b.convert(c.i_ty),
                           "h_t": b.convert(c.h_t), "converged": c.converged})
                })
                .collect();
            json_text(&json!({"command": "ib", "unit": b.unit(),
                "deterministic": a.deterministic, "curve": pts}))?
        }
        f => TextTable {
            header: vec![
                "beta".into(),
                "I(X;T)".into(),
                "I(T;Y)".into(),
                "H(T)".into(),
                "converged".into(),
            ],
            rows: curve
                .iter()
                .map(|c| {
                    vec![
                        num(c.beta),
                        num(b.convert(c.i_xt)),
                        num(b.convert(c.i_ty)),
                        num(b.convert(c.h_t)),
                        c.converged.to_string(),
                    ]
                })
                .collect(),
        }
        .render(f),
    };
    emit(a.output.out.as_deref(), &text)
}

/// `mutinfo bound SCORES`.
#[derive(Debug, Args)]
pub struct BoundArgs {
    /// B × B critic scores, positive pairs on the diagonal (.npy or CSV).
    pub scores: PathBuf,
    /// Which bounds: infonce, nwj, dv, js, smile (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "infonce,nwj,dv,smile")]
    pub bound: Vec<String>,
    /// SMILE clipping threshold τ.
    #[arg(long, default_value_t = 5.0)]
    pub tau: f64,
    #[command(flatten)]
    pub output: TheoryOutput,
}

/// Runs `mutinfo bound`.
pub fn bounds(a: &BoundArgs) -> Result<()> {
    check_outputs(&[&a.scores], &[("--out", a.output.out.as_deref())])?;
    if !a.bound.iter().any(|b| b.eq_ignore_ascii_case("smile")) {
        crate::args::refuse_given(&[("tau", "--tau")], "without --bound smile")?;
    }
    let s = read_matrix(&a.scores)?;
    let b = a.output.base;
    let mut rows = Vec::new();
    for name in &a.bound {
        let mut w: Bound = name
            .parse()
            .map_err(|e: mutinfo_core::CoreError| CliError::Usage(e.to_string()))?;
        if let Bound::Smile { .. } = w {
            w = Bound::Smile { tau: a.tau };
        }
        let v = bound(s.view(), w).map_err(|e| CliError::input(&a.scores, e.to_string()))?;
        if !v.is_finite() {
            let big = s.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            return Err(CliError::input(
                &a.scores,
                format!(
                    "bound {name}: the value overflows to {v} (scores up to {big:e} in absolute value make e^score overflow); rescale the critic scores"
                ),
            ));
        }
        rows.push((name.to_ascii_lowercase(), b.convert(v)));
    }
    let ceiling = b.convert((s.nrows() as f64).ln());
    let text = match a.output.format {
        Format::Json => json_text(&json!({
            "command": "bound", "unit": b.unit(), "batch": s.nrows(), "infonce_ceiling": ceiling,
            "bounds": rows.iter().map(|(n, v)| json!({"bound": n, "value": v})).collect::<Vec<_>>(),
        }))?,
        f => TextTable {
            header: vec!["bound".into(), format!("value ({})", b.unit())],
            rows: rows.iter().map(|(n, v)| vec![n.clone(), num(*v)]).collect(),
        }
        .render(f),
    };
    emit(a.output.out.as_deref(), &text)
}

/// `mutinfo pmi COUNTS`.
#[derive(Debug, Args)]
pub struct PmiArgs {
    /// Co-occurrence counts: rows are words/items, columns contexts (CSV or .npy).
    pub counts: PathBuf,
    /// pmi, ppmi, sppmi (shifted PPMI) or npmi.
    #[arg(long, default_value = "pmi")]
    pub measure: String,
    /// Shift k of shifted PPMI (max(PMI − ln k, 0)).
    #[arg(long, default_value_t = 5.0)]
    pub shift: f64,
    /// Context distribution smoothing exponent α (Levy et al. 2015 use 0.75).
    #[arg(long, default_value_t = 1.0)]
    pub alpha: f64,
    #[command(flatten)]
    pub output: TheoryOutput,
}

/// Runs `mutinfo pmi`.
pub fn pmi(a: &PmiArgs) -> Result<()> {
    check_outputs(&[&a.counts], &[("--out", a.output.out.as_deref())])?;
    let counts = read_matrix(&a.counts)?;
    let mut assoc: Association = a
        .measure
        .parse()
        .map_err(|e: mutinfo_core::CoreError| CliError::Usage(e.to_string()))?;
    if let Association::ShiftedPpmi { .. } = assoc {
        assoc = Association::ShiftedPpmi { k: a.shift };
    } else {
        crate::args::refuse_given(&[("shift", "--shift")], "without --measure sppmi")?;
    }
    let m = pmi_matrix(
        counts.view(),
        PmiOptions {
            association: assoc,
            alpha: a.alpha,
        },
    )
    .map_err(|e| match e {
        e @ mutinfo_core::CoreError::InvalidParameter { .. } => CliError::Core(e),
        e => CliError::input(&a.counts, e.to_string()),
    })?;
    // PMI values are logarithms: convert with the base for pmi/ppmi; NPMI is unit-free.
    let conv = |v: f64| {
        if matches!(assoc, Association::Npmi) {
            v
        } else {
            a.output.base.convert(v)
        }
    };
    let text = match a.output.format {
        Format::Json => json_text(&json!({
            "command": "pmi", "measure": a.measure, "alpha": a.alpha,
            "unit": if matches!(assoc, Association::Npmi) { "none" } else { a.output.base.unit() },
            "matrix": m.rows().into_iter().map(|r| r.iter().map(|&v| {
                let v = conv(v);
                if v.is_finite() { json!(v) } else { json!(null) }
            }).collect::<Vec<_>>()).collect::<Vec<_>>(),
        }))?,
        f => TextTable {
            header: std::iter::once("row".to_string())
                .chain((0..m.ncols()).map(|j| format!("c{j}")))
                .collect(),
            rows: m
                .rows()
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    std::iter::once(i.to_string())
                        .chain(r.iter().map(|&v| num(conv(v))))
                        .collect()
                })
                .collect(),
        }
        .render(f),
    };
    emit(a.output.out.as_deref(), &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids() {
        let g = parse_grid("0.1:10:3").unwrap();
        assert!(
            (g[1] - 1.0).abs() < mutinfo_core::prec::GOLDEN
                && (g[2] - 10.0).abs() < mutinfo_core::prec::GOLDEN
        );
        assert!(parse_grid("0:1:3").is_err());
        assert!(parse_grid("1:2").is_err());
    }
}
