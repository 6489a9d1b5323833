//! The saved layouts of the data crate's fitted models, versioned like the selector and tree
//! files: a [`FittedDiscretizer`] is
//!
//! ```text
//! { "format": "mutinfo-discretizer", "format_version": 1, "columns": [ FittedBins, ... ] }
//! ```
//!
//! and an [`Encoding`] is
//!
//! ```text
//! { "format": "mutinfo-encoding", "format_version": 1,
//!   "target": ColumnEncoding, "features": [ ColumnEncoding, ... ], "missing": ..., "unseen": ... }
//! ```
//!
//! Serde reads them through these layouts only: another format or version, an unknown field,
//! or a column that fails its own check (bins finite and sorted, levels sorted and distinct,
//! names non-empty and distinct) is refused with [`DataError::InvalidParameter`] naming it.

use crate::columns::{ColumnEncoding, Encoding, Missing};
use crate::discretize::{FittedBins, FittedDiscretizer, Unseen};
use crate::error::{DataError, Result};
use serde::{Deserialize, Serialize};

/// The `format` of a saved [`FittedDiscretizer`].
pub const DISCRETIZER_FORMAT: &str = "mutinfo-discretizer";
/// The `format` of a saved [`Encoding`].
pub const ENCODING_FORMAT: &str = "mutinfo-encoding";
/// The `format_version` this build writes and reads (both layouts).
pub const DATA_FORMAT_VERSION: u32 = 1;

fn check_header(format: &str, version: u32, expected: &str) -> Result<()> {
    if format != expected {
        return Err(DataError::InvalidParameter {
            name: "format",
            value: format!("{format:?}"),
            reason: format!("expected {expected:?}"),
        });
    }
    if version != DATA_FORMAT_VERSION {
        return Err(DataError::InvalidParameter {
            name: "format_version",
            value: version.to_string(),
            reason: format!("this build reads version {DATA_FORMAT_VERSION}"),
        });
    }
    Ok(())
}

/// The stored layout of a [`FittedDiscretizer`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DiscretizerFile {
    #[serde(default)]
    format: String,
    #[serde(default)]
    format_version: u32,
    columns: Vec<FittedBins>,
}

impl From<FittedDiscretizer> for DiscretizerFile {
    fn from(d: FittedDiscretizer) -> Self {
        DiscretizerFile {
            format: DISCRETIZER_FORMAT.into(),
            format_version: DATA_FORMAT_VERSION,
            columns: d.columns().to_vec(),
        }
    }
}

impl TryFrom<DiscretizerFile> for FittedDiscretizer {
    type Error = DataError;

    fn try_from(f: DiscretizerFile) -> Result<Self> {
        check_header(&f.format, f.format_version, DISCRETIZER_FORMAT)?;
        if f.columns.is_empty() {
            return Err(DataError::InvalidParameter {
                name: "columns",
                value: "[]".into(),
                reason: "a discretizer has at least one column".into(),
            });
        }
        for c in &f.columns {
            c.validate()?;
        }
        Ok(FittedDiscretizer::from_columns(f.columns))
    }
}

/// The stored layout of an [`Encoding`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EncodingFile {
    #[serde(default)]
    format: String,
    #[serde(default)]
    format_version: u32,
    target: ColumnEncoding,
    features: Vec<ColumnEncoding>,
    missing: Missing,
    unseen: Unseen,
}

impl From<Encoding> for EncodingFile {
    fn from(e: Encoding) -> Self {
        EncodingFile {
            format: ENCODING_FORMAT.into(),
            format_version: DATA_FORMAT_VERSION,
            target: e.target,
            features: e.features,
            missing: e.missing,
            unseen: e.unseen,
        }
    }
}

impl TryFrom<EncodingFile> for Encoding {
    type Error = DataError;

    fn try_from(f: EncodingFile) -> Result<Self> {
        check_header(&f.format, f.format_version, ENCODING_FORMAT)?;
        let mut names = std::collections::HashSet::with_capacity(f.features.len() + 1);
        for c in std::iter::once(&f.target).chain(&f.features) {
            c.validate()?;
            if !names.insert(c.name()) {
                return Err(DataError::InvalidParameter {
                    name: "features",
                    value: format!("{:?}", c.name()),
                    reason: "a column appears twice (or is also the target)".into(),
                });
            }
        }
        Ok(Encoding {
            target: f.target,
            features: f.features,
            missing: f.missing,
            unseen: f.unseen,
        })
    }
}
