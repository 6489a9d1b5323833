//! Real data from ../shared/datasets (skipped with a message when absent).

use mutinfo_core::{mutual_information_many, Codes, ContingencyTable, Estimator};
use mutinfo_data::{open_batches, read_table, Binning, DatasetBuilder, ReadOptions};

fn dataset(name: &str) -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/datasets")
        .join(name);
    if p.exists() {
        Some(p)
    } else {
        println!("skipping: {} not present", p.display());
        None
    }
}

#[test]
fn lung_small_most_relevant_feature_is_f22() {
    // datasets/README.md: the first greedy pick (max plug-in MI on raw values) is f22.
    let Some(p) = dataset("lung_small.parquet") else {
        return;
    };
    let t = read_table(&p, &ReadOptions::default()).unwrap();
    assert_eq!(t.num_rows(), 73);
    let (_, out) = DatasetBuilder::new("label")
        .binning(Binning::None)
        .integers_as_categories(Some(true))
        .fit(&t)
        .unwrap();
    assert_eq!(out.names.len(), 325);
    let cols: Vec<&Codes> = out.features.columns().iter().collect();
    let mi = mutual_information_many(&cols, &out.target, Estimator::PlugIn).unwrap();
    let best = (0..mi.len()).fold(0, |b, j| if mi[j] > mi[b] { j } else { b });
    assert_eq!(out.names[best], "f22");
}

#[test]
fn madelon_streaming_count_equals_in_memory() {
    let Some(p) = dataset("madelon.parquet") else {
        return;
    };
    let cols: Vec<String> = ["label", "f0", "f28", "f48", "f64", "f105"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let opts = ReadOptions::default().with_columns(cols.clone());
    let t = read_table(&p, &opts).unwrap();
    assert_eq!(t.num_rows(), 2600);
    let (enc, out) = DatasetBuilder::new("label")
        .binning(Binning::Quantile { bins: 5 })
        .fit(&t)
        .unwrap();
    let small = ReadOptions {
        batch_size: 100,
        ..opts
    };
    let tables = enc.count(open_batches(&p, &small).unwrap()).unwrap();
    for (j, tab) in tables.iter().enumerate() {
        let direct = ContingencyTable::from_codes(out.features.column(j), &out.target).unwrap();
        assert_eq!(tab.counts(), direct.counts());
        assert_eq!(tab.total(), 2600);
    }
}
