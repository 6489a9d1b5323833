//! # mutinfo-py
//!
//! The compiled half of the `mutinfo` Python package (`mutinfo._native`), built by maturin
//! from the root `pyproject.toml`. The sklearn estimators and input checks live in
//! `python/mutinfo`; this module does the work: it takes a table (Arrow PyCapsule stream or
//! numpy array) and the options, runs the same engine as the `mutinfo` command line with the
//! GIL released, and returns plain lists and numpy arrays. Engine errors become `ValueError`
//! with the engine's message, which names the column.

mod convert;
mod measures;
mod selection;
mod tree;

use pyo3::prelude::*;

/// The compiled module `mutinfo._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(selection::select, m)?)?;
    m.add_function(wrap_pyfunction!(selection::rank, m)?)?;
    m.add_function(wrap_pyfunction!(measures::entropy, m)?)?;
    m.add_function(wrap_pyfunction!(measures::mutual_info, m)?)?;
    m.add_function(wrap_pyfunction!(measures::bald, m)?)?;
    m.add_function(wrap_pyfunction!(measures::batchbald, m)?)?;
    m.add_function(wrap_pyfunction!(tree::tree_features, m)?)?;
    m.add_class::<tree::Tree>()?;
    m.add("DEFAULT_BINS", mutinfo_data::discretize::DEFAULT_BINS)?;
    Ok(())
}
