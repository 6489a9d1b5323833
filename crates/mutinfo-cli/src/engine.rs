//! `--engine`: where the counting passes of `select` run.

use clap::Args;

use crate::error::{CliError, Result};

/// Where the counts come from.
#[derive(Debug, Args, Clone)]
pub struct EngineArgs {
    /// memory: read the input into codes (default); datafusion: count out of core on
    /// DataFusion's Parquet scan, one pass to fit the encoding and one per greedy round (the
    /// input may be a Parquet file, a directory of Parquet files or a glob; needs a build
    /// with --features datafusion); ballista: the same passes as jobs on a cluster started
    /// with `mutinfo cluster` (--features ballista). All give the same selection and scores.
    #[arg(long, default_value = "memory")]
    pub engine: String,
    /// DataFusion's memory pool with --engine datafusion, e.g. 300MB, 2GiB or bytes
    /// (default: unbounded).
    #[arg(long)]
    pub memory_limit: Option<String>,
    /// The cluster's scheduler with --engine ballista, HOST:PORT.
    #[arg(long, default_value = "localhost:50050")]
    pub scheduler: String,
}

/// The engine asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// Codes in memory.
    Memory,
    /// DataFusion passes.
    DataFusion,
    /// DataFusion passes on a Ballista cluster.
    Ballista,
}

impl Engine {
    /// Whether the passes scan the input (no codes in memory).
    pub fn scans(self) -> bool {
        self != Engine::Memory
    }

    /// Its `--engine` name.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Memory => "memory",
            Engine::DataFusion => "datafusion",
            Engine::Ballista => "ballista",
        }
    }
}

impl EngineArgs {
    /// The engine of `--engine`; `--memory-limit` (checked here) only with datafusion.
    ///
    /// # Errors
    /// [`CliError::Usage`] for another name, a bad size, or `--memory-limit` with the memory
    /// engine.
    pub fn engine(&self) -> Result<Engine> {
        let e = match self.engine.as_str() {
            "memory" => Engine::Memory,
            "datafusion" => Engine::DataFusion,
            "ballista" => Engine::Ballista,
            other => {
                return Err(CliError::Usage(format!(
                    "--engine {other:?}: expected memory, datafusion or ballista"
                )))
            }
        };
        self.memory_limit()?;
        if e != Engine::DataFusion && self.memory_limit.is_some() {
            return Err(CliError::Usage(format!(
                "--memory-limit is for --engine datafusion ({})",
                if e == Engine::Memory {
                    "the memory engine holds the codes"
                } else {
                    "a cluster's executors take it: mutinfo cluster executor --memory-limit"
                }
            )));
        }
        if e != Engine::Ballista {
            crate::args::refuse_given(
                &[("scheduler", "--scheduler")],
                "without --engine ballista",
            )?;
        }
        Ok(e)
    }

    /// `--memory-limit` in bytes.
    ///
    /// # Errors
    /// [`CliError::Usage`] for a size that does not parse or is zero.
    pub fn memory_limit(&self) -> Result<Option<usize>> {
        self.memory_limit.as_deref().map(parse_size).transpose()
    }
}

/// `300MB`, `2GiB`, `1.5GB`, `4096`: decimal (KB, MB, GB, TB) or binary (KiB, MiB, GiB, TiB)
/// units, any case, `B` optional.
pub(crate) fn parse_size(s: &str) -> Result<usize> {
    let bad = || {
        CliError::Usage(format!(
            "--memory-limit {s:?}: give a size such as 300MB, 2GiB or a number of bytes"
        ))
    };
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num.parse().map_err(|_| bad())?;
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(bad()),
    };
    let bytes = (value * scale).round();
    if !(bytes >= 1.0 && bytes < usize::MAX as f64) {
        return Err(bad());
    }
    Ok(bytes as usize)
}

/// Opens the input on DataFusion (or on the Ballista cluster of `--scheduler`) with as many
/// partitions as threads.
///
/// # Errors
/// The scan's, naming the input; [`CliError::Usage`] for `--engine ballista` in a build
/// without it.
#[cfg(feature = "datafusion")]
pub fn open_scan(path: &std::path::Path, a: &EngineArgs) -> Result<mutinfo_engine::Scan> {
    crate::purge_delay(10);
    let opts = mutinfo_engine::ScanOptions {
        partitions: rayon::current_num_threads(),
        memory_limit: a.memory_limit()?,
        ..mutinfo_engine::ScanOptions::default()
    };
    let path = path.display().to_string();
    match a.engine()? {
        #[cfg(feature = "ballista")]
        Engine::Ballista => Ok(mutinfo_engine::Scan::connect(&a.scheduler, &path, &opts)?),
        #[cfg(not(feature = "ballista"))]
        Engine::Ballista => Err(unavailable(Engine::Ballista)),
        _ => Ok(mutinfo_engine::Scan::open(&path, &opts)?),
    }
}

/// The input opened on DataFusion, and its feature columns (picked as the memory engine
/// picks them, the target checked).
///
/// # Errors
/// The scan's; an unknown target naming the input and its columns.
#[cfg(feature = "datafusion")]
pub fn open_for(
    path: &std::path::Path,
    a: &EngineArgs,
    encode: &crate::args::EncodeArgs,
    target: &str,
) -> Result<(mutinfo_engine::Scan, Vec<String>)> {
    let scan = open_scan(path, a)?;
    let names: Vec<String> = scan
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    if !names.iter().any(|c| c == target) {
        return Err(mutinfo_data::DataError::UnknownColumn {
            path: path.display().to_string(),
            column: target.to_string(),
            available: names.join(", "),
        }
        .into());
    }
    let features = encode.pick(path, &names, Some(target))?;
    Ok((scan, features))
}

/// The fit pass: the encoding of the target and `features` (as the memory engine fits it)
/// and the rows read, with a spinner; a target with a single class is an error.
///
/// # Errors
/// The scan's and the fit's, naming the input.
#[cfg(feature = "datafusion")]
pub fn fit(
    scan: &mutinfo_engine::Scan,
    path: &std::path::Path,
    encode: &crate::args::EncodeArgs,
    target: &str,
    features: &[String],
) -> Result<(mutinfo_data::Encoding, usize)> {
    let builder = encode.builder(target, features)?;
    let pb = crate::progress::spinner("fitting (one pass over the input)");
    let tally = scan.tally(&builder)?;
    let encoding = tally.fit().map_err(|e| crate::error::in_file(path, e))?;
    pb.finish_and_clear();
    if encoding.cardinality(&encoding.target) < 2 {
        return Err(CliError::input(
            path,
            format!("target column {target} has a single class"),
        ));
    }
    Ok((encoding, tally.rows() as usize))
}

/// An engine this build lacks says how to get it.
#[cfg(not(feature = "ballista"))]
pub fn unavailable(e: Engine) -> CliError {
    let name = e.name();
    CliError::Usage(format!(
        "--engine {name}: this mutinfo was built without it; build with \
         `cargo build --release -p mutinfo-cli --features {name}`"
    ))
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("300MB").unwrap(), 300_000_000);
        assert_eq!(parse_size("2GiB").unwrap(), 2 << 30);
        assert_eq!(parse_size("1.5gb").unwrap(), 1_500_000_000);
        assert_eq!(parse_size("4096").unwrap(), 4096);
        assert_eq!(parse_size(" 64 KiB ").unwrap(), 65536);
        for bad in ["", "MB", "-1MB", "0", "3 apples", "1e9", "nan"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
