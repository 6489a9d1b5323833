//! The information-gain decision tree of `mutinfo-tree`, for `mutinfo.DecisionTreeClassifier`.
//!
//! Features reach the tree through [`mutinfo_data::mixed_matrix`], the reader of
//! `mutinfo tree fit`: numbers stay numbers (null and NaN are missing values, handled as C4.5
//! does), text, boolean and dictionary columns (pandas `category`, polars `Categorical`) are
//! categories coded by their sorted levels.

use mutinfo_data::MixedColumn;
use mutinfo_tree::{CategoricalSplit, Criterion, DecisionTree, MaxFeatures, Pruning, TreeError};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::convert::{self, value_error};

/// A tree error naming the feature by its name.
fn tree_error(names: &[String], e: TreeError) -> PyErr {
    PyValueError::new_err(e.with_feature_names(names))
}

/// The features of `x` as the tree reads them: `(matrix, categorical, levels)`. With
/// `columns` (the kinds and levels learned at fit time, as `(categorical, levels)` per
/// column) the stored levels code the categories; else kinds come from the column types and
/// `declared` names, and levels are learned.
#[pyfunction]
#[pyo3(signature = (x, names=None, declared=Vec::new(), columns=None))]
#[allow(clippy::type_complexity)]
pub fn tree_features<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    names: Option<Vec<String>>,
    declared: Vec<String>,
    columns: Option<Vec<(bool, Vec<String>)>>,
) -> PyResult<(Bound<'py, PyArray2<f64>>, Vec<bool>, Vec<Vec<String>>)> {
    let table = convert::table(x, names)?;
    let names: Vec<String> = table
        .schema
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    for d in &declared {
        if !names.contains(d) {
            return Err(PyValueError::new_err(format!(
                "categorical feature {d:?} is not a column of X"
            )));
        }
    }
    let learn = columns.is_none();
    let mut cols: Vec<MixedColumn> = match columns {
        Some(stored) => {
            if stored.len() != names.len() {
                return Err(PyValueError::new_err(format!(
                    "X has {} features, but the tree was fitted on {}",
                    names.len(),
                    stored.len()
                )));
            }
            names
                .iter()
                .zip(stored)
                .map(|(n, (categorical, levels))| MixedColumn {
                    name: n.clone(),
                    categorical,
                    levels,
                })
                .collect()
        }
        None => names
            .iter()
            .map(|n| MixedColumn::of(&table.schema, "X", n, declared.contains(n)))
            .collect::<Result<_, _>>()
            .map_err(value_error)?,
    };
    let m = py
        .detach(|| {
            mutinfo_data::mixed_matrix(
                &table,
                &mut cols,
                learn,
                mutinfo_tree::MAX_CATEGORY as usize,
            )
        })
        .map_err(value_error)?;
    let kinds = cols.iter().map(|c| c.categorical).collect();
    let levels = cols.into_iter().map(|c| c.levels).collect();
    Ok((m.into_pyarray(py), kinds, levels))
}

fn max_features(v: &Bound<'_, PyAny>) -> PyResult<MaxFeatures> {
    if v.is_none() {
        return Ok(MaxFeatures::All);
    }
    if let Ok(s) = v.extract::<String>() {
        return match s.as_str() {
            "all" => Ok(MaxFeatures::All),
            "sqrt" => Ok(MaxFeatures::Sqrt),
            "log2" => Ok(MaxFeatures::Log2),
            _ => Err(PyValueError::new_err(format!(
                "max_features {s:?}: give None, \"sqrt\", \"log2\", an int or a float in (0, 1]"
            ))),
        };
    }
    if v.is_instance_of::<pyo3::types::PyBool>() {
        return Err(PyValueError::new_err("max_features: a bool is not a count"));
    }
    if let Ok(c) = v.extract::<usize>() {
        return Ok(MaxFeatures::Count(c));
    }
    if let Ok(f) = v.extract::<f64>() {
        return Ok(MaxFeatures::Fraction(f));
    }
    Err(PyValueError::new_err(
        "max_features: give None, \"sqrt\", \"log2\", an int or a float in (0, 1]",
    ))
}

/// A fitted tree; its labels are the class names given at fit time.
#[pyclass(module = "mutinfo._native", name = "Tree", frozen)]
pub struct Tree {
    inner: DecisionTree<String>,
}

#[pymethods]
impl Tree {
    /// Grows a tree on `x` (rows × features, NaN = missing) and class codes `y` into
    /// `class_names` (whose texts label the leaves in the exports).
    #[staticmethod]
    #[pyo3(signature = (x, y, class_names, names, categorical, levels, criterion="gain_ratio", max_depth=None,
                        min_samples_split=2.0, min_samples_leaf=1.0, min_gain=0.0,
                        max_features=None, seed=0, categorical_split="multiway", ccp_alpha=0.0,
                        pessimistic_cf=None, laplace=0.0, sample_weight=None))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        py: Python<'_>,
        x: PyReadonlyArray2<'_, f64>,
        y: PyReadonlyArray1<'_, i64>,
        class_names: Vec<String>,
        names: Vec<String>,
        categorical: Vec<bool>,
        levels: Vec<Vec<String>>,
        criterion: &str,
        max_depth: Option<usize>,
        min_samples_split: f64,
        min_samples_leaf: f64,
        min_gain: f64,
        max_features: Option<&Bound<'_, PyAny>>,
        seed: u64,
        categorical_split: &str,
        ccp_alpha: f64,
        pessimistic_cf: Option<f64>,
        laplace: f64,
        sample_weight: Option<PyReadonlyArray1<'_, f64>>,
    ) -> PyResult<Tree> {
        let criterion = Criterion::parse(&criterion.replace('_', "-")).map_err(value_error)?;
        let split = match categorical_split {
            "multiway" => CategoricalSplit::Multiway,
            "binary" => CategoricalSplit::Binary,
            s => {
                return Err(PyValueError::new_err(format!(
                    "categorical_split {s:?}: give \"multiway\" or \"binary\""
                )))
            }
        };
        let pruning = match (ccp_alpha, pessimistic_cf) {
            (0.0, None) => Pruning::None,
            (alpha, None) => Pruning::CostComplexity { alpha },
            (0.0, Some(confidence)) => Pruning::Pessimistic { confidence },
            _ => {
                return Err(PyValueError::new_err(
                    "give ccp_alpha or pessimistic_cf, not both",
                ))
            }
        };
        let mf = match max_features {
            Some(v) => self::max_features(v)?,
            None => MaxFeatures::All,
        };
        if categorical.len() != names.len() || levels.len() != names.len() {
            return Err(PyValueError::new_err(
                "one kind and one level list per feature",
            ));
        }
        let cat_idx: Vec<usize> = (0..names.len()).filter(|&j| categorical[j]).collect();
        let labels: Vec<String> = y
            .as_array()
            .iter()
            .map(|&c| {
                usize::try_from(c)
                    .ok()
                    .and_then(|c| class_names.get(c).cloned())
                    .ok_or_else(|| PyValueError::new_err(format!("class code {c} out of range")))
            })
            .collect::<PyResult<_>>()?;
        let params = DecisionTree::params()
            .criterion(criterion)
            .max_depth(max_depth)
            .min_samples_split(min_samples_split)
            .min_samples_leaf(min_samples_leaf)
            .min_gain(min_gain)
            .max_features(mf)
            .seed(seed)
            .categorical(cat_idx)
            .categorical_split(split)
            .pruning(pruning)
            .laplace(laplace);
        let valid = linfa::ParamGuard::check(params).map_err(|e| tree_error(&names, e))?;
        let xv = x.as_array();
        let w = sample_weight.as_ref().map(|w| w.as_array().to_vec());
        let tree = py
            .detach(|| valid.fit_arrays(xv, &labels, w.as_deref(), names.clone()))
            .map_err(|e| tree_error(&names, e))?
            .with_category_names(levels);
        Ok(Tree { inner: tree })
    }

    /// Class probabilities, one column per class of [`Tree::classes`].
    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let xv = x.as_array();
        let p = py
            .detach(|| self.inner.predict_proba(xv))
            .map_err(|e| tree_error(self.inner.feature_names(), e))?;
        Ok(p.into_pyarray(py))
    }

    /// The class names of the probability columns, in column order.
    fn classes(&self) -> Vec<String> {
        self.inner.classes().to_vec()
    }

    /// Impurity decrease per feature, normalised to sum to 1 (0 everywhere for a single leaf).
    fn feature_importances<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.inner.feature_importances().into_pyarray(py)
    }

    /// The tree as indented text (sklearn's `export_text` style).
    fn export_text(&self) -> String {
        self.inner.export_text()
    }

    /// The tree as Graphviz DOT.
    fn export_dot(&self) -> String {
        self.inner.export_dot()
    }

    /// Number of leaves.
    fn n_leaves(&self) -> usize {
        self.inner.n_leaves()
    }

    /// Depth (a single leaf has depth 0).
    fn depth(&self) -> usize {
        self.inner.depth()
    }

    /// The tree in the versioned JSON layout of `mutinfo-tree` (used for pickling).
    fn to_json(&self) -> PyResult<String> {
        self.inner.to_json().map_err(value_error)
    }

    /// A tree from [`Tree::to_json`]; the layout's format and version are checked.
    #[staticmethod]
    fn from_json(s: &str) -> PyResult<Tree> {
        DecisionTree::<String>::from_json(s)
            .map(|inner| Tree { inner })
            .map_err(value_error)
    }
}
