//! Test data shared by the engine tests: a seeded table written as Parquet files.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, Int16Array, Int32Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use mutinfo_data::Table;
use mutinfo_select::{Criterion, SelectOptions};

pub fn schema() -> Arc<Schema> {
    let mut fields: Vec<Field> = (0..4)
        .map(|j| Field::new(format!("i{j}"), DataType::Int16, false))
        .collect();
    fields.push(Field::new("frac", DataType::Float64, false));
    fields.push(Field::new("word", DataType::Utf8, false));
    fields.push(Field::new("label", DataType::Int32, false));
    Arc::new(Schema::new(fields))
}

/// Rows `start..start + n` of a seeded table whose label depends on i0, i1 and `word`.
pub fn batch(start: usize, n: usize) -> RecordBatch {
    let h = |r: usize, j: usize| {
        let mut s = (r as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (j as u64 * 0xBF58_476D);
        s ^= s >> 29;
        s = s.wrapping_mul(0x94D0_49BB_1331_11EB);
        s ^ (s >> 32)
    };
    let rows: Vec<usize> = (start..start + n).collect();
    let mut cols: Vec<ArrayRef> = (0..4)
        .map(|j| {
            Arc::new(Int16Array::from_iter_values(
                rows.iter().map(|&r| (h(r, j) % (3 + j as u64 * 4)) as i16),
            )) as ArrayRef
        })
        .collect();
    cols.push(Arc::new(Float64Array::from_iter_values(
        rows.iter().map(|&r| (h(r, 9) % 1000) as f64 / 7.0),
    )));
    let words = ["red", "green", "blue"];
    cols.push(Arc::new(StringArray::from_iter_values(
        rows.iter().map(|&r| words[(h(r, 11) % 3) as usize]),
    )));
    cols.push(Arc::new(Int32Array::from_iter_values(rows.iter().map(
        |&r| {
            let a = (h(r, 0) % 3) as i32 + (h(r, 1) % 7 > 3) as i32 + (h(r, 11) % 3 == 0) as i32;
            (a + (h(r, 12) % 4 == 0) as i32) % 3
        },
    ))));
    RecordBatch::try_new(schema(), cols).unwrap()
}

pub fn write(path: &Path, batches: &[RecordBatch]) {
    let mut w =
        parquet::arrow::ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema(), None)
            .unwrap();
    for b in batches {
        w.write(b).unwrap();
    }
    w.close().unwrap();
}

/// Three files of 700, 1 and 1299 rows; the in-memory table of the same rows.
pub fn files(dir: &Path) -> Table {
    let parts = [(0, 700), (700, 1), (701, 1299)];
    let mut all = Vec::new();
    for (i, &(start, n)) in parts.iter().enumerate() {
        let b = batch(start, n);
        write(
            &dir.join(format!("part-{i}.parquet")),
            std::slice::from_ref(&b),
        );
        all.push(b);
    }
    std::fs::write(dir.join("README.txt"), "not parquet").unwrap();
    Table {
        schema: schema(),
        batches: all,
    }
}

pub fn criteria() -> Vec<SelectOptions> {
    [
        Criterion::Jmi,
        Criterion::Mrmr,
        Criterion::Cmim,
        Criterion::CondMi,
        Criterion::Mim,
    ]
    .into_iter()
    .map(|c| SelectOptions::new(c).k(4))
    .collect()
}
