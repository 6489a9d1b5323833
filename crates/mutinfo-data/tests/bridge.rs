//! The linfa bridge: records, targets and feature names from a record batch.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, DictionaryArray, Float32Array, Float64Array, Int32Array, Int64Array,
    RecordBatch, StringArray, UInt8Array,
};
use arrow::datatypes::Int8Type;
use linfa::prelude::Records;
use mutinfo_data::{linfa_classification, linfa_regression, DataError, LinfaBuilder};

fn batch(cols: Vec<(&str, ArrayRef)>) -> RecordBatch {
    RecordBatch::try_from_iter(cols).unwrap()
}

#[test]
fn classification_keeps_values_order_and_names() {
    let b = batch(vec![
        (
            "a",
            Arc::new(Int32Array::from(vec![1, 2, 3, 4])) as ArrayRef,
        ),
        (
            "label",
            Arc::new(StringArray::from(vec!["z", "b", "z", "m"])) as _,
        ),
        (
            "b",
            Arc::new(Float32Array::from(vec![0.5, 1.5, 2.5, 3.5])) as _,
        ),
        ("c", Arc::new(UInt8Array::from(vec![7, 8, 9, 10])) as _),
        (
            "d",
            Arc::new(BooleanArray::from(vec![true, false, true, false])) as _,
        ),
    ]);
    let (ds, classes) = linfa_classification(&b, "label").unwrap();
    assert_eq!(ds.nsamples(), 4);
    assert_eq!(ds.nfeatures(), 4);
    assert_eq!(ds.feature_names(), vec!["a", "b", "c", "d"]);
    assert_eq!(classes, vec!["b", "m", "z"]);
    assert_eq!(ds.targets.to_vec(), vec![2, 0, 2, 1]);
    assert_eq!(ds.records.row(1).to_vec(), vec![2.0, 1.5, 8.0, 0.0]);
    assert_eq!(ds.records.column(3).to_vec(), vec![1.0, 0.0, 1.0, 0.0]);
}

#[test]
fn integer_classes_sort_numerically_and_dictionary_targets_work() {
    let b = batch(vec![
        (
            "x",
            Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0])) as ArrayRef,
        ),
        ("y", Arc::new(Int64Array::from(vec![10, 2, -1])) as _),
    ]);
    let (ds, classes) = linfa_classification(&b, "y").unwrap();
    assert_eq!(classes, vec!["-1", "2", "10"]);
    assert_eq!(ds.targets.to_vec(), vec![2, 1, 0]);

    let dict: DictionaryArray<Int8Type> = vec!["cat", "dog", "cat"].into_iter().collect();
    let b = batch(vec![
        (
            "x",
            Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0])) as ArrayRef,
        ),
        ("pet", Arc::new(dict) as _),
    ]);
    let (ds, classes) = linfa_classification(&b, "pet").unwrap();
    assert_eq!(classes, vec!["cat", "dog"]);
    assert_eq!(ds.targets.to_vec(), vec![0, 1, 0]);
}

#[test]
fn regression_and_chosen_features() {
    let b = batch(vec![
        ("a", Arc::new(Int32Array::from(vec![1, 2, 3])) as ArrayRef),
        ("b", Arc::new(Float64Array::from(vec![0.1, 0.2, 0.3])) as _),
        ("s", Arc::new(StringArray::from(vec!["p", "q", "r"])) as _),
        (
            "y",
            Arc::new(Float64Array::from(vec![1.25, -3.0, 0.0])) as _,
        ),
    ]);
    let ds = LinfaBuilder::new("y")
        .features(["b", "a"])
        .regression(&b)
        .unwrap();
    assert_eq!(ds.feature_names(), vec!["b", "a"]);
    assert_eq!(ds.records.row(2).to_vec(), vec![0.3, 3.0]);
    assert_eq!(ds.targets.to_vec(), vec![1.25, -3.0, 0.0]);
    // The string column is a feature by default: a typed error naming it.
    let e = linfa_regression(&b, "y").unwrap_err();
    assert!(matches!(e, DataError::UnsupportedType { ref column, .. } if column == "s"));
    assert!(e.to_string().contains("column s"), "{e}");
}

#[test]
fn typed_errors_name_column_and_row() {
    let b = batch(vec![
        (
            "a",
            Arc::new(Float64Array::from(vec![Some(1.0), None, Some(3.0)])) as ArrayRef,
        ),
        (
            "n",
            Arc::new(Float64Array::from(vec![1.0, 2.0, f64::NAN])) as _,
        ),
        (
            "i",
            Arc::new(Float64Array::from(vec![1.0, f64::NEG_INFINITY, 0.0])) as _,
        ),
        (
            "y",
            Arc::new(StringArray::from(vec![Some("u"), Some("v"), None])) as _,
        ),
        ("f", Arc::new(Float64Array::from(vec![0.5, 0.5, 1.5])) as _),
    ]);
    let e = linfa_classification(&b, "nope").unwrap_err();
    assert!(matches!(e, DataError::UnknownColumn { ref column, .. } if column == "nope"));
    assert!(e.to_string().contains("a, n, i, y, f"), "{e}");

    let e = LinfaBuilder::new("f")
        .features(["a"])
        .regression(&b)
        .unwrap_err();
    assert!(
        matches!(e, DataError::MissingValue { ref column, row: 1 } if column == "a"),
        "{e}"
    );
    let e = LinfaBuilder::new("f")
        .features(["n"])
        .regression(&b)
        .unwrap_err();
    assert!(
        matches!(e, DataError::MissingValue { ref column, row: 2 } if column == "n"),
        "{e}"
    );
    let e = LinfaBuilder::new("f")
        .features(["i"])
        .regression(&b)
        .unwrap_err();
    assert!(
        matches!(e, DataError::NonFinite { ref column, row: 1, .. } if column == "i"),
        "{e}"
    );
    assert!(e.to_string().contains("-inf"), "{e}");
    // A null target.
    let e = LinfaBuilder::new("y")
        .features(["f"])
        .classification(&b)
        .unwrap_err();
    assert!(
        matches!(e, DataError::MissingValue { ref column, row: 2 } if column == "y"),
        "{e}"
    );
    // A float target is not a class label; a string target is not a number.
    let e = LinfaBuilder::new("f").features(["y"]).classification(&b);
    assert!(e.is_err());
    let e = LinfaBuilder::new("y")
        .features(["f"])
        .regression(&b)
        .unwrap_err();
    assert!(
        matches!(e, DataError::UnsupportedType { ref column, .. } if column == "y"),
        "{e}"
    );
    // The target among the features, a repeated feature, no features.
    let e = LinfaBuilder::new("f")
        .features(["f"])
        .regression(&b)
        .unwrap_err();
    assert!(matches!(e, DataError::DuplicateColumn { .. }), "{e}");
    let e = LinfaBuilder::new("f")
        .features(["a", "a"])
        .regression(&b)
        .unwrap_err();
    assert!(matches!(e, DataError::DuplicateColumn { .. }), "{e}");
    let e = LinfaBuilder::new("f")
        .features(Vec::<String>::new())
        .regression(&b)
        .unwrap_err();
    assert!(matches!(e, DataError::InvalidParameter { .. }), "{e}");
}

#[test]
fn a_file_becomes_a_linfa_dataset() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("t.csv");
    std::fs::write(&p, "x1,x2,y\n1,0.5,a\n2,1.5,b\n3,2.5,a\n").unwrap();
    let t = mutinfo_data::read_table(&p, &Default::default()).unwrap();
    let (ds, classes) = linfa_classification(&t.concat().unwrap(), "y").unwrap();
    assert_eq!(ds.feature_names(), vec!["x1", "x2"]);
    assert_eq!(classes, vec!["a", "b"]);
    assert_eq!(ds.records.column(1).to_vec(), vec![0.5, 1.5, 2.5]);
}
