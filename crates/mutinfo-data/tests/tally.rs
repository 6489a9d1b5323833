//! A fit in parts ([`TableTally`]) is the fit of the whole table, for any split of the rows
//! into batches and any grouping of the parts, and the codes `transform_batch` gives batch by
//! batch are the codes of the whole-table fit.

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, Int16Array, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use mutinfo_data::{DataError, DatasetBuilder, Missing, Table, TableTally};
use proptest::prelude::*;

/// One row: a small integer, a fraction, a word, the label.
type Row = (i16, f64, String, i32);

/// A table of `rows` rows: small integers, fractions (NaN where `nan`), text, an integer
/// label; `seed` varies the values.
fn table(rows: usize, seed: u64, nan: bool) -> (Arc<Schema>, Vec<Row>) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("small", DataType::Int16, false),
        Field::new("frac", DataType::Float64, true),
        Field::new("word", DataType::Utf8, false),
        Field::new("label", DataType::Int32, false),
    ]));
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        s >> 33
    };
    let data = (0..rows)
        .map(|i| {
            let a = (next() % 7) as i16 - 3;
            let spread = 1 + (seed % 400);
            let mut f = (next() % spread) as f64 * 0.37 - 5.0;
            if seed % 5 == 0 && i % 3 == 0 {
                f = -0.0;
            }
            if nan && i % 11 == 4 {
                f = f64::NAN;
            }
            let w = ["b", "a", "ab", "B", "z10", "z9"][(next() % 6) as usize].to_string();
            let y = ((a as i64 + (next() % 3) as i64).rem_euclid(4)) as i32;
            (a, f, w, y)
        })
        .collect();
    (schema, data)
}

fn batch(schema: &Arc<Schema>, rows: &[Row]) -> RecordBatch {
    let cols: Vec<ArrayRef> = vec![
        Arc::new(Int16Array::from_iter_values(rows.iter().map(|r| r.0))),
        Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.1))),
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| r.2.as_str()),
        )),
        Arc::new(Int32Array::from_iter_values(rows.iter().map(|r| r.3))),
    ];
    RecordBatch::try_new(schema.clone(), cols).unwrap()
}

/// Tallies each batch on its own (rows numbered or not), then merges the parts from the last
/// to the first.
fn tally_in_parts(
    builder: &DatasetBuilder,
    schema: &Schema,
    batches: &[RecordBatch],
    numbered: bool,
) -> Result<TableTally, DataError> {
    let mut parts = Vec::new();
    let mut offset = 0;
    for b in batches {
        let mut t = builder.tally(schema)?;
        t.add_batch(b, numbered.then_some(offset))?;
        offset += b.num_rows();
        // Parts travel between the nodes of a cluster as JSON.
        let json = serde_json::to_string(&t).unwrap();
        let back: TableTally = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
        parts.push(back);
    }
    let mut all = builder.tally(schema)?;
    for p in parts.into_iter().rev() {
        all.merge(p)?;
    }
    Ok(all)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn parts_fit_as_the_whole_table(
        rows in 1usize..1500,
        seed in any::<u64>(),
        cuts in proptest::collection::vec(1usize..400, 1..6),
        bins in prop_oneof![Just(5usize), Just(10), 2usize..40],
        numbered in any::<bool>(),
        nan in any::<bool>(),
    ) {
        let (schema, data) = table(rows, seed, nan);
        let mut batches = Vec::new();
        let mut start = 0;
        let mut c = 0;
        while start < rows {
            let len = cuts[c % cuts.len()].min(rows - start);
            batches.push(batch(&schema, &data[start..start + len]));
            start += len;
            c += 1;
        }
        let missing = if nan && seed % 2 == 0 { Missing::OwnCategory } else { Missing::Error };
        let builder = DatasetBuilder::new("label")
            .binning(mutinfo_data::Binning::Quantile { bins })
            .missing(missing);
        let whole = builder.fit(&Table { schema: schema.clone(), batches: batches.clone() });
        let parts = tally_in_parts(&builder, &schema, &batches, numbered).and_then(|t| t.fit());
        match (whole, parts) {
            (Ok((enc, codes)), Ok(fitted)) => {
                prop_assert_eq!(&fitted, &enc);
                // Codes batch by batch from the parts' fit equal the whole fit's codes.
                let mut offset = 0;
                let mut cols: Vec<Vec<u32>> = vec![Vec::new(); 3];
                let mut target = Vec::new();
                for b in &batches {
                    let (f, t, _) = fitted.transform_batch(b, offset).unwrap();
                    for (col, c) in cols.iter_mut().zip(&f) {
                        col.extend(c.to_u32_vec());
                    }
                    target.extend(t.to_u32_vec());
                    offset += b.num_rows();
                }
                let want: Vec<Vec<u32>> =
                    codes.features.columns().iter().map(|c| c.to_u32_vec()).collect();
                prop_assert_eq!(cols, want);
                prop_assert_eq!(target, codes.target.to_u32_vec());
            }
            (Err(a), Err(b)) => {
                // The same failure; with numbered rows, the same message.
                prop_assert!(matches!(
                    (&a, &b),
                    (DataError::MissingValue { .. }, DataError::MissingValue { .. })
                        | (DataError::MissingValue { .. }, DataError::MissingValues { .. })
                ), "{a} / {b}");
                if numbered {
                    prop_assert_eq!(a.to_string(), b.to_string());
                }
            }
            (a, b) => prop_assert!(false, "whole {:?}, parts {:?}", a.map(|_| ()), b.map(|_| ())),
        }
    }
}

#[test]
fn unsupported_settings_and_mixed_parts_are_refused() {
    let (schema, data) = table(10, 1, false);
    let b = batch(&schema, &data);
    let uniform = DatasetBuilder::new("label").binning(mutinfo_data::Binning::Uniform { bins: 4 });
    assert!(uniform
        .tally(&schema)
        .unwrap_err()
        .to_string()
        .contains("quantile"));
    let drop = DatasetBuilder::new("label").missing(Missing::DropRow);
    assert!(drop.tally(&schema).is_err());
    let a = DatasetBuilder::new("label");
    let other = DatasetBuilder::new("small");
    let mut t = a.tally(&schema).unwrap();
    t.add_batch(&b, None).unwrap();
    let mut u = other.tally(&schema).unwrap();
    u.add_batch(&b, None).unwrap();
    assert!(t.merge(u).is_err());
    // No rows: the fit names the column.
    let empty = a.tally(&schema).unwrap();
    assert!(empty.fit().unwrap_err().to_string().contains("label"));
}

#[test]
fn infinities_survive_a_json_round_trip() {
    let (schema, mut data) = table(40, 3, false);
    data[17].1 = f64::NEG_INFINITY;
    let builder = DatasetBuilder::new("label");
    for numbered in [Some(0), None] {
        let mut t = builder.tally(&schema).unwrap();
        let _ = t.add_batch(&batch(&schema, &data), numbered);
        let back: TableTally = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        assert_eq!(back, t);
        assert_eq!(
            back.fit().map(|_| ()).unwrap_err().to_string(),
            t.fit().map(|_| ()).unwrap_err().to_string()
        );
    }
}
