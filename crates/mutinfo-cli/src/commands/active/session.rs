//! `mutinfo active init | query | teach | status | export`: a labeling session for a person,
//! kept in one crash-safe state file ([`mutinfo_active::ActiveSession`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Float64Array, StringArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use clap::Args;
use mutinfo_active::{Acquisition, ActiveError, ActiveSession, CommitteeKind, CommitteeSpec};
use mutinfo_data::Table;
use serde_json::json;

use crate::args::ColumnArgs;
use crate::error::{CliError, Result};
use crate::output::{check_outputs, emit, json_text, num, Format, TextTable};

/// How a data file of the session is read (the pool, or a labels file).
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// Force the input format (parquet, arrow, arrows, csv) instead of guessing from the extension.
    #[arg(long)]
    pub input_format: Option<String>,
    /// CSV field delimiter (one character; `\t` for tab).
    #[arg(long)]
    pub delimiter: Option<String>,
}

impl ReadArgs {
    fn read(&self, path: &Path) -> Result<Table> {
        let input = crate::args::InputArgs {
            data: path.to_path_buf(),
            input_format: self.input_format.clone(),
            delimiter: self.delimiter.clone(),
            allow_mixed_types: true,
        };
        input.read()
    }
}

/// `mutinfo active init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The pool: features and the label column, unlabeled rows null (Parquet, Arrow IPC, CSV).
    pub pool: PathBuf,
    /// The label column (null = unlabeled).
    #[arg(long)]
    pub target: String,
    /// The session state file to create (JSON; refused if it exists, unless --force).
    #[arg(long)]
    pub state: PathBuf,
    /// A column of row identifiers (distinct, not a feature); queries print it and LABELS may
    /// name rows by it.
    #[arg(long)]
    pub id: Option<String>,
    /// Committee: kernel (Bayesian logistic regression on a Nystroem RBF-kernel map of the
    /// pool; the default), laplace (the same on the raw features), logistic or tree.
    #[arg(long, default_value = "kernel")]
    pub model: String,
    /// Committee size (default 20 for laplace and kernel, 10 otherwise; at most 1000).
    #[arg(long)]
    pub members: Option<usize>,
    /// The class list, comma-separated: labels outside it are refused (default: learned from
    /// the labels taught).
    #[arg(long, value_delimiter = ',')]
    pub classes: Vec<String>,
    /// Replace an existing state file.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub columns: ColumnArgs,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// `mutinfo active query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The session state file.
    pub state: PathBuf,
    /// Rows to return (at most 1000000).
    #[arg(long, default_value_t = 10)]
    pub batch: usize,
    /// Acquisition: batchbald (default), bald, margin, entropy, vote-entropy, consensus-kl,
    /// max-disagreement, kcenter, power, random, ...
    #[arg(long, default_value = "batchbald")]
    pub acquisition: String,
    /// Seed of the committee and the acquisition.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `mutinfo active teach`.
#[derive(Debug, Args)]
pub struct TeachArgs {
    /// The session state file.
    pub state: PathBuf,
    /// Labels: CSV or Parquet with a `row` column (0-based pool position) or the id column,
    /// and a `label` column.
    pub labels: PathBuf,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// `mutinfo active status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The session state file.
    pub state: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `mutinfo active export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The session state file.
    pub state: PathBuf,
    /// Where to write the pool with the labels so far (.parquet, .arrow, .arrows or .csv).
    #[arg(long)]
    pub out: PathBuf,
}

fn active_err(path: &Path, e: ActiveError) -> CliError {
    match e {
        ActiveError::Io { .. } | ActiveError::Format { .. } => CliError::Active(e),
        e => CliError::input(path, e.to_string()),
    }
}

fn load(path: &Path) -> Result<ActiveSession> {
    crate::output::reading(path);
    ActiveSession::load(path).map_err(|e| active_err(path, e))
}

/// A column's values as text, `None` for null.
fn text_column(path: &Path, table: &Table, name: &str) -> Result<Vec<Option<String>>> {
    let mut out = Vec::with_capacity(table.num_rows());
    for b in &table.batches {
        let col = b.column_by_name(name).ok_or_else(|| {
            CliError::Data(mutinfo_data::DataError::UnknownColumn {
                path: path.display().to_string(),
                column: name.to_string(),
                available: table.column_names().join(", "),
            })
        })?;
        let s = cast(col, &DataType::Utf8)
            .map_err(|e| CliError::input(path, format!("column {name}: {e}")))?;
        let s = s
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or_else(|| CliError::input(path, format!("column {name}: cannot read as text")))?;
        for i in 0..s.len() {
            out.push((!s.is_null(i)).then(|| s.value(i).to_string()));
        }
    }
    Ok(out)
}

/// A label as the session stores it: trimmed, and a whole number written as a float (`2.0`,
/// as a CSV or pandas float column gives it) written as the integer (`2`), so a pool with a
/// float label column and a labels file with integers agree.
fn canonical_label(l: &str) -> String {
    let t = l.trim();
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 && t.contains('.') => {
            format!("{}", v as i64)
        }
        _ => t.to_string(),
    }
}

fn has_column(table: &Table, name: &str) -> bool {
    table.schema.field_with_name(name).is_ok()
}

/// Runs `active init`.
pub fn init(a: &InitArgs) -> Result<()> {
    check_outputs(&[&a.pool], &[("--state", Some(&a.state))])?;
    if !a.force && std::fs::symlink_metadata(&a.state).is_ok() {
        return Err(CliError::Usage(format!(
            "--state {}: the file exists (a session?); give --force to replace it",
            a.state.display()
        )));
    }
    let kind: CommitteeKind = a
        .model
        .parse()
        .map_err(|e: ActiveError| CliError::Usage(format!("--model: {e}")))?;
    let members = a.members.unwrap_or(kind.default_members());
    crate::limits::check("--members", members, 1, crate::limits::MAX_MEMBERS)?;
    let mut classes: Vec<String> = a.classes.iter().map(|c| canonical_label(c)).collect();
    if !classes.is_empty() {
        if let Some(c) = classes.iter().find(|c| c.is_empty()) {
            return Err(CliError::Usage(format!(
                "--classes: empty class name {c:?}"
            )));
        }
        let mut s = classes.clone();
        s.sort();
        if let Some(w) = s.windows(2).find(|w| w[0] == w[1]) {
            return Err(CliError::Usage(format!(
                "--classes: {:?} is listed twice",
                w[0]
            )));
        }
    }
    let path = a.pool.as_path();
    let table = a.read.read(path)?;
    crate::target::check_exists(path, &table, &a.target)?;
    if let Some(id) = &a.id {
        crate::target::check_exists(path, &table, id)?;
        if id == &a.target {
            return Err(CliError::Usage(format!(
                "--id {id} is the --target column; give the identifier column"
            )));
        }
    }
    let names: Vec<String> = a
        .columns
        .pick(path, &table.column_names(), Some(&a.target))?
        .into_iter()
        .filter(|c| Some(c) != a.id.as_ref())
        .collect();
    if names.is_empty() {
        return Err(CliError::input(path, "no feature columns left"));
    }
    if table.num_rows() == 0 {
        return Err(CliError::input(path, "no data rows"));
    }
    let x = mutinfo_data::numeric_matrix(&table, &names).map_err(|e| {
        let msg = e.to_string();
        let hint = if matches!(e, mutinfo_data::DataError::UnsupportedType { .. }) {
            " (features must be numeric; leave the column out with --exclude)"
        } else {
            ""
        };
        CliError::input(path, format!("{msg}{hint}"))
    })?;
    let ids = match &a.id {
        Some(id) => {
            let v = text_column(path, &table, id)?;
            let mut out = Vec::with_capacity(v.len());
            let mut seen = std::collections::HashMap::new();
            for (row, val) in v.into_iter().enumerate() {
                let val = val.ok_or_else(|| {
                    CliError::input(
                        path,
                        format!("column {id}: missing identifier at row {row}"),
                    )
                })?;
                if let Some(first) = seen.insert(val.clone(), row) {
                    return Err(CliError::input(
                        path,
                        format!("column {id}: identifier {val:?} at rows {first} and {row}; identifiers must be distinct"),
                    ));
                }
                out.push(val);
            }
            Some((id.clone(), out))
        }
        None => None,
    };
    let labels = text_column(path, &table, &a.target)?;
    let spec = CommitteeSpec { kind, members };
    let mut session =
        ActiveSession::new(x, names, spec).map_err(|e| CliError::input(path, e.to_string()))?;
    if !classes.is_empty() {
        session = session
            .with_classes(std::mem::take(&mut classes))
            .map_err(|e| CliError::input(path, e.to_string()))?;
    }
    let pairs: Vec<(usize, String)> = labels
        .into_iter()
        .enumerate()
        .filter_map(|(i, l)| l.map(|l| (i, canonical_label(&l))))
        .collect();
    session
        .teach(&pairs)
        .map_err(|e| CliError::input(path, format!("column {}: {e}", a.target)))?;
    let session = session
        .with_names(&a.target, ids, &path.display().to_string())
        .map_err(|e| CliError::input(path, e.to_string()))?;
    session
        .save(&a.state)
        .map_err(|e| active_err(&a.state, e))?;
    eprintln!(
        "mutinfo: session {}: {} rows, {} features, {} labeled, classes [{}], {} committee of {}",
        a.state.display(),
        session.rows(),
        session.feature_names().len(),
        session.labeled(),
        session.classes().join(", "),
        kind,
        members
    );
    Ok(())
}

/// Runs `active query`.
pub fn query(a: &QueryArgs) -> Result<()> {
    crate::limits::check("--batch", a.batch, 1, crate::limits::MAX_BATCH)?;
    let acq: Acquisition = a
        .acquisition
        .parse()
        .map_err(|e: ActiveError| CliError::Usage(format!("--acquisition: {e}")))?;
    let s = load(&a.state)?;
    let unlabeled = s.rows() - s.labeled();
    if a.batch > unlabeled {
        return Err(CliError::Usage(format!(
            "--batch {}: only {unlabeled} rows of {} are unlabeled",
            a.batch,
            a.state.display()
        )));
    }
    let rows = s
        .query(a.batch, &acq, a.seed)
        .map_err(|e| active_err(&a.state, e))?;
    let ids = s.ids();
    let text = match a.format {
        Format::Json => json_text(&json!({
            "rows": rows.iter().map(|r| {
                let mut o = json!({"row": r.row, "score": r.score});
                if let Some((_, v)) = ids {
                    o["id"] = json!(v[r.row]);
                }
                o
            }).collect::<Vec<_>>(),
        }))?,
        f => {
            let mut header = vec!["row".to_string()];
            if let Some((name, _)) = ids {
                header.push(name.to_string());
            }
            header.push("score".into());
            TextTable {
                header,
                rows: rows
                    .iter()
                    .map(|r| {
                        let mut v = vec![r.row.to_string()];
                        if let Some((_, ids)) = ids {
                            v.push(ids[r.row].clone());
                        }
                        v.push(num(r.score));
                        v
                    })
                    .collect(),
            }
            .render(f)
        }
    };
    emit(None, &text)
}

/// Runs `active teach`: all labels of the file or none; the state is replaced atomically.
pub fn teach(a: &TeachArgs) -> Result<()> {
    check_outputs(&[&a.labels], &[("STATE", Some(&a.state))])?;
    let mut s = load(&a.state)?;
    let path = a.labels.as_path();
    let table = a.read.read(path)?;
    if !has_column(&table, "label") {
        return Err(CliError::input(
            path,
            format!(
                "no column named \"label\" (columns: {})",
                table.column_names().join(", ")
            ),
        ));
    }
    let id_col = s.ids().map(|(c, _)| c.to_string());
    let key = if has_column(&table, "row") {
        "row".to_string()
    } else if let Some(id) = id_col.as_ref().filter(|c| has_column(&table, c)) {
        id.clone()
    } else {
        return Err(CliError::input(
            path,
            format!(
                "no column named \"row\"{} (columns: {})",
                id_col
                    .as_ref()
                    .map(|c| format!(" or {c:?}"))
                    .unwrap_or_default(),
                table.column_names().join(", ")
            ),
        ));
    };
    let keys = text_column(path, &table, &key)?;
    let labels = text_column(path, &table, "label")?;
    let mut pairs: Vec<(usize, String)> = Vec::with_capacity(keys.len());
    for (i, (k, l)) in keys.into_iter().zip(labels).enumerate() {
        let k = k.ok_or_else(|| {
            CliError::input(path, format!("column {key}: missing value at row {i}"))
        })?;
        let l = l.ok_or_else(|| {
            CliError::input(path, format!("column label: missing value at row {i}"))
        })?;
        let row = if key == "row" {
            let t = k.trim();
            t.parse::<usize>()
                .ok()
                .or_else(|| {
                    t.parse::<f64>()
                        .ok()
                        .filter(|v| v.fract() == 0.0 && *v >= 0.0 && *v < 1e15)
                        .map(|v| v as usize)
                })
                .ok_or_else(|| {
                    CliError::input(
                        path,
                        format!("column row: {k:?} at row {i} is not a row number (0-based)"),
                    )
                })?
        } else {
            s.row_of_id(&k).ok_or_else(|| {
                CliError::input(
                    path,
                    format!("column {key}: identifier {k:?} at row {i} is not in the pool"),
                )
            })?
        };
        pairs.push((row, canonical_label(&l)));
    }
    let taught = s
        .teach(&pairs)
        .map_err(|e| CliError::input(path, format!("{e}; nothing was taught")))?;
    if taught.added > 0 || taught.new_classes > 0 {
        s.save(&a.state).map_err(|e| active_err(&a.state, e))?;
    }
    eprintln!(
        "mutinfo: taught {} new labels ({} already known); {} of {} rows labeled",
        taught.added,
        taught.unchanged,
        s.labeled(),
        s.rows()
    );
    Ok(())
}

/// Runs `active status`.
pub fn status(a: &StatusArgs) -> Result<()> {
    let s = load(&a.state)?;
    let labeled = s.labeled();
    let mut counts = vec![0usize; s.classes().len()];
    for l in s.labels().iter().flatten() {
        counts[*l] += 1;
    }
    const FOLDS: usize = 5;
    let acc = s
        .estimated_accuracy(FOLDS, 0)
        .map_err(|e| active_err(&a.state, e))?;
    let spec = s.committee();
    let text = match a.format {
        Format::Json => json_text(&json!({
            "labeled": labeled,
            "unlabeled": s.rows() - labeled,
            "classes": s.classes(),
            "class_counts": counts,
            "rows": s.rows(),
            "features": s.feature_names().len(),
            "target": s.target(),
            "id": s.ids().map(|(c, _)| c),
            "committee": spec.kind.name(),
            "members": spec.members,
            "teach_rounds": s.taught(),
            "estimated_accuracy": acc.map(|(v, _)| v),
            "accuracy_method": acc.map(|_| format!("{FOLDS}-fold cross-validation on the labeled rows")),
            "pool": s.pool(),
        }))?,
        f => {
            let mut rows = vec![
                vec!["labeled".into(), labeled.to_string()],
                vec!["unlabeled".into(), (s.rows() - labeled).to_string()],
                vec![
                    "classes".into(),
                    s.classes()
                        .iter()
                        .zip(&counts)
                        .map(|(c, n)| format!("{c} ({n})"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ],
                vec![
                    "committee".into(),
                    format!("{} × {}", spec.kind, spec.members),
                ],
                vec!["teach rounds".into(), s.taught().to_string()],
            ];
            rows.push(vec![
                "estimated accuracy".into(),
                match acc {
                    Some((v, n)) => format!("{} ({FOLDS}-fold CV on {n} labeled rows)", num(v)),
                    None => format!("n/a (needs two classes and at least {} labels)", 2 * FOLDS),
                },
            ]);
            TextTable {
                header: vec!["".into(), "value".into()],
                rows,
            }
            .render(f)
        }
    };
    emit(None, &text)
}

/// Runs `active export`: the id column (if any), the features and the label column (null
/// where unlabeled), written through the CLI's output writer (never over an input).
pub fn export(a: &ExportArgs) -> Result<()> {
    check_outputs(&[&a.state], &[("--out", Some(&a.out))])?;
    let s = load(&a.state)?;
    if Path::new(s.pool()).exists() {
        crate::output::reading(Path::new(s.pool()));
    }
    let mut fields = Vec::new();
    let mut cols: Vec<ArrayRef> = Vec::new();
    if let Some((name, ids)) = s.ids() {
        fields.push(Field::new(name, DataType::Utf8, false));
        cols.push(Arc::new(StringArray::from_iter_values(ids.iter())));
    }
    for (j, name) in s.feature_names().iter().enumerate() {
        fields.push(Field::new(name, DataType::Float64, false));
        cols.push(Arc::new(Float64Array::from(
            s.features().column(j).to_vec(),
        )));
    }
    fields.push(Field::new(s.target(), DataType::Utf8, true));
    cols.push(Arc::new(StringArray::from(
        (0..s.rows()).map(|r| s.label_name(r)).collect::<Vec<_>>(),
    )));
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), cols)
        .map_err(|e| CliError::input(&a.out, e.to_string()))?;
    crate::write::write_batch(&a.out, &batch)
}
