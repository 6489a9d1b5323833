//! Column kinds, missing-value policies, saved encodings and one-pass counting.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, DictionaryArray, Float32Array, Float64Array, Int32Array, Int8Array,
    LargeStringArray, RecordBatch, StringArray, UInt16Array,
};
use arrow::datatypes::Int32Type;
use arrow_schema::{DataType, Field, Schema};
use mutinfo_core::{ContingencyTable, Estimator};
use mutinfo_data::{
    numeric_matrix, Binning, DataError, DatasetBuilder, Encoding, Missing, Table, Unseen,
};

fn table(cols: Vec<(&str, ArrayRef)>, split: usize) -> Table {
    let schema = Arc::new(Schema::new(
        cols.iter()
            .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
            .collect::<Vec<_>>(),
    ));
    let full =
        RecordBatch::try_new(schema.clone(), cols.into_iter().map(|c| c.1).collect()).unwrap();
    let n = full.num_rows();
    let batches = if split > 0 && split < n {
        vec![full.slice(0, split), full.slice(split, n - split)]
    } else {
        vec![full]
    };
    Table { schema, batches }
}

fn basic() -> Table {
    table(
        vec![
            (
                "y",
                Arc::new(StringArray::from(vec!["a", "b", "a", "b", "a", "b"])) as ArrayRef,
            ),
            (
                "f",
                Arc::new(Float64Array::from(vec![0.0, 10.0, 1.0, 11.0, 2.0, 12.0])),
            ),
            ("i", Arc::new(Int32Array::from(vec![5, 7, 5, 7, 5, 9]))),
            (
                "s",
                Arc::new(LargeStringArray::from(vec!["p", "q", "p", "q", "r", "q"])),
            ),
            (
                "b",
                Arc::new(BooleanArray::from(vec![
                    true, false, true, false, true, true,
                ])),
            ),
            ("u", Arc::new(UInt16Array::from(vec![1, 2, 3, 4, 5, 6]))),
            (
                "g",
                Arc::new(Float32Array::from(vec![0.5, 0.5, 1.5, 1.5, 2.5, 2.5])),
            ),
            ("i8", Arc::new(Int8Array::from(vec![-1, 1, -1, 1, -1, 1]))),
        ],
        4,
    )
}

#[test]
fn kinds_codes_and_names() {
    let t = basic();
    let (enc, out) = DatasetBuilder::new("y")
        .binning(Binning::Uniform { bins: 2 })
        .fit(&t)
        .unwrap();
    assert_eq!(out.names, ["f", "i", "s", "b", "u", "g", "i8"]);
    assert_eq!(out.target.to_u32_vec(), [0, 1, 0, 1, 0, 1]);
    let col = |j: usize| out.features.column(j).to_u32_vec();
    assert_eq!(col(0), [0, 1, 0, 1, 0, 1]); // uniform 2 bins over [0, 12]
    assert_eq!(col(1), [0, 1, 0, 1, 0, 1]); // integers are numbers: uniform edges 5, 7, 9
    assert_eq!(col(2), [0, 1, 0, 1, 2, 1]); // LargeUtf8 levels p,q,r
    assert_eq!(col(3), [1, 0, 1, 0, 1, 1]); // Boolean levels "false","true"
    assert_eq!(col(5), [0, 0, 1, 1, 1, 1]); // Float32 uniform
    assert_eq!(col(6), [0, 1, 0, 1, 0, 1]); // levels "-1","1"
                                            // Integers forced numeric: u binned uniformly into 2.
    let (_, out) = DatasetBuilder::new("y")
        .features(["u"])
        .binning(Binning::Uniform { bins: 2 })
        .integers_as_categories(Some(false))
        .fit(&t)
        .unwrap();
    assert_eq!(out.features.column(0).to_u32_vec(), [0, 0, 0, 1, 1, 1]);
    // Declared categorical: raw values are the levels (as text); the others stay numbers,
    // and the default quantile binning keeps i's three values apart.
    let (e, out) = DatasetBuilder::new("y")
        .features(["u", "i", "f"])
        .categorical(["i", "f"])
        .fit(&t)
        .unwrap();
    assert!(matches!(
        e.features[0],
        mutinfo_data::ColumnEncoding::Numeric { .. }
    ));
    match &e.features[1] {
        mutinfo_data::ColumnEncoding::Categorical { levels, .. } => {
            assert_eq!(levels, &["5", "7", "9"])
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        e.features[2],
        mutinfo_data::ColumnEncoding::Categorical { .. }
    ));
    assert_eq!(out.features.column(1).to_u32_vec(), [0, 1, 0, 1, 0, 2]);
    let (_, binned) = DatasetBuilder::new("y").features(["i"]).fit(&t).unwrap();
    assert_eq!(binned.features.column(0).to_u32_vec(), [0, 1, 0, 1, 0, 2]);
    // The encoding knows MI: f determines y.
    let tab = ContingencyTable::from_codes(out.features.column(0), &out.target).unwrap();
    assert!(tab.mutual_information(Estimator::PlugIn) >= 0.0);
    let _ = enc;
}

#[test]
fn saved_encoding_reapplies_identically_and_counts_in_one_pass() {
    let t = basic();
    let (enc, out) = DatasetBuilder::new("y")
        .binning(Binning::Quantile { bins: 3 })
        .fit(&t)
        .unwrap();
    let json = serde_json::to_string_pretty(&enc).unwrap();
    let back: Encoding = serde_json::from_str(&json).unwrap();
    assert_eq!(back, enc);
    // Versioned and validated on load (issue 16).
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["format"], "mutinfo-encoding");
    assert_eq!(v["format_version"], 1);
    v["format_version"] = 2.into();
    let err = serde_json::from_value::<Encoding>(v.clone()).unwrap_err();
    assert!(err.to_string().contains("format_version"), "{err}");
    v["format_version"] = 1.into();
    v["features"][0] = v["target"].clone();
    let err = serde_json::from_value::<Encoding>(v).unwrap_err();
    assert!(err.to_string().contains("twice"), "{err}");
    let again = back.transform(&t).unwrap();
    for j in 0..out.features.n_cols() {
        assert_eq!(
            again.features.column(j).to_u32_vec(),
            out.features.column(j).to_u32_vec()
        );
    }
    assert_eq!(again.target.to_u32_vec(), out.target.to_u32_vec());
    // One pass over the batches gives the same tables as the in-memory codes.
    let tables = back.count(t.batches.iter().cloned().map(Ok)).unwrap();
    for (j, tab) in tables.iter().enumerate() {
        let direct = ContingencyTable::from_codes(out.features.column(j), &out.target).unwrap();
        assert_eq!(tab.counts(), direct.counts(), "feature {j}");
    }
}

#[test]
fn dictionaries_differing_across_batches_share_one_code_table() {
    let d1: DictionaryArray<Int32Type> = vec!["red", "blue", "red"].into_iter().collect();
    let d2: DictionaryArray<Int32Type> = vec!["green", "red", "blue"].into_iter().collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new(
            "c",
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            true,
        ),
        Field::new("y", DataType::Int32, true),
    ]));
    let b1 = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(d1), Arc::new(Int32Array::from(vec![0, 1, 0]))],
    )
    .unwrap();
    let b2 = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(d2), Arc::new(Int32Array::from(vec![1, 0, 1]))],
    )
    .unwrap();
    let t = Table {
        schema,
        batches: vec![b1, b2],
    };
    let (enc, out) = DatasetBuilder::new("y").fit(&t).unwrap();
    // levels blue, green, red
    assert_eq!(out.features.column(0).to_u32_vec(), [2, 0, 2, 1, 2, 0]);
    assert_eq!(
        enc.transform(&t).unwrap().features.column(0).to_u32_vec(),
        [2, 0, 2, 1, 2, 0]
    );
}

fn with_missing() -> Table {
    table(
        vec![
            (
                "y",
                Arc::new(Int32Array::from(vec![Some(0), Some(1), Some(0), Some(1)])) as ArrayRef,
            ),
            (
                "f",
                Arc::new(Float64Array::from(vec![
                    Some(1.0),
                    None,
                    Some(f64::NAN),
                    Some(4.0),
                ])),
            ),
            (
                "s",
                Arc::new(StringArray::from(vec![
                    Some("a"),
                    Some("b"),
                    None,
                    Some("a"),
                ])),
            ),
        ],
        2,
    )
}

#[test]
fn missing_policies() {
    let t = with_missing();
    match DatasetBuilder::new("y").fit(&t) {
        Err(DataError::MissingValue { column, row }) => {
            assert_eq!((column.as_str(), row), ("f", 1))
        }
        other => panic!("expected MissingValue, got {other:?}"),
    }
    let (_, out) = DatasetBuilder::new("y")
        .missing(Missing::DropRow)
        .binning(Binning::None)
        .fit(&t)
        .unwrap();
    assert_eq!(out.dropped_rows, [1, 2]);
    assert_eq!(out.target.to_u32_vec(), [0, 1]);
    assert_eq!(out.features.column(0).to_u32_vec(), [0, 1]);
    let (enc, out) = DatasetBuilder::new("y")
        .missing(Missing::OwnCategory)
        .binning(Binning::None)
        .fit(&t)
        .unwrap();
    // f: levels 1, 4 + missing code 2 (null and NaN alike); s: a, b + missing 2.
    assert_eq!(out.features.column(0).to_u32_vec(), [0, 2, 2, 1]);
    assert_eq!(out.features.column(1).to_u32_vec(), [0, 1, 2, 0]);
    assert_eq!(out.features.column(0).cardinality(), 3);
    let re = enc.transform(&t).unwrap();
    assert_eq!(re.features.column(0).to_u32_vec(), [0, 2, 2, 1]);
}

#[test]
fn infinity_all_missing_unknown_and_unsupported() {
    let t = table(
        vec![
            ("y", Arc::new(Int32Array::from(vec![0, 1, 0])) as ArrayRef),
            (
                "f",
                Arc::new(Float64Array::from(vec![1.0, f64::NEG_INFINITY, 2.0])),
            ),
            ("n", Arc::new(Float64Array::from(vec![None, None, None]))),
            (
                "d",
                Arc::new(arrow::array::Date32Array::from(vec![1, 2, 3])),
            ),
        ],
        0,
    );
    for policy in [Missing::Error, Missing::OwnCategory, Missing::DropRow] {
        match DatasetBuilder::new("y")
            .features(["f"])
            .missing(policy)
            .fit(&t)
        {
            Err(DataError::NonFinite { column, row, value }) => {
                assert_eq!((column.as_str(), row, value), ("f", 1, f64::NEG_INFINITY));
            }
            other => panic!("expected NonFinite, got {other:?}"),
        }
    }
    assert!(matches!(
        DatasetBuilder::new("y")
            .features(["n"])
            .missing(Missing::OwnCategory)
            .fit(&t),
        Err(DataError::AllMissing { .. })
    ));
    assert!(matches!(
        DatasetBuilder::new("y").features(["nope"]).fit(&t),
        Err(DataError::UnknownColumn { .. })
    ));
    assert!(matches!(
        DatasetBuilder::new("nope").features(["f"]).fit(&t),
        Err(DataError::UnknownColumn { .. })
    ));
    match DatasetBuilder::new("y").features(["d"]).fit(&t) {
        Err(DataError::UnsupportedType { column, .. }) => assert_eq!(column, "d"),
        other => panic!("expected UnsupportedType, got {other:?}"),
    }
    assert!(matches!(
        DatasetBuilder::new("y").features(["f", "f"]).fit(&t),
        Err(DataError::DuplicateColumn { .. })
    ));
    assert!(matches!(
        Missing::parse("maybe"),
        Err(DataError::InvalidParameter { .. })
    ));
    assert_eq!(Missing::parse("drop-row").unwrap(), Missing::DropRow);
}

#[test]
fn too_many_categories_and_unseen() {
    let t = basic();
    match DatasetBuilder::new("y")
        .features(["s"])
        .max_categories(2)
        .fit(&t)
    {
        Err(DataError::TooManyCategories { column, found, max }) => {
            assert_eq!((column.as_str(), found, max), ("s", 3, 2));
        }
        other => panic!("expected TooManyCategories, got {other:?}"),
    }
    let (enc, _) = DatasetBuilder::new("y").features(["s"]).fit(&t).unwrap();
    let other = table(
        vec![
            ("y", Arc::new(StringArray::from(vec!["a", "b"])) as ArrayRef),
            ("s", Arc::new(StringArray::from(vec!["p", "zzz"]))),
        ],
        0,
    );
    match enc.transform(&other) {
        Err(DataError::UnseenValue { column, row, value }) => {
            assert_eq!((column.as_str(), row, value.as_str()), ("s", 1, "zzz"));
        }
        other => panic!("expected UnseenValue, got {other:?}"),
    }
    let (enc, _) = DatasetBuilder::new("y")
        .features(["s"])
        .unseen(Unseen::Other)
        .fit(&t)
        .unwrap();
    assert_eq!(
        enc.transform(&other)
            .unwrap()
            .features
            .column(0)
            .to_u32_vec(),
        [0, 3]
    );
}

#[test]
fn mdlp_through_the_builder_and_numeric_matrix() {
    let t = basic();
    let (_, out) = DatasetBuilder::new("y")
        .features(["f"])
        .binning(Binning::Mdlp)
        .fit(&t)
        .unwrap();
    assert_eq!(out.features.column(0).to_u32_vec(), [0, 1, 0, 1, 0, 1]);
    let m = numeric_matrix(&t, &["f".to_string(), "u".to_string()]).unwrap();
    assert_eq!(m.shape(), [6, 2]);
    assert_eq!(m[[3, 0]], 11.0);
    assert_eq!(m[[5, 1]], 6.0);
    assert!(matches!(
        numeric_matrix(&t, &["s".to_string()]),
        Err(DataError::UnsupportedType { .. })
    ));
    match numeric_matrix(&with_missing(), &["f".to_string()]) {
        Err(DataError::MissingValue { column, row }) => {
            assert_eq!((column.as_str(), row), ("f", 1))
        }
        other => panic!("expected MissingValue, got {other:?}"),
    }
}

#[test]
fn fit_columns_encodes_without_a_target() {
    let b = RecordBatch::try_from_iter([
        (
            "x",
            Arc::new(Float64Array::from(vec![0.0, 1.0, 2.0, 3.0])) as ArrayRef,
        ),
        (
            "s",
            Arc::new(StringArray::from(vec![
                Some("b"),
                None,
                Some("a"),
                Some("b"),
            ])) as _,
        ),
        (
            "n",
            Arc::new(Float64Array::from(vec![None, None, None, None])) as _,
        ),
    ])
    .unwrap();
    let table = mutinfo_data::Table {
        schema: b.schema(),
        batches: vec![b],
    };
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let builder = DatasetBuilder::new("")
        .binning(mutinfo_data::Binning::Uniform { bins: 2 })
        .missing(Missing::OwnCategory);
    let enc = builder.fit_columns(&table, &names(&["s", "x"])).unwrap();
    assert_eq!(enc.codes[0].to_u32_vec(), vec![1, 2, 0, 1]);
    assert_eq!(enc.codes[1].to_u32_vec(), vec![0, 0, 1, 1]);
    assert_eq!(enc.encodings[0].name(), "s");
    let dropped = builder
        .clone()
        .missing(Missing::DropRow)
        .fit_columns(&table, &names(&["x", "s"]))
        .unwrap();
    assert_eq!(dropped.dropped_rows, vec![1]);
    assert_eq!(dropped.codes[0].len(), 3);
    for (cols, want) in [
        (names(&["n"]), "every value is missing"),
        (names(&["x", "x"]), "duplicate"),
        (names(&["q"]), "no column named \"q\""),
        (names(&[]), "no columns"),
    ] {
        let e = builder.fit_columns(&table, &cols).unwrap_err();
        assert!(e.to_string().contains(want), "{cols:?}: {e}");
    }
    let e = builder
        .clone()
        .binning(mutinfo_data::Binning::Mdlp)
        .fit_columns(&table, &names(&["x"]))
        .unwrap_err();
    assert!(matches!(e, DataError::TargetRequired { .. }), "{e}");
}

/// A table of `rows` with an integer, a float (with NaN) and a text column and an integer
/// target, cut into batches at `cuts`.
fn mixed(ints: &[i32], floats: &[f64], cuts: &[usize]) -> Table {
    let n = ints.len();
    let text: Vec<Option<String>> = ints
        .iter()
        .map(|&i| (i % 4 != 3).then(|| format!("t{}", i % 5)))
        .collect();
    let y: Vec<i32> = ints.iter().map(|&i| i % 3).collect();
    let full = table(
        vec![
            ("y", Arc::new(Int32Array::from(y)) as ArrayRef),
            ("i", Arc::new(Int32Array::from(ints.to_vec()))),
            ("c", Arc::new(Int32Array::from(ints.to_vec()))),
            ("f", Arc::new(Float64Array::from(floats.to_vec()))),
            ("s", Arc::new(StringArray::from(text))),
        ],
        0,
    );
    let batch = &full.batches[0];
    let mut bounds: Vec<usize> = cuts.iter().map(|&c| c % (n + 1)).collect();
    bounds.extend([0, n]);
    bounds.sort_unstable();
    bounds.dedup();
    let batches = bounds
        .windows(2)
        .map(|w| batch.slice(w[0], w[1] - w[0]))
        .collect();
    Table {
        schema: full.schema,
        batches,
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// The streamed, parallel fit gives the same encoding and codes whatever the batches and
    /// the number of threads, and its codes match a direct computation.
    #[test]
    fn streamed_fit_is_independent_of_batches_and_threads_and_matches_brute_force(
        rows in proptest::collection::vec((-20i32..40, 0u8..12), 1..120),
        cuts in proptest::collection::vec(0usize..200, 0..5),
    ) {
        // One row with a text value and a finite float, so no column is all missing (that is
        // an error of its own, tested elsewhere).
        let mut rows = rows;
        rows.insert(0, (0, 1));
        let ints: Vec<i32> = rows.iter().map(|r| r.0).collect();
        let floats: Vec<f64> = rows
            .iter()
            .map(|r| if r.1 == 0 { f64::NAN } else { f64::from(r.1) * 0.25 })
            .collect();
        let builder = DatasetBuilder::new("y")
            .categorical(["c"])
            .missing(Missing::OwnCategory);
        let one = mixed(&ints, &floats, &[]);
        let many = mixed(&ints, &floats, &cuts);
        let (e1, c1) = builder.fit(&one).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let (e2, c2) = pool.install(|| builder.fit(&many)).unwrap();
        proptest::prop_assert_eq!(&e1, &e2);
        for j in 0..c1.features.n_cols() {
            proptest::prop_assert_eq!(c1.features.column(j), c2.features.column(j));
        }
        proptest::prop_assert_eq!(&c1.target, &c2.target);
        // Brute force: "c" codes are ranks among the distinct values sorted as text.
        let mut levels: Vec<String> = ints.iter().map(|i| i.to_string()).collect();
        levels.sort();
        levels.dedup();
        let want: Vec<u32> = ints
            .iter()
            .map(|i| levels.binary_search(&i.to_string()).unwrap() as u32)
            .collect();
        proptest::prop_assert_eq!(c1.features.column(1).to_u32_vec(), want);
        // "i" and "f" follow FittedBins fitted on the present values; NaN is the last code.
        let present: Vec<f64> = floats.iter().copied().filter(|x| !x.is_nan()).collect();
        if !present.is_empty() {
            let bins = mutinfo_data::FittedBins::fit(&present, &Binning::Quantile { bins: 10 }, None)
                .unwrap();
            let card = c1.features.column(2).cardinality();
            let want: Vec<u32> = floats
                .iter()
                .map(|&x| if x.is_nan() { card - 1 } else { bins.code_of(x).unwrap() })
                .collect();
            proptest::prop_assert_eq!(c1.features.column(2).to_u32_vec(), want);
        }
        let iv: Vec<f64> = ints.iter().map(|&i| f64::from(i)).collect();
        let bins = mutinfo_data::FittedBins::fit(&iv, &Binning::Quantile { bins: 10 }, None).unwrap();
        proptest::prop_assert_eq!(c1.features.column(0).to_u32_vec(), bins.transform(&iv).unwrap().to_u32_vec());
    }
}
