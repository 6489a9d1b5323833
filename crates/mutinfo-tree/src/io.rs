//! JSON save and load.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::model::DecisionTree;
use crate::TreeError;

impl<L> DecisionTree<L> {
    /// The tree as JSON.
    ///
    /// # Errors
    /// [`TreeError::Io`] if serialization fails.
    pub fn to_json(&self) -> Result<String, TreeError>
    where
        L: Serialize,
    {
        serde_json::to_string_pretty(self).map_err(|e| TreeError::Io(e.to_string()))
    }

    /// A tree from JSON written by [`DecisionTree::to_json`].
    ///
    /// # Errors
    /// [`TreeError::Io`] for malformed JSON, [`TreeError::InvalidModel`] for an inconsistent tree.
    pub fn from_json(s: &str) -> Result<Self, TreeError>
    where
        L: for<'de> Deserialize<'de>,
    {
        let t: Self = serde_json::from_str(s).map_err(|e| TreeError::Io(e.to_string()))?;
        t.validate()?;
        Ok(t)
    }

    /// Writes the tree as JSON to `path` through a temporary file renamed into place, so a
    /// failure never leaves a partial file.
    ///
    /// # Errors
    /// [`TreeError::Io`] naming the path.
    pub fn save(&self, path: &Path) -> Result<(), TreeError>
    where
        L: Serialize,
    {
        let json = self.to_json()?;
        let tmp = path.with_extension("json.tmp");
        let io = |e: std::io::Error| TreeError::Io(format!("{}: {e}", path.display()));
        std::fs::write(&tmp, json).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Reads a tree saved by [`DecisionTree::save`].
    ///
    /// # Errors
    /// [`TreeError::Io`] naming the path, or as [`DecisionTree::from_json`].
    pub fn load(path: &Path) -> Result<Self, TreeError>
    where
        L: for<'de> Deserialize<'de>,
    {
        let s = std::fs::read_to_string(path)
            .map_err(|e| TreeError::Io(format!("{}: {e}", path.display())))?;
        Self::from_json(&s).map_err(|e| match e {
            TreeError::Io(m) => TreeError::Io(format!("{}: {m}", path.display())),
            other => other,
        })
    }
}
