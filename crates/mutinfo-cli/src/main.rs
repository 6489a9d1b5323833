//! `mutinfo`: mutual information on the command line.
//!
//! Run `mutinfo --help` for the subcommands. Errors are printed as `mutinfo: <message>` naming
//! the file, column, row and value involved, with exit code 1 (2 for usage errors); a user never
//! sees a panic or a backtrace.

mod args;
mod commands;
mod engine;
mod error;
mod limits;
mod matrix;
mod output;
mod plot;
mod progress;
mod target;
mod write;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use error::{CliError, Result};

/// Mutual information for machine learning: rank and select features, fit information-gain
/// trees, choose what to label next, and compute channel capacities, bottlenecks and bounds.
#[derive(Debug, Parser)]
#[command(name = "mutinfo", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// Worker threads (default: all cores; at most 1024). Results do not depend on it.
    #[arg(long, global = true)]
    threads: Option<usize>,
    /// No progress bars.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Mutual information of every feature with a target column, best first.
    Rank(commands::rank::RankArgs),
    /// Entropy H(X), mutual information I(X;Y) or conditional MI I(X;Y|Z) of column groups.
    Estimate(commands::estimate::EstimateArgs),
    /// Greedy forward feature selection (mRMR, JMI, CMIM, DISR, ...) against a target column.
    Select(commands::select::SelectArgs),
    /// Keep only the columns a saved selector chose (`select --save-model`).
    Transform(commands::select::TransformArgs),
    /// Information-gain decision trees: fit, predict, show.
    Tree(commands::tree::TreeArgs),
    /// Active-learning experiments: `active simulate` runs labeling loops with a simulated
    /// oracle and compares acquisition methods with random sampling.
    Active(commands::active::ActiveArgs),
    /// Run a Ballista cluster for `--engine ballista`: `cluster scheduler`, `cluster executor`
    /// (needs a build with --features ballista).
    Cluster(commands::cluster::ClusterArgs),
    /// Pool points to label next (BALD, BatchBALD, stochastic BALD, margin, ...).
    Acquire(commands::acquire::AcquireArgs),
    /// Write a synthetic data set with known answers (xor, parity, redundant, madelon) as CSV.
    Generate(commands::generate::GenerateArgs),
    /// Capacity of a discrete channel by Blahut–Arimoto.
    Capacity(commands::theory::CapacityArgs),
    /// Information bottleneck (or its deterministic variant) of a joint distribution.
    Ib(commands::theory::IbArgs),
    /// Variational MI bounds (InfoNCE, NWJ, DV, JS, SMILE) from a critic score matrix.
    Bound(commands::theory::BoundArgs),
    /// PMI / PPMI / shifted PPMI / NPMI matrix of co-occurrence counts.
    Pmi(commands::theory::PmiArgs),
}

fn run(cli: Cli) -> Result<()> {
    if let Some(t) = cli.threads {
        limits::check("--threads", t, 1, limits::MAX_THREADS)?;
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build_global()
            .map_err(|e| CliError::Usage(format!("--threads {t}: {e}")))?;
    }
    progress::set_quiet(cli.quiet);
    match &cli.command {
        Command::Rank(a) => commands::rank::run(a),
        Command::Estimate(a) => commands::estimate::run(a),
        Command::Select(a) => commands::select::run(a),
        Command::Transform(a) => commands::select::transform(a),
        Command::Tree(a) => commands::tree::run(a),
        Command::Active(a) => commands::active::run(a),
        Command::Acquire(a) => commands::acquire::acquire(a),
        Command::Cluster(a) => commands::cluster::run(a),
        Command::Generate(a) => commands::generate::run(a),
        Command::Capacity(a) => commands::theory::capacity(a),
        Command::Ib(a) => commands::theory::ib(a),
        Command::Bound(a) => commands::theory::bounds(a),
        Command::Pmi(a) => commands::theory::pmi(a),
    }
}

/// The message of the last panic, printed if it reaches `main`.
static LAST_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// mimalloc instead of the system allocator: the encoder allocates and frees a column-sized
/// buffer per column group, which glibc hands back to the kernel and faults in again (88k
/// page faults on 1M x 50, serialised on the process's memory map between threads).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (the same position in its v2 and v3 enums).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Tells mimalloc never to hand freed memory back to the kernel before exit (unless the user
/// set `MIMALLOC_PURGE_DELAY`). A `mutinfo` command is one batch job: its peak is what it
/// needs, and memory purged between column groups comes back as fresh (transparent huge)
/// pages the kernel must zero. Measured on 800 x 100k JMI k = 1, two threads, five
/// alternating runs: system time 0.32-0.97 s -> 0.03-0.09 s, wall 1.02-1.51 s -> 0.98-1.02 s,
/// peak RSS unchanged. A streaming engine sets it back ([`purge_delay`]).
fn keep_freed_memory() {
    purge_delay(-1);
}

/// Sets mimalloc's delay before freed memory goes back to the kernel (milliseconds, -1:
/// never), unless the user set `MIMALLOC_PURGE_DELAY`. `--engine datafusion` streams through
/// buffers on several threads, and what each thread frees would otherwise stay resident: 20M
/// rows x 24 columns, JMI k = 1, peak RSS 330 MB with no purge, 253 MB with 10 ms.
pub(crate) fn purge_delay(ms: i64) {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: `mi_option_set` only stores an integer option; mimalloc reads it when it
        // next considers purging.
        #[allow(unsafe_code)]
        unsafe {
            libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, ms as std::ffi::c_long)
        };
    }
}

fn main() {
    keep_freed_memory();
    // A bug must still not show a user a Rust panic: keep the message (printed only if the
    // panic reaches the top; libraries catch some, e.g. a corrupt Parquet file) and say where to
    // report it.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".into());
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(msg);
        }
    }));
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|c| (c, m)));
    let cli = match parsed {
        Ok((c, m)) => {
            args::record_given(&m);
            c
        }
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    output::install_signal_handler();
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            eprintln!("mutinfo: {e}");
            std::process::exit(e.exit_code());
        }
        Err(_) => {
            let msg = LAST_PANIC
                .lock()
                .ok()
                .and_then(|m| m.clone())
                .unwrap_or_else(|| "unknown".into());
            eprintln!(
                "mutinfo: internal error: {msg} (please report this with the command you ran)"
            );
            std::process::exit(101)
        }
    }
}
