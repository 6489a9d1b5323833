//! `mutinfo cluster scheduler|executor`: the processes of a Ballista cluster that runs the
//! counting passes of `--engine ballista` (Ballista's own binaries cannot: the passes are our
//! aggregate functions, which every process must know).

use clap::{Args, Subcommand};

#[cfg(not(feature = "ballista"))]
use crate::error::CliError;
use crate::error::Result;

/// `mutinfo cluster`.
#[derive(Debug, Args)]
pub struct ClusterArgs {
    #[command(subcommand)]
    command: ClusterCommand,
}

#[derive(Debug, Subcommand)]
enum ClusterCommand {
    /// Run a scheduler: clients (`--engine ballista --scheduler HOST:PORT`) submit passes to
    /// it, executors register with it. Runs until stopped. MUTINFO_LOG=info (or error, warn,
    /// debug, trace) prints its log on stderr.
    Scheduler(SchedulerArgs),
    /// Run an executor for a scheduler: it reads the input (every executor must see it at the
    /// path the client gives) and counts. Runs until stopped. MUTINFO_LOG=info (or error,
    /// warn, debug, trace) prints its log on stderr.
    Executor(ExecutorArgs),
}

/// `mutinfo cluster scheduler`.
#[derive(Debug, Args)]
pub struct SchedulerArgs {
    /// The address its gRPC service listens on, HOST:PORT.
    #[arg(long, default_value = "127.0.0.1:50050")]
    bind: String,
    /// Seconds without a heartbeat after which an executor is lost and its tasks run again on
    /// the others.
    #[arg(long, default_value_t = 30)]
    executor_timeout: u64,
}

/// `mutinfo cluster executor`.
#[derive(Debug, Args)]
pub struct ExecutorArgs {
    /// The scheduler, HOST:PORT.
    #[arg(long)]
    scheduler: String,
    /// Its Arrow Flight service, HOST:PORT. Port 0 (the default) picks a free one, so that
    /// several executors can run on one machine.
    #[arg(long, default_value = "127.0.0.1:0")]
    bind: String,
    /// The port of its gRPC service, on the --bind host (default: a free one).
    #[arg(long)]
    grpc_port: Option<u16>,
    /// Tasks it runs at once (default: the cores of this machine).
    #[arg(long)]
    concurrency: Option<usize>,
    /// Where it writes shuffle files (default: a temporary directory).
    #[arg(long)]
    work_dir: Option<std::path::PathBuf>,
    /// The memory its tasks may hold together, e.g. 300MB, 2GiB or bytes.
    #[arg(long)]
    memory_limit: Option<String>,
}

/// Runs `mutinfo cluster`.
pub fn run(a: &ClusterArgs) -> Result<()> {
    #[cfg(feature = "ballista")]
    {
        use mutinfo_engine::cluster;
        if let Some(level) = std::env::var_os("MUTINFO_LOG") {
            cluster::log_to_stderr(&level.to_string_lossy())?;
        }
        match &a.command {
            ClusterCommand::Scheduler(s) => {
                crate::limits::positive("--executor-timeout", s.executor_timeout as usize)?;
                let bind = cluster::resolve("--bind", &s.bind)?;
                let mut opts = cluster::SchedulerOptions::new(bind);
                opts.executor_timeout_seconds = s.executor_timeout;
                eprintln!("mutinfo scheduler on {bind}");
                Ok(cluster::serve(2, cluster::run_scheduler(opts))?)
            }
            ClusterCommand::Executor(e) => {
                let scheduler = cluster::resolve("--scheduler", &e.scheduler)?;
                let mut bind = cluster::resolve("--bind", &e.bind)?;
                if bind.port() == 0 {
                    bind.set_port(cluster::free_port(bind.ip(), 0)?);
                }
                let mut opts = cluster::ExecutorOptions::new(scheduler, bind);
                opts.grpc_port = match e.grpc_port {
                    Some(p) if p == bind.port() || p == 0 => {
                        return Err(crate::error::CliError::Usage(format!(
                            "--grpc-port {p}: give a port other than 0 and --bind's"
                        )))
                    }
                    Some(p) => p,
                    None => cluster::free_port(bind.ip(), bind.port())?,
                };
                if let Some(c) = e.concurrency {
                    crate::limits::check("--concurrency", c, 1, crate::limits::MAX_THREADS)?;
                    opts.concurrency = c;
                }
                opts.work_dir = e.work_dir.clone();
                opts.memory_limit = e
                    .memory_limit
                    .as_deref()
                    .map(crate::engine::parse_size)
                    .transpose()?;
                eprintln!(
                    "mutinfo executor on {bind} (gRPC on port {}), scheduler {scheduler}, \
                     {} task(s) at once",
                    opts.grpc_port, opts.concurrency
                );
                Ok(cluster::serve(
                    opts.concurrency,
                    cluster::run_executor(opts),
                )?)
            }
        }
    }
    #[cfg(not(feature = "ballista"))]
    {
        let _ = &a.command;
        Err(CliError::Usage(
            "mutinfo cluster: this mutinfo was built without Ballista; build with \
             `cargo build --release -p mutinfo-cli --features ballista`"
                .into(),
        ))
    }
}
