//! Python inputs as Arrow tables and ndarrays.
//!
//! A table arrives either through the Arrow PyCapsule interface (`__arrow_c_stream__`:
//! pyarrow Tables and RecordBatches, polars DataFrames, pandas DataFrames with pyarrow
//! installed) — the buffers are shared, not copied — or as a 2-D numpy array of any numeric or
//! boolean dtype, whose columns become Arrow arrays of the same type. Either way the data then
//! takes the engine's own path (the one `mutinfo select` takes on a file), so the encoding
//! rules are the same.

use std::ffi::CStr;
use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, PrimitiveArray, RecordBatch, RecordBatchReader};
use arrow::datatypes::{
    ArrowPrimitiveType, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow::ffi_stream::{ArrowArrayStreamReader, FFI_ArrowArrayStream};
use arrow_schema::{Field, Schema, SchemaRef};
use mutinfo_data::Table;
use ndarray::{Array2, ArrayView2};
use numpy::{Element, PyArray2, PyArrayMethods, PyReadonlyArray1};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods};

/// A `ValueError` carrying an engine message.
pub fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// Imports `obj` as a table: through `__arrow_c_stream__`, or as a 2-D numpy array whose
/// columns are named `names` (or `x0`, `x1`, …).
pub fn table(obj: &Bound<'_, PyAny>, names: Option<Vec<String>>) -> PyResult<Table> {
    if obj.hasattr("__arrow_c_stream__")? {
        return import_stream(obj);
    }
    let np = obj.py().import("numpy")?;
    if !obj.is_instance(&np.getattr("ndarray")?)? {
        return Err(PyTypeError::new_err(format!(
            "expected a numpy array or a table with the Arrow PyCapsule interface (pyarrow, polars, pandas), got {}",
            obj.get_type().name()?
        )));
    }
    numpy_table(obj, names)
}

/// The stream of an object with `__arrow_c_stream__`, read to the end.
fn import_stream(obj: &Bound<'_, PyAny>) -> PyResult<Table> {
    const NAME: &CStr = c"arrow_array_stream";
    let capsule = obj.call_method0("__arrow_c_stream__")?;
    let capsule = capsule
        .cast::<PyCapsule>()
        .map_err(|_| PyTypeError::new_err("__arrow_c_stream__ did not return a PyCapsule"))?;
    let ptr = capsule.pointer_checked(Some(NAME))?;
    // SAFETY: the capsule is named "arrow_array_stream", so by the Arrow PyCapsule interface
    // its pointer is a valid `ArrowArrayStream`. `from_raw` moves the stream out and leaves a
    // released one behind, which the capsule's destructor then skips, as the interface
    // requires of a consumer.
    #[allow(unsafe_code)]
    let reader =
        unsafe { ArrowArrayStreamReader::from_raw(ptr.as_ptr().cast::<FFI_ArrowArrayStream>()) }
            .map_err(value_error)?;
    let schema = reader.schema();
    let batches = reader.collect::<Result<Vec<_>, _>>().map_err(value_error)?;
    Ok(Table { schema, batches })
}

/// Tries each supported dtype: the column arrays of a 2-D numpy array of that dtype.
macro_rules! numpy_columns {
    ($obj:expr, $(($t:ty, $arrow:ty)),*) => {{
        $(
            if let Ok(a) = $obj.cast::<PyArray2<$t>>() {
                let a = a.readonly();
                let v = a.as_array();
                Some(primitive_columns::<$arrow>(v))
            } else
        )*
        if let Ok(a) = $obj.cast::<PyArray2<bool>>() {
            let a = a.readonly();
            let v = a.as_array();
            Some(
                (0..v.ncols())
                    .map(|j| Arc::new(BooleanArray::from_iter(v.column(j).iter().map(|&b| Some(b)))) as ArrayRef)
                    .collect::<Vec<_>>(),
            )
        } else {
            None
        }
    }};
}

fn primitive_columns<T: ArrowPrimitiveType>(v: ArrayView2<'_, T::Native>) -> Vec<ArrayRef>
where
    T::Native: Element,
{
    (0..v.ncols())
        .map(|j| {
            Arc::new(PrimitiveArray::<T>::from_iter_values(
                v.column(j).iter().copied(),
            )) as ArrayRef
        })
        .collect()
}

fn numpy_table(obj: &Bound<'_, PyAny>, names: Option<Vec<String>>) -> PyResult<Table> {
    let ndim: usize = obj.getattr("ndim")?.extract()?;
    if ndim != 2 {
        return Err(PyValueError::new_err(format!(
            "expected a 2-D array (rows × features), got {ndim} dimension(s)"
        )));
    }
    let columns = numpy_columns!(
        obj,
        (f64, Float64Type),
        (f32, Float32Type),
        (i64, Int64Type),
        (i32, Int32Type),
        (i16, Int16Type),
        (i8, Int8Type),
        (u64, UInt64Type),
        (u32, UInt32Type),
        (u16, UInt16Type),
        (u8, UInt8Type)
    )
    .ok_or_else(|| {
        let dtype = obj
            .getattr("dtype")
            .map(|d| d.to_string())
            .unwrap_or_default();
        PyTypeError::new_err(format!(
            "unsupported dtype {dtype}: give numbers (int, uint, float) or booleans"
        ))
    })?;
    let names = match names {
        Some(n) if n.len() == columns.len() => n,
        Some(n) => {
            return Err(PyValueError::new_err(format!(
                "{} names for {} columns",
                n.len(),
                columns.len()
            )))
        }
        None => (0..columns.len()).map(|j| format!("x{j}")).collect(),
    };
    batch_table(names, columns)
}

/// One batch of `columns` named `names`.
pub fn batch_table(names: Vec<String>, columns: Vec<ArrayRef>) -> PyResult<Table> {
    let fields: Vec<Field> = names
        .iter()
        .zip(&columns)
        .map(|(n, c)| Field::new(n, c.data_type().clone(), true))
        .collect();
    let schema: SchemaRef = Arc::new(Schema::new(fields));
    let rows = columns.first().map_or(0, |c| c.len());
    let batch = RecordBatch::try_new_with_options(
        schema.clone(),
        columns,
        &arrow::array::RecordBatchOptions::new().with_row_count(Some(rows)),
    )
    .map_err(value_error)?;
    Ok(Table {
        schema,
        batches: vec![batch],
    })
}

/// A 1-D numpy array of any numeric or boolean dtype as one Arrow array.
pub fn array1(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<ArrayRef> {
    macro_rules! try_types {
        ($(($t:ty, $arrow:ty)),*) => {
            $(
                if let Ok(a) = obj.extract::<PyReadonlyArray1<'_, $t>>() {
                    return Ok(Arc::new(PrimitiveArray::<$arrow>::from_iter_values(
                        a.as_array().iter().copied(),
                    )) as ArrayRef);
                }
            )*
        };
    }
    try_types!(
        (f64, Float64Type),
        (f32, Float32Type),
        (i64, Int64Type),
        (i32, Int32Type),
        (i16, Int16Type),
        (i8, Int8Type),
        (u64, UInt64Type),
        (u32, UInt32Type),
        (u16, UInt16Type),
        (u8, UInt8Type)
    );
    if let Ok(a) = obj.extract::<PyReadonlyArray1<'_, bool>>() {
        return Ok(Arc::new(BooleanArray::from_iter(
            a.as_array().iter().map(|&b| Some(b)),
        )));
    }
    Err(PyTypeError::new_err(format!(
        "{what}: expected a 1-D numpy array of numbers or booleans"
    )))
}

/// `table` with `column` (as many rows) appended under `name`, batch by batch.
pub fn with_column(table: Table, name: &str, column: ArrayRef) -> PyResult<Table> {
    let rows = table.num_rows();
    if column.len() != rows {
        return Err(PyValueError::new_err(format!(
            "X has {rows} rows but y has {} values",
            column.len()
        )));
    }
    let mut fields: Vec<Arc<Field>> = table.schema.fields().iter().cloned().collect();
    fields.push(Arc::new(Field::new(name, column.data_type().clone(), true)));
    let schema: SchemaRef = Arc::new(Schema::new(fields));
    let mut offset = 0;
    let mut batches = Vec::with_capacity(table.batches.len());
    for b in &table.batches {
        let mut cols = b.columns().to_vec();
        cols.push(column.slice(offset, b.num_rows()));
        offset += b.num_rows();
        batches.push(
            RecordBatch::try_new_with_options(
                schema.clone(),
                cols,
                &arrow::array::RecordBatchOptions::new().with_row_count(Some(b.num_rows())),
            )
            .map_err(value_error)?,
        );
    }
    Ok(Table { schema, batches })
}

/// A read-only 2-D float array, copied only when it is not already `f64`.
pub fn matrix_f64(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Array2<f64>> {
    let np = obj.py().import("numpy")?;
    let a = np.call_method1("asarray", (obj, "float64"))?;
    let a = if a.getattr("ndim")?.extract::<usize>()? == 1 {
        a.call_method1("reshape", ((-1i64, 1i64),))?
    } else {
        a
    };
    let a = a
        .cast::<PyArray2<f64>>()
        .map_err(|_| PyValueError::new_err(format!("{what}: expected a 1-D or 2-D array")))?;
    Ok(a.readonly().as_array().to_owned())
}
