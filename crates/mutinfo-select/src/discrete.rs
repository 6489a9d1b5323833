//! Selection on discrete codes: exact plug-in terms from the counting kernels.
//!
//! Every term is an exact integer `N · I · 2^64` ([`mutinfo_core::exact`]): entropies are
//! `N ln N − Σ c ln c` in that unit, and mutual informations are integer combinations of
//! them, so mathematically equal terms are equal integers and the scores of
//! [`crate::score::exact_score`] compare exactly.

use crate::criterion::{Criterion, Need};
use crate::error::Result;
use crate::options::{check_shape, SelectOptions};
use crate::result::Selection;
use crate::rounds::{par_update, run, TermSource};
use crate::score::{exact_relevance, exact_score, Acc, Exact, ExactScore, ExactUnit, PairTerms};
use mutinfo_core::exact::{NLogNSum, NLogNTable};
use mutinfo_core::kernels::blocked::{
    block_entropies, pair_block_entropies, BlockKeys, BlockScratch, U8Columns, BLOCK,
};
use mutinfo_core::kernels::{pair_entropies_exact, pair_entropy_exact, Conditioning, Scratch};
use mutinfo_core::{conditional_g_test, g_test, CodeMatrix, Codes};
use rayon::prelude::*;

/// Per-feature quantities that do not change during the selection, and the data (encoded
/// once per fit: the code matrix, its `u8` views and the class).
struct DiscreteSource<'a> {
    x: &'a CodeMatrix,
    y: &'a Codes,
    /// `N·H(X_j)` of every feature.
    h_x: Vec<Exact>,
    /// `N·H(X_j,Y)` of every feature.
    h_xy: Vec<Exact>,
    /// `N·H(Y)`.
    h_y: Exact,
    /// `N·I(X_j;Y)` of every feature.
    relevance: Vec<Exact>,
    nl: NLogNTable,
    unit: ExactUnit,
    /// The columns as `u8` slices, for the blocked kernel (`None` when some column is wider).
    u8: Option<U8Columns<'a>>,
}

impl DiscreteSource<'_> {
    /// Folds a candidate's `N·(H(X,Z), H(X,Z,Y))` into its accumulators.
    fn fold(
        &self,
        crit: Criterion,
        j: usize,
        c: &Conditioning,
        a: &mut Acc<Exact>,
        h: (i128, i128),
    ) {
        let known = Known {
            x: self.h_x[j],
            xy: self.h_xy[j],
            y: self.h_y,
            z: c.h_z,
            zy: c.h_zy,
        };
        fold_exact(crit, a, known, h);
    }
}

/// The `N·H` of a candidate `X`, the class `Y` and the conditioning `Z` that do not change
/// with the candidate's joint counts.
#[derive(Clone, Copy)]
pub(crate) struct Known {
    pub(crate) x: Exact,
    pub(crate) xy: Exact,
    pub(crate) y: Exact,
    pub(crate) z: Exact,
    pub(crate) zy: Exact,
}

/// Folds a candidate's `N·(H(X,Z), H(X,Z,Y))` into its accumulators (the in-memory kernels
/// and counted passes alike).
pub(crate) fn fold_exact(crit: Criterion, a: &mut Acc<Exact>, k: Known, h: (i128, i128)) {
    let (h_xz, h_xzy) = h;
    let mi_xz = (k.x + k.z - h_xz).max(0);
    match crit.need() {
        Need::Nothing => {}
        Need::Pair => a.add_redundancy(mi_xz),
        Need::Triple => a.add_pair_terms(&PairTerms {
            mi_xz,
            cmi_xz_given_y: (k.xy + k.zy - h_xzy - k.y).max(0),
            joint: (h_xz + k.y - h_xzy).max(0),
            cmi_xy_given_z: (h_xz + k.zy - h_xzy - k.z).max(0),
            // The exact ratio (a 256-bit division) only for the criteria that use it.
            h_xzy: matches!(crit, Criterion::Disr | Criterion::Njmim).then_some(h_xzy),
        }),
        Need::Joint => a.conditional_relevance = (h_xz + k.zy - h_xzy - k.z).max(0),
    }
}

impl TermSource for DiscreteSource<'_> {
    type Term = Exact;
    type Score = ExactScore;
    type Prepared = Conditioning;
    type Joint = Codes;
    type Scratch = Scratch;

    fn n_features(&self) -> usize {
        self.x.n_cols()
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

    fn extend_joint(&self, joint: Option<Codes>, newest: usize) -> Result<Codes> {
        let x = self.x.column(newest);
        Ok(match joint {
            None => x.compact(),
            Some(z) => z.joint(x)?,
        })
    }

    fn p_value(&self, j: usize, joint: Option<&Codes>) -> Result<f64> {
        let x = self.x.column(j);
        Ok(match joint {
            None => g_test(x, self.y)?.p_value,
            Some(z) => conditional_g_test(x, self.y, z)?.p_value,
        })
    }

    fn prepare(&self, newest: usize, joint: Option<&Codes>) -> Result<Conditioning> {
        Ok(Conditioning::new(
            joint.unwrap_or(self.x.column(newest)),
            self.y,
        )?)
    }

    fn update(
        &self,
        crit: Criterion,
        j: usize,
        c: &Conditioning,
        a: &mut Acc<Exact>,
        s: &mut Scratch,
    ) -> Result<()> {
        let x = self.x.column(j);
        let h = match crit.need() {
            Need::Nothing => return Ok(()),
            Need::Pair => {
                let h_xz = pair_entropy_exact(x, c.z(), &self.nl, s);
                (h_xz, h_xz)
            }
            Need::Triple | Need::Joint => c.entropies_exact(x, &self.nl, s),
        };
        self.fold(crit, j, c, a, h);
        Ok(())
    }

    fn update_all(
        &self,
        crit: Criterion,
        c: &Conditioning,
        accs: &mut [Acc<Exact>],
        taken: &[bool],
    ) -> Result<()> {
        if !update_blocked(self, crit, c, accs, taken) {
            par_update(self, crit, c, accs, taken, 8)?;
        }
        Ok(())
    }
}

/// Greedy forward selection of columns of `features` for the class `target`.
///
/// Each round counts every remaining candidate once against the newest selected feature and
/// the class (in parallel; results do not depend on the number of threads), updates the
/// candidate's accumulators and takes the best criterion value. Scores are exact (see
/// [`Criterion`] and the module docs of `score`): mathematically equal scores compare equal
/// and the lowest column index wins; an exact zero is reported as `0`. CMIM is evaluated lazily
/// (Fleuret 2004): a candidate's bound is lowered only while it could still win. CondMI
/// conditions on the joint code of the whole selected set.
///
/// # Errors
/// [`SelectError::Empty`](crate::SelectError::Empty) without rows or features,
/// [`SelectError::TargetLength`](crate::SelectError::TargetLength), and the option errors of
/// [`SelectOptions::validate`].
///
/// # Examples
/// ```
/// use mutinfo_core::{CodeMatrix, Codes};
/// use mutinfo_select::{select, Criterion, SelectOptions};
/// // Column 1 is the class, column 2 a copy of column 1, column 0 noise.
/// let x = ndarray::array![[0, 0, 0], [1, 0, 0], [0, 1, 1], [1, 1, 1], [0, 0, 0], [1, 1, 1]];
/// let y = Codes::from_values(&[0, 0, 1, 1, 0, 1])?;
/// let sel = select(&CodeMatrix::from_array(x.view())?, &y, &SelectOptions::new(Criterion::Mrmr).k(2))?;
/// assert_eq!(sel.selected(), vec![1, 0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn select(features: &CodeMatrix, target: &Codes, opts: &SelectOptions) -> Result<Selection> {
    run(&source(features, target, opts)?, opts, None)
}

/// The per-feature quantities of a discrete selection.
fn source<'a>(
    features: &'a CodeMatrix,
    target: &'a Codes,
    opts: &SelectOptions,
) -> Result<DiscreteSource<'a>> {
    let p = features.n_cols();
    let n = features.n_rows();
    check_shape(n, p, target.len(), opts)?;
    let nl = NLogNTable::new(n as u64);
    let h_y = NLogNSum::from_counts(target.counts()).scaled_entropy(n as u64);
    let columns: Vec<&Codes> = features.columns().iter().collect();
    let pairs = pair_entropies_exact(&columns, target)?;
    let relevance = pairs
        .iter()
        .map(|&(h_x, h_xy)| (h_x + h_y - h_xy).max(0))
        .collect();
    // CMIM counts one candidate at a time (lazily), MIM counts nothing after the relevance.
    let lazy = matches!(opts.criterion, Criterion::Cmim | Criterion::CmimUncapped);
    Ok(DiscreteSource {
        x: features,
        y: target,
        h_x: pairs.iter().map(|p| p.0).collect(),
        h_xy: pairs.iter().map(|p| p.1).collect(),
        h_y,
        relevance,
        nl,
        unit: ExactUnit::new(n as u64),
        u8: U8Columns::new(features, !lazy && opts.criterion.need() != Need::Nothing),
    })
}

/// A unit of work of the blocked kernels.
enum Work<'a> {
    /// Pair indices `i` (candidates `2i`, `2i+1`), at most two.
    Pairs(&'a [usize]),
    /// Single candidates, at most [`BLOCK`].
    Singles(&'a [usize]),
}

thread_local! {
    static BLOCK_SCRATCH: std::cell::RefCell<BlockScratch> =
        std::cell::RefCell::new(BlockScratch::default());
}

/// Folds the conditioning `c` into every remaining candidate's accumulators with the blocked
/// `u8` kernels; `false` when they do not apply (the caller then takes the single path).
fn update_blocked(
    src: &DiscreteSource<'_>,
    crit: Criterion,
    c: &Conditioning,
    accs: &mut [Acc<Exact>],
    taken: &[bool],
) -> bool {
    let Some(cols) = &src.u8 else {
        return false;
    };
    let y = (crit.need() != Need::Pair).then_some(src.y);
    let stride = cols.stride();
    let Some(keys) = BlockKeys::new(c.z(), y, stride) else {
        return false;
    };
    let pair_keys = if cols.has_pairs() {
        BlockKeys::new(c.z(), y, stride * stride)
    } else {
        None
    };
    let p = accs.len();
    let (mut pairs, mut singles) = (Vec::new(), Vec::new());
    if pair_keys.is_some() {
        for i in 0..p / 2 {
            match (taken[2 * i], taken[2 * i + 1]) {
                (false, false) => pairs.push(i),
                (false, true) => singles.push(2 * i),
                (true, false) => singles.push(2 * i + 1),
                (true, true) => {}
            }
        }
        if p % 2 == 1 && !taken[p - 1] {
            singles.push(p - 1);
        }
    } else {
        singles.extend((0..p).filter(|&j| !taken[j]));
    }
    let work: Vec<Work<'_>> = pairs
        .chunks(2)
        .map(Work::Pairs)
        .chain(singles.chunks(BLOCK).map(Work::Singles))
        .collect();
    // Every candidate's counts come from one thread, so results do not depend on the number
    // of threads.
    let res: Vec<[(i128, i128); BLOCK]> = work
        .par_iter()
        .map(|w| {
            BLOCK_SCRATCH.with(|s| {
                let s = &mut s.borrow_mut();
                match (w, &pair_keys) {
                    (Work::Pairs(ps), Some(pk)) => pair_block_entropies(cols, ps, pk, &src.nl, s),
                    (Work::Singles(js), _) => block_entropies(cols, js, &keys, &src.nl, s),
                    (Work::Pairs(_), None) => unreachable!("pairs need their keys"),
                }
            })
        })
        .collect();
    let mut h = vec![(0i128, 0i128); p];
    for (w, r) in work.iter().zip(&res) {
        match w {
            Work::Pairs(ps) => {
                for (k, &i) in ps.iter().enumerate() {
                    h[2 * i] = r[2 * k];
                    h[2 * i + 1] = r[2 * k + 1];
                }
            }
            Work::Singles(js) => {
                for (&j, &v) in js.iter().zip(r) {
                    h[j] = v;
                }
            }
        }
    }
    accs.par_iter_mut()
        .enumerate()
        .with_min_len(1024)
        .filter(|(j, _)| !taken[*j])
        .for_each(|(j, a)| src.fold(crit, j, c, a, h[j]));
    true
}
