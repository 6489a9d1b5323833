//! Flags shared by the data commands (`rank`, `estimate`, `select`).

use crate::error::{CliError, Result};
use crate::output::Format;
use clap::Args;
use mutinfo_core::Base;
use mutinfo_data::{
    Batches, Binning, DatasetBuilder, Encoded, Encoding, FileFormat, Missing, ReadOptions, Table,
};
use std::path::PathBuf;

/// The flags given on the command line (not defaulted), by clap id (the field name).
static GIVEN: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();

/// Records which flags the user gave, from the parsed command line.
pub fn record_given(m: &clap::ArgMatches) {
    let mut ids = Vec::new();
    let mut m = m;
    loop {
        for id in m.ids() {
            if m.value_source(id.as_str()) == Some(clap::parser::ValueSource::CommandLine) {
                ids.push(id.as_str().to_string());
            }
        }
        match m.subcommand() {
            Some((_, sub)) => m = sub,
            None => break,
        }
    }
    let _ = GIVEN.set(ids);
}

/// Whether the user gave the flag with clap id `id` (the field name, e.g. `neighbors`).
pub fn given(id: &str) -> bool {
    GIVEN.get().is_some_and(|g| g.iter().any(|x| x == id))
}

/// Refuses the flags of `flags` (clap id, as typed) the user gave although they do not apply
/// (`why` completes "does not apply ...").
pub fn refuse_given(flags: &[(&str, &str)], why: &str) -> Result<()> {
    match flags.iter().find(|(id, _)| given(id)) {
        Some((_, flag)) => Err(CliError::Usage(format!("{flag} does not apply {why}"))),
        None => Ok(()),
    }
}

/// The binning flags, which do not apply to a continuous estimator.
pub const BINNING_FLAGS: &[(&str, &str)] = &[
    ("binning", "--binning"),
    ("bins", "--bins"),
    ("integer_categories", "--integer-categories"),
    ("max_categories", "--max-categories"),
    ("missing", "--missing"),
    ("categorical", "--categorical"),
];

/// Where the data is and how to read it.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// The data file: Parquet (.parquet), Arrow IPC (.arrow/.feather, .arrows for streams) or CSV (.csv/.tsv).
    pub data: PathBuf,
    /// Force the input format (parquet, arrow, arrows, csv) instead of guessing from the extension.
    #[arg(long)]
    pub input_format: Option<String>,
    /// CSV field delimiter (one character; `\t` for tab).
    #[arg(long)]
    pub delimiter: Option<String>,
    /// CSV: read a column that mixes numbers and text as text categories instead of failing.
    #[arg(long)]
    pub allow_mixed_types: bool,
}

impl InputArgs {
    /// Read options from the flags.
    pub fn options(&self) -> Result<ReadOptions> {
        let mut o = ReadOptions {
            allow_mixed_types: self.allow_mixed_types,
            ..ReadOptions::default()
        };
        if let Some(f) = &self.input_format {
            o = o.with_format(FileFormat::parse(f)?);
        }
        if let Some(d) = &self.delimiter {
            let b = match d.as_str() {
                "\\t" | "tab" => b'\t',
                s if s.len() == 1 => s.as_bytes()[0],
                _ => {
                    return Err(CliError::Usage(format!(
                        "--delimiter {d:?}: give one ASCII character"
                    )))
                }
            };
            o = o.with_delimiter(b);
        }
        Ok(o)
    }

    /// Reads the whole file.
    pub fn read(&self) -> Result<Table> {
        crate::output::reading(&self.data);
        Ok(mutinfo_data::read_table(&self.data, &self.options()?)?)
    }

    /// Opens the file for streaming and picks the features of `encode` beside `target`
    /// (checked to exist); the stream is projected onto the target and the features when
    /// they are not every column.
    pub fn open_for(&self, encode: &EncodeArgs, target: &str) -> Result<(Batches, Vec<String>)> {
        let opts = self.options()?;
        let batches = mutinfo_data::open_batches(&self.data, &opts)?;
        let schema = batches.schema();
        let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        if !names.iter().any(|c| c == target) {
            return Err(mutinfo_data::DataError::UnknownColumn {
                path: self.data.display().to_string(),
                column: target.to_string(),
                available: names.join(", "),
            }
            .into());
        }
        let features = encode.pick(&self.data, &names, Some(target))?;
        if features.len() + 1 == names.len() {
            return Ok((batches, features));
        }
        drop(batches);
        let used = std::iter::once(target.to_string()).chain(features.iter().cloned());
        let batches = mutinfo_data::open_batches(&self.data, &opts.with_columns(used))?;
        Ok((batches, features))
    }
}

/// Fits `builder` on a stream, with a progress bar over the columns; a file without data
/// rows is an error naming it.
pub fn fit_stream(builder: &DatasetBuilder, batches: Batches) -> Result<(Encoding, Encoded)> {
    let path = batches.path().to_string();
    let schema = batches.schema();
    let bars = crate::progress::FitBars::new(schema.fields().len().saturating_sub(1) as u64);
    let fitted = builder.fit_batches(batches, &bars);
    bars.finish();
    fitted.map_err(|e| match e {
        mutinfo_data::DataError::EmptyFile { reason, .. } => {
            mutinfo_data::DataError::EmptyFile { path, reason }.into()
        }
        e => e.into(),
    })
}

/// Which columns are features and how they become codes.
#[derive(Debug, Args)]
pub struct EncodeArgs {
    #[command(flatten)]
    pub columns: ColumnArgs,
    #[command(flatten)]
    pub discretize: DiscretizeArgs,
}

impl EncodeArgs {
    /// The feature names these flags pick from `columns` of the file `path` (file order kept),
    /// without `target`.
    pub fn pick(
        &self,
        path: &std::path::Path,
        columns: &[String],
        target: Option<&str>,
    ) -> Result<Vec<String>> {
        self.columns.pick(path, columns, target)
    }

    /// The dataset builder for `target` and `features`.
    pub fn builder(&self, target: &str, features: &[String]) -> Result<DatasetBuilder> {
        Ok(self
            .discretize
            .builder()?
            .target(target)
            .features(features.iter().cloned()))
    }
}

/// How numeric columns become codes: the `--binning`, `--bins`, `--missing`,
/// `--integer-categories` and `--max-categories` flags.
#[derive(Debug, Args)]
pub struct DiscretizeArgs {
    /// Discretization of numeric columns: none (raw values as categories), uniform, quantile,
    /// sturges, fd (Freedman–Diaconis) or mdlp (Fayyad–Irani, supervised: needs a target).
    #[arg(long, default_value = "quantile")]
    pub binning: String,
    /// Number of bins for uniform and quantile (at most 65536)
    #[arg(long)]
    pub bins: Option<usize>,
    /// Missing values (nulls and NaN): error, own-category or drop-row.
    #[arg(long, default_value = "error")]
    pub missing: String,
    /// Integer columns as categories: yes, or no / auto (default: integers are numbers, binned
    /// like floats; a column with at most as many distinct values as bins keeps one bin per
    /// value).
    #[arg(long, default_value = "auto")]
    pub integer_categories: String,
    /// Columns whose raw values are categories whatever their type (comma-separated names);
    /// text, boolean and dictionary columns always are.
    #[arg(long, value_delimiter = ',')]
    pub categorical: Vec<String>,
    /// Most categories (levels or bins) one column may have (at most 16777216).
    #[arg(long, default_value_t = mutinfo_data::columns::DEFAULT_MAX_CATEGORIES)]
    pub max_categories: usize,
}

impl DiscretizeArgs {
    /// A dataset builder from these flags (target and features still to set).
    pub fn builder(&self) -> Result<DatasetBuilder> {
        use crate::limits::{at_most, check, MAX_BINS, MAX_CATEGORIES};
        check("--max-categories", self.max_categories, 1, MAX_CATEGORIES)?;
        if let Some(b) = self.bins {
            at_most("--bins", b, MAX_BINS)?;
        }
        let binning = Binning::parse(&self.binning, self.bins)?;
        let ints = match self.integer_categories.to_ascii_lowercase().as_str() {
            "yes" | "true" => Some(true),
            "no" | "false" => Some(false),
            "auto" => None,
            other => {
                return Err(CliError::Usage(format!(
                    "--integer-categories {other:?}: expected yes, no or auto"
                )))
            }
        };
        Ok(DatasetBuilder::new("")
            .binning(binning)
            .missing(Missing::parse(&self.missing)?)
            .integers_as_categories(ints)
            .categorical(self.categorical.iter().cloned())
            .max_categories(self.max_categories))
    }
}

/// How results are reported.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Unit: nats, bits or hartleys.
    #[arg(long, visible_alias = "unit", default_value = "nats", value_parser = crate::commands::theory::parse_base)]
    pub base: Base,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the result here (atomically) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Draw a chart (.svg or .png).
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

/// The columns of the file `path` picked by `--features` and `--exclude` (names or globs; file
/// order kept), without `target`. A name without glob characters must exist.
pub fn pick_columns(
    path: &std::path::Path,
    columns: &[String],
    target: Option<&str>,
    features: &[String],
    exclude: &[String],
) -> Result<Vec<String>> {
    let glob = |pats: &[String], what: &str| -> Result<Option<globset::GlobSet>> {
        if pats.is_empty() {
            return Ok(None);
        }
        let mut b = globset::GlobSetBuilder::new();
        for p in pats {
            b.add(
                globset::Glob::new(p).map_err(|e| CliError::Usage(format!("{what} {p:?}: {e}")))?,
            );
        }
        b.build()
            .map(Some)
            .map_err(|e| CliError::Usage(format!("{what}: {e}")))
    };
    let inc = glob(features, "--features")?;
    let exc = glob(exclude, "--exclude")?;
    // A name given without glob characters must exist.
    for p in features.iter().chain(exclude) {
        if !p.contains(['*', '?', '[', '{']) && !columns.iter().any(|c| c == p) {
            return Err(mutinfo_data::DataError::UnknownColumn {
                path: path.display().to_string(),
                column: p.clone(),
                available: columns.join(", "),
            }
            .into());
        }
    }
    let picked: Vec<String> = columns
        .iter()
        .filter(|c| Some(c.as_str()) != target)
        .filter(|c| inc.as_ref().is_none_or(|g| g.is_match(c.as_str())))
        .filter(|c| exc.as_ref().is_none_or(|g| !g.is_match(c.as_str())))
        .cloned()
        .collect();
    if picked.is_empty() {
        return Err(CliError::Usage(
            "no feature columns left after --features / --exclude".into(),
        ));
    }
    Ok(picked)
}

/// `--features` / `--exclude` for commands that take raw columns (no binning flags).
#[derive(Debug, Args)]
pub struct ColumnArgs {
    /// Feature columns: names or globs, comma-separated (default: every column but the target).
    #[arg(long, value_delimiter = ',')]
    pub features: Vec<String>,
    /// Columns to leave out: names or globs, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub exclude: Vec<String>,
}

impl ColumnArgs {
    /// The picked columns of `columns` (file order), without `target`.
    pub fn pick(
        &self,
        path: &std::path::Path,
        columns: &[String],
        target: Option<&str>,
    ) -> Result<Vec<String>> {
        pick_columns(path, columns, target, &self.features, &self.exclude)
    }
}

/// Warns about features that hold a different code in every row (at least 20 rows), like an
/// identifier: such a column looks maximally informative about any target. Numeric columns are
/// binned by default, so this catches text and declared-categorical identifiers.
pub fn warn_identifiers(path: &std::path::Path, enc: &Encoded) {
    let n = enc.features.n_rows();
    if n < 20 {
        return;
    }
    for (j, name) in enc.names.iter().enumerate() {
        let column = enc.features.column(j);
        // Fewer codes than rows cannot give every row its own value: no count needed (a
        // 100 000-column file of short binary columns is checked in microseconds).
        if column.cardinality() as usize >= n && column.observed_cardinality() == n {
            eprintln!(
                "mutinfo: warning: {}: column {name} holds a different value in each of the {n} rows, like an identifier, \
                 and will look maximally informative; leave it out with --exclude {name}",
                path.display()
            );
        }
    }
}

/// Warns (on standard error) about each feature column of integers or text that holds a
/// different value in every row (20 rows or more): an identifier, which any estimator finds
/// maximally informative about any target.
pub fn warn_identifier_columns(path: &std::path::Path, table: &Table, features: &[String]) {
    use arrow::array::{Array, StringArray};
    use arrow_schema::DataType;
    let n = table.num_rows();
    if n < 20 {
        return;
    }
    for name in features {
        let Ok(field) = table.schema.field_with_name(name) else {
            continue;
        };
        let dt = field.data_type();
        if !(dt.is_integer()
            || matches!(
                dt,
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ))
        {
            continue;
        }
        let mut seen = std::collections::HashSet::with_capacity(n);
        let unique = table.batches.iter().all(|b| {
            let Some(text) = b
                .column_by_name(name)
                .and_then(|c| arrow::compute::cast(c, &DataType::Utf8).ok())
            else {
                return false;
            };
            let Some(s) = text.as_any().downcast_ref::<StringArray>() else {
                return false;
            };
            (0..s.len()).all(|i| !s.is_null(i) && seen.insert(s.value(i).to_string()))
        });
        if unique {
            eprintln!(
                "mutinfo: warning: {}: column {name} holds a different value in each of the {n} rows, like an identifier, \
                 and will look maximally informative; leave it out with --exclude {name}",
                path.display()
            );
        }
    }
}
