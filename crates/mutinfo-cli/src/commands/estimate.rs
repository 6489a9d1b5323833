//! `mutinfo estimate DATA --x COLS [--y COLS [--z COLS]]`: the entropy `H(X)`, the mutual
//! information `I(X;Y)` or the conditional mutual information `I(X;Y|Z)` of column groups.
//!
//! A group of several columns is one variable: their joint code (discrete estimators) or their
//! stacked values (continuous estimators). P-values on request: the G-test (`--p-values`,
//! `2N·I` against χ²) and a seeded permutation test (`--permutations N --seed S`, permuting Y
//! within each value of Z), both from mutinfo-core.

use crate::args::{DiscretizeArgs, InputArgs};
use crate::commands::rank::{family, Family};
use crate::error::{in_file, CliError, Result};
use crate::output::{emit, json_text, num, Format, TextTable};
use crate::{progress, target};
use clap::Args;
use mutinfo_core::{
    conditional_g_test, g_test, permutation_test, Base, Codes, Discrete, PermutationOptions,
};
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;

/// `mutinfo estimate`.
#[derive(Debug, Args)]
pub struct EstimateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The X group: column names, comma-separated (several columns are one joint variable).
    #[arg(long, value_delimiter = ',', required = true)]
    pub x: Vec<String>,
    /// The Y group (omit for the entropy of X).
    #[arg(long, value_delimiter = ',')]
    pub y: Vec<String>,
    /// The conditioning group Z (needs --y): gives I(X;Y|Z).
    #[arg(long, value_delimiter = ',')]
    pub z: Vec<String>,
    /// Estimator: plugin, miller-madow, chao-shen, james-stein, grassberger, nsb (on the
    /// discretized columns), or ksg, ksg2, ross, mixed, gaussian, copula, ksg-copula, elliptical, auto (on the raw
    /// numeric columns, no binning).
    #[arg(long, default_value = "plugin")]
    pub estimator: String,
    /// Neighbours k of the kNN estimators (at most 10000).
    #[arg(long, default_value_t = 3)]
    pub neighbors: usize,
    #[command(flatten)]
    pub discretize: DiscretizeArgs,
    /// Add the G-test p-value (discrete estimators; the statistic uses plug-in MI).
    #[arg(long)]
    pub p_values: bool,
    /// Add a permutation-test p-value from this many permutations of Y (within Z; at most 10000000).
    #[arg(long)]
    pub permutations: Option<usize>,
    /// Seed of the permutation test (same seed, same p-value, whatever the thread count).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Unit: nats, bits or hartleys.
    #[arg(long, visible_alias = "unit", default_value = "nats", value_parser = crate::commands::theory::parse_base)]
    pub base: Base,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the result here (atomically) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// What is being estimated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quantity {
    Entropy,
    Mi,
    Cmi,
}

impl Quantity {
    fn name(self) -> &'static str {
        match self {
            Quantity::Entropy => "entropy",
            Quantity::Mi => "mutual_information",
            Quantity::Cmi => "conditional_mutual_information",
        }
    }
}

/// `H(a,b)`, `I(a,b; y)`, `I(a; y | z)`.
fn expression(q: Quantity, x: &[String], y: &[String], z: &[String]) -> String {
    match q {
        Quantity::Entropy => format!("H({})", x.join(",")),
        Quantity::Mi => format!("I({}; {})", x.join(","), y.join(",")),
        Quantity::Cmi => format!("I({}; {} | {})", x.join(","), y.join(","), z.join(",")),
    }
}

/// The p-values computed.
#[derive(Default)]
struct Tests {
    g: Option<mutinfo_core::GTest>,
    perm: Option<mutinfo_core::PermutationTest>,
}

fn check_groups(a: &EstimateArgs) -> Result<Quantity> {
    for (flag, group) in [("--x", &a.x), ("--y", &a.y), ("--z", &a.z)] {
        if group.iter().any(|c| c.trim().is_empty()) {
            return Err(CliError::Usage(format!(
                "{flag} {:?}: empty column name",
                group.join(",")
            )));
        }
        if let Some((_, c)) = group
            .iter()
            .enumerate()
            .find(|(i, c)| group[..*i].contains(c))
        {
            return Err(CliError::Usage(format!(
                "{flag}: column {c:?} is listed twice"
            )));
        }
    }
    let q = match (a.y.is_empty(), a.z.is_empty()) {
        (true, true) => Quantity::Entropy,
        (false, true) => Quantity::Mi,
        (false, false) => Quantity::Cmi,
        (true, false) => return Err(CliError::Usage("--z needs --y: I(X;Y|Z)".into())),
    };
    if q == Quantity::Entropy && (a.p_values || a.permutations.is_some()) {
        return Err(CliError::Usage(
            "p-values test I(X;Y): give --y (an entropy has no p-value)".into(),
        ));
    }
    if let Some(p) = a.permutations {
        crate::limits::check("--permutations", p, 1, crate::limits::MAX_PERMUTATIONS)?;
    }
    crate::limits::check("--neighbors", a.neighbors, 1, crate::limits::MAX_NEIGHBORS)?;
    Ok(q)
}

/// Runs `mutinfo estimate`.
pub fn run(a: &EstimateArgs) -> Result<()> {
    let t0 = Instant::now();
    let q = check_groups(a)?;
    let fam = family(&a.estimator)?;
    crate::commands::rank::refuse_other_family_flags(&fam)?;
    if a.permutations.is_none() {
        crate::args::refuse_given(&[("seed", "--seed")], "without --permutations")?;
    }
    // Every column used, once, in first-mention order: the file is read projected to them.
    let mut used: Vec<String> = Vec::new();
    for c in a.x.iter().chain(&a.y).chain(&a.z) {
        if !used.contains(c) {
            used.push(c.clone());
        }
    }
    crate::output::check_outputs(&[&a.input.data], &[("--out", a.out.as_deref())])?;
    let pb = progress::spinner("reading");
    let path = a.input.data.as_path();
    let table = mutinfo_data::read_table(path, &a.input.options()?.with_columns(used.clone()))?;
    pb.set_message("computing");
    let expr = expression(q, &a.x, &a.y, &a.z);
    let (rows, nats, tests, settings) = match fam {
        Family::Discrete(est) => {
            let enc = a
                .discretize
                .builder()?
                .fit_columns(&table, &used)
                .map_err(|e| in_file(path, e))?;
            let n = enc.codes.first().map_or(0, Codes::len);
            let group = |names: &[String]| -> Result<Codes> {
                let cols: Vec<&Codes> = names
                    .iter()
                    .map(|c| &enc.codes[used.iter().position(|u| u == c).unwrap_or(0)])
                    .collect();
                Ok(Codes::joint_of(&cols, n)?)
            };
            let m = Discrete::new().estimator(est);
            let x = group(&a.x)?;
            let mut tests = Tests::default();
            let value = match q {
                Quantity::Entropy => m.entropy(&x)?,
                Quantity::Mi | Quantity::Cmi => {
                    let y = group(&a.y)?;
                    let z = if q == Quantity::Cmi {
                        Some(group(&a.z)?)
                    } else {
                        None
                    };
                    if a.p_values {
                        tests.g = Some(match &z {
                            Some(z) => conditional_g_test(&x, &y, z)?,
                            None => g_test(&x, &y)?,
                        });
                    }
                    if let Some(permutations) = a.permutations {
                        tests.perm = Some(permutation_test(
                            &x,
                            &y,
                            z.as_ref(),
                            PermutationOptions {
                                permutations,
                                seed: a.seed,
                                estimator: est,
                            },
                        )?);
                    }
                    match &z {
                        Some(z) => m.conditional_mutual_information(&x, &y, z)?,
                        None => m.mutual_information(&x, &y)?,
                    }
                }
            };
            let settings = json!({
                "estimator": est.name(), "binning": a.discretize.binning, "bins": a.discretize.bins,
                "missing": a.discretize.missing, "dropped_rows": enc.dropped_rows.len(),
                "encoding": enc.encodings,
            });
            (n, value, tests, settings)
        }
        Family::Continuous(est) => {
            if a.p_values || a.permutations.is_some() {
                return Err(CliError::Usage(
                    "p-values need a discrete estimator (the tests count codes)".into(),
                ));
            }
            let m = mutinfo_continuous::ContinuousMi::new()
                .estimator(est)
                .neighbors(a.neighbors);
            let matrix = |names: &[String]| mutinfo_data::numeric_matrix(&table, names);
            let x = matrix(&a.x).map_err(|e| in_file(path, e))?;
            // Estimator errors name the group's columns and the file.
            let ce = |e: mutinfo_continuous::ContinuousError| {
                let names = match &e {
                    mutinfo_continuous::ContinuousError::NonFinite { what: "y", .. } => &a.y,
                    mutinfo_continuous::ContinuousError::NonFinite { what: "z", .. } => &a.z,
                    _ => &a.x,
                };
                crate::error::continuous_in_file(path, names, e)
            };
            let estimate = match q {
                Quantity::Entropy => m.entropy(x.view()).map_err(ce)?,
                Quantity::Mi => {
                    // One non-float Y column is a class label (as `rank` treats its target).
                    if let [y] = a.y.as_slice() {
                        if !target::is_float(&table, y) {
                            let (codes, _) = target::classes(path, &table, y)?;
                            m.mutual_information_discrete(x.view(), &codes)
                                .map_err(ce)?
                        } else {
                            let y = matrix(&a.y).map_err(|e| in_file(path, e))?;
                            m.mutual_information(x.view(), y.view()).map_err(ce)?
                        }
                    } else {
                        let y = matrix(&a.y).map_err(|e| in_file(path, e))?;
                        m.mutual_information(x.view(), y.view()).map_err(ce)?
                    }
                }
                Quantity::Cmi => {
                    let y = matrix(&a.y).map_err(|e| in_file(path, e))?;
                    let z = matrix(&a.z).map_err(|e| in_file(path, e))?;
                    m.conditional_mutual_information(x.view(), y.view(), z.view())
                        .map_err(ce)?
                }
            };
            let settings = json!({
                "estimator": a.estimator, "estimator_used": estimate.estimator.name(),
                "neighbors": a.neighbors, "reason": estimate.reason,
            });
            (
                x.nrows(),
                Base::Nats.convert(estimate.value),
                Tests::default(),
                settings,
            )
        }
    };
    pb.finish_and_clear();
    let b = a.base;
    let value = b.convert(nats);
    let elapsed = t0.elapsed().as_secs_f64();
    let text = match a.format {
        Format::Json => {
            let mut doc = json!({
                "command": "estimate",
                "data": a.input.data,
                "quantity": q.name(),
                "expression": expr,
                "x": a.x, "y": a.y, "z": a.z,
                "rows": rows,
                "unit": b.unit(),
                "value": value,
                "settings": settings,
                "elapsed_seconds": elapsed,
            });
            if let Some(g) = &tests.g {
                doc["g_test"] = json!({
                    "statistic": g.statistic, "dof": g.dof, "p_value": g.p_value,
                });
                doc["p_value"] = json!(g.p_value);
            }
            if let Some(p) = &tests.perm {
                doc["permutation_test"] = json!({
                    "permutations": p.permutations, "seed": a.seed, "p_value": p.p_value,
                    "null_mean": b.convert(p.null_mean), "null_std": b.convert(p.null_std),
                });
                // The permutation test is exact in finite samples: it is the p-value shown.
                doc["p_value"] = json!(p.p_value);
            }
            json_text(&doc)?
        }
        f => {
            let mut header = vec![
                "quantity".to_string(),
                "expression".into(),
                "rows".into(),
                format!("value_{}", b.unit()),
            ];
            let mut row = vec![q.name().to_string(), expr, rows.to_string(), num(value)];
            if let Some(g) = &tests.g {
                header.push("g_test_p_value".into());
                row.push(format!("{:.3e}", g.p_value));
            }
            if let Some(p) = &tests.perm {
                header.push("permutation_p_value".into());
                row.push(format!("{:.6}", p.p_value));
            }
            TextTable {
                header,
                rows: vec![row],
            }
            .render(f)
        }
    };
    emit(a.out.as_deref(), &text)
}
