//! The error type of `mutinfo-engine`.

use thiserror::Error;

/// Everything that can go wrong in a counting pass.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The query engine failed (reading, planning, executing), with its message.
    #[error("{path}: {message}")]
    Engine {
        /// The input as given.
        path: String,
        /// The engine's message.
        message: String,
    },
    /// A cluster process (scheduler, executor) could not start or failed.
    #[error("{0}")]
    Cluster(String),
    /// Reading or encoding a value failed.
    #[error(transparent)]
    Data(#[from] mutinfo_data::DataError),
    /// Counting failed.
    #[error(transparent)]
    Core(#[from] mutinfo_core::CoreError),
    /// Selecting failed.
    #[error(transparent)]
    Select(#[from] mutinfo_select::SelectError),
}

/// Result alias for `mutinfo-engine`.
pub type Result<T> = std::result::Result<T, EngineError>;
