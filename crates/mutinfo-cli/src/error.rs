//! The CLI's error type and exit codes.

use std::path::PathBuf;
use thiserror::Error;

/// Everything the command line reports to a user. Printed as `mutinfo: <message>`; never a
/// panic or a backtrace.
#[derive(Debug, Error)]
pub enum CliError {
    /// A flag or argument combination that makes no sense.
    #[error("{0}")]
    Usage(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The content of an input file is not what the command needs.
    #[error("{path}: {message}")]
    Input {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming row, column and value where known.
        message: String,
    },
    /// A numerical routine refused its input.
    #[error(transparent)]
    Core(#[from] mutinfo_core::CoreError),
    /// Reading or encoding data failed (the message names file, column, row and value).
    #[error(transparent)]
    Data(#[from] mutinfo_data::DataError),
    /// Feature selection refused its input.
    #[error(transparent)]
    Select(#[from] mutinfo_select::SelectError),
    /// A continuous estimator refused its input.
    #[error(transparent)]
    Continuous(#[from] mutinfo_continuous::ContinuousError),
    /// Acquisition refused its input.
    #[error(transparent)]
    Active(#[from] mutinfo_active::ActiveError),
    /// A counting pass of `--engine datafusion` failed (boxed: it carries every library's
    /// error).
    #[cfg(feature = "datafusion")]
    #[error(transparent)]
    Engine(Box<mutinfo_engine::EngineError>),
    /// Drawing a plot failed.
    #[error("plot {path}: {message}")]
    Plot {
        /// The plot file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

#[cfg(feature = "datafusion")]
impl From<mutinfo_engine::EngineError> for CliError {
    fn from(e: mutinfo_engine::EngineError) -> Self {
        CliError::Engine(Box::new(e))
    }
}

impl CliError {
    /// The process exit code: 2 for usage errors, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) => 2,
            _ => 1,
        }
    }

    /// An input error about `path`.
    pub fn input(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        CliError::Input {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// A data error about the file `path`, which the message names once: errors that name it
/// already pass through, the others (column, row and value only) get it in front.
pub fn in_file(path: &std::path::Path, e: mutinfo_data::DataError) -> CliError {
    let msg = e.to_string();
    if msg.contains(&path.display().to_string()) {
        CliError::Data(e)
    } else {
        CliError::input(path, msg)
    }
}

/// A continuous-estimator error about the columns `names` of the file `path`: a non-finite
/// value is named by its column name, everything else gets the file in front.
pub fn continuous_in_file(
    path: &std::path::Path,
    names: &[String],
    e: mutinfo_continuous::ContinuousError,
) -> CliError {
    match e {
        mutinfo_continuous::ContinuousError::Feature { index, source } => match *source {
            mutinfo_continuous::ContinuousError::NonFinite { row, value, .. } => CliError::input(
                path,
                format!(
                    "column {}: non-finite value {value} at row {row}",
                    names.get(index).map_or("?", String::as_str)
                ),
            ),
            source => CliError::input(
                path,
                format!(
                    "column {}: {source}",
                    names.get(index).map_or("?", String::as_str)
                ),
            ),
        },
        mutinfo_continuous::ContinuousError::NonFinite {
            column, row, value, ..
        } => CliError::input(
            path,
            format!(
                "column {}: non-finite value {value} at row {row}",
                names.get(column).map_or("?", String::as_str)
            ),
        ),
        e => CliError::input(path, e.to_string()),
    }
}

/// Result alias for the CLI.
pub type Result<T> = std::result::Result<T, CliError>;
