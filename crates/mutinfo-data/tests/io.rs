//! Readers: every format round-trips the same batch, projection keeps the order asked,
//! streaming yields bounded batches, and each bad input gives a structured error.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use mutinfo_data::{open_batches, read_table, DataError, FileFormat, ReadOptions};

fn batch() -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int64, false),
        Field::new("b", DataType::Float64, false),
        Field::new("c", DataType::Utf8, false),
    ]));
    let a: ArrayRef = Arc::new(Int64Array::from((0..10).collect::<Vec<i64>>()));
    let b: ArrayRef = Arc::new(Float64Array::from(
        (0..10).map(|i| f64::from(i) * 0.5).collect::<Vec<f64>>(),
    ));
    let c: ArrayRef = Arc::new(StringArray::from(
        (0..10)
            .map(|i| if i % 3 == 0 { "x" } else { "y" })
            .collect::<Vec<_>>(),
    ));
    RecordBatch::try_new(schema, vec![a, b, c]).unwrap()
}

fn write_all(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let b = batch();
    let pq = dir.join("t.parquet");
    let mut w =
        parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&pq).unwrap(), b.schema(), None)
            .unwrap();
    w.write(&b).unwrap();
    w.close().unwrap();
    let ipc = dir.join("t.arrow");
    let mut w =
        arrow::ipc::writer::FileWriter::try_new(std::fs::File::create(&ipc).unwrap(), &b.schema())
            .unwrap();
    w.write(&b).unwrap();
    w.finish().unwrap();
    let st = dir.join("t.arrows");
    let mut w =
        arrow::ipc::writer::StreamWriter::try_new(std::fs::File::create(&st).unwrap(), &b.schema())
            .unwrap();
    w.write(&b).unwrap();
    w.finish().unwrap();
    let csv = dir.join("t.csv");
    let mut text = String::from("a,b,c\n");
    for i in 0..10 {
        let c = if i % 3 == 0 { "x" } else { "y" };
        text.push_str(&format!("{i},{:.1},{c}\n", f64::from(i) * 0.5));
    }
    std::fs::write(&csv, &text).unwrap();
    let tsv = dir.join("t.tsv");
    std::fs::write(&tsv, text.replace(',', "\t")).unwrap();
    vec![pq, ipc, st, csv, tsv]
}

#[test]
fn every_format_reads_the_same_values_with_projection_in_the_order_asked() {
    let dir = tempfile::tempdir().unwrap();
    for path in write_all(dir.path()) {
        let t = read_table(&path, &ReadOptions::default()).unwrap();
        assert_eq!(t.column_names(), ["a", "b", "c"], "{path:?}");
        assert_eq!(t.num_rows(), 10);
        let opts = ReadOptions::default().with_columns(["c", "a"]);
        let t = read_table(&path, &opts).unwrap();
        assert_eq!(t.column_names(), ["c", "a"], "{path:?}");
        let one = t.concat().unwrap();
        assert_eq!(one.schema().field(0).name(), "c");
        let c = one
            .column(0)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        assert_eq!(c.value(3), "x");
        assert_eq!(c.value(4), "y");
        let a = one.column(1).as_any().downcast_ref::<Int64Array>().unwrap();
        assert_eq!(a.values().to_vec(), (0..10).collect::<Vec<i64>>());
    }
}

#[test]
fn streaming_yields_bounded_batches() {
    let dir = tempfile::tempdir().unwrap();
    for path in write_all(dir.path()) {
        let opts = ReadOptions {
            batch_size: 3,
            ..ReadOptions::default()
        };
        let batches = open_batches(&path, &opts).unwrap();
        assert_eq!(batches.schema().fields().len(), 3);
        let sizes: Vec<usize> = batches.map(|b| b.unwrap().num_rows()).collect();
        // Parquet and CSV honour the batch size; IPC keeps the batches it was written with.
        assert_eq!(sizes.iter().sum::<usize>(), 10, "{path:?}");
        if path.extension().unwrap() == "parquet" || path.extension().unwrap() == "csv" {
            assert_eq!(sizes, [3, 3, 3, 1], "{path:?}");
        }
    }
}

#[test]
fn explicit_format_and_delimiter() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("data.txt.gzless");
    std::fs::write(&p, "u;v\n1;a\n2;b\n").unwrap();
    let opts = ReadOptions::default()
        .with_format(FileFormat::parse("csv").unwrap())
        .with_delimiter(b';');
    let t = read_table(&p, &opts).unwrap();
    assert_eq!(t.column_names(), ["u", "v"]);
    assert_eq!(t.schema.field(0).data_type(), &DataType::Int64);
    assert!(matches!(
        read_table(&p, &ReadOptions::default()),
        Err(DataError::UnknownFormat { .. })
    ));
    assert!(FileFormat::parse("xlsx").is_err());
}

#[test]
fn missing_file_is_an_io_error_naming_the_path() {
    let e = read_table("/nonexistent/x.parquet", &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, DataError::Io { .. }));
    assert!(e.to_string().contains("/nonexistent/x.parquet"), "{e}");
}

#[test]
fn empty_file_and_header_only() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("e.csv");
    std::fs::write(&empty, "").unwrap();
    assert!(matches!(
        read_table(&empty, &ReadOptions::default()),
        Err(DataError::EmptyFile { .. })
    ));
    let header = dir.path().join("h.csv");
    std::fs::write(&header, "a,b\n").unwrap();
    match read_table(&header, &ReadOptions::default()) {
        Err(DataError::EmptyFile { path, reason }) => {
            assert!(path.ends_with("h.csv"));
            assert_eq!(reason, "no data rows");
        }
        other => panic!("expected EmptyFile, got {other:?}"),
    }
}

#[test]
fn unknown_and_duplicate_columns() {
    let dir = tempfile::tempdir().unwrap();
    let paths = write_all(dir.path());
    match read_table(&paths[0], &ReadOptions::default().with_columns(["a", "zz"])) {
        Err(DataError::UnknownColumn {
            column, available, ..
        }) => {
            assert_eq!(column, "zz");
            assert_eq!(available, "a, b, c");
        }
        other => panic!("expected UnknownColumn, got {other:?}"),
    }
    assert!(matches!(
        read_table(&paths[0], &ReadOptions::default().with_columns(["a", "a"])),
        Err(DataError::DuplicateColumn { .. })
    ));
    let dup = dir.path().join("dup.csv");
    std::fs::write(&dup, "a,b,a\n1,2,3\n").unwrap();
    match read_table(&dup, &ReadOptions::default()) {
        Err(DataError::DuplicateColumn { column, .. }) => assert_eq!(column, "a"),
        other => panic!("expected DuplicateColumn, got {other:?}"),
    }
}

#[test]
fn ragged_csv_rows_are_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ragged.csv");
    std::fs::write(&p, "a,b\n1,2\n3\n4,5\n").unwrap();
    let e = read_table(&p, &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, DataError::Arrow { .. }), "{e:?}");
    assert!(e.to_string().contains("ragged.csv"), "{e}");
}

#[test]
fn corrupt_parquet_and_ipc_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.parquet");
    std::fs::write(&p, b"PAR1 this is not a parquet file at all PAR1").unwrap();
    let e = read_table(&p, &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, DataError::Parquet { .. }), "{e:?}");
    assert!(e.to_string().contains("bad.parquet"), "{e}");
    let paths = write_all(dir.path());
    let bytes = std::fs::read(&paths[0]).unwrap();
    let t = dir.path().join("truncated.parquet");
    std::fs::write(&t, &bytes[..bytes.len() / 2]).unwrap();
    assert!(read_table(&t, &ReadOptions::default()).is_err());
    let a = dir.path().join("bad.arrow");
    std::fs::write(&a, b"ARROW1 garbage").unwrap();
    assert!(matches!(
        read_table(&a, &ReadOptions::default()),
        Err(DataError::Arrow { .. })
    ));
}

#[test]
fn shared_datasets_read_if_present() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("skipping: {} not present", dir.display());
        return;
    };
    let mut n = 0;
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "parquet") {
            let opts = ReadOptions::default();
            let b = open_batches(&p, &opts).unwrap();
            let cols = b.schema().fields().len();
            let rows: usize = b.map(|b| b.unwrap().num_rows()).sum();
            assert!(cols > 0 && rows > 0, "{p:?}");
            n += 1;
        }
    }
    println!("read {n} parquet files from {}", dir.display());
}

#[test]
fn csv_nan_and_inf_columns_are_numbers_and_mixed_columns_are_errors() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("n.csv");
    // Arrow infers `NaN` / `inf` as text; the reader retypes such all-numeric columns.
    std::fs::write(&p, "a,b,c\n1.5,x,1\nNaN,y,inf\n2,z,-inf\n").unwrap();
    let t = read_table(&p, &ReadOptions::default()).unwrap();
    assert_eq!(t.schema.field(0).data_type(), &DataType::Float64);
    assert_eq!(t.schema.field(1).data_type(), &DataType::Utf8);
    assert_eq!(t.schema.field(2).data_type(), &DataType::Float64);
    let a = t.batches[0]
        .column(0)
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap();
    assert!(a.value(1).is_nan());

    let m = d.path().join("m.csv");
    std::fs::write(&m, "a,y\n1,0\n2,1\n?,0\n4,1\n").unwrap();
    let e = read_table(&m, &ReadOptions::default()).unwrap_err();
    match &e {
        DataError::MixedTypes {
            column,
            row,
            line,
            value,
            numbers,
            others,
            odd_is_number,
            ..
        } => {
            assert_eq!(
                (column.as_str(), *row, *line, value.as_str()),
                ("a", 2, 4, "?")
            );
            assert_eq!((*numbers, *others, *odd_is_number), (3, 1, false));
        }
        other => panic!("{other}"),
    }
    assert!(e.to_string().contains("m.csv: column a mixes types"), "{e}");
    // Projection: a mixed column not asked for is not checked.
    let t = read_table(&m, &ReadOptions::default().with_columns(["y"])).unwrap();
    assert_eq!(t.num_rows(), 4);
    // Allowed: read as text.
    let opts = ReadOptions {
        allow_mixed_types: true,
        ..ReadOptions::default()
    };
    let t = read_table(&m, &opts).unwrap();
    assert_eq!(t.schema.field(0).data_type(), &DataType::Utf8);
}

/// A wide CSV is read in batches of fewer rows (the decoder keeps an offset per cell of a
/// batch), a wide Parquet file from memory (a buffer per column chunk would outweigh it); the
/// values are the same as read narrow, in order, across batch boundaries.
#[test]
fn wide_files_read_the_same_values_in_smaller_batches() {
    let dir = tempfile::tempdir().unwrap();
    let (rows, cols) = (1500usize, 3000usize);
    let value = |i: usize, j: usize| ((i * 31 + j * 7) % 11) as i64;
    let mut text: String = (0..cols)
        .map(|j| format!("f{j}"))
        .collect::<Vec<_>>()
        .join(",");
    text.push('\n');
    for i in 0..rows {
        let line: Vec<String> = (0..cols).map(|j| value(i, j).to_string()).collect();
        text.push_str(&line.join(","));
        text.push('\n');
    }
    let csv = dir.path().join("wide.csv");
    std::fs::write(&csv, &text).unwrap();
    let sizes: Vec<usize> = open_batches(&csv, &ReadOptions::default())
        .unwrap()
        .map(|b| b.unwrap().num_rows())
        .collect();
    assert_eq!(sizes, [1398, 102], "2^22 cells per batch over 3000 columns");
    let table = read_table(&csv, &ReadOptions::default())
        .unwrap()
        .concat()
        .unwrap();
    // The same table through Parquet (one row group of 1500 rows, 3000 column chunks).
    let pq = dir.path().join("wide.parquet");
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&pq).unwrap(),
        table.schema(),
        None,
    )
    .unwrap();
    w.write(&table).unwrap();
    w.close().unwrap();
    for t in [
        table,
        read_table(&pq, &ReadOptions::default())
            .unwrap()
            .concat()
            .unwrap(),
    ] {
        for j in [0, 1, 1499, 2999] {
            let c = t.column(j).as_any().downcast_ref::<Int64Array>().unwrap();
            for i in [0, 1397, 1398, 1499] {
                assert_eq!(c.value(i), value(i, j), "row {i} column {j}");
            }
        }
    }
}

/// A directory of Parquet files and a glob read as one table, file after file in path
/// order; files of another schema and sets without a file are refused, naming them.
#[test]
fn directories_and_globs_of_parquet_files() {
    use arrow::array::Int32Array;
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, values: &[i32], dt: DataType| {
        let schema = Arc::new(Schema::new(vec![Field::new("a", dt.clone(), false)]));
        let col: ArrayRef = match dt {
            DataType::Int32 => Arc::new(Int32Array::from(values.to_vec())),
            _ => Arc::new(Int64Array::from(
                values.iter().map(|&v| v as i64).collect::<Vec<_>>(),
            )),
        };
        let b = RecordBatch::try_new(schema.clone(), vec![col]).unwrap();
        let mut w = parquet::arrow::ArrowWriter::try_new(
            std::fs::File::create(dir.path().join(name)).unwrap(),
            schema,
            None,
        )
        .unwrap();
        w.write(&b).unwrap();
        w.close().unwrap();
    };
    write("part-2.parquet", &[5, 6], DataType::Int32);
    write("part-1.parquet", &[1, 2, 3], DataType::Int32);
    write("other.PARQUET", &[9], DataType::Int32);
    std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
    let values = |p: &std::path::Path| -> Vec<i32> {
        let b = open_batches(p, &ReadOptions::default()).unwrap();
        b.flat_map(|b| {
            let b = b.unwrap();
            b.column(0)
                .as_any()
                .downcast_ref::<Int32Array>()
                .unwrap()
                .values()
                .to_vec()
        })
        .collect()
    };
    assert_eq!(values(dir.path()), vec![9, 1, 2, 3, 5, 6]);
    assert_eq!(
        values(&dir.path().join("part-*.parquet")),
        vec![1, 2, 3, 5, 6]
    );
    let hint = open_batches(dir.path(), &ReadOptions::default())
        .unwrap()
        .rows_hint();
    assert_eq!(hint, Some(6));
    let e = open_batches(dir.path().join("nope-*.parquet"), &ReadOptions::default()).unwrap_err();
    assert!(e.to_string().contains("matches no file"), "{e}");
    write("part-3.parquet", &[7], DataType::Int64);
    let e = open_batches(dir.path().join("part-*.parquet"), &ReadOptions::default()).unwrap_err();
    assert!(
        e.to_string().contains("part-3.parquet has another schema"),
        "{e}"
    );
    let empty = tempfile::tempdir().unwrap();
    let e = open_batches(empty.path(), &ReadOptions::default()).unwrap_err();
    assert!(e.to_string().contains("no .parquet file"), "{e}");
}
