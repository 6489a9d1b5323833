//! `mutinfo acquire PROBS`: which pool points to label next.

use crate::error::{CliError, Result};
use crate::output::{emit, json_text, num, Format, TextTable};
use clap::Args;
use mutinfo_active::{Acquisition, BatchBald};
use serde_json::json;
use std::path::PathBuf;

/// `mutinfo acquire PROBS`.
#[derive(Debug, Args)]
pub struct AcquireArgs {
    /// Predictive samples: an N pool × K members × C classes array of probabilities (.npy).
    pub probs: PathBuf,
    /// bald, batchbald, entropy, least-confidence, margin, variation-ratios, mean-std, random,
    /// power, softmax, softrank (stochastic BALD), or `power-<score>` etc.
    #[arg(long, default_value = "bald")]
    pub method: String,
    /// How many points to choose (1 to the pool size; at most 1000000).
    #[arg(long, default_value_t = 10)]
    pub batch: usize,
    /// Seed for random and stochastic methods and BatchBALD's sampling.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Inverse temperature β of the stochastic methods.
    #[arg(long)]
    pub beta: Option<f64>,
    /// BatchBALD: sampled joint configurations M beyond exact enumeration (at most 1000000).
    #[arg(long)]
    pub samples: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the result here (atomically) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs `mutinfo acquire`.
pub fn acquire(a: &AcquireArgs) -> Result<()> {
    crate::output::check_outputs(&[&a.probs], &[("--out", a.out.as_deref())])?;
    crate::limits::check("--batch", a.batch, 1, crate::limits::MAX_BATCH)?;
    if let Some(m) = a.samples {
        crate::limits::check("--samples", m, 1, crate::limits::MAX_SAMPLES)?;
    }
    let probs =
        mutinfo_active::read_npy(&a.probs).map_err(|e| CliError::input(&a.probs, e.to_string()))?;
    if a.batch > probs.dim().0 {
        return Err(CliError::input(
            &a.probs,
            format!(
                "--batch {}: more than the {} pool points",
                a.batch,
                probs.dim().0
            ),
        ));
    }
    let mut method: Acquisition = a
        .method
        .parse()
        .map_err(|e: mutinfo_active::ActiveError| CliError::Usage(e.to_string()))?;
    if !matches!(method, Acquisition::Stochastic { .. }) {
        crate::args::refuse_given(
            &[("beta", "--beta")],
            "to this method (only the stochastic power, softmax and softrank)",
        )?;
    }
    if !matches!(method, Acquisition::BatchBald(_)) {
        crate::args::refuse_given(
            &[("samples", "--samples")],
            "to this method (only batchbald)",
        )?;
    }
    match &mut method {
        Acquisition::Stochastic { beta, .. } => {
            if let Some(b) = a.beta {
                *beta = b;
            }
        }
        Acquisition::BatchBald(bb) => {
            if let Some(m) = a.samples {
                *bb = BatchBald::new().num_samples(m);
            }
        }
        Acquisition::TopK(_) | Acquisition::KCenter { .. } => {}
    }
    let sel = method
        .select(probs.view(), a.batch, a.seed)
        .map_err(|e| CliError::input(&a.probs, e.to_string()))?;
    let text = match a.format {
        Format::Json => json_text(&json!({
            "command": "acquire", "method": a.method, "batch": a.batch, "seed": a.seed, "unit": "nats",
            "pool": probs.dim().0, "members": probs.dim().1, "classes": probs.dim().2,
            "selected": sel.indices.iter().zip(&sel.scores).enumerate()
                .map(|(rank, (i, s))| json!({"rank": rank + 1, "index": i, "score": s})).collect::<Vec<_>>(),
        }))?,
        f => TextTable {
            header: vec!["rank".into(), "index".into(), "score".into()],
            rows: sel
                .indices
                .iter()
                .zip(&sel.scores)
                .enumerate()
                .map(|(r, (i, s))| vec![(r + 1).to_string(), i.to_string(), num(*s)])
                .collect(),
        }
        .render(f),
    };
    emit(a.out.as_deref(), &text)
}
