//! Known selections on the discretized sets of `../shared/datasets/` (raw integer values as
//! categories, plug-in MI in nats, k = 10, ties to the lowest index).
//!
//! Sources: the table in `../shared/datasets/README.md` (agrees with Peng's mrmr code and with
//! FEAST) for mRMR (MID, MIQ), JMI, CMIM (capped and uncapped) and DISR; for the other
//! criteria, the independent from-scratch numpy reimplementation `scripts/golden_select.py`
//! (run: `python3 scripts/golden_select.py /work/shared/datasets`), except CondMI, whose
//! selections have exact ties (I(X80;Y|X22,X163) = I(X263;Y|X22,X163) on lung_small,
//! I(X12;Y|·) = I(X553;Y|·) on colon) that a float reimplementation breaks by rounding noise:
//! its rows come from the exact big-integer greedy reference `scripts/golden_condmi_exact.py`
//! (run: `python3 scripts/golden_condmi_exact.py lung_small`), ties to the lowest index.
//! Skipped, with a message, when the folder is absent.

use arrow::array::AsArray;
use arrow::datatypes::{Int16Type, Int32Type};
use mutinfo_core::{CodeMatrix, Codes};
use mutinfo_select::{select, Criterion, SelectOptions};
use ndarray::Array2;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::PathBuf;

fn dataset_dir() -> PathBuf {
    std::env::var_os("MUTINFO_DATASETS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets")
        })
}

fn load(name: &str) -> Option<(CodeMatrix, Codes)> {
    let path = dataset_dir().join(format!("{name}.parquet"));
    let Ok(file) = std::fs::File::open(&path) else {
        eprintln!("skipping: {} not found", path.display());
        return None;
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<_> = reader.map(|b| b.unwrap()).collect();
    let schema = batches[0].schema();
    let n: usize = batches.iter().map(|b| b.num_rows()).sum();
    let features: Vec<usize> = (0..schema.fields().len())
        .filter(|&i| schema.field(i).name() != "label")
        .collect();
    let label = schema.index_of("label").unwrap();
    let mut x = Array2::<i16>::zeros((n, features.len()));
    let mut y: Vec<i32> = Vec::with_capacity(n);
    let mut row0 = 0;
    for b in &batches {
        for (jj, &j) in features.iter().enumerate() {
            let col = b.column(j).as_primitive::<Int16Type>();
            for r in 0..col.len() {
                x[[row0 + r, jj]] = col.value(r);
            }
        }
        y.extend(b.column(label).as_primitive::<Int32Type>().values().iter());
        row0 += b.num_rows();
    }
    Some((
        CodeMatrix::from_array(x.view()).unwrap(),
        Codes::from_values(&y).unwrap(),
    ))
}

fn parse(s: &str) -> Vec<usize> {
    s.split_whitespace()
        .map(|f| f.trim_start_matches('f').parse().unwrap())
        .collect()
}

fn check(name: &str, table: &[(&str, &str)]) {
    let Some((x, y)) = load(name) else { return };
    for &(crit, expected) in table {
        let c = Criterion::from_name(crit, if crit == "mifs" { 0.5 } else { 0.8 }, 0.5).unwrap();
        let got = select(&x, &y, &SelectOptions::new(c).k(10)).unwrap();
        assert_eq!(got.selected(), parse(expected), "{name} {crit}");
    }
}

#[test]
fn lung_small() {
    check(
        "lung_small",
        &[
            // datasets/README.md
            ("mrmr", "f22 f125 f243 f132 f242 f29 f150 f166 f18 f269"),
            (
                "mrmr-quotient",
                "f22 f139 f274 f104 f234 f33 f145 f105 f261 f41",
            ),
            ("jmi", "f22 f163 f243 f18 f29 f132 f125 f242 f166 f150"),
            ("cmim", "f22 f243 f18 f125 f163 f132 f269 f210 f130 f181"),
            (
                "cmim-uncapped",
                "f22 f163 f243 f18 f125 f132 f269 f210 f130 f181",
            ),
            ("disr", "f22 f243 f18 f29 f163 f132 f10 f242 f125 f269"),
            // scripts/golden_select.py
            ("mim", "f22 f10 f19 f29 f150 f125 f166 f35 f18 f243"),
            ("mifs", "f22 f125 f243 f132 f163 f93 f150 f6 f123 f80"),
            ("icap", "f22 f243 f18 f163 f20 f132 f130 f44 f83 f269"),
            ("cife", "f22 f163 f80 f319 f239 f322 f139 f283 f281 f287"),
            ("condmi", "f22 f163 f80 f20 f0 f1 f2 f3 f4 f5"),
            ("jmim", "f22 f163 f210 f132 f29 f166 f23 f125 f18 f269"),
            ("njmim", "f22 f243 f18 f132 f10 f163 f269 f150 f130 f166"),
            ("beta-gamma", "f22 f243 f18 f82 f104 f68 f99 f73 f319 f135"),
        ],
    );
}

#[test]
fn colon() {
    check(
        "colon",
        &[
            // datasets/README.md
            (
                "mrmr",
                "f764 f1581 f1671 f512 f1670 f1324 f1380 f1971 f1422 f1411",
            ),
            (
                "mrmr-quotient",
                "f764 f1122 f1771 f285 f466 f376 f512 f1324 f1971 f1411",
            ),
            (
                "jmi",
                "f764 f801 f345 f1422 f1472 f266 f1411 f896 f779 f244",
            ),
            (
                "cmim",
                "f764 f1581 f1891 f1380 f512 f896 f1057 f1422 f466 f1971",
            ),
            (
                "disr",
                "f764 f801 f1422 f1207 f266 f244 f1771 f512 f1891 f248",
            ),
            // scripts/golden_select.py
            (
                "mim",
                "f764 f1422 f512 f248 f244 f266 f1581 f896 f1770 f1771",
            ),
            (
                "mifs",
                "f764 f512 f913 f1324 f1411 f1809 f979 f176 f1643 f316",
            ),
            (
                "cmim-uncapped",
                "f764 f801 f779 f1771 f1891 f1380 f896 f1866 f1670 f466",
            ),
            (
                "icap",
                "f764 f1581 f1380 f1916 f1057 f1670 f913 f346 f15 f919",
            ),
            (
                "cife",
                "f764 f801 f345 f909 f1592 f1847 f1812 f272 f1332 f1317",
            ),
            ("condmi", "f764 f801 f909 f12 f0 f1 f2 f3 f4 f5"),
            (
                "jmim",
                "f764 f801 f896 f1411 f266 f1473 f1422 f779 f1670 f1916",
            ),
            (
                "njmim",
                "f764 f801 f1422 f1411 f244 f266 f896 f248 f1916 f142",
            ),
            (
                "beta-gamma",
                "f764 f1581 f1980 f1380 f1300 f1781 f1057 f1374 f1326 f1317",
            ),
        ],
    );
}
