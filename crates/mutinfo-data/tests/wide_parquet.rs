//! Wide Parquet files (more used columns than one column group) are read group by group, in
//! parallel: the encoding, the codes and the errors must be those of the one-pass stream.

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, Int16Array, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use mutinfo_data::{open_batches, DataError, DatasetBuilder, Missing, NoProgress, ReadOptions};

/// `cols` features of mixed types over `rows` rows (nulls in the float columns when
/// `nulls`), a 3-class target, written with small row groups so batches span them.
fn write_wide(path: &std::path::Path, rows: usize, cols: usize, nulls: bool) {
    let mut fields = vec![Field::new("label", DataType::Int32, false)];
    let mut arrays: Vec<ArrayRef> = vec![Arc::new(Int32Array::from(
        (0..rows).map(|r| (r * 7 % 3) as i32).collect::<Vec<_>>(),
    ))];
    for j in 0..cols {
        let name = format!("f{j}");
        let (field, array): (Field, ArrayRef) = match j % 3 {
            0 => (
                Field::new(&name, DataType::Int16, false),
                Arc::new(Int16Array::from(
                    (0..rows)
                        .map(|r| ((r * (j + 3) + j) % 11) as i16)
                        .collect::<Vec<_>>(),
                )),
            ),
            1 => (
                Field::new(&name, DataType::Float64, true),
                Arc::new(Float64Array::from(
                    (0..rows)
                        .map(|r| {
                            (nulls && j % 300 == 1 && (r + j) % 17 == 0)
                                .then_some(())
                                .map_or(Some(((r * 31 + j * 7) % 97) as f64 / 9.0), |_| None)
                        })
                        .collect::<Vec<_>>(),
                )),
            ),
            _ => (
                Field::new(&name, DataType::Utf8, false),
                Arc::new(StringArray::from(
                    (0..rows)
                        .map(|r| ["a", "b", "c", "d"][(r + j) % 4])
                        .collect::<Vec<_>>(),
                )),
            ),
        };
        fields.push(field);
        arrays.push(array);
    }
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap();
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(23))
        .build();
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(path).unwrap(),
        batch.schema(),
        Some(props),
    )
    .unwrap();
    // A row group's worth per call: parquet 59's writer recurses once per row group that
    // a batch spans (10 000 levels here would overflow a test thread's stack).
    for start in (0..batch.num_rows()).step_by(23) {
        w.write(&batch.slice(start, 23.min(batch.num_rows() - start)))
            .unwrap();
    }
    w.close().unwrap();
}

fn codes(enc: &mutinfo_data::Encoded) -> Vec<Vec<u32>> {
    enc.features
        .columns()
        .iter()
        .map(|c| c.to_u32_vec())
        .chain(std::iter::once(enc.target.to_u32_vec()))
        .collect()
}

/// The one-pass stream and the file-level fit (grouped where the file is large), each from a
/// freshly opened file.
fn fit_both(
    builder: &DatasetBuilder,
    path: &std::path::Path,
    opts: &ReadOptions,
) -> [mutinfo_data::Result<(mutinfo_data::Encoding, mutinfo_data::Encoded)>; 2] {
    let schema = open_batches(path, opts).unwrap().schema();
    [
        builder.fit_stream(&schema, open_batches(path, opts).unwrap(), &NoProgress),
        builder.fit_batches(open_batches(path, opts).unwrap(), &NoProgress),
    ]
}

#[test]
fn grouped_reading_equals_the_stream() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.parquet");
    write_wide(&path, 60, 5000, false);
    // Small batches, so the stream path crosses row groups and batch boundaries.
    let opts = ReadOptions {
        batch_size: 16,
        ..ReadOptions::default()
    };
    let builder = DatasetBuilder::new("label");
    let stream = open_batches(&path, &opts).unwrap();
    let schema = stream.schema();
    // The stream, read through the lazily built full-width reader.
    let (e1, c1) = builder.fit_stream(&schema, stream, &NoProgress).unwrap();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let (e2, c2) = pool
            .install(|| builder.fit_batches(open_batches(&path, &opts).unwrap(), &NoProgress))
            .unwrap();
        assert_eq!(e1, e2, "{threads} threads");
        assert_eq!(codes(&c1), codes(&c2), "{threads} threads");
        assert_eq!(c1.names, c2.names);
    }
}

#[test]
fn grouped_reading_of_a_projection_in_any_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.parquet");
    write_wide(&path, 40, 4500, false);
    // Features asked in reverse file order, target in the middle of the projection.
    let mut used: Vec<String> = (0..4300).rev().map(|j| format!("f{j}")).collect();
    used.insert(2000, "label".into());
    let opts = ReadOptions::default().with_columns(used.clone());
    let features: Vec<String> = used.iter().filter(|c| *c != "label").cloned().collect();
    let builder = DatasetBuilder::new("label").features(features.clone());
    let stream = open_batches(&path, &opts).unwrap();
    let schema = stream.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, used.iter().map(String::as_str).collect::<Vec<_>>());
    // The lazily built reader gives the columns in the order asked.
    let batches: Vec<RecordBatch> = stream.map(Result::unwrap).collect();
    assert_eq!(batches[0].schema().field(0).name(), "f4299");
    let (e1, c1) = builder
        .fit_stream(&schema, batches.into_iter().map(Ok), &NoProgress)
        .unwrap();
    let (e2, c2) = builder
        .fit_batches(open_batches(&path, &opts).unwrap(), &NoProgress)
        .unwrap();
    assert_eq!(e1, e2);
    assert_eq!(codes(&c1), codes(&c2));
    assert_eq!(c2.names, features);
}

#[test]
fn grouped_reading_reports_the_first_faulty_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.parquet");
    write_wide(&path, 50, 4200, true);
    let opts = ReadOptions::default();
    let builder = DatasetBuilder::new("label").missing(Missing::Error);
    let [e1, e2] = fit_both(&builder, &path, &opts).map(|r| r.unwrap_err());
    assert_eq!(e1.to_string(), e2.to_string());
    assert!(
        matches!(&e2, DataError::MissingValue { column, .. } if column == "f1"),
        "{e2}"
    );
}

#[test]
fn grouped_reading_with_missing_values_equals_the_stream() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.parquet");
    write_wide(&path, 70, 4400, true);
    let opts = ReadOptions::default();
    // Dropping rows gathers every group before encoding; a missing category encodes in place.
    for missing in [Missing::DropRow, Missing::OwnCategory] {
        let builder = DatasetBuilder::new("label").missing(missing);
        let [(e1, c1), (e2, c2)] = fit_both(&builder, &path, &opts).map(Result::unwrap);
        assert_eq!(e1, e2, "{missing:?}");
        assert_eq!(codes(&c1), codes(&c2), "{missing:?}");
        assert_eq!(c1.dropped_rows, c2.dropped_rows, "{missing:?}");
        assert_eq!(c2.dropped_rows.is_empty(), missing != Missing::DropRow);
    }
}

#[test]
fn tall_files_are_read_in_groups_with_the_same_result() {
    // 17 columns x 250 000 rows: past 2^22 cells, so read in column groups.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tall.parquet");
    write_wide(&path, 250_000, 16, false);
    let opts = ReadOptions::default();
    let builder = DatasetBuilder::new("label");
    let [(e1, c1), (e2, c2)] = fit_both(&builder, &path, &opts).map(Result::unwrap);
    assert_eq!(e1, e2);
    assert_eq!(codes(&c1), codes(&c2));
}

#[test]
fn a_set_of_files_is_read_in_groups_as_its_stream() {
    let dir = tempfile::tempdir().unwrap();
    // Three files of one schema with different row counts; nulls only in the last.
    write_wide(&dir.path().join("part-0.parquet"), 31, 900, false);
    write_wide(&dir.path().join("part-1.parquet"), 7, 900, false);
    write_wide(&dir.path().join("part-2.parquet"), 45, 900, true);
    let opts = ReadOptions {
        batch_size: 16,
        ..ReadOptions::default()
    };
    let builder = DatasetBuilder::new("label").missing(Missing::OwnCategory);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let [stream, grouped] = pool.install(|| fit_both(&builder, dir.path(), &opts));
        let ((e1, c1), (e2, c2)) = (stream.unwrap(), grouped.unwrap());
        assert_eq!(c1.features.n_rows(), 83);
        assert_eq!(e1, e2, "{threads} threads");
        assert_eq!(codes(&c1), codes(&c2), "{threads} threads");
    }
    // A missing value in the last file (its row 16): the same error, the row counted across
    // the files (31 + 7 + 16).
    let strict = DatasetBuilder::new("label");
    let [stream, grouped] = fit_both(&strict, dir.path(), &opts);
    let (a, b) = (
        stream.unwrap_err().to_string(),
        grouped.unwrap_err().to_string(),
    );
    assert_eq!(a, b);
    assert!(a.contains("f1") && a.contains("row 54"), "{a}");
}
