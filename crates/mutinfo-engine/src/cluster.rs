//! A Ballista cluster that knows the counting aggregates: its scheduler, its executors, and
//! the client side of a [`crate::Scan`].
//!
//! Ballista cannot ship Rust functions, so every process of a cluster must be built with them:
//! these are Ballista's scheduler and executor as libraries, started with our extension codecs
//! ([`crate::codec`]). The executors read the input paths themselves, so every executor must
//! see the input at the same path (a shared or replicated file system).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use ballista_core::config::TaskSchedulingPolicy;
use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::codec::{LogicalCodec, PhysicalCodec};
use crate::error::{EngineError, Result};

fn cluster_error(what: &str, e: impl std::fmt::Display) -> EngineError {
    EngineError::Cluster(format!("{what}: {e}"))
}

/// How a scheduler runs.
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// The address its gRPC service listens on (clients and executors connect to it).
    pub bind: SocketAddr,
    /// Seconds without a heartbeat after which an executor counts as lost and its tasks run
    /// elsewhere.
    pub executor_timeout_seconds: u64,
}

impl SchedulerOptions {
    /// A scheduler on `bind`, losing silent executors after 30 seconds.
    pub fn new(bind: SocketAddr) -> Self {
        SchedulerOptions {
            bind,
            executor_timeout_seconds: 30,
        }
    }
}

/// Runs a scheduler until its service stops.
///
/// # Errors
/// [`EngineError::Cluster`] when it cannot start (the address is taken, …) or fails.
pub async fn run_scheduler(opts: SchedulerOptions) -> Result<()> {
    let config = SchedulerConfig {
        bind_host: opts.bind.ip().to_string(),
        bind_port: opts.bind.port(),
        external_host: if opts.bind.ip().is_unspecified() {
            "localhost".to_string()
        } else {
            opts.bind.ip().to_string()
        },
        executor_timeout_seconds: opts.executor_timeout_seconds,
        // Executors ask for tasks when they have a free slot. With the scheduler handing them
        // out (push, Ballista's default), a task cancelled because its stage was rolled back
        // after a lost executor never gave its slot back: with one slot per executor the
        // survivor never ran the lost tasks again and the job never ended (1 run in 5 of
        // engine_cli's killed-executor test; none in 12 pulled). Polls cost about 50 ms per stage.
        scheduling_policy: TaskSchedulingPolicy::PullStaged,
        expire_dead_executor_interval_seconds: opts.executor_timeout_seconds.clamp(1, 15),
        override_logical_codec: Some(Arc::new(LogicalCodec::default())),
        override_physical_codec: Some(Arc::new(PhysicalCodec::default())),
        ..Default::default()
    };
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(|e| cluster_error("scheduler", e))?;
    start_server(cluster, opts.bind, Arc::new(config))
        .await
        .map_err(|e| cluster_error(&format!("scheduler on {}", opts.bind), e))
}

/// How an executor runs.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// The scheduler's address.
    pub scheduler: SocketAddr,
    /// The address of its Arrow Flight service (other executors fetch shuffled data from
    /// it).
    pub bind: SocketAddr,
    /// The port of its gRPC service (the scheduler pushes tasks to it), on the same host;
    /// 0: a free one.
    pub grpc_port: u16,
    /// Tasks it runs at once.
    pub concurrency: usize,
    /// Where it writes shuffle files (`None`: a temporary directory).
    pub work_dir: Option<PathBuf>,
    /// Bytes its tasks' memory pools may hold together (`None`: DataFusion's default).
    pub memory_limit: Option<usize>,
    /// Seconds between its heartbeats to the scheduler.
    pub heartbeat_seconds: u64,
}

impl ExecutorOptions {
    /// An executor on `bind` for the scheduler at `scheduler`, one task per core.
    pub fn new(scheduler: SocketAddr, bind: SocketAddr) -> Self {
        ExecutorOptions {
            scheduler,
            bind,
            grpc_port: 0,
            concurrency: std::thread::available_parallelism().map_or(1, |n| n.get()),
            work_dir: None,
            memory_limit: None,
            heartbeat_seconds: 5,
        }
    }
}

/// Runs an executor until it stops.
///
/// # Errors
/// [`EngineError::Cluster`] when it cannot start (the scheduler cannot be reached, an
/// address is taken, …) or fails.
pub async fn run_executor(opts: ExecutorOptions) -> Result<()> {
    let grpc_port = match opts.grpc_port {
        0 => free_port(opts.bind.ip(), opts.bind.port())?,
        p => p,
    };
    wait_for_scheduler(opts.scheduler, std::time::Duration::from_secs(60)).await?;
    let config = ExecutorProcessConfig {
        bind_host: opts.bind.ip().to_string(),
        // On all interfaces, the scheduler sees the address the executor connects from.
        external_host: (!opts.bind.ip().is_unspecified()).then(|| opts.bind.ip().to_string()),
        port: opts.bind.port(),
        grpc_port,
        scheduler_host: opts.scheduler.ip().to_string(),
        scheduler_port: opts.scheduler.port(),
        // Connect once: the scheduler listens (waited for above).
        scheduler_connect_timeout_seconds: 0,
        vcores: opts.concurrency.max(1),
        // As the scheduler (run_scheduler): executors poll for tasks.
        task_scheduling_policy: TaskSchedulingPolicy::PullStaged,
        work_dir: opts
            .work_dir
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned()),
        memory_pool_size: opts.memory_limit.map(|m| m as u64),
        executor_heartbeat_interval_seconds: opts.heartbeat_seconds.max(1),
        print_thread_info: false,
        override_logical_codec: Some(Arc::new(LogicalCodec::default())),
        override_physical_codec: Some(Arc::new(PhysicalCodec::default())),
        ..Default::default()
    };
    start_executor_process(Arc::new(config))
        .await
        .map_err(|e| cluster_error(&format!("executor on {}", opts.bind), e))
}

/// Waits until the scheduler accepts connections (an executor may start first), at most
/// `limit`.
async fn wait_for_scheduler(scheduler: SocketAddr, limit: std::time::Duration) -> Result<()> {
    let start = std::time::Instant::now();
    loop {
        match tokio::net::TcpStream::connect(scheduler).await {
            Ok(_) => return Ok(()),
            Err(e) if start.elapsed() >= limit => {
                return Err(cluster_error(
                    "executor",
                    format!(
                        "the scheduler at {scheduler} did not answer within {} s: {e}",
                        limit.as_secs()
                    ),
                ))
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
        }
    }
}

/// A session on the cluster whose scheduler is at `scheduler` (`HOST:PORT`), with the codecs.
pub(crate) async fn client(
    scheduler: &str,
    config: SessionConfig,
) -> datafusion::error::Result<SessionContext> {
    // The static planner: a counting pass (partial aggregates, then their merge) has no joins or
    // partition counts for the adaptive one to choose, and after a lost executor Ballista 55's
    // adaptive planner refuses the survivors' task statuses for the stage it rolled back
    // ("Can't find active stage to update stage outputs").
    let config = config
        .upgrade_for_ballista()
        .with_ballista_adaptive_query_planner(false)
        .with_ballista_logical_extension_codec(Arc::new(LogicalCodec::default()))
        .with_ballista_physical_extension_codec(Arc::new(PhysicalCodec::default()));
    let state = SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .build();
    SessionContext::remote_with_state(&format!("df://{scheduler}"), state).await
}

/// Runs a scheduler's or an executor's future on its own runtime (`threads` workers) until it
/// ends: what `mutinfo cluster` does.
///
/// # Errors
/// The future's; [`EngineError::Cluster`] when the runtime cannot start.
pub fn serve(threads: usize, f: impl std::future::Future<Output = Result<()>>) -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .thread_name("mutinfo-cluster")
        .enable_all()
        .build()
        .map_err(|e| cluster_error("runtime", e))?
        .block_on(f)
}

/// A free port on `ip` other than `avoid` (free when this returns, not reserved).
///
/// # Errors
/// [`EngineError::Cluster`] when no listener can be opened on `ip`.
pub fn free_port(ip: std::net::IpAddr, avoid: u16) -> Result<u16> {
    for _ in 0..100 {
        let port = std::net::TcpListener::bind((ip, 0))
            .and_then(|l| l.local_addr())
            .map_err(|e| cluster_error("executor", format!("{ip}: {e}")))?
            .port();
        if port != avoid {
            return Ok(port);
        }
    }
    Err(cluster_error("executor", format!("no free port on {ip}")))
}

/// `HOST:PORT` (a name or an address) as the first socket address it resolves to.
///
/// # Errors
/// [`EngineError::Cluster`] naming `what` and the text when it does not resolve.
pub fn resolve(what: &str, text: &str) -> Result<SocketAddr> {
    use std::net::ToSocketAddrs;
    text.to_socket_addrs()
        .map_err(|e| cluster_error(what, format!("{text:?}: {e} (expected HOST:PORT)")))?
        .next()
        .ok_or_else(|| cluster_error(what, format!("{text:?} resolves to no address")))
}

/// Prints the cluster's log records (Ballista's and DataFusion's, through the `log` crate) at
/// `level` and above to stderr, one line each: `LEVEL target: message`. `level` is one of
/// `error`, `warn`, `info`, `debug`, `trace` (what `MUTINFO_LOG` holds for `mutinfo
/// cluster`). Installing a second logger is a no-op.
///
/// # Errors
/// [`EngineError::Cluster`] naming `level` when it is none of those.
pub fn log_to_stderr(level: &str) -> Result<()> {
    let level: log::LevelFilter = level.parse().map_err(|_| {
        cluster_error(
            "MUTINFO_LOG",
            format!("{level:?} is not one of error, warn, info, debug, trace"),
        )
    })?;
    struct Stderr(log::LevelFilter);
    impl log::Log for Stderr {
        fn enabled(&self, m: &log::Metadata<'_>) -> bool {
            m.level() <= self.0
        }
        fn log(&self, r: &log::Record<'_>) {
            if self.enabled(r.metadata()) {
                eprintln!("{} {}: {}", r.level(), r.target(), r.args());
            }
        }
        fn flush(&self) {}
    }
    if log::set_boxed_logger(Box::new(Stderr(level))).is_ok() {
        log::set_max_level(level);
    }
    Ok(())
}
