//! JSON save and load, through one versioned layout.
//!
//! ```text
//! {
//!   "format": "mutinfo-tree",
//!   "format_version": 1,
//!   "classes": [...], "feature_names": [...], "kinds": [...], "category_names": [...],
//!   "decimals": [...], "settings": {...}, "nodes": [...]
//! }
//! ```
//!
//! The layout is the same wherever a tree is stored (alone, or inside the CLI's model file), and
//! reading it refuses another format, another version, unknown fields and any inconsistent
//! tree ([`DecisionTree::validate`]).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::model::DecisionTree;
use crate::node::Node;
use crate::settings::{FeatureKind, TreeSettings};
use crate::TreeError;

/// The `format` field of a saved tree.
pub const TREE_FORMAT: &str = "mutinfo-tree";

/// The `format_version` this build writes and reads.
pub const TREE_FORMAT_VERSION: u32 = 1;

/// The stored layout of a [`DecisionTree`] (see the module docs).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TreeFile<L> {
    #[serde(default)]
    format: String,
    #[serde(default)]
    format_version: u32,
    classes: Vec<L>,
    feature_names: Vec<String>,
    kinds: Vec<FeatureKind>,
    #[serde(default)]
    category_names: Vec<Vec<String>>,
    #[serde(default)]
    decimals: Vec<Option<u8>>,
    settings: TreeSettings,
    nodes: Vec<Node>,
}

impl<L> From<DecisionTree<L>> for TreeFile<L> {
    fn from(t: DecisionTree<L>) -> Self {
        TreeFile {
            format: TREE_FORMAT.into(),
            format_version: TREE_FORMAT_VERSION,
            classes: t.classes,
            feature_names: t.feature_names,
            kinds: t.kinds,
            category_names: t.category_names,
            decimals: t.decimals,
            settings: t.settings,
            nodes: t.nodes,
        }
    }
}

impl<L> TryFrom<TreeFile<L>> for DecisionTree<L> {
    type Error = TreeError;

    fn try_from(f: TreeFile<L>) -> Result<Self, TreeError> {
        if f.format != TREE_FORMAT {
            return Err(TreeError::InvalidModel {
                reason: format!("format {:?}, expected {TREE_FORMAT:?}", f.format),
            });
        }
        if f.format_version != TREE_FORMAT_VERSION {
            return Err(TreeError::InvalidModel {
                reason: format!(
                    "format_version {}, this build reads version {TREE_FORMAT_VERSION}",
                    f.format_version
                ),
            });
        }
        let t = DecisionTree {
            classes: f.classes,
            feature_names: f.feature_names,
            kinds: f.kinds,
            category_names: f.category_names,
            decimals: f.decimals,
            settings: f.settings,
            nodes: f.nodes,
        };
        t.validate()?;
        Ok(t)
    }
}

impl<L> DecisionTree<L> {
    /// The tree as JSON in the versioned layout of this module.
    ///
    /// # Errors
    /// [`TreeError::Io`] if serialization fails.
    pub fn to_json(&self) -> Result<String, TreeError>
    where
        L: Serialize + Clone,
    {
        serde_json::to_string_pretty(self).map_err(|e| TreeError::Io(e.to_string()))
    }

    /// A tree from JSON written by [`DecisionTree::to_json`].
    ///
    /// # Errors
    /// [`TreeError::InvalidModel`] for another format or version, or an inconsistent tree;
    /// [`TreeError::Io`] for malformed JSON.
    pub fn from_json(s: &str) -> Result<Self, TreeError>
    where
        L: for<'de> Deserialize<'de>,
    {
        let file: TreeFile<L> =
            serde_json::from_str(s).map_err(|e| TreeError::Io(e.to_string()))?;
        Self::try_from(file)
    }

    /// Writes the tree as JSON to `path` with the crash-safe writer
    /// ([`mutinfo_core::save`]): a failure never leaves a partial file, a symlink is written
    /// through.
    ///
    /// # Errors
    /// [`TreeError::Io`] naming the path.
    pub fn save(&self, path: &Path) -> Result<(), TreeError>
    where
        L: Serialize + Clone,
    {
        let json = self.to_json()?;
        mutinfo_core::save::write_atomic(path, json.as_bytes())
            .map_err(|e| TreeError::Io(format!("{}: {e}", path.display())))
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
