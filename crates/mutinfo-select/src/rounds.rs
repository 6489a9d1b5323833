//! The greedy round loop shared by every estimator family.

use crate::criterion::{Criterion, Need};
use crate::error::Result;
use crate::options::SelectOptions;
use crate::result::{RoundScores, Selection, Step, StopReason};
use crate::score::{Acc, Ranked, Term};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// What the shared round loop ([`run`]) needs from an estimator family: the relevance of every
/// feature and, per (candidate, newest selected feature), the terms folded into the
/// candidate's accumulators. The discrete plug-in engine (exact integer terms) and the
/// continuous (kNN / Gaussian / copula) engine (`f64` terms) implement it; the loop, CMIM's
/// lazy evaluation, the tie rule and the stop rules are the same for both.
pub(crate) trait TermSource: Sync {
    /// The number domain of the terms.
    type Term: Term;
    /// The criterion value built from the terms.
    type Score: Ranked;
    /// A selected feature prepared once per round for all candidates (with the joint of the
    /// selected set for CondMi).
    type Prepared: Sync;
    /// The joint of the selected set (CondMi and the significance test).
    type Joint;
    /// Per-worker scratch space.
    type Scratch: Default + Send;

    /// Number of features.
    fn n_features(&self) -> usize;
    /// `I(X_j;Y)` of every feature.
    fn relevance(&self) -> &[Self::Term];
    /// A term in nats, for display.
    fn nats(&self, t: Self::Term) -> f64;
    /// The criterion value of a candidate from its accumulators; `s ≥ 1` features selected.
    fn score(
        &self,
        crit: Criterion,
        rel: Self::Term,
        a: &Acc<Self::Term>,
        s: usize,
    ) -> Result<Self::Score>;
    /// The score of the first round: the relevance.
    fn relevance_score(&self, rel: Self::Term) -> Self::Score;
    /// Whether the steps report `Σ I(X;X_s)` and `Σ I(X;X_s|Y)` for this criterion: by
    /// default, what the criterion's kernel computes ([`Need`]).
    fn reports(&self, crit: Criterion) -> (bool, bool) {
        match crit.need() {
            Need::Pair => (true, false),
            Need::Triple => (true, true),
            _ => (false, false),
        }
    }
    /// The joint of the selected set extended by the newest feature.
    fn extend_joint(&self, joint: Option<Self::Joint>, newest: usize) -> Result<Self::Joint>;
    /// The p-value of `I(X_j;Y|X_S)` (`I(X_j;Y)` without a joint).
    fn p_value(&self, j: usize, joint: Option<&Self::Joint>) -> Result<f64>;
    /// Prepares the newest selected feature (or, given `joint`, the whole selected set).
    fn prepare(&self, newest: usize, joint: Option<&Self::Joint>) -> Result<Self::Prepared>;
    /// Folds a prepared selected feature into one candidate's accumulators.
    fn update(
        &self,
        crit: Criterion,
        j: usize,
        c: &Self::Prepared,
        a: &mut Acc<Self::Term>,
        s: &mut Self::Scratch,
    ) -> Result<()>;
    /// Folds a prepared selected feature into every remaining candidate's accumulators.
    fn update_all(
        &self,
        crit: Criterion,
        c: &Self::Prepared,
        accs: &mut [Acc<Self::Term>],
        taken: &[bool],
    ) -> Result<()>;
}

/// [`TermSource::update`] on every remaining candidate in parallel, each candidate on one
/// thread (so results do not depend on the number of threads); the first error in column order.
pub(crate) fn par_update<S: TermSource>(
    src: &S,
    crit: Criterion,
    c: &S::Prepared,
    accs: &mut [Acc<S::Term>],
    taken: &[bool],
    min_len: usize,
) -> Result<()> {
    let res: Vec<Result<()>> = accs
        .par_iter_mut()
        .enumerate()
        .with_min_len(min_len)
        .filter(|(j, _)| !taken[*j])
        .map_init(S::Scratch::default, |s, (j, a)| {
            src.update(crit, j, c, a, s)
        })
        .collect();
    res.into_iter().collect()
}

/// The greedy round loop. With `trace`, the criterion value of every remaining candidate is
/// recorded before each pick (CMIM's lazy bounds are then evaluated in full first, which
/// changes no pick: a bound is lowered only towards the value).
///
/// The best candidate is the one with the largest score; among equal scores (exactly equal in
/// the exact domain) the lowest column index wins.
pub(crate) fn run<S: TermSource>(
    src: &S,
    opts: &SelectOptions,
    mut trace: Option<&mut Vec<RoundScores>>,
) -> Result<Selection> {
    let crit = opts.criterion;
    let p = src.n_features();
    let rel = src.relevance();
    let k = opts.k.unwrap_or(p).min(p);
    let lazy = matches!(crit, Criterion::Cmim | Criterion::CmimUncapped);
    let keep_joint = opts.alpha.is_some() || crit == Criterion::CondMi;
    let (reports_redundancy, reports_conditional) = src.reports(crit);
    let mut accs: Vec<Acc<S::Term>> = vec![Acc::new(); p];
    // CMIM's lazily lowered bound per candidate (`None`: not evaluated yet, i.e. +∞ for
    // the uncapped form and the relevance for the capped one).
    let mut bounds: Vec<Option<S::Score>> = vec![None; p];
    if crit == Criterion::Cmim {
        for (b, &r) in bounds.iter_mut().zip(rel) {
            *b = Some(src.relevance_score(r));
        }
    }
    // The first round's scores (and MIM's in every round: they never change), once.
    let relevance_scores: Vec<S::Score> = rel
        .par_iter()
        .with_min_len(4096)
        .map(|&r| src.relevance_score(r))
        .collect();
    let mut taken = vec![false; p];
    let mut steps: Vec<Step> = Vec::with_capacity(k);
    // Prepared selected features, kept for CMIM's lazy catch-up.
    let mut prepared: Vec<S::Prepared> = Vec::new();
    let mut joint: Option<S::Joint> = None;
    // CMIM's candidates by bound, built in the first lazy round.
    let mut heap: Option<BinaryHeap<LazyEntry<S::Score>>> = None;
    // MIM's candidates by relevance, sorted in the first round.
    let mut mim_order: Option<(Vec<usize>, usize)> = None;
    let mut stop = StopReason::Exhausted;
    while steps.len() < k {
        let t = steps.len();
        let fixed = opts.fixed.get(t).copied();
        let mut scratch = S::Scratch::default();
        // Lowers candidate j's bound by at least `min_steps` selected features (while any
        // are left), then while it is above `floor` (all the way without one).
        let mut catch_up = |j: usize,
                            a: &mut Acc<S::Term>,
                            bound: &mut Option<S::Score>,
                            floor: Option<S::Score>,
                            min_steps: usize|
         -> Result<()> {
            let mut taken_steps = 0;
            while a.done < prepared.len()
                && (taken_steps < min_steps
                    || match (bound.as_ref(), floor.as_ref()) {
                        (Some(b), Some(f)) => b > f,
                        _ => true,
                    })
            {
                src.update(crit, j, &prepared[a.done], a, &mut scratch)?;
                *bound = Some(src.score(crit, rel[j], a, a.done + 1)?);
                a.done += 1;
                taken_steps += 1;
            }
            Ok(())
        };
        if let Some(tr) = trace.as_deref_mut() {
            let mut round = Vec::with_capacity(p - t);
            for j in (0..p).filter(|&j| !taken[j]) {
                let v = if t == 0 || crit == Criterion::Mim {
                    relevance_scores[j]
                } else if lazy {
                    catch_up(j, &mut accs[j], &mut bounds[j], None, 0)?;
                    bounds[j].expect("every candidate is updated after the first round")
                } else {
                    src.score(crit, rel[j], &accs[j], t)?
                };
                round.push((j, v.shown()));
            }
            tr.push(round);
        }
        let (best, value) = if crit == Criterion::Mim {
            // The scores never change: one sort (larger first, then the lower index) orders
            // every round.
            let (order, next) = mim_order.get_or_insert_with(|| {
                let mut o: Vec<usize> = (0..p).collect();
                o.par_sort_unstable_by(|&a, &b| {
                    let (va, vb) = (&relevance_scores[a], &relevance_scores[b]);
                    vb.partial_cmp(va)
                        .unwrap_or(Ordering::Equal)
                        .then(a.cmp(&b))
                });
                (o, 0)
            });
            match fixed {
                Some(j) => (j, relevance_scores[j]),
                None => {
                    while taken[order[*next]] {
                        *next += 1;
                    }
                    (order[*next], relevance_scores[order[*next]])
                }
            }
        } else if t == 0 {
            pick(fixed, p, |j| (!taken[j]).then_some(relevance_scores[j]))
        } else if lazy {
            match fixed {
                Some(j) => {
                    catch_up(j, &mut accs[j], &mut bounds[j], None, 0)?;
                    (j, bounds[j].expect("updated above"))
                }
                None => {
                    // Lazy greedy (Minoux 1978) on a heap ordered by (bound, lower index
                    // first): the first popped candidate whose bound is its exact value wins.
                    // Every other candidate then has a bound (≥ its value) below it, or equal
                    // with a higher index, so the winner is the largest value with the lowest
                    // index, as a scan of all candidates would pick.
                    let heap = heap.get_or_insert_with(|| {
                        (0..p)
                            .filter(|&j| !taken[j])
                            .map(|j| LazyEntry {
                                bound: bounds[j],
                                j,
                            })
                            .collect()
                    });
                    loop {
                        let e = heap
                            .pop()
                            .expect("a candidate remains while fewer than p are taken");
                        let j = e.j;
                        if taken[j] {
                            continue;
                        }
                        if e != (LazyEntry {
                            bound: bounds[j],
                            j,
                        }) {
                            // Lowered since it was pushed (a trace or a fixed pick did it).
                            heap.push(LazyEntry {
                                bound: bounds[j],
                                j,
                            });
                            continue;
                        }
                        if accs[j].done == prepared.len() {
                            break (j, bounds[j].expect("updated in an earlier round"));
                        }
                        let floor = heap.peek().and_then(|top| top.bound);
                        catch_up(j, &mut accs[j], &mut bounds[j], floor, 1)?;
                        heap.push(LazyEntry {
                            bound: bounds[j],
                            j,
                        });
                    }
                }
            }
        } else {
            let scores = accs
                .par_iter()
                .enumerate()
                .with_min_len(4096)
                .map(|(j, a)| -> Result<Option<S::Score>> {
                    if taken[j] {
                        Ok(None)
                    } else {
                        src.score(crit, rel[j], a, t).map(Some)
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            pick(fixed, p, |j| scores[j])
        };
        let p_value = match opts.alpha {
            None => None,
            Some(_) => Some(src.p_value(best, joint.as_ref())?),
        };
        if fixed.is_none() {
            if let (Some(alpha), Some(pv)) = (opts.alpha, p_value) {
                if pv > alpha {
                    stop = StopReason::NotSignificant;
                    break;
                }
            }
            if let Some(th) = opts.threshold {
                if value.shown() < th {
                    stop = StopReason::BelowThreshold;
                    break;
                }
            }
        }
        let a = &accs[best];
        steps.push(Step {
            feature: best,
            score: value.shown(),
            relevance: src.nats(rel[best]),
            redundancy: reports_redundancy.then(|| src.nats(a.redundancy)),
            conditional_redundancy: reports_conditional.then(|| src.nats(a.conditional_redundancy)),
            p_value,
            fixed: fixed.is_some(),
        });
        taken[best] = true;
        if let Some(on_step) = &opts.progress {
            (on_step.0)(steps.len());
        }
        if steps.len() == k || steps.len() == p {
            stop = if steps.len() == p && opts.k.is_none_or(|k| k >= p) {
                StopReason::Exhausted
            } else {
                StopReason::K
            };
            break;
        }
        if keep_joint {
            joint = Some(src.extend_joint(joint.take(), best)?);
        }
        // Fold the newest feature into every remaining candidate's accumulators.
        if crit == Criterion::CondMi {
            let c = src.prepare(best, joint.as_ref())?;
            src.update_all(crit, &c, &mut accs, &taken)?;
        } else if lazy {
            prepared.push(src.prepare(best, None)?);
        } else if crit != Criterion::Mim {
            let c = src.prepare(best, None)?;
            src.update_all(crit, &c, &mut accs, &taken)?;
        }
    }
    Ok(Selection {
        criterion: crit,
        steps,
        relevance: rel.iter().map(|&r| src.nats(r)).collect(),
        stop,
    })
}

/// A CMIM candidate in the lazy heap: larger bound first (`None`, not evaluated yet, is +∞),
/// then the lower index.
struct LazyEntry<V> {
    bound: Option<V>,
    j: usize,
}

impl<V: PartialOrd> Ord for LazyEntry<V> {
    fn cmp(&self, other: &Self) -> Ordering {
        let by_bound = match (&self.bound, &other.bound) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(a), Some(b)) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
        };
        by_bound.then(other.j.cmp(&self.j))
    }
}

impl<V: PartialOrd> PartialOrd for LazyEntry<V> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<V: PartialOrd> PartialEq for LazyEntry<V> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<V: PartialOrd> Eq for LazyEntry<V> {}

/// The fixed feature if there is one, else the remaining candidate (`score(j)` is `None` for
/// a taken one) with the largest score, the lowest index among equal ones; with its score.
fn pick<V: Ranked>(
    fixed: Option<usize>,
    p: usize,
    score: impl Fn(usize) -> Option<V>,
) -> (usize, V) {
    if let Some(v) = fixed.and_then(&score) {
        return (fixed.expect("checked"), v);
    }
    let mut best: Option<(usize, V)> = None;
    for j in 0..p {
        if let Some(v) = score(j) {
            if best.is_none_or(|b| v > b.1) {
                best = Some((j, v));
            }
        }
    }
    best.expect("a candidate remains while fewer than p are taken")
}
