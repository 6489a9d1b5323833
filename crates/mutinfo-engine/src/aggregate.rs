//! The counting passes as DataFusion aggregate functions (UDAFs).
//!
//! A pass is `SELECT mutinfo_tally(c1, c2, …)` or `SELECT mutinfo_count(y, x1, x2, …)` over
//! the input, with no grouping: each partition's accumulator folds its record batches into an
//! integer state (a [`TableTally`], or one [`TripleCounts`] per feature), the states travel as
//! JSON in a binary column, and the final aggregate merges them by addition, which gives the
//! same result for every split of the rows (partitions, files, executors).
//!
//! What a pass needs besides the rows — the empty tally of the used columns, or the encoding
//! and the selected features — is the function's own payload. It travels inside plans: the
//! extension codec ([`crate::codec`], Ballista) writes it beside the function's name, and
//! [`decode`] rebuilds the function from the two on the other side.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BinaryArray, RecordBatch};
use arrow::datatypes::{DataType, Field, FieldRef, Schema};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility,
};
use mutinfo_core::{joint_keys, Codes, TripleCounts};
use mutinfo_data::{Encoding, TableTally};
use serde::{Deserialize, Serialize};

/// The fit's aggregate: its result is the merged [`TableTally`] as JSON.
pub(crate) const TALLY: &str = "mutinfo_tally";
/// A round's aggregate: its result is one [`TripleCounts`] per feature as JSON.
pub(crate) const COUNT: &str = "mutinfo_count";

/// What a pass counts, besides the rows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum Pass {
    /// The fit: the empty tally of the used columns.
    Tally(TableTally),
    /// A round: the fitted encoding, and the selected features the candidates are counted
    /// against (their joint code; none for the relevance pass).
    Count {
        /// The encoding of every row.
        encoding: Encoding,
        /// Feature indices.
        given: Vec<usize>,
    },
}

impl Pass {
    fn name(&self) -> &'static str {
        match self {
            Pass::Tally(_) => TALLY,
            Pass::Count { .. } => COUNT,
        }
    }

    /// The columns the pass reads, in argument order.
    pub(crate) fn columns(&self) -> Vec<String> {
        match self {
            Pass::Tally(t) => t.column_names().iter().map(|s| s.to_string()).collect(),
            Pass::Count { encoding, .. } => std::iter::once(encoding.target.name())
                .chain(encoding.features.iter().map(|f| f.name()))
                .map(str::to_string)
                .collect(),
        }
    }

    /// An empty state.
    fn empty(&self) -> DfResult<State> {
        Ok(match self {
            Pass::Tally(t) => State::Tally(t.clone()),
            Pass::Count { encoding, .. } => {
                let cy = encoding.cardinality(&encoding.target);
                State::Count(
                    encoding
                        .features
                        .iter()
                        .map(|f| TripleCounts::new(encoding.cardinality(f), cy))
                        .collect::<mutinfo_core::Result<Vec<_>>>()
                        .map_err(external)?,
                )
            }
        })
    }
}

/// A pass as an aggregate function; equal (and hashed) by its payload.
#[derive(Debug)]
pub(crate) struct PassFunction {
    pass: Arc<Pass>,
    /// The pass as JSON: what the codec writes.
    payload: Vec<u8>,
    columns: Arc<Vec<String>>,
    signature: Signature,
}

impl PartialEq for PassFunction {
    fn eq(&self, other: &Self) -> bool {
        self.payload == other.payload
    }
}

impl Eq for PassFunction {}

impl Hash for PassFunction {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.payload.hash(state);
    }
}

impl PassFunction {
    pub(crate) fn new(pass: Pass) -> DfResult<Self> {
        let payload = serde_json::to_vec(&pass).map_err(external)?;
        Ok(PassFunction {
            columns: Arc::new(pass.columns()),
            pass: Arc::new(pass),
            payload,
            signature: Signature::variadic_any(Volatility::Immutable),
        })
    }

    pub(crate) fn udaf(self) -> AggregateUDF {
        AggregateUDF::new_from_impl(self)
    }
}

/// Writes the payload of one of our functions into `buf`; `false` for any other function.
#[cfg(feature = "ballista")]
pub(crate) fn encode(node: &AggregateUDF, buf: &mut Vec<u8>) -> bool {
    match node.inner().downcast_ref::<PassFunction>() {
        Some(f) => {
            buf.extend_from_slice(&f.payload);
            true
        }
        None => false,
    }
}

/// Our function named `name` from its payload; `None` for another name.
///
/// # Errors
/// When the payload is not a pass of that name.
#[cfg(feature = "ballista")]
pub(crate) fn decode(name: &str, buf: &[u8]) -> DfResult<Option<Arc<AggregateUDF>>> {
    if name != TALLY && name != COUNT {
        return Ok(None);
    }
    let pass: Pass = serde_json::from_slice(buf).map_err(|e| {
        DataFusionError::Internal(format!("{name}: the plan's payload is not a pass: {e}"))
    })?;
    if pass.name() != name {
        return Err(DataFusionError::Internal(format!(
            "{name}: the plan's payload is a {} pass",
            pass.name()
        )));
    }
    Ok(Some(Arc::new(PassFunction::new(pass)?.udaf())))
}

impl AggregateUDFImpl for PassFunction {
    fn name(&self) -> &str {
        self.pass.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Binary)
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> DfResult<Box<dyn Accumulator>> {
        Ok(Box::new(PassAccumulator {
            pass: self.pass.clone(),
            columns: self.columns.clone(),
            state: self.pass.empty()?,
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> DfResult<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "counts"),
            DataType::Binary,
            true,
        ))])
    }
}

/// A pass's partial state.
#[derive(Debug)]
enum State {
    Tally(TableTally),
    Count(Vec<TripleCounts>),
}

#[derive(Debug)]
struct PassAccumulator {
    pass: Arc<Pass>,
    columns: Arc<Vec<String>>,
    state: State,
}

fn external(e: impl std::error::Error + Send + Sync + 'static) -> DataFusionError {
    DataFusionError::External(Box::new(e))
}

impl PassAccumulator {
    fn to_json(&self) -> DfResult<ScalarValue> {
        let json = match &self.state {
            State::Tally(t) => serde_json::to_vec(t),
            State::Count(c) => serde_json::to_vec(c),
        }
        .map_err(external)?;
        Ok(ScalarValue::Binary(Some(json)))
    }
}

impl Accumulator for PassAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DfResult<()> {
        // The arguments, named as the columns they are, for the encoders (which find columns
        // by name).
        let fields: Vec<Field> = self
            .columns
            .iter()
            .zip(values)
            .map(|(name, a)| Field::new(name, a.data_type().clone(), true))
            .collect();
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), values.to_vec())?;
        match (&mut self.state, self.pass.as_ref()) {
            (State::Tally(t), _) => t.add_batch(&batch, None).map_err(external),
            (State::Count(tables), Pass::Count { encoding, given }) => {
                let (features, target, _) =
                    encoding.transform_batch(&batch, 0).map_err(external)?;
                let z = if given.is_empty() {
                    None
                } else {
                    let cols: Vec<&Codes> = given.iter().map(|&g| &features[g]).collect();
                    Some(joint_keys(&cols).map_err(external)?)
                };
                TripleCounts::add_each(tables, &features, z.as_deref(), &target).map_err(external)
            }
            (State::Count(_), Pass::Tally(_)) => unreachable!("a count state is made by a count"),
        }
    }

    fn evaluate(&mut self) -> DfResult<ScalarValue> {
        self.to_json()
    }

    fn size(&self) -> usize {
        let tables = match &self.state {
            // A tally holds at most a few entries per distinct value.
            State::Tally(_) => 0,
            State::Count(c) => c
                .iter()
                .map(|t| {
                    let (cx, cy) = t.cardinalities();
                    (cx as usize) * (cy as usize) * 8
                })
                .sum(),
        };
        std::mem::size_of_val(self) + tables
    }

    fn state(&mut self) -> DfResult<Vec<ScalarValue>> {
        Ok(vec![self.to_json()?])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> DfResult<()> {
        let parts = states[0]
            .as_any()
            .downcast_ref::<BinaryArray>()
            .ok_or_else(|| DataFusionError::Internal("a pass's state is binary".into()))?;
        for part in parts.iter().flatten() {
            match &mut self.state {
                State::Tally(t) => {
                    let other: TableTally = serde_json::from_slice(part).map_err(external)?;
                    t.merge(other).map_err(external)?;
                }
                State::Count(tables) => {
                    let other: Vec<TripleCounts> =
                        serde_json::from_slice(part).map_err(external)?;
                    if other.len() != tables.len() {
                        return Err(DataFusionError::Internal(format!(
                            "a part counted {} features, not {}",
                            other.len(),
                            tables.len()
                        )));
                    }
                    for (a, b) in tables.iter_mut().zip(&other) {
                        a.merge(b).map_err(external)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The single value a pass's query returns: its JSON result.
pub(crate) fn result_bytes(batches: &[RecordBatch]) -> DfResult<Vec<u8>> {
    let mut out = None;
    for b in batches {
        if b.num_rows() == 0 {
            continue;
        }
        let a = b
            .column(0)
            .as_any()
            .downcast_ref::<BinaryArray>()
            .ok_or_else(|| DataFusionError::Internal("a pass's result is binary".into()))?;
        if out.is_some() || a.len() != 1 || a.is_null(0) {
            return Err(DataFusionError::Internal("a pass returns one value".into()));
        }
        out = Some(a.value(0).to_vec());
    }
    out.ok_or_else(|| DataFusionError::Internal("a pass returned no value".into()))
}
