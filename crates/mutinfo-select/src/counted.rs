//! Selection from counting passes: the greedy rounds of [`crate::select`] over data that a
//! [`RoundCounts`] counts (out of core, on a query engine, on a cluster) instead of code
//! columns in memory.
//!
//! Each round is one pass that counts every feature against the class and the newest
//! selected feature (the whole selected set for `condmi`) at once ([`RoundCounts::count`]);
//! the counts are the integer tables of [`TripleCounts`], whose exact `N·H` are the integers
//! the in-memory kernels compute. The scores, the tie rule (equal scores, lowest index) and
//! the stop rules are those of [`crate::select`], so on the same codes the selection and its
//! scores are the same, bit for bit.

use crate::criterion::{Criterion, Need};
use crate::discrete::{fold_exact, Known};
use crate::error::{Result, SelectError};
use crate::options::SelectOptions;
use crate::result::Selection;
use crate::rounds::{par_update, run, TermSource};
use crate::score::{exact_relevance, exact_score, Acc, Exact, ExactScore, ExactUnit};
use mutinfo_core::{CountEntropies, TripleCounts};

/// Counting passes over a data set of discrete features and a class (see the module docs).
pub trait RoundCounts: Sync {
    /// Number of features.
    fn n_features(&self) -> usize;

    /// One pass over the data: for every feature `j` (in order), the counts of
    /// `(x_j, z, y)`, with `z` the joint code of the features `given` (in that order; empty:
    /// one `z` for every row).
    ///
    /// # Errors
    /// Whatever stops the pass (the implementation's own, as [`SelectError::Counting`]).
    fn count(&self, given: &[usize]) -> Result<Vec<TripleCounts>>;
}

/// Greedy forward selection (as [`crate::select`]) from the counting passes of `counts`:
/// one pass for the relevances, then one per round (none for `mim`).
///
/// # Errors
/// As [`crate::select`]; [`SelectError::InvalidParameter`] for `alpha` (significance stops
/// need the codes) or counts whose row totals differ; the passes' errors.
pub fn select_counted(counts: &dyn RoundCounts, opts: &SelectOptions) -> Result<Selection> {
    if opts.alpha.is_some() {
        return Err(SelectError::InvalidParameter {
            name: "alpha",
            value: format!("{:?}", opts.alpha),
            reason: "significance stops need the codes in memory; use k or threshold",
        });
    }
    let p = counts.n_features();
    if p == 0 {
        return Err(SelectError::Empty { unit: "features" });
    }
    opts.validate(Some(p))?;
    let first: Vec<CountEntropies> = counts
        .count(&[])?
        .iter()
        .map(TripleCounts::scaled_entropies)
        .collect();
    if first.len() != p {
        return Err(bad_counts(first.len(), p));
    }
    let n = first[0].n;
    if n == 0 {
        return Err(SelectError::Empty { unit: "rows" });
    }
    if first.iter().any(|e| e.n != n) {
        return Err(SelectError::InvalidParameter {
            name: "counts",
            value: "row totals".into(),
            reason: "every feature's counts must hold the same rows",
        });
    }
    let src = CountedSource {
        counts,
        crit: opts.criterion,
        relevance: first.iter().map(|e| (e.x + e.y - e.xy).max(0)).collect(),
        first,
        unit: ExactUnit::new(n),
    };
    run(&src, opts, None)
}

fn bad_counts(found: usize, expected: usize) -> SelectError {
    SelectError::InvalidParameter {
        name: "counts",
        value: format!("{found} tables"),
        reason: if found < expected {
            "fewer tables than features"
        } else {
            "more tables than features"
        },
    }
}

struct CountedSource<'a> {
    counts: &'a dyn RoundCounts,
    crit: Criterion,
    /// The first pass: `N·H(X_j)`, `N·H(X_j,Y)`, `N·H(Y)` of every feature.
    first: Vec<CountEntropies>,
    relevance: Vec<Exact>,
    unit: ExactUnit,
}

/// One round's pass: every candidate's `N·(H(X,Z), H(X,Z,Y))` and the conditioning's
/// `N·H(Z)`, `N·H(Z,Y)`.
struct Round {
    h: Vec<(i128, i128)>,
    z: Exact,
    zy: Exact,
}

impl TermSource for CountedSource<'_> {
    type Term = Exact;
    type Score = ExactScore;
    type Prepared = Round;
    type Joint = Vec<usize>;
    type Scratch = ();

    fn n_features(&self) -> usize {
        self.first.len()
    }

    fn relevance(&self) -> &[Exact] {
        &self.relevance
    }

    fn nats(&self, t: Exact) -> f64 {
        self.unit.nats(t)
    }

    fn score(&self, crit: Criterion, rel: Exact, a: &Acc<Exact>, s: usize) -> Result<ExactScore> {
        exact_score(crit, rel, a, s, &self.unit)
    }

    fn relevance_score(&self, rel: Exact) -> ExactScore {
        exact_relevance(rel, &self.unit)
    }

    fn extend_joint(&self, joint: Option<Vec<usize>>, newest: usize) -> Result<Vec<usize>> {
        let mut j = joint.unwrap_or_default();
        j.push(newest);
        Ok(j)
    }

    fn p_value(&self, _j: usize, _joint: Option<&Vec<usize>>) -> Result<f64> {
        unreachable!("select_counted refuses alpha")
    }

    fn prepare(&self, newest: usize, joint: Option<&Vec<usize>>) -> Result<Round> {
        if self.crit.need() == Need::Nothing {
            return Ok(Round {
                h: Vec::new(),
                z: 0,
                zy: 0,
            });
        }
        let given = match joint {
            Some(j) => j.clone(),
            None => vec![newest],
        };
        let tables = self.counts.count(&given)?;
        if tables.len() != self.first.len() {
            return Err(bad_counts(tables.len(), self.first.len()));
        }
        let e: Vec<CountEntropies> = tables.iter().map(TripleCounts::scaled_entropies).collect();
        let n = self.first[0].n;
        if e.iter().any(|e| e.n != n) {
            return Err(SelectError::InvalidParameter {
                name: "counts",
                value: "row totals".into(),
                reason: "every pass must count the same rows",
            });
        }
        Ok(Round {
            h: e.iter().map(|e| (e.xz, e.xzy)).collect(),
            z: e[0].z,
            zy: e[0].zy,
        })
    }

    fn update(
        &self,
        crit: Criterion,
        j: usize,
        c: &Round,
        a: &mut Acc<Exact>,
        _s: &mut (),
    ) -> Result<()> {
        if crit.need() == Need::Nothing {
            return Ok(());
        }
        let f = &self.first[j];
        let known = Known {
            x: f.x,
            xy: f.xy,
            y: f.y,
            z: c.z,
            zy: c.zy,
        };
        let (h_xz, h_xzy) = c.h[j];
        let h = match crit.need() {
            Need::Pair => (h_xz, h_xz),
            _ => (h_xz, h_xzy),
        };
        fold_exact(crit, a, known, h);
        Ok(())
    }

    fn update_all(
        &self,
        crit: Criterion,
        c: &Round,
        accs: &mut [Acc<Exact>],
        taken: &[bool],
    ) -> Result<()> {
        par_update(self, crit, c, accs, taken, 1024)
    }
}
