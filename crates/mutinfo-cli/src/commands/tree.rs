//! `mutinfo tree fit | predict | show`: information-gain decision trees on data files.
//!
//! Numeric columns (every integer and float width) are split by thresholds; text, dictionary
//! and boolean columns (and integer columns named in `--categorical`) are categorical. Nulls
//! and NaN are missing values, handled as C4.5 does. The model file keeps the tree, the target
//! and every feature's kind and levels, so `predict` reads any file with those columns.

use std::path::{Path, PathBuf};
use std::time::Instant;

use arrow::array::{Array, Float64Array};
use arrow::compute::cast;
use arrow_schema::DataType;
use clap::{Args, Subcommand};
use mutinfo_data::Table;
use mutinfo_tree::{
    CategoricalSplit, Criterion, DecisionTree, FeatureKind, MaxFeatures, Pruning, TreeError,
};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::args::{ColumnArgs, InputArgs};
use crate::error::{CliError, Result};
use crate::output::{check_outputs, emit, json_text, num, write_file, Format, TextTable};
use crate::{progress, target};

/// `mutinfo tree`.
#[derive(Debug, Args)]
pub struct TreeArgs {
    #[command(subcommand)]
    pub command: TreeCommand,
}

/// The tree subcommands.
#[derive(Debug, Subcommand)]
pub enum TreeCommand {
    /// Grow a tree on DATA for a target column and save it as JSON.
    Fit(Box<FitArgs>),
    /// Predict labels (and class probabilities) for the rows of DATA with a saved tree.
    Predict(PredictArgs),
    /// Print a saved tree as indented text or Graphviz DOT.
    Show(ShowArgs),
}

/// `mutinfo tree fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The target (class) column.
    #[arg(long)]
    pub target: String,
    #[command(flatten)]
    pub columns: ColumnArgs,
    /// Integer columns to treat as categories (text, dictionary and boolean columns always are).
    #[arg(long, value_delimiter = ',')]
    pub categorical: Vec<String>,
    /// Split criterion: gain (information gain, ID3), gain-ratio (C4.5) or gini (CART).
    #[arg(long, default_value = "gain")]
    pub criterion: String,
    /// Maximum depth (default: grow until leaves are pure).
    #[arg(long)]
    pub max_depth: Option<usize>,
    /// A node splits only if it holds at least this many rows (weight).
    #[arg(long, default_value_t = 2.0)]
    pub min_samples_split: f64,
    /// Every child holds at least this many rows (weight).
    #[arg(long, default_value_t = 1.0)]
    pub min_samples_leaf: f64,
    /// A split must gain at least this much (nats for gain and gain-ratio).
    #[arg(long, default_value_t = 0.0)]
    pub min_gain: f64,
    /// Features searched per node: all, sqrt, log2, a count, or a fraction in (0, 1).
    #[arg(long, default_value = "all")]
    pub max_features: String,
    /// Seed of the per-node feature sampling.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Categorical splits: multiway (one branch per category) or binary (best subset).
    #[arg(long, default_value = "multiway")]
    pub categorical_split: String,
    /// Pruning: none, ccp:ALPHA (cost-complexity, α in nats for gain) or pessimistic[:CF]
    /// (C4.5, confidence factor 0.25 by default).
    #[arg(long, default_value = "none")]
    pub prune: String,
    /// Laplace smoothing α of leaf probabilities.
    #[arg(long, default_value_t = 0.0)]
    pub laplace: f64,
    /// Accept a float target with fractional values, every distinct value one class (refused
    /// without it: a continuous target is almost always a mistake for a classification tree).
    #[arg(long)]
    pub float_classes: bool,
    /// Where to save the tree (JSON).
    #[arg(long)]
    pub model: PathBuf,
    /// Summary format: table, json or csv (feature importances).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the summary to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `mutinfo tree predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The tree saved by `mutinfo tree fit`.
    #[arg(long)]
    pub model: PathBuf,
    /// Add one probability column per class.
    #[arg(long)]
    pub proba: bool,
    /// Write predictions (CSV) to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `mutinfo tree show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The tree saved by `mutinfo tree fit`.
    #[arg(long)]
    pub model: PathBuf,
    /// Graphviz DOT instead of indented text.
    #[arg(long)]
    pub dot: bool,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// One feature of a saved model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSpec {
    /// Column name.
    pub name: String,
    /// Numeric or categorical.
    pub kind: FeatureKind,
    /// Category names (code = position) for categorical features.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<String>,
}

/// The model file: the tree (in the library's versioned layout) and how to read its features
/// from a data file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreeModel {
    /// File format marker, [`MODEL_FORMAT`].
    #[serde(default)]
    pub format: String,
    /// Layout version, [`MODEL_FORMAT_VERSION`].
    #[serde(default)]
    pub format_version: u32,
    /// The target column the tree predicts.
    pub target: String,
    /// The features, in the tree's column order.
    pub features: Vec<FeatureSpec>,
    /// The tree.
    pub tree: DecisionTree<String>,
}

/// The `format` of a CLI tree model file.
pub const MODEL_FORMAT: &str = "mutinfo-tree-model";
/// The `format_version` this build writes and reads.
pub const MODEL_FORMAT_VERSION: u32 = 1;

/// Runs a tree subcommand.
pub fn run(a: &TreeArgs) -> Result<()> {
    match &a.command {
        TreeCommand::Fit(f) => fit(f),
        TreeCommand::Predict(p) => predict(p),
        TreeCommand::Show(s) => show(s),
    }
}

fn tree_err(path: &Path, names: &[String], e: TreeError) -> CliError {
    match e {
        TreeError::InvalidParameter { .. } => CliError::Usage(e.with_feature_names(names)),
        e => CliError::input(path, e.with_feature_names(names)),
    }
}

/// Reads the features of `specs` from `table` through [`mutinfo_data::mixed_matrix`] (the
/// reader the Python bindings share): numeric columns as numbers (null → NaN), categorical
/// ones as codes into `levels` (null → NaN; unknown levels get a code no test knows).
fn read_features(
    path: &Path,
    table: &Table,
    specs: &mut [FeatureSpec],
    learn_levels: bool,
) -> Result<Array2<f64>> {
    let mut cols: Vec<mutinfo_data::MixedColumn> = specs
        .iter()
        .map(|s| mutinfo_data::MixedColumn {
            name: s.name.clone(),
            categorical: s.kind == FeatureKind::Categorical,
            levels: s.levels.clone(),
        })
        .collect();
    let x = mutinfo_data::mixed_matrix(
        table,
        &mut cols,
        learn_levels,
        mutinfo_tree::MAX_CATEGORY as usize,
    )
    .map_err(|e| match e {
        mutinfo_data::DataError::UnknownColumn {
            column, available, ..
        } => mutinfo_data::DataError::UnknownColumn {
            path: path.display().to_string(),
            column,
            available,
        }
        .into(),
        mutinfo_data::DataError::TooManyCategories { column, found, .. } => CliError::input(
            path,
            format!("column {column}: {found} categories, more than a tree can split"),
        ),
        e => crate::error::in_file(path, e),
    })?;
    for (s, c) in specs.iter_mut().zip(cols) {
        s.levels = c.levels;
    }
    Ok(x)
}

/// Refuses a float target with a non-integer value unless `--float-classes`: a tree would
/// make every distinct value a class.
fn check_float_target(path: &Path, table: &Table, target: &str, allow: bool) -> Result<()> {
    if allow || !target::is_float(table, target) {
        return Ok(());
    }
    let mut row = 0usize;
    for b in &table.batches {
        let Some(col) = b.column_by_name(target) else {
            continue;
        };
        let c = cast(col, &DataType::Float64)
            .map_err(|e| CliError::input(path, format!("column {target}: {e}")))?;
        if let Some(c) = c.as_any().downcast_ref::<Float64Array>() {
            if let Some(i) = (0..c.len()).find(|&i| !c.is_null(i) && c.value(i).fract() != 0.0) {
                return Err(CliError::input(
                    path,
                    format!(
                        "target column {target} holds floats (value {} at row {}): a tree predicts classes; \
                         bin or round the target first, or pass --float-classes to make every distinct value a class",
                        c.value(i),
                        row + i
                    ),
                ));
            }
            row += c.len();
        }
    }
    Ok(())
}

fn kind_of(path: &Path, table: &Table, name: &str, categorical: &[String]) -> Result<FeatureKind> {
    let declared = categorical.iter().any(|c| c == name);
    let path_text = path.display().to_string();
    match mutinfo_data::MixedColumn::of(&table.schema, &path_text, name, declared) {
        Ok(c) if c.categorical => Ok(FeatureKind::Categorical),
        Ok(_) => Ok(FeatureKind::Numeric),
        Err(mutinfo_data::DataError::BadValue { message, .. }) => Err(CliError::Usage(format!(
            "--categorical {name}: {}",
            message.trim_start_matches("declared categorical, but ")
        ))),
        Err(e) => Err(e.into()),
    }
}

fn parse_max_features(s: &str) -> Result<MaxFeatures> {
    Ok(match s {
        "all" => MaxFeatures::All,
        "sqrt" => MaxFeatures::Sqrt,
        "log2" => MaxFeatures::Log2,
        _ => {
            if let Ok(c) = s.parse::<usize>() {
                MaxFeatures::Count(c)
            } else if let Ok(f) = s.parse::<f64>() {
                MaxFeatures::Fraction(f)
            } else {
                return Err(CliError::Usage(format!(
                    "--max-features {s:?}: give all, sqrt, log2, a count or a fraction"
                )));
            }
        }
    })
}

fn parse_prune(s: &str) -> Result<Pruning> {
    let bad = || {
        CliError::Usage(format!(
            "--prune {s:?}: give none, ccp:ALPHA or pessimistic[:CF]"
        ))
    };
    let (name, arg) = match s.split_once(':') {
        Some((n, a)) => (n, Some(a.parse::<f64>().map_err(|_| bad())?)),
        None => (s, None),
    };
    Ok(match (name, arg) {
        ("none", None) => Pruning::None,
        ("ccp", Some(alpha)) => Pruning::CostComplexity { alpha },
        ("pessimistic", cf) => Pruning::Pessimistic {
            confidence: cf.unwrap_or(0.25),
        },
        _ => return Err(bad()),
    })
}

fn fit(a: &FitArgs) -> Result<()> {
    check_outputs(
        &[&a.input.data],
        &[("--model", Some(&a.model)), ("--out", a.out.as_deref())],
    )?;
    let criterion = Criterion::parse(&a.criterion).map_err(|e| CliError::Usage(e.to_string()))?;
    let categorical_split = match a.categorical_split.as_str() {
        "multiway" => CategoricalSplit::Multiway,
        "binary" => CategoricalSplit::Binary,
        s => {
            return Err(CliError::Usage(format!(
                "--categorical-split {s:?}: give multiway or binary"
            )))
        }
    };
    let max_features = parse_max_features(&a.max_features)?;
    let pruning = parse_prune(&a.prune)?;
    let t0 = Instant::now();
    let spin = progress::spinner("reading");
    let table = a.input.read()?;
    let path = a.input.data.as_path();
    target::check_exists(path, &table, &a.target)?;
    check_float_target(path, &table, &a.target, a.float_classes)?;
    let names = a
        .columns
        .pick(path, &table.column_names(), Some(&a.target))?;
    crate::args::warn_identifier_columns(path, &table, &names);
    for c in &a.categorical {
        if !names.contains(c) {
            return Err(CliError::Usage(format!(
                "--categorical {c}: not one of the feature columns"
            )));
        }
    }
    let mut specs: Vec<FeatureSpec> = names
        .iter()
        .map(|n| {
            Ok(FeatureSpec {
                name: n.clone(),
                kind: kind_of(path, &table, n, &a.categorical)?,
                levels: Vec::new(),
            })
        })
        .collect::<Result<_>>()?;
    let x = read_features(path, &table, &mut specs, true)?;
    let (codes, levels) = target::classes(path, &table, &a.target)?;
    let labels: Vec<String> = (0..codes.len())
        .map(|i| levels[codes.get(i) as usize].clone())
        .collect();
    spin.set_message("growing");
    let cat_idx: Vec<usize> = specs
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind == FeatureKind::Categorical)
        .map(|(i, _)| i)
        .collect();
    let params = DecisionTree::params()
        .criterion(criterion)
        .max_depth(a.max_depth)
        .min_samples_split(a.min_samples_split)
        .min_samples_leaf(a.min_samples_leaf)
        .min_gain(a.min_gain)
        .max_features(max_features)
        .seed(a.seed)
        .categorical(cat_idx)
        .categorical_split(categorical_split)
        .pruning(pruning)
        .laplace(a.laplace);
    let valid = linfa::ParamGuard::check(params).map_err(|e| tree_err(path, &names, e))?;
    let tree = valid
        .fit_arrays(x.view(), &labels, None, names.clone())
        .map_err(|e| tree_err(path, &names, e))?
        .with_category_names(specs.iter().map(|s| s.levels.clone()).collect());
    spin.finish_and_clear();
    let train_acc = {
        let pred = tree
            .try_predict(x.view())
            .map_err(|e| tree_err(path, &names, e))?;
        pred.iter().zip(&labels).filter(|(p, l)| p == l).count() as f64 / labels.len() as f64
    };
    let importances = tree.feature_importances();
    let (leaves, depth) = (tree.n_leaves(), tree.depth());
    let model = TreeModel {
        format: MODEL_FORMAT.into(),
        format_version: MODEL_FORMAT_VERSION,
        target: a.target.clone(),
        features: specs,
        tree,
    };
    let json = serde_json::to_string_pretty(&model)
        .map_err(|e| CliError::input(&a.model, e.to_string()))?;
    write_file("--model", &a.model, json.as_bytes())?;
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&i, &j| importances[j].total_cmp(&importances[i]).then(i.cmp(&j)));
    let text = match a.format {
        Format::Json => json_text(&json!({
            "model": a.model.display().to_string(),
            "target": a.target,
            "criterion": criterion.name(),
            "rows": labels.len(),
            "leaves": leaves,
            "depth": depth,
            "training_accuracy": train_acc,
            "importances": order.iter().map(|&i| json!({"name": names[i], "index": i, "importance": importances[i]})).collect::<Vec<_>>(),
            "elapsed_seconds": t0.elapsed().as_secs_f64(),
        }))?,
        f => {
            let t = TextTable {
                header: vec!["feature".into(), "importance".into()],
                rows: order
                    .iter()
                    .filter(|&&i| importances[i] > 0.0)
                    .map(|&i| vec![names[i].clone(), num(importances[i])])
                    .collect(),
            };
            let head = if f == Format::Table {
                format!(
                    "tree on {} rows: {leaves} leaves, depth {depth}, training accuracy {:.4}; saved to {}\n",
                    labels.len(),
                    train_acc,
                    a.model.display()
                )
            } else {
                String::new()
            };
            head + &t.render(f)
        }
    };
    emit(a.out.as_deref(), &text)
}

fn load_model(path: &Path) -> Result<TreeModel> {
    crate::output::reading(path);
    let s = std::fs::read_to_string(path).map_err(|source| CliError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let m: TreeModel = serde_json::from_str(&s)
        .map_err(|e| CliError::input(path, format!("not a mutinfo tree model: {e}")))?;
    if m.format != MODEL_FORMAT || m.format_version != MODEL_FORMAT_VERSION {
        return Err(CliError::input(
            path,
            format!(
                "model format {:?} version {}, this build reads {MODEL_FORMAT:?} version {MODEL_FORMAT_VERSION}",
                m.format, m.format_version
            ),
        ));
    }
    // The tree itself was validated (format version and consistency) while deserializing.
    if m.features.len() != m.tree.feature_names().len() {
        return Err(CliError::input(path, "feature list and tree disagree"));
    }
    // The feature list says which data column feeds each tree input: a list whose names or
    // kinds differ from the tree's own (an edited or mixed-up file) would feed wrong columns.
    for (j, (f, name)) in m.features.iter().zip(m.tree.feature_names()).enumerate() {
        if &f.name != name || f.kind != m.tree.feature_kinds()[j] {
            return Err(CliError::input(
                path,
                format!(
                    "feature {j} is {:?} in the feature list but {name:?} in the tree",
                    f.name
                ),
            ));
        }
    }
    if m.features.iter().any(|f| f.name == m.target) {
        return Err(CliError::input(
            path,
            format!("the target column {} is also a feature", m.target),
        ));
    }
    Ok(m)
}

fn predict(a: &PredictArgs) -> Result<()> {
    check_outputs(&[&a.input.data, &a.model], &[("--out", a.out.as_deref())])?;
    let mut m = load_model(&a.model)?;
    let table = a.input.read()?;
    let path = a.input.data.as_path();
    let names: Vec<String> = m.features.iter().map(|f| f.name.clone()).collect();
    let x = read_features(path, &table, &mut m.features, false)?;
    let p = m
        .tree
        .predict_proba(x.view())
        .map_err(|e| tree_err(path, &names, e))?;
    let classes = m.tree.classes();
    let order = class_order(classes);
    let mut header = vec!["row".to_string(), m.target.clone()];
    if a.proba {
        header.extend(order.iter().map(|&c| format!("p({})", classes[c])));
    }
    let rows = p
        .rows()
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let mut best = 0;
            for (c, &v) in r.iter().enumerate() {
                if v > r[best] {
                    best = c;
                }
            }
            let mut row = vec![i.to_string(), classes[best].clone()];
            if a.proba {
                row.extend(order.iter().map(|&c| format!("{}", r[c])));
            }
            row
        })
        .collect();
    emit(a.out.as_deref(), &TextTable { header, rows }.csv())
}

/// The order of the probability columns: by value when every class label is a number (2
/// before 10), else as text; the labels themselves are stored as text.
fn class_order(classes: &[String]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..classes.len()).collect();
    let values: Option<Vec<f64>> = classes
        .iter()
        .map(|c| c.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect();
    if let Some(v) = values {
        order.sort_by(|&i, &j| v[i].total_cmp(&v[j]).then(i.cmp(&j)));
    }
    order
}

fn show(a: &ShowArgs) -> Result<()> {
    check_outputs(&[&a.model], &[("--out", a.out.as_deref())])?;
    let m = load_model(&a.model)?;
    let text = if a.dot {
        m.tree.export_dot()
    } else {
        m.tree.export_text()
    };
    emit(a.out.as_deref(), &text)
}
