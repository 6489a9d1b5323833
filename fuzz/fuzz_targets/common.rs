//! Shared by the fuzz targets: write the input to a file, read it the way the CLI does, and
//! push whatever comes back through the encoders. Any error is fine; a panic is a bug.

use mutinfo_data::{
    linfa_classification, read_table, Binning, DatasetBuilder, Missing, ReadOptions,
};
use std::io::Write;
use std::path::PathBuf;

/// A per-process scratch file with this extension.
pub fn scratch(ext: &str, bytes: &[u8]) -> PathBuf {
    let p = std::env::temp_dir().join(format!("mutinfo-fuzz-{}.{ext}", std::process::id()));
    let mut f = std::fs::File::create(&p).expect("scratch file");
    f.write_all(bytes).expect("scratch write");
    p
}

/// Reads `path` with `opts` and, when that works, encodes it several ways.
pub fn ingest(path: &std::path::Path, opts: &ReadOptions, knob: u8) {
    // Streaming and whole-file reads must agree on success.
    let streamed = mutinfo_data::open_batches(path, opts)
        .and_then(|b| b.collect::<mutinfo_data::Result<Vec<_>>>());
    let Ok(table) = read_table(path, opts) else {
        return;
    };
    assert!(
        streamed.is_ok(),
        "read_table succeeded where streaming failed"
    );
    let names = table.column_names();
    let Some(target) = names.last() else { return };
    let missing = match knob % 3 {
        0 => Missing::Error,
        1 => Missing::OwnCategory,
        _ => Missing::DropRow,
    };
    let binning = match (knob / 3) % 5 {
        0 => Binning::Quantile { bins: 3 },
        1 => Binning::Uniform { bins: 4 },
        2 => Binning::None,
        3 => Binning::FreedmanDiaconis,
        _ => Binning::Mdlp,
    };
    let builder = DatasetBuilder::new(target.clone())
        .missing(missing)
        .binning(binning)
        .max_categories(1000);
    let fitted = builder.fit(&table);
    // The CLI's path (straight from the file, in column groups where the file is large) gives
    // the same encoding and codes.
    if let Ok(batches) = mutinfo_data::open_batches(path, opts) {
        let direct = builder.fit_batches(batches, &mutinfo_data::NoProgress);
        assert_eq!(direct.is_ok(), fitted.is_ok(), "fit_batches and fit disagree");
        if let (Ok((a, ca)), Ok((b, cb))) = (&direct, &fitted) {
            assert_eq!(a, b, "fit_batches and fit give different encodings");
            assert_eq!(ca.target.to_u32_vec(), cb.target.to_u32_vec());
            for (x, y) in ca.features.columns().iter().zip(cb.features.columns()) {
                assert_eq!(x.to_u32_vec(), y.to_u32_vec());
            }
        }
    }
    if let Ok((encoding, _)) = fitted {
        // A fitted encoding re-applies to the data it was fitted on.
        let _ = encoding.transform(&table);
        let _ = encoding.count(table.batches.iter().cloned().map(Ok));
    }
    let _ = builder.fit_columns(&table, &names);
    let _ = mutinfo_data::numeric_matrix(&table, &names);
    if let Ok(batch) = table.concat() {
        let _ = linfa_classification(&batch, target);
    }
}
