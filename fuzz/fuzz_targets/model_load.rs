//! Model loading: saved selectors (and trees) from arbitrary bytes. Loading must either fail
//! with an error or give a model that transforms and predicts without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mutinfo_select::InfoSelector;
use std::sync::Arc;

use arrow::array::{Float64Array, RecordBatch};

/// A small batch (three rows) holding the columns `names` (none for an empty selection).
fn batch(names: &[String]) -> RecordBatch {
    if names.is_empty() {
        let schema = Arc::new(arrow::datatypes::Schema::empty());
        let opts = arrow::array::RecordBatchOptions::new().with_row_count(Some(3));
        return RecordBatch::try_new_with_options(schema, vec![], &opts).expect("empty batch");
    }
    let cols = names
        .iter()
        .map(|n| {
            let a = Arc::new(Float64Array::from(vec![0.0, 1.5, -2.0])) as _;
            (n.clone(), a)
        })
        .collect::<Vec<(String, arrow::array::ArrayRef)>>();
    RecordBatch::try_from_iter(cols).expect("batch")
}

fuzz_target!(|data: &[u8]| {
    let Some((&knob, body)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(body) else {
        return;
    };
    match knob % 2 {
        0 => {
            let Ok(s) = InfoSelector::from_json(text) else {
                return;
            };
            // A loaded selector round-trips, transforms arrays of its width and batches
            // holding its columns.
            let again = InfoSelector::from_json(&s.to_json().expect("to_json")).expect("reload");
            assert_eq!(again, s);
            if s.n_features() <= 4096 {
                let x = ndarray::Array2::<f64>::zeros((2, s.n_features()));
                let kept = s.try_transform(&x).expect("width");
                s.inverse_transform(&kept).expect("inverse");
            }
            let names = s.selected_names();
            if names.len() <= 256 {
                s.transform_batch(&batch(&names)).expect("columns present");
            }
        }
        _ => tree(text),
    }
});

/// A decision tree that loads must predict on rows of its width and export as text and DOT.
fn tree(text: &str) {
    let Ok(t) = mutinfo_tree::DecisionTree::<String>::from_json(text) else {
        return;
    };
    let d = t.feature_names().len();
    if d <= 4096 {
        let x = ndarray::Array2::<f64>::zeros((2, d));
        t.predict_proba(x.view()).expect("rows of the tree's width");
    }
    let _ = (t.export_text(), t.export_dot());
}
