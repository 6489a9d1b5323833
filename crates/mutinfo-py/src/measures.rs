//! `entropy`, `mutual_info`, `bald` and `batchbald`.
//!
//! Discrete estimators take label arrays (one integer symbol per row; the Python layer turns
//! any values, and rows of 2-D arrays, into such symbols); continuous estimators take float
//! matrices (rows × dimensions). Results are in nats.

use mutinfo_continuous::ContinuousError;
use mutinfo_core::{Codes, Discrete};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1, PyReadonlyArray3};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::convert::{matrix_f64, value_error};

/// A continuous-estimator error naming the column in `names` where it has one.
pub fn continuous_error(names: &[String], e: ContinuousError) -> PyErr {
    let name = |i: usize| names.get(i).cloned().unwrap_or_else(|| format!("#{i}"));
    match e {
        ContinuousError::Feature { index, source } => match *source {
            ContinuousError::NonFinite { row, value, .. } => PyValueError::new_err(format!(
                "column {}: non-finite value {value} at row {row}",
                name(index)
            )),
            source => PyValueError::new_err(format!("column {}: {source}", name(index))),
        },
        ContinuousError::NonFinite {
            column, row, value, ..
        } if !names.is_empty() => PyValueError::new_err(format!(
            "column {}: non-finite value {value} at row {row}",
            name(column)
        )),
        e => value_error(e),
    }
}

fn labels(a: &PyReadonlyArray1<'_, i64>) -> PyResult<Codes> {
    let v: Vec<i64> = a.as_array().iter().copied().collect();
    if v.is_empty() {
        return Err(PyValueError::new_err("empty input: no rows"));
    }
    Codes::encode(&v).map(|(c, _)| c).map_err(value_error)
}

fn continuous(est: &str, neighbors: usize) -> PyResult<mutinfo_continuous::ContinuousMi> {
    let e = est
        .parse::<mutinfo_continuous::Estimator>()
        .map_err(value_error)?;
    Ok(mutinfo_continuous::ContinuousMi::new()
        .estimator(e)
        .neighbors(neighbors))
}

/// H(X) in nats. `discrete`: `x` is a 1-D int64 array of symbols and `estimator` a
/// discrete one; else `x` is a float matrix and `estimator` a continuous one.
#[pyfunction]
#[pyo3(signature = (x, estimator="plugin", discrete=true, n_neighbors=3))]
pub fn entropy(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    estimator: &str,
    discrete: bool,
    n_neighbors: usize,
) -> PyResult<f64> {
    if discrete {
        let est = estimator
            .parse::<mutinfo_core::Estimator>()
            .map_err(value_error)?;
        let x = labels(&x.extract::<PyReadonlyArray1<'_, i64>>()?)?;
        py.detach(|| Discrete::new().estimator(est).entropy(&x))
            .map_err(value_error)
    } else {
        let m = continuous(estimator, n_neighbors)?;
        let x = matrix_f64(x, "x")?;
        py.detach(|| m.entropy(x.view()))
            .map(|e| e.value)
            .map_err(value_error)
    }
}

/// I(X;Y) or I(X;Y|Z) in nats. `discrete`: every argument is a 1-D int64 array of symbols;
/// else float matrices, with `y_classes` reading `y` as int64 class symbols (mixed
/// continuous–discrete MI, as sklearn's `mutual_info_classif`).
#[pyfunction]
#[pyo3(signature = (x, y, z=None, estimator="plugin", discrete=true, y_classes=false, n_neighbors=3))]
#[allow(clippy::too_many_arguments)]
pub fn mutual_info(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    z: Option<&Bound<'_, PyAny>>,
    estimator: &str,
    discrete: bool,
    y_classes: bool,
    n_neighbors: usize,
) -> PyResult<f64> {
    if discrete {
        let est = estimator
            .parse::<mutinfo_core::Estimator>()
            .map_err(value_error)?;
        let x = labels(&x.extract::<PyReadonlyArray1<'_, i64>>()?)?;
        let y = labels(&y.extract::<PyReadonlyArray1<'_, i64>>()?)?;
        let z = z
            .map(|z| labels(&z.extract::<PyReadonlyArray1<'_, i64>>()?))
            .transpose()?;
        let m = Discrete::new().estimator(est);
        return py
            .detach(|| match &z {
                Some(z) => m.conditional_mutual_information(&x, &y, z),
                None => m.mutual_information(&x, &y),
            })
            .map_err(value_error);
    }
    let m = continuous(estimator, n_neighbors)?;
    let xm = matrix_f64(x, "x")?;
    if y_classes {
        if z.is_some() {
            return Err(PyValueError::new_err(
                "a conditioning z needs continuous y (class labels are for I(X;Y) only)",
            ));
        }
        let y = labels(&y.extract::<PyReadonlyArray1<'_, i64>>()?)?;
        return py
            .detach(|| m.mutual_information_discrete(xm.view(), &y))
            .map(|e| e.value)
            .map_err(value_error);
    }
    let ym = matrix_f64(y, "y")?;
    let zm = z.map(|z| matrix_f64(z, "z")).transpose()?;
    py.detach(|| match &zm {
        Some(zm) => m.conditional_mutual_information(xm.view(), ym.view(), zm.view()),
        None => m.mutual_information(xm.view(), ym.view()),
    })
    .map(|e| e.value)
    .map_err(value_error)
}

/// BALD I(y; ω | x) of every pool point from predictive samples shaped
/// [pool points, committee members, classes], in nats.
#[pyfunction]
pub fn bald<'py>(
    py: Python<'py>,
    probs: PyReadonlyArray3<'py, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let p = probs.as_array();
    let scores = py.detach(|| mutinfo_active::bald(p)).map_err(value_error)?;
    Ok(scores.into_pyarray(py))
}

/// Greedy BatchBALD: the indices picked, in order, and the joint MI I(y_1..y_i; ω) of the
/// batch after each pick (exact while the label configurations are few, else estimated from
/// `num_samples` seeded samples).
#[pyfunction]
#[pyo3(signature = (probs, batch_size, num_samples=mutinfo_active::DEFAULT_NUM_SAMPLES, seed=0))]
#[allow(clippy::type_complexity)]
pub fn batchbald<'py>(
    py: Python<'py>,
    probs: PyReadonlyArray3<'py, f64>,
    batch_size: usize,
    num_samples: usize,
    seed: u64,
) -> PyResult<(Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<f64>>)> {
    let p = probs.as_array();
    let sel = py
        .detach(|| {
            mutinfo_active::BatchBald::new()
                .num_samples(num_samples)
                .seed(seed)
                .select(p, batch_size)
        })
        .map_err(value_error)?;
    let idx: Vec<i64> = sel.indices.iter().map(|&i| i as i64).collect();
    Ok((idx.into_pyarray(py), sel.joint_mi.into_pyarray(py)))
}
