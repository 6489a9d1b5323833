//! The fitted tree: nodes, prediction with class probabilities, importances, export, save/load.

use std::collections::BTreeSet;
use std::fmt::{Display, Write as _};
use std::path::Path;

use linfa::dataset::Label;
use linfa::traits::PredictInplace;
use linfa::Float;
use ndarray::{Array1, Array2, ArrayBase, ArrayView2, Axis, Data, Ix2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::grow::{grow, Data as GrowData};
use crate::params::{DecisionTreeParams, FeatureKind, Pruning, TreeSettings};
use crate::split::CategoricalTest;
use crate::TreeError;

/// Largest category code accepted in a categorical feature.
pub const MAX_CATEGORY: u32 = 1 << 20;

/// The test at an inner node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Test {
    /// `value <= threshold` goes to the first child, the rest to the second.
    Threshold(f64),
    /// A categorical test (multiway or subset).
    Categorical(CategoricalTest),
}

impl Test {
    /// Number of children.
    pub fn n_branches(&self) -> usize {
        match self {
            Test::Threshold(_) => 2,
            Test::Categorical(CategoricalTest::Multiway { categories }) => categories.len(),
            Test::Categorical(CategoricalTest::Subset { .. }) => 2,
        }
    }

    /// The branch of a known value; `None` for a category the test does not know (treated like
    /// a missing value).
    pub fn branch(&self, v: f64) -> Option<usize> {
        match self {
            Test::Threshold(t) => Some(usize::from(v > *t)),
            Test::Categorical(ct) => {
                if !(v >= 0.0 && v.fract() == 0.0 && v <= MAX_CATEGORY as f64) {
                    return None;
                }
                let c = v as u32;
                match ct {
                    CategoricalTest::Multiway { categories } => categories.binary_search(&c).ok(),
                    CategoricalTest::Subset { left, right } => {
                        if left.binary_search(&c).is_ok() {
                            Some(0)
                        } else if right.binary_search(&c).is_ok() {
                            Some(1)
                        } else {
                            None
                        }
                    }
                }
            }
        }
    }
}

/// The split of an inner node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeSplit {
    /// Feature index.
    pub feature: usize,
    /// The test.
    pub test: Test,
    /// Information gain (Gini decrease for Gini) of the split at this node, C4.5-scaled by the
    /// known fraction when values are missing.
    pub gain: f64,
    /// Child node ids, one per branch.
    pub children: Vec<usize>,
    /// Share of the node's known training weight in each branch: where a row with a missing
    /// (or unknown) value is sent, split fractionally.
    pub fractions: Vec<f64>,
}

/// A node: its weighted training class counts, and a split unless it is a leaf.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Weighted class counts of the training rows at the node (fractional rows included).
    pub class_weights: Vec<f64>,
    /// Their sum.
    pub weight: f64,
    /// The criterion's impurity at the node (entropy in nats, or Gini).
    pub impurity: f64,
    /// The split, or `None` for a leaf.
    pub split: Option<NodeSplit>,
}

impl Node {
    pub(crate) fn placeholder() -> Self {
        Node {
            class_weights: Vec::new(),
            weight: 0.0,
            impurity: 0.0,
            split: None,
        }
    }
}

/// A fitted decision tree over class labels `L`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionTree<L> {
    classes: Vec<L>,
    feature_names: Vec<String>,
    kinds: Vec<FeatureKind>,
    /// Per feature, names of the category codes (empty for numeric features or when unknown).
    #[serde(default)]
    category_names: Vec<Vec<String>>,
    settings: TreeSettings,
    nodes: Vec<Node>,
}

impl DecisionTree<usize> {
    /// Hyperparameters with their defaults. The fitted tree's label type comes from the
    /// dataset's targets (any linfa `Label`), not from this call.
    pub fn params() -> DecisionTreeParams {
        DecisionTreeParams::default()
    }
}

impl<L: Label> DecisionTree<L> {
    pub(crate) fn fit_arrays(
        s: &TreeSettings,
        x: ArrayView2<'_, f64>,
        labels: &[L],
        weights: Option<&[f64]>,
        feature_names: Vec<String>,
    ) -> Result<Self, TreeError> {
        let (n, d) = x.dim();
        if n == 0 {
            return Err(TreeError::Empty { what: "rows" });
        }
        if d == 0 {
            return Err(TreeError::Empty { what: "features" });
        }
        if labels.len() != n {
            return Err(TreeError::LengthMismatch {
                what: "targets",
                got: labels.len(),
                expected: n,
            });
        }
        let classes: Vec<L> = labels
            .iter()
            .cloned()
            .collect::<BTreeSet<L>>()
            .into_iter()
            .collect();
        let y: Vec<u32> = labels
            .iter()
            .map(|l| classes.binary_search(l).map_or(0, |i| i as u32))
            .collect();
        let w: Vec<f64> = match weights {
            Some(w) => {
                if w.len() != n {
                    return Err(TreeError::LengthMismatch {
                        what: "weights",
                        got: w.len(),
                        expected: n,
                    });
                }
                if let Some((row, &value)) = w
                    .iter()
                    .enumerate()
                    .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
                {
                    return Err(TreeError::BadWeight { row, value });
                }
                w.to_vec()
            }
            None => vec![1.0; n],
        };
        if w.iter().sum::<f64>() <= 0.0 {
            return Err(TreeError::Empty {
                what: "total weight",
            });
        }
        let mut kinds = vec![FeatureKind::Numeric; d];
        for &c in &s.categorical {
            if c >= d {
                return Err(TreeError::InvalidParameter {
                    name: "categorical",
                    reason: format!("feature index {c} is out of range for {d} features"),
                });
            }
            kinds[c] = FeatureKind::Categorical;
        }
        let mut n_categories = vec![0usize; d];
        let mut cols = Vec::with_capacity(d);
        for (j, col) in x.axis_iter(Axis(1)).enumerate() {
            let v: Vec<f64> = col.to_vec();
            for (row, &value) in v.iter().enumerate() {
                if value.is_infinite() {
                    return Err(TreeError::InfiniteValue {
                        row,
                        column: j,
                        value,
                    });
                }
                if kinds[j] == FeatureKind::Categorical && !value.is_nan() {
                    if !(value >= 0.0 && value.fract() == 0.0 && value <= MAX_CATEGORY as f64) {
                        return Err(TreeError::InvalidCategory {
                            row,
                            column: j,
                            value,
                        });
                    }
                    n_categories[j] = n_categories[j].max(value as usize + 1);
                }
            }
            cols.push(v);
        }
        let feature_names = if feature_names.len() == d {
            feature_names
        } else {
            (0..d).map(|j| format!("f{j}")).collect()
        };
        let data = GrowData {
            cols: &cols,
            kinds: &kinds,
            n_categories: &n_categories,
            y: &y,
            n_classes: classes.len(),
        };
        let mut nodes = grow(&data, &w, s);
        match s.pruning {
            Pruning::None => {}
            Pruning::CostComplexity { alpha } => crate::prune::cost_complexity(&mut nodes, alpha),
            Pruning::Pessimistic { confidence } => {
                crate::prune::pessimistic(&mut nodes, confidence)
            }
        }
        crate::prune::compact(&mut nodes);
        Ok(DecisionTree {
            classes,
            feature_names,
            kinds,
            category_names: vec![Vec::new(); d],
            settings: s.clone(),
            nodes,
        })
    }

    /// Class labels in the order of probability columns (ascending).
    pub fn classes(&self) -> &[L] {
        &self.classes
    }

    /// Feature names (given by the dataset, or `f0`, `f1`, … ).
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// Kind of every feature.
    pub fn feature_kinds(&self) -> &[FeatureKind] {
        &self.kinds
    }

    /// The settings the tree was grown with.
    pub fn settings(&self) -> &TreeSettings {
        &self.settings
    }

    /// The nodes; node 0 is the root and every child id is larger than its parent's.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.nodes.iter().filter(|n| n.split.is_none()).count()
    }

    /// Depth of the deepest leaf (the root alone has depth 0).
    pub fn depth(&self) -> usize {
        let mut depth = vec![0usize; self.nodes.len()];
        let mut max = 0;
        for (i, node) in self.nodes.iter().enumerate() {
            max = max.max(depth[i]);
            if let Some(s) = &node.split {
                for &c in &s.children {
                    depth[c] = depth[i] + 1;
                }
            }
        }
        max
    }

    /// Names for the codes of categorical features, used by text and DOT export and by
    /// callers that map strings to codes (the CLI). One entry per feature; empty for numeric.
    pub fn with_category_names(mut self, names: Vec<Vec<String>>) -> Self {
        if names.len() == self.kinds.len() {
            self.category_names = names;
        }
        self
    }

    /// Names of the codes of categorical features (empty when not given).
    pub fn category_names(&self) -> &[Vec<String>] {
        &self.category_names
    }

    /// Changes the Laplace smoothing α of leaf probabilities.
    pub fn with_laplace(mut self, alpha: f64) -> Self {
        if alpha.is_finite() && alpha >= 0.0 {
            self.settings.laplace = alpha;
        }
        self
    }

    /// Feature importances: total weighted gain `Σ (W_t / W) · gain_t` over the splits on each
    /// feature, normalized to sum to 1 (all 0 for a single leaf), as sklearn's
    /// `feature_importances_`.
    pub fn feature_importances(&self) -> Vec<f64> {
        let mut imp = vec![0.0; self.kinds.len()];
        let root = self.nodes[0].weight;
        for node in &self.nodes {
            if let Some(s) = &node.split {
                imp[s.feature] += node.weight / root * s.gain;
            }
        }
        let total: f64 = imp.iter().sum();
        if total > 0.0 {
            imp.iter_mut().for_each(|v| *v /= total);
        }
        imp
    }

    fn check_records(&self, x: ArrayView2<'_, f64>) -> Result<(), TreeError> {
        if x.ncols() != self.kinds.len() {
            return Err(TreeError::LengthMismatch {
                what: "features",
                got: x.ncols(),
                expected: self.kinds.len(),
            });
        }
        for ((row, column), &value) in x.indexed_iter() {
            if value.is_infinite() {
                return Err(TreeError::InfiniteValue { row, column, value });
            }
            if self.kinds[column] == FeatureKind::Categorical
                && !value.is_nan()
                && !(value >= 0.0 && value.fract() == 0.0 && value <= MAX_CATEGORY as f64)
            {
                return Err(TreeError::InvalidCategory { row, column, value });
            }
        }
        Ok(())
    }

    fn proba_unchecked(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        let k = self.classes.len();
        let (nodes, laplace) = (&self.nodes[..], self.settings.laplace);
        let mut out = Array2::zeros((x.nrows(), k));
        out.axis_iter_mut(Axis(0))
            .into_par_iter()
            .zip(x.axis_iter(Axis(0)))
            .for_each_init(Vec::new, |stack, (mut o, row)| {
                let o = o.as_slice_mut().expect("row of a standard-layout array");
                row_proba(nodes, laplace, |f| row[f], o, stack);
            });
        out
    }

    /// Class probabilities, one row per record, columns in [`DecisionTree::classes`] order;
    /// each row sums to 1. NaN is missing: the row is sent down every branch in proportion to
    /// the training weight (C4.5), as is a category the node never saw.
    ///
    /// # Errors
    /// A wrong number of columns, an infinite value, or an invalid category code, naming row
    /// and column.
    pub fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, TreeError> {
        self.check_records(x)?;
        Ok(self.proba_unchecked(x))
    }

    /// Predicted labels (the most probable class, ties to the first in [`classes`] order).
    ///
    /// [`classes`]: DecisionTree::classes
    ///
    /// # Errors
    /// As [`DecisionTree::predict_proba`].
    pub fn try_predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<L>, TreeError> {
        let p = self.predict_proba(x)?;
        Ok(self.argmax(&p))
    }

    fn argmax(&self, p: &Array2<f64>) -> Array1<L> {
        p.axis_iter(Axis(0))
            .map(|r| {
                let mut best = 0;
                for (i, &v) in r.iter().enumerate() {
                    if v > r[best] {
                        best = i;
                    }
                }
                self.classes[best].clone()
            })
            .collect()
    }

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

    /// Checks that the tree is consistent: node and class counts, features in range, children
    /// after their parents. [`DecisionTree::from_json`] calls it; callers that deserialize a
    /// tree inside a larger document call it themselves.
    ///
    /// # Errors
    /// [`TreeError::InvalidModel`] saying what is inconsistent.
    pub fn validate(&self) -> Result<(), TreeError> {
        let bad = |reason: String| Err(TreeError::InvalidModel { reason });
        let (d, k) = (self.kinds.len(), self.classes.len());
        if self.nodes.is_empty() || k == 0 {
            return bad("no nodes or no classes".into());
        }
        if self.feature_names.len() != d {
            return bad(format!(
                "{} feature names for {d} features",
                self.feature_names.len()
            ));
        }
        for (i, n) in self.nodes.iter().enumerate() {
            if n.class_weights.len() != k {
                return bad(format!(
                    "node {i} has {} class weights, expected {k}",
                    n.class_weights.len()
                ));
            }
            if let Some(s) = &n.split {
                let nb = s.test.n_branches();
                if s.feature >= d
                    || s.children.len() != nb
                    || s.fractions.len() != nb
                    || s.children.iter().any(|&c| c <= i || c >= self.nodes.len())
                {
                    return bad(format!("node {i} has an inconsistent split"));
                }
            }
        }
        Ok(())
    }

    fn class_name(&self, c: usize) -> String
    where
        L: Display,
    {
        self.classes[c].to_string()
    }

    fn majority(node: &Node) -> usize {
        let mut best = 0;
        for (i, &v) in node.class_weights.iter().enumerate() {
            if v > node.class_weights[best] {
                best = i;
            }
        }
        best
    }

    fn category_label(&self, feature: usize, code: u32) -> String {
        self.category_names
            .get(feature)
            .and_then(|v| v.get(code as usize))
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    /// Condition texts for each branch of a split.
    fn branch_texts(&self, s: &NodeSplit) -> Vec<String> {
        let name = &self.feature_names[s.feature];
        match &s.test {
            Test::Threshold(t) => vec![format!("{name} <= {t}"), format!("{name} >  {t}")],
            Test::Categorical(CategoricalTest::Multiway { categories }) => categories
                .iter()
                .map(|&c| format!("{name} = {}", self.category_label(s.feature, c)))
                .collect(),
            Test::Categorical(CategoricalTest::Subset { left, right }) => [left, right]
                .iter()
                .map(|set| {
                    let v: Vec<String> = set
                        .iter()
                        .map(|&c| self.category_label(s.feature, c))
                        .collect();
                    format!("{name} in {{{}}}", v.join(", "))
                })
                .collect(),
        }
    }

    /// The tree as indented text, in the style of sklearn's `export_text`.
    pub fn export_text(&self) -> String
    where
        L: Display,
    {
        let mut out = String::new();
        let mut stack = vec![(0usize, 0usize, None::<String>)];
        while let Some((id, depth, cond)) = stack.pop() {
            let node = &self.nodes[id];
            let indent = "|   ".repeat(depth.saturating_sub(1));
            if let Some(c) = cond {
                let _ = writeln!(out, "{indent}|--- {c}");
            }
            match &node.split {
                None => {
                    let indent = "|   ".repeat(depth);
                    let _ = writeln!(
                        out,
                        "{indent}|--- class: {} (weight {})",
                        self.class_name(Self::majority(node)),
                        fmt_num(node.weight)
                    );
                }
                Some(s) => {
                    let texts = self.branch_texts(s);
                    for (b, &c) in s.children.iter().enumerate().rev() {
                        stack.push((c, depth + 1, Some(texts[b].clone())));
                    }
                }
            }
        }
        out
    }

    /// The tree in Graphviz DOT.
    pub fn export_dot(&self) -> String
    where
        L: Display,
    {
        let imp_name = match self.settings.criterion {
            crate::Criterion::Gini => "gini",
            _ => "entropy",
        };
        let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        let mut out = String::from(
            "digraph Tree {\nnode [shape=box, style=\"rounded\", fontname=\"helvetica\"];\nedge [fontname=\"helvetica\"];\n",
        );
        for (id, node) in self.nodes.iter().enumerate() {
            let values: Vec<String> = node.class_weights.iter().map(|&v| fmt_num(v)).collect();
            let mut label = String::new();
            if let Some(s) = &node.split {
                let _ = write!(label, "{}\\n", esc(&self.feature_names[s.feature]));
            }
            let _ = write!(
                label,
                "{imp_name} = {:.4}\\nweight = {}\\nvalue = [{}]\\nclass = {}",
                node.impurity,
                fmt_num(node.weight),
                values.join(", "),
                esc(&self.class_name(Self::majority(node)))
            );
            let _ = writeln!(out, "{id} [label=\"{label}\"];");
            if let Some(s) = &node.split {
                let texts = self.branch_texts(s);
                let name_len = self.feature_names[s.feature].len();
                for (b, &c) in s.children.iter().enumerate() {
                    let edge = texts[b][name_len..].trim();
                    let _ = writeln!(out, "{id} -> {c} [label=\"{}\"];", esc(edge));
                }
            }
        }
        out.push_str("}\n");
        out
    }
}

fn leaf_probs(node: &Node, laplace: f64, weight: f64, out: &mut [f64]) {
    let c = out.len() as f64;
    let denom = node.weight + laplace * c;
    if denom > 0.0 {
        for (o, &cw) in out.iter_mut().zip(&node.class_weights) {
            *o += weight * (cw + laplace) / denom;
        }
    } else {
        out.iter_mut().for_each(|o| *o += weight / c);
    }
}

/// Probabilities of one row given by `value(feature)`; NaN is missing.
fn row_proba(
    nodes: &[Node],
    laplace: f64,
    value: impl Fn(usize) -> f64,
    out: &mut [f64],
    stack: &mut Vec<(usize, f64)>,
) {
    out.iter_mut().for_each(|v| *v = 0.0);
    stack.clear();
    stack.push((0, 1.0));
    while let Some((id, w)) = stack.pop() {
        let node = &nodes[id];
        match &node.split {
            None => leaf_probs(node, laplace, w, out),
            Some(s) => {
                let v = value(s.feature);
                let b = if v.is_nan() { None } else { s.test.branch(v) };
                match b {
                    Some(b) => stack.push((s.children[b], w)),
                    None => {
                        for (&c, &f) in s.children.iter().zip(&s.fractions) {
                            if f > 0.0 {
                                stack.push((c, w * f));
                            }
                        }
                    }
                }
            }
        }
    }
    let total: f64 = out.iter().sum();
    if total > 0.0 {
        out.iter_mut().for_each(|v| *v /= total);
    }
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.3}")
    }
}

impl<F, L, D> PredictInplace<ArrayBase<D, Ix2>, Array1<L>> for DecisionTree<L>
where
    F: Float,
    L: Label,
    D: Data<Elem = F>,
{
    /// Predicted labels. NaN is missing; an invalid category code is treated as an unseen
    /// category (use [`DecisionTree::try_predict`] to reject it instead).
    ///
    /// # Panics
    /// When `x` has a different number of columns than the training data, like linfa's models.
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<L>) {
        assert_eq!(
            x.ncols(),
            self.kinds.len(),
            "the records have {} features, the tree was fitted on {}",
            x.ncols(),
            self.kinds.len()
        );
        assert_eq!(x.nrows(), y.len(), "one target per record");
        let xf = x.mapv(|v| v.to_f64().unwrap_or(f64::NAN));
        let p = self.proba_unchecked(xf.view());
        *y = self.argmax(&p);
    }

    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<L> {
        Array1::from_elem(x.nrows(), L::default())
    }
}
