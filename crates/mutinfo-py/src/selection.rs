//! `select` and `rank`: the engine of `mutinfo select` and `mutinfo rank` on an in-memory
//! table and a target array.
//!
//! The target is appended to the table as one more column and the table goes through the same
//! [`DatasetBuilder`] as a file does in the command line, so the same data with the same
//! options gives the same codes, scores and selection.

use arrow::array::{Array, ArrayRef, Int64Array};
use arrow::compute::cast;
use arrow_schema::DataType;
use mutinfo_core::Codes;
use mutinfo_data::{Binning, DatasetBuilder, Encoded, Table};
use mutinfo_select::{ContinuousTarget, Criterion, SelectOptions, Selection};
use numpy::{IntoPyArray, PyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{self, value_error};

/// The refusal of a target with one class.
const ONE_CLASS: &str = "y holds one class only: mutual information with it is 0";

/// The name the target column takes inside the engine (never a feature's name).
const TARGET: &str = "__mutinfo_target__";

/// Discrete (counting) or continuous (raw values) estimation.
enum Family {
    Discrete(mutinfo_core::Estimator),
    Continuous(mutinfo_continuous::Estimator),
}

fn family(name: &str) -> PyResult<Family> {
    if let Ok(e) = name.parse::<mutinfo_core::Estimator>() {
        return Ok(Family::Discrete(e));
    }
    match name.parse::<mutinfo_continuous::Estimator>() {
        Ok(e) => Ok(Family::Continuous(e)),
        Err(_) => Err(PyValueError::new_err(format!(
            "estimator {name:?}: expected plugin, miller-madow, chao-shen, james-stein, grassberger, nsb, \
             ksg, ksg2, ross, mixed, gaussian, copula, ksg-copula, elliptical or auto"
        ))),
    }
}

/// The table and its feature names; refuses a feature named like the internal target.
fn features_of(x: &Bound<'_, PyAny>, names: Option<Vec<String>>) -> PyResult<(Table, Vec<String>)> {
    let table = convert::table(x, names)?;
    let names: Vec<String> = table
        .schema
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    if names.iter().any(|n| n == TARGET) {
        return Err(PyValueError::new_err(format!(
            "a feature is named {TARGET:?}, the name reserved for the target"
        )));
    }
    if names.is_empty() {
        return Err(PyValueError::new_err("X has no feature columns"));
    }
    Ok((table, names))
}

/// Encodes features and target as `mutinfo select` / `rank` do on a file.
fn encode(
    table: Table,
    names: &[String],
    y: ArrayRef,
    binning: &str,
    n_bins: Option<usize>,
    categorical: Vec<String>,
) -> PyResult<Encoded> {
    for c in &categorical {
        if !names.contains(c) {
            return Err(PyValueError::new_err(format!(
                "categorical feature {c:?} is not a column of X"
            )));
        }
    }
    let builder = DatasetBuilder::new(TARGET)
        .features(names.iter().cloned())
        .binning(Binning::parse(binning, n_bins).map_err(value_error)?)
        .categorical(categorical);
    let table = convert::with_column(table, TARGET, y)?;
    let (_, enc) = builder.fit(&table).map_err(|e| {
        value_error(
            e.to_string()
                .replace(&format!("column {TARGET}"), "y")
                .replace("table: ", ""),
        )
    })?;
    Ok(enc)
}

/// The bins of the small-integer path when the options are the defaults it reproduces —
/// quantile binning, no declared categories — else `None`.
fn small_int_bins(binning: &str, n_bins: Option<usize>, categorical: &[String]) -> Option<usize> {
    (categorical.is_empty() && binning.trim().eq_ignore_ascii_case("quantile"))
        .then(|| n_bins.unwrap_or(mutinfo_data::discretize::DEFAULT_BINS))
}

/// Codes of one integer Arrow column without nulls by the small-integer path.
fn int_column_codes(c: &ArrayRef, bins: usize) -> Option<Codes> {
    use arrow::array::PrimitiveArray;
    use arrow::datatypes::{
        Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt8Type,
    };
    if c.null_count() > 0 {
        return None;
    }
    macro_rules! try_types {
        ($($t:ty),*) => {$(
            if let Some(a) = c.as_any().downcast_ref::<PrimitiveArray<$t>>() {
                let v: &[_] = a.values();
                return mutinfo_data::small_int_column(ndarray::ArrayView1::from(v), bins);
            }
        )*};
    }
    try_types!(Int64Type, Int32Type, Int16Type, Int8Type, UInt32Type, UInt16Type, UInt8Type);
    None
}

/// The target's classes when it holds integers: the builder reads an integer target as
/// categories, whose codes partition the rows as these do.
fn int_target_codes(y: &ArrayRef) -> Option<Codes> {
    if !y.data_type().is_integer() || y.null_count() > 0 {
        return None;
    }
    int_column_codes(y, 256).or_else(|| class_codes(y).ok())
}

/// Codes of a numpy integer matrix `x` by the small-integer path
/// ([`mutinfo_data::small_int_codes`]: the builder's codes without its `f64` copies and sorts),
/// when every column spans fewer than 2^16 integers; `None` sends the caller down the general
/// path.
fn numpy_small_ints(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    bins: usize,
) -> Option<mutinfo_core::CodeMatrix> {
    use numpy::PyReadonlyArray2;
    macro_rules! try_types {
        ($($t:ty),*) => {{
            $(
                if let Ok(a) = x.extract::<PyReadonlyArray2<'_, $t>>() {
                    let v = a.as_array();
                    return py.detach(|| mutinfo_data::small_int_codes(v, bins));
                }
            )*
            None
        }};
    }
    try_types!(i64, i32, i16, i8, u32, u16, u8)
}

/// The same for a table of one batch whose feature columns are all integers without nulls.
fn table_small_ints(
    py: Python<'_>,
    table: &Table,
    bins: usize,
) -> Option<mutinfo_core::CodeMatrix> {
    use rayon::prelude::*;
    let [batch] = table.batches.as_slice() else {
        return None;
    };
    let columns = py.detach(|| {
        batch
            .columns()
            .par_iter()
            .map(|c| int_column_codes(c, bins))
            .collect::<Option<Vec<Codes>>>()
    })?;
    mutinfo_core::CodeMatrix::from_columns(columns).ok()
}

/// Features and target as codes: by the small-integer path when it applies, else through the
/// builder. Also returns the feature names.
#[allow(clippy::too_many_arguments)]
fn discrete_codes(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    names: Option<Vec<String>>,
    binning: &str,
    n_bins: Option<usize>,
    categorical: Vec<String>,
) -> PyResult<(mutinfo_core::CodeMatrix, Codes, Vec<String>)> {
    let y = convert::array1(y, "y")?;
    let bins = small_int_bins(binning, n_bins, &categorical);
    let fast_target = bins.and_then(|_| int_target_codes(&y));
    let numpy_fast = match (bins, &fast_target) {
        (Some(b), Some(_)) if !x.hasattr("__arrow_c_stream__")? => numpy_small_ints(py, x, b),
        _ => None,
    };
    let (features, target, names) = match (numpy_fast, fast_target) {
        (Some(features), Some(target)) => {
            let d = features.n_cols();
            let names = match names {
                Some(n) if n.len() == d => n,
                _ => (0..d).map(|j| format!("x{j}")).collect(),
            };
            (features, target, names)
        }
        (_, fast_target) => {
            let (table, names) = features_of(x, names)?;
            let fast = match (bins, fast_target) {
                (Some(b), Some(t)) => table_small_ints(py, &table, b).map(|f| (f, t)),
                _ => None,
            };
            match fast {
                Some((features, target)) => (features, target, names),
                None => {
                    let enc = encode(table, &names, y, binning, n_bins, categorical)?;
                    (enc.features, enc.target, names)
                }
            }
        }
    };
    if target.observed_cardinality() < 2 {
        return Err(PyValueError::new_err(ONE_CLASS));
    }
    Ok((features, target, names))
}

/// The classes of a non-float target (any order: MI does not depend on it).
fn class_codes(y: &ArrayRef) -> PyResult<Codes> {
    let v = cast(y, &DataType::Int64).map_err(value_error)?;
    let v = v
        .as_any()
        .downcast_ref::<Int64Array>()
        .ok_or_else(|| PyValueError::new_err("y: cannot read as classes"))?;
    let values: Vec<i64> = v.values().to_vec();
    let (codes, levels) = Codes::encode(&values).map_err(value_error)?;
    if levels.len() < 2 {
        return Err(PyValueError::new_err(ONE_CLASS));
    }
    Ok(codes)
}

fn is_float(y: &ArrayRef) -> bool {
    matches!(
        y.data_type(),
        DataType::Float16 | DataType::Float32 | DataType::Float64
    )
}

/// The target of a continuous estimate.
enum Target {
    Values(Vec<f64>),
    Classes(Codes),
}

/// The raw feature values and the target read as `mutinfo select` reads it: a float target
/// as values, any other as classes.
fn continuous_matrix(
    table: &Table,
    names: &[String],
    y: &ArrayRef,
) -> PyResult<(ndarray::Array2<f64>, Target)> {
    let x = mutinfo_data::numeric_matrix(table, names)
        .map_err(|e| value_error(e.to_string().replace("table: ", "")))?;
    if is_float(y) {
        let v = cast(y, &DataType::Float64).map_err(value_error)?;
        let v = v
            .as_any()
            .downcast_ref::<arrow::array::Float64Array>()
            .ok_or_else(|| PyValueError::new_err("y: cannot read as numbers"))?;
        if let Some(i) = v.values().iter().position(|t| !t.is_finite()) {
            return Err(PyValueError::new_err(format!(
                "y: non-finite value {} at row {i}",
                v.value(i)
            )));
        }
        Ok((x, Target::Values(v.values().to_vec())))
    } else {
        Ok((x, Target::Classes(class_codes(y)?)))
    }
}

/// Maps a continuous-selection error to a message naming the feature.
fn select_error(names: &[String], e: mutinfo_select::SelectError) -> PyErr {
    use mutinfo_continuous::ContinuousError;
    use mutinfo_select::SelectError;
    match e {
        SelectError::NonFinite { column, row, value } => PyValueError::new_err(format!(
            "column {}: non-finite value {value} at row {row}",
            names[column]
        )),
        SelectError::Estimate {
            term,
            source: ContinuousError::Feature { index, source },
        } => PyValueError::new_err(format!("column {}: {term}: {source}", names[index])),
        e => value_error(e),
    }
}

/// Greedy forward selection (see `mutinfo.MutualInfoSelector`). Returns a dict with
/// `selected` (column indices in selection order), `step_scores` (the criterion at each step,
/// nats), `relevance` (I(X_j; y) of every feature, nats) and `stop` (why it stopped).
#[pyfunction]
#[pyo3(signature = (x, y, criterion="jmi", k=None, threshold=None, estimator="plugin",
                    binning="quantile", n_bins=None, categorical=Vec::new(), beta=1.0,
                    gamma=1.0, n_neighbors=3, names=None))]
#[allow(clippy::too_many_arguments)]
pub fn select<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    criterion: &str,
    k: Option<usize>,
    threshold: Option<f64>,
    estimator: &str,
    binning: &str,
    n_bins: Option<usize>,
    categorical: Vec<String>,
    beta: f64,
    gamma: f64,
    n_neighbors: usize,
    names: Option<Vec<String>>,
) -> PyResult<Bound<'py, PyDict>> {
    let crit = Criterion::from_name(criterion, beta, gamma).map_err(value_error)?;
    let options = |n_features: usize| {
        let mut opts = SelectOptions::new(crit);
        opts = match k {
            Some(k) => opts.k(k.min(n_features)),
            None => opts.unlimited(),
        };
        if let Some(t) = threshold {
            opts = opts.threshold(t);
        }
        opts
    };
    let (sel, names): (Selection, Vec<String>) = match family(estimator)? {
        Family::Discrete(mutinfo_core::Estimator::PlugIn) => {
            let (features, target, names) =
                discrete_codes(py, x, y, names, binning, n_bins, categorical)?;
            let opts = options(names.len());
            let sel = py
                .detach(|| mutinfo_select::select(&features, &target, &opts))
                .map_err(value_error)?;
            (sel, names)
        }
        Family::Discrete(e) => {
            return Err(PyValueError::new_err(format!(
                "estimator {:?}: greedy selection counts with the plug-in estimator; give \
                 \"plugin\" or a continuous estimator (ksg, ksg2, mixed, gaussian, copula, ksg-copula, elliptical, auto)",
                e.name()
            )))
        }
        Family::Continuous(est) => {
            if est == mutinfo_continuous::Estimator::Ross {
                return Err(PyValueError::new_err(
                    "estimator \"ross\" scores one feature against classes; selection needs feature-feature terms",
                ));
            }
            let (table, names) = features_of(x, names)?;
            let y = convert::array1(y, "y")?;
            let (xm, target) = continuous_matrix(&table, &names, &y)?;
            drop(table);
            let mi = mutinfo_continuous::ContinuousMi::new()
                .estimator(est)
                .neighbors(n_neighbors);
            let opts = options(names.len());
            let sel = py.detach(|| {
                let target = match &target {
                    Target::Values(v) => ContinuousTarget::Values(ndarray::ArrayView1::from(v)),
                    Target::Classes(c) => ContinuousTarget::Classes(c),
                };
                mutinfo_select::select_continuous(xm.view(), target, &opts, &mi)
            })
            .map_err(|e| select_error(&names, e))?;
            (sel, names)
        }
    };
    let out = PyDict::new(py);
    out.set_item("selected", sel.selected())?;
    out.set_item("step_scores", sel.step_scores())?;
    out.set_item("relevance", sel.relevance.clone().into_pyarray(py))?;
    out.set_item("stop", sel.stop.name())?;
    out.set_item("names", names)?;
    Ok(out)
}

/// I(X_j; y) of every column of `x` (nats), as `mutinfo rank` computes it.
#[pyfunction]
#[pyo3(signature = (x, y, estimator="plugin", binning="quantile", n_bins=None,
                    categorical=Vec::new(), n_neighbors=3, names=None))]
#[allow(clippy::too_many_arguments)]
pub fn rank<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    estimator: &str,
    binning: &str,
    n_bins: Option<usize>,
    categorical: Vec<String>,
    n_neighbors: usize,
    names: Option<Vec<String>>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let scores = match family(estimator)? {
        Family::Discrete(est) => {
            let (features, target, _) =
                discrete_codes(py, x, y, names, binning, n_bins, categorical)?;
            py.detach(|| {
                let refs: Vec<&Codes> = features.columns().iter().collect();
                mutinfo_core::mutual_information_many(&refs, &target, est)
            })
            .map_err(value_error)?
        }
        Family::Continuous(est) => {
            let (table, names) = features_of(x, names)?;
            let y = convert::array1(y, "y")?;
            let (xm, target) = continuous_matrix(&table, &names, &y)?;
            drop(table);
            let m = mutinfo_continuous::ContinuousMi::new()
                .estimator(est)
                .neighbors(n_neighbors);
            let estimates = py
                .detach(|| match &target {
                    Target::Values(v) => m.many(xm.view(), ndarray::ArrayView1::from(v)),
                    Target::Classes(c) => m.many_discrete(xm.view(), c),
                })
                .map_err(|e| crate::measures::continuous_error(&names, e))?;
            estimates.iter().map(|e| e.value).collect()
        }
    };
    Ok(scores.into_pyarray(py))
}
