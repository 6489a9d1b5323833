//! The greedy forward-selection engine on discrete codes.

use crate::criterion::{Criterion, Need};
use crate::error::{Result, SelectError};
use crate::kernel::{
    block_entropies, pair_block_entropies, pair_entropy, triple_entropies, BlockKeys, BlockScratch,
    Conditioning, Scratch, U8Columns, BLOCK,
};
use mutinfo_core::exact::{NLogNSum, NLogNTable};
use mutinfo_core::{conditional_g_test, g_test, CodeMatrix, Codes, Estimator, TripleEntropies};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The options of a selection run: the criterion and when to stop.
///
/// Defaults: [`Criterion::Jmi`], `k = 10`, no significance test, no threshold, no fixed
/// features.
///
/// ```
/// use mutinfo_select::{Criterion, SelectOptions};
/// let opts = SelectOptions::new(Criterion::Cmim).k(5).alpha(0.01).fixed(vec![3]);
/// assert_eq!(opts.k, Some(5));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectOptions {
    /// The criterion.
    pub criterion: Criterion,
    /// Number of features to select in total, fixed ones included (`None`: until another stop
    /// rule fires or every feature is selected). Capped at the number of features.
    pub k: Option<usize>,
    /// Stop before a candidate whose conditional G-test is not significant at this level:
    /// `G = 2N I(X;Y|X_S)` with `X_S` the joint of the selected features (the plain G-test of
    /// `I(X;Y)` for the first pick), χ² with `(|X|−1)(|Y|−1)|X_S|` degrees of freedom
    /// (observed values). Must be in `(0, 1)`.
    pub alpha: Option<f64>,
    /// Stop before a candidate whose criterion value is below this. Must be finite.
    pub threshold: Option<f64>,
    /// Features selected first, in this order, whatever their scores (warm start). Their steps
    /// are recorded with the criterion value they had when they were taken.
    pub fixed: Vec<usize>,
    /// Told the number of steps taken after each pick (for a progress bar); never changes a
    /// result, and is neither serialized nor compared.
    #[serde(skip)]
    pub progress: Option<StepProgress>,
}

/// A callback told the number of steps taken so far; see [`SelectOptions::progress`].
#[derive(Clone)]
pub struct StepProgress(pub std::sync::Arc<dyn Fn(usize) + Send + Sync>);

impl std::fmt::Debug for StepProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StepProgress")
    }
}

/// Progress hooks never change a result, so options differing only there are equal.
impl PartialEq for StepProgress {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Default for SelectOptions {
    fn default() -> Self {
        SelectOptions {
            criterion: Criterion::default(),
            k: Some(10),
            alpha: None,
            threshold: None,
            fixed: Vec::new(),
            progress: None,
        }
    }
}

impl SelectOptions {
    /// Default options with this criterion.
    pub fn new(criterion: Criterion) -> Self {
        SelectOptions {
            criterion,
            ..Default::default()
        }
    }

    /// Sets [`SelectOptions::k`].
    pub fn k(mut self, k: usize) -> Self {
        self.k = Some(k);
        self
    }

    /// Selects until another rule stops (or every feature is taken): `k = None`.
    pub fn unlimited(mut self) -> Self {
        self.k = None;
        self
    }

    /// Sets [`SelectOptions::alpha`].
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = Some(alpha);
        self
    }

    /// Sets [`SelectOptions::threshold`].
    pub fn threshold(mut self, threshold: f64) -> Self {
        self.threshold = Some(threshold);
        self
    }

    /// Sets [`SelectOptions::fixed`].
    pub fn fixed(mut self, fixed: Vec<usize>) -> Self {
        self.fixed = fixed;
        self
    }

    /// Sets [`SelectOptions::progress`].
    pub fn progress(mut self, on_step: impl Fn(usize) + Send + Sync + 'static) -> Self {
        self.progress = Some(StepProgress(std::sync::Arc::new(on_step)));
        self
    }

    /// Checks the options against a number of features.
    ///
    /// # Errors
    /// [`SelectError::InvalidParameter`] for a bad weight, `k = 0`, `k` below the number of
    /// fixed features, `alpha` outside `(0, 1)` or a non-finite threshold;
    /// [`SelectError::InvalidFixedFeature`] for a fixed index out of range or repeated.
    pub fn validate(&self, n_features: Option<usize>) -> Result<()> {
        self.criterion.validate()?;
        if let Some(k) = self.k {
            if k == 0 {
                return Err(SelectError::InvalidParameter {
                    name: "k",
                    value: "0".into(),
                    reason: "must be at least 1",
                });
            }
            if k < self.fixed.len() {
                return Err(SelectError::InvalidParameter {
                    name: "k",
                    value: k.to_string(),
                    reason: "must be at least the number of fixed features",
                });
            }
        }
        if let Some(a) = self.alpha {
            if !(a > 0.0 && a < 1.0) {
                return Err(SelectError::InvalidParameter {
                    name: "alpha",
                    value: a.to_string(),
                    reason: "must be in (0, 1)",
                });
            }
        }
        if let Some(t) = self.threshold {
            if !t.is_finite() {
                return Err(SelectError::InvalidParameter {
                    name: "threshold",
                    value: t.to_string(),
                    reason: "must be finite",
                });
            }
        }
        for (i, &f) in self.fixed.iter().enumerate() {
            if self.fixed[..i].contains(&f) {
                return Err(SelectError::InvalidFixedFeature {
                    index: f,
                    reason: "repeated",
                    n_features: n_features.unwrap_or(0),
                });
            }
            if let Some(p) = n_features {
                if f >= p {
                    return Err(SelectError::InvalidFixedFeature {
                        index: f,
                        reason: "out of range",
                        n_features: p,
                    });
                }
            }
        }
        Ok(())
    }
}

/// One step of a selection: the feature taken and the terms of its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Column index of the feature.
    pub feature: usize,
    /// Its criterion value when it was taken.
    pub score: f64,
    /// Its relevance `I(X;Y)` (nats).
    pub relevance: f64,
    /// `Σ_s I(X;X_s)` over the features selected before it (nats), for the criteria that count
    /// pairwise terms (`None` for MIM and CondMI).
    pub redundancy: Option<f64>,
    /// `Σ_s I(X;X_s|Y)` (nats), for the criteria that count three-way terms.
    pub conditional_redundancy: Option<f64>,
    /// The G-test p-value of `I(X;Y|X_S)`, when a significance level was set.
    pub p_value: Option<f64>,
    /// Whether the feature was fixed by the caller (warm start).
    pub fixed: bool,
}

/// Why a selection stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum StopReason {
    /// `k` features were selected.
    K,
    /// Every feature was selected.
    Exhausted,
    /// The best candidate was not significant at `alpha`.
    NotSignificant,
    /// The best candidate's criterion value was below the threshold.
    BelowThreshold,
}

/// The result of a selection: the steps in order and every feature's relevance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    /// The criterion used.
    pub criterion: Criterion,
    /// The steps, in selection order.
    pub steps: Vec<Step>,
    /// `I(X_j;Y)` (nats) of every feature `j`.
    pub relevance: Vec<f64>,
    /// Why the selection stopped.
    pub stop: StopReason,
}

impl Selection {
    /// The selected column indices, in selection order.
    pub fn selected(&self) -> Vec<usize> {
        self.steps.iter().map(|s| s.feature).collect()
    }

    /// The criterion value of each step, in selection order.
    pub fn step_scores(&self) -> Vec<f64> {
        self.steps.iter().map(|s| s.score).collect()
    }
}

/// Per-candidate accumulators, summed in selection order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Acc {
    pub(crate) red: f64,
    pub(crate) cred: f64,
    joint: f64,
    disr: f64,
    icap: f64,
    min_cmi: f64,
    min_joint: f64,
    min_njoint: f64,
    /// The criterion value (CondMI, and CMIM's lazily lowered bound).
    pub(crate) value: f64,
    /// Selected features this candidate has been updated with (CMIM's lazy evaluation).
    pub(crate) done: usize,
}

impl Acc {
    pub(crate) fn new() -> Self {
        Acc {
            red: 0.0,
            cred: 0.0,
            joint: 0.0,
            disr: 0.0,
            icap: 0.0,
            min_cmi: f64::INFINITY,
            min_joint: f64::INFINITY,
            min_njoint: f64::INFINITY,
            value: f64::INFINITY,
            done: 0,
        }
    }

    pub(crate) fn add_pair(&mut self, mi_xz: f64) {
        self.red += mi_xz;
    }

    pub(crate) fn add_triple(&mut self, t: &PairTerms) {
        self.red += t.mi_xz;
        self.cred += t.cmi_xz_given_y;
        self.joint += t.joint;
        let nj = match t.h_xzy {
            Some(h) if h > 0.0 => t.joint / h,
            _ => 0.0,
        };
        self.disr += nj;
        self.icap += (t.mi_xz - t.cmi_xz_given_y).max(0.0);
        self.min_cmi = self.min_cmi.min(t.cmi_xy_given_z);
        self.min_joint = self.min_joint.min(t.joint);
        self.min_njoint = self.min_njoint.min(nj);
    }
}

/// The terms of one (candidate `X`, newest selected `X_s`) pair that the accumulators fold in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PairTerms {
    /// `I(X;X_s)`.
    pub mi_xz: f64,
    /// `I(X;X_s|Y)`.
    pub cmi_xz_given_y: f64,
    /// `I(X,X_s;Y)`.
    pub joint: f64,
    /// `I(X;Y|X_s)`.
    pub cmi_xy_given_z: f64,
    /// `H(X,X_s,Y)` for the normalized criteria (`None` where it is not defined).
    pub h_xzy: Option<f64>,
}

impl PairTerms {
    fn plug_in(t: &TripleEntropies) -> Self {
        let e = Estimator::PlugIn;
        PairTerms {
            mi_xz: t.mi_xz(e),
            cmi_xz_given_y: t.cmi_xz_given_y(e),
            joint: t.joint_mi(e),
            cmi_xy_given_z: t.cmi_xy_given_z(e),
            h_xzy: Some(t.h_xzy),
        }
    }
}

/// What the shared round loop ([`run`]) needs from an estimator family: the relevance of every
/// feature and, per (candidate, newest selected feature), the terms folded into the
/// candidate's accumulators. The discrete plug-in engine and the continuous (kNN / Gaussian /
/// copula) engine implement it; the loop, the scores, CMIM's lazy evaluation, the tie rule and
/// the stop rules are the same for both.
pub(crate) trait TermSource: Sync {
    /// A selected feature prepared once per round for all candidates (with the joint of the
    /// selected set for CondMi).
    type Cond: Sync;
    /// The joint of the selected set (CondMi and the significance test).
    type Joint;
    /// Per-worker scratch space.
    type Scratch: Default + Send;

    /// Number of features.
    fn n_features(&self) -> usize;
    /// `I(X_j;Y)` of every feature.
    fn relevance(&self) -> &[f64];
    /// Whether the steps report `Σ I(X;X_s)` and `Σ I(X;X_s|Y)` for this criterion.
    fn reports(&self, crit: Criterion) -> (bool, bool);
    /// The joint of the selected set extended by the newest feature.
    fn extend_joint(&self, joint: Option<Self::Joint>, newest: usize) -> Result<Self::Joint>;
    /// The p-value of `I(X_j;Y|X_S)` (`I(X_j;Y)` without a joint).
    fn p_value(&self, j: usize, joint: Option<&Self::Joint>) -> Result<f64>;
    /// Prepares the newest selected feature (or, given `joint`, the whole selected set).
    fn condition(&self, newest: usize, joint: Option<&Self::Joint>) -> Result<Self::Cond>;
    /// Folds a prepared conditioning into one candidate's accumulators.
    fn update(
        &self,
        crit: Criterion,
        j: usize,
        c: &Self::Cond,
        a: &mut Acc,
        s: &mut Self::Scratch,
    ) -> Result<()>;
    /// Folds a prepared conditioning into every remaining candidate's accumulators.
    fn update_all(
        &self,
        crit: Criterion,
        c: &Self::Cond,
        accs: &mut [Acc],
        taken: &[bool],
    ) -> Result<()>;
}

/// [`TermSource::update`] on every remaining candidate in parallel, each candidate on one
/// thread (so results do not depend on the number of threads); the first error in column order.
pub(crate) fn par_update<S: TermSource>(
    src: &S,
    crit: Criterion,
    c: &S::Cond,
    accs: &mut [Acc],
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

/// The criterion value of a candidate from its accumulators; `s` features are selected (≥ 1).
pub(crate) fn score(c: Criterion, rel: f64, a: &Acc, s: usize) -> f64 {
    match c {
        Criterion::Mim => rel,
        Criterion::Mifs { beta } => rel - beta * a.red,
        Criterion::Mrmr => rel - a.red / s as f64,
        // 1e-4: the constant of Peng's mrmr code (see `Criterion::MrmrQuotient`).
        Criterion::MrmrQuotient => rel / (a.red / s as f64 + 1e-4),
        Criterion::Jmi => a.joint,
        Criterion::Cmim => rel.min(a.min_cmi),
        Criterion::CmimUncapped => a.min_cmi,
        Criterion::Disr => a.disr,
        Criterion::Icap => rel - a.icap,
        Criterion::Cife => rel - a.red + a.cred,
        Criterion::CondMi => a.value,
        Criterion::Jmim => a.min_joint,
        Criterion::Njmim => a.min_njoint,
        Criterion::BetaGamma { beta, gamma } => rel - beta * a.red + gamma * a.cred,
    }
}

/// Per-feature quantities that do not change during the selection.
struct Base<'a> {
    x: &'a CodeMatrix,
    y: &'a Codes,
    h_x: Vec<f64>,
    h_xy: Vec<f64>,
    h_y: f64,
    rel: Vec<f64>,
    nl: NLogNTable,
    /// The columns as `u8` slices, for the blocked kernel (`None` when some column is wider).
    u8: Option<U8Columns<'a>>,
}

impl Base<'_> {
    fn triple(&self, j: usize, c: &Conditioning, s: &mut Scratch) -> TripleEntropies {
        let (h_xz, h_xzy) = triple_entropies(self.x.column(j), c, &self.nl, s);
        TripleEntropies {
            h_x: self.h_x[j],
            h_z: c.h_z,
            h_y: self.h_y,
            h_xz,
            h_xy: self.h_xy[j],
            h_zy: c.h_zy,
            h_xzy,
        }
    }

    /// Folds a candidate's `(H(X,Z), H(X,Z,Y))` from the blocked kernel into its accumulators.
    fn apply(&self, crit: Criterion, j: usize, c: &Conditioning, a: &mut Acc, h: (f64, f64)) {
        let (h_xz, h_xzy) = h;
        let t = TripleEntropies {
            h_x: self.h_x[j],
            h_z: c.h_z,
            h_y: self.h_y,
            h_xz,
            h_xy: self.h_xy[j],
            h_zy: c.h_zy,
            h_xzy,
        };
        match crit.need() {
            Need::Nothing => {}
            Need::Pair => a.add_pair((self.h_x[j] + c.h_z - h_xz).max(0.0)),
            Need::Triple => a.add_triple(&PairTerms::plug_in(&t)),
            Need::Joint => a.value = t.cmi_xy_given_z(Estimator::PlugIn),
        }
    }
}

impl TermSource for Base<'_> {
    type Cond = Conditioning;
    type Joint = Codes;
    type Scratch = Scratch;

    fn n_features(&self) -> usize {
        self.x.n_cols()
    }

    fn relevance(&self) -> &[f64] {
        &self.rel
    }

    fn reports(&self, crit: Criterion) -> (bool, bool) {
        match crit.need() {
            Need::Pair => (true, false),
            Need::Triple => (true, true),
            _ => (false, false),
        }
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

    fn condition(&self, newest: usize, joint: Option<&Codes>) -> Result<Conditioning> {
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
        a: &mut Acc,
        s: &mut Scratch,
    ) -> Result<()> {
        match crit.need() {
            Need::Nothing => {}
            Need::Pair => {
                let h_xz = pair_entropy(self.x.column(j), c.z(), &self.nl, s);
                a.add_pair((self.h_x[j] + c.h_z - h_xz).max(0.0));
            }
            Need::Triple => a.add_triple(&PairTerms::plug_in(&self.triple(j, c, s))),
            Need::Joint => a.value = self.triple(j, c, s).cmi_xy_given_z(Estimator::PlugIn),
        }
        Ok(())
    }

    fn update_all(
        &self,
        crit: Criterion,
        c: &Conditioning,
        accs: &mut [Acc],
        taken: &[bool],
    ) -> Result<()> {
        if !update_blocked(self, crit, c, accs, taken) {
            par_update(self, crit, c, accs, taken, 8)?;
        }
        Ok(())
    }
}

/// Checks an `n × p` feature matrix, its target's length and the options against `p`.
pub(crate) fn check_shape(
    n: usize,
    p: usize,
    target_len: usize,
    opts: &SelectOptions,
) -> Result<()> {
    if p == 0 {
        return Err(SelectError::Empty { unit: "features" });
    }
    if n == 0 {
        return Err(SelectError::Empty { unit: "rows" });
    }
    if target_len != n {
        return Err(SelectError::TargetLength {
            expected: n,
            found: target_len,
        });
    }
    opts.validate(Some(p))
}

/// Greedy forward selection of columns of `features` for the class `target`.
///
/// Each round counts every remaining candidate once against the newest selected feature and
/// the class (in parallel; results do not depend on the number of threads), updates the
/// candidate's accumulators and takes the best criterion value, ties to the lowest column
/// index. CMIM is evaluated lazily (Fleuret 2004): a candidate's bound is lowered only while
/// it could still win. CondMI conditions on the joint code of the whole selected set.
///
/// # Errors
/// [`SelectError::Empty`] without rows or features, [`SelectError::TargetLength`],
/// and the option errors of [`SelectOptions::validate`].
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
    let p = features.n_cols();
    let n = features.n_rows();
    check_shape(n, p, target.len(), opts)?;
    let nl = NLogNTable::new(n as u64);
    let h_y = NLogNSum::from_counts(target.counts()).entropy(n as u64);
    let pairs: Vec<(f64, f64)> = (0..p)
        .into_par_iter()
        .map_init(Scratch::default, |s, j| {
            let x = features.column(j);
            let h_x = NLogNSum::from_counts(x.counts()).entropy(n as u64);
            (h_x, pair_entropy(x, target, &nl, s))
        })
        .collect();
    let rel = pairs
        .iter()
        .map(|&(h_x, h_xy)| (h_x + h_y - h_xy).max(0.0))
        .collect();
    // CMIM counts one candidate at a time (lazily), MIM counts nothing after the relevance.
    let lazy = matches!(opts.criterion, Criterion::Cmim | Criterion::CmimUncapped);
    let base = Base {
        x: features,
        y: target,
        h_x: pairs.iter().map(|p| p.0).collect(),
        h_xy: pairs.iter().map(|p| p.1).collect(),
        h_y,
        rel,
        nl,
        u8: U8Columns::new(features, !lazy && opts.criterion.need() != Need::Nothing),
    };
    run(&base, opts, None)
}

/// The criterion value of every candidate still remaining at one round, in column order.
pub type RoundScores = Vec<(usize, f64)>;

/// The greedy round loop shared by every estimator family. With `trace`, the criterion value
/// of every remaining candidate is recorded before each pick (CMIM's lazy bounds are then
/// evaluated in full first, which changes no pick: a bound is lowered only towards the value).
pub(crate) fn run<S: TermSource>(
    b: &S,
    opts: &SelectOptions,
    mut trace: Option<&mut Vec<RoundScores>>,
) -> Result<Selection> {
    let crit = opts.criterion;
    let p = b.n_features();
    let rel = b.relevance();
    let k = opts.k.unwrap_or(p).min(p);
    let lazy = matches!(crit, Criterion::Cmim | Criterion::CmimUncapped);
    let keep_joint = opts.alpha.is_some() || crit == Criterion::CondMi;
    let (reports_red, reports_cred) = b.reports(crit);
    let mut accs = vec![Acc::new(); p];
    if crit == Criterion::Cmim {
        for (a, &r) in accs.iter_mut().zip(rel) {
            a.value = r;
        }
    }
    let mut taken = vec![false; p];
    let mut steps: Vec<Step> = Vec::with_capacity(k);
    // Prepared conditionings of the selected features, kept for CMIM's lazy catch-up.
    let mut conds: Vec<S::Cond> = Vec::new();
    let mut joint: Option<S::Joint> = None;
    let mut stop = StopReason::Exhausted;
    while steps.len() < k {
        let t = steps.len();
        let fixed = opts.fixed.get(t).copied();
        let mut s = S::Scratch::default();
        let mut catch_up = |j: usize, a: &mut Acc, bound: f64| -> Result<()> {
            while a.value > bound && a.done < conds.len() {
                b.update(crit, j, &conds[a.done], a, &mut s)?;
                a.value = score(crit, rel[j], a, a.done + 1);
                a.done += 1;
            }
            Ok(())
        };
        if let Some(tr) = trace.as_deref_mut() {
            let mut round = Vec::with_capacity(p - t);
            for j in (0..p).filter(|&j| !taken[j]) {
                let v = if t == 0 {
                    rel[j]
                } else if lazy {
                    catch_up(j, &mut accs[j], f64::NEG_INFINITY)?;
                    accs[j].value
                } else {
                    score(crit, rel[j], &accs[j], t)
                };
                round.push((j, v));
            }
            tr.push(round);
        }
        let (best, value) = if t == 0 {
            let j = fixed.unwrap_or_else(|| argmax((0..p).map(|j| (j, rel[j]))));
            (j, rel[j])
        } else if lazy {
            match fixed {
                Some(j) => {
                    catch_up(j, &mut accs[j], f64::NEG_INFINITY)?;
                    (j, accs[j].value)
                }
                None => {
                    let mut best = (usize::MAX, f64::NEG_INFINITY);
                    for j in (0..p).filter(|&j| !taken[j]) {
                        catch_up(j, &mut accs[j], best.1)?;
                        if accs[j].value > best.1 || best.0 == usize::MAX {
                            best = (j, accs[j].value);
                        }
                    }
                    best
                }
            }
        } else {
            let scores: Vec<(usize, f64)> = (0..p)
                .filter(|&j| !taken[j])
                .map(|j| (j, score(crit, rel[j], &accs[j], t)))
                .collect();
            let j = fixed.unwrap_or_else(|| argmax(scores.iter().copied()));
            (j, score(crit, rel[j], &accs[j], t))
        };
        let p_value = match opts.alpha {
            None => None,
            Some(_) => Some(b.p_value(best, joint.as_ref())?),
        };
        if fixed.is_none() {
            if let (Some(alpha), Some(pv)) = (opts.alpha, p_value) {
                if pv > alpha {
                    stop = StopReason::NotSignificant;
                    break;
                }
            }
            if let Some(th) = opts.threshold {
                if value < th {
                    stop = StopReason::BelowThreshold;
                    break;
                }
            }
        }
        let a = &accs[best];
        steps.push(Step {
            feature: best,
            score: value,
            relevance: rel[best],
            redundancy: reports_red.then_some(a.red),
            conditional_redundancy: reports_cred.then_some(a.cred),
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
            joint = Some(b.extend_joint(joint.take(), best)?);
        }
        // Fold the newest feature into every remaining candidate's accumulators.
        if crit == Criterion::CondMi {
            let c = b.condition(best, joint.as_ref())?;
            b.update_all(crit, &c, &mut accs, &taken)?;
        } else if lazy {
            conds.push(b.condition(best, None)?);
        } else if crit.need() != Need::Nothing {
            let c = b.condition(best, None)?;
            b.update_all(crit, &c, &mut accs, &taken)?;
        }
    }
    Ok(Selection {
        criterion: crit,
        steps,
        relevance: rel.to_vec(),
        stop,
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
    b: &Base<'_>,
    crit: Criterion,
    c: &Conditioning,
    accs: &mut [Acc],
    taken: &[bool],
) -> bool {
    if let Some(cols) = &b.u8 {
        let y = (crit.need() != Need::Pair).then_some(b.y);
        let st = cols.stride();
        if let Some(keys) = BlockKeys::new(c.z(), y, st) {
            let pair_keys = if cols.has_pairs() {
                BlockKeys::new(c.z(), y, st * st)
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
            // Every candidate's counts come from one thread, so results do not depend on the
            // number of threads.
            let res: Vec<[(f64, f64); BLOCK]> = work
                .par_iter()
                .map(|w| {
                    BLOCK_SCRATCH.with(|s| {
                        let s = &mut s.borrow_mut();
                        match (w, &pair_keys) {
                            (Work::Pairs(ps), Some(pk)) => {
                                pair_block_entropies(cols, ps, pk, &b.nl, s)
                            }
                            (Work::Singles(js), _) => block_entropies(cols, js, &keys, &b.nl, s),
                            (Work::Pairs(_), None) => unreachable!("pairs need their keys"),
                        }
                    })
                })
                .collect();
            for (w, r) in work.iter().zip(&res) {
                let js: Vec<usize> = match w {
                    Work::Pairs(ps) => ps.iter().flat_map(|&i| [2 * i, 2 * i + 1]).collect(),
                    Work::Singles(js) => js.to_vec(),
                };
                for (&j, &h) in js.iter().zip(r) {
                    b.apply(crit, j, c, &mut accs[j], h);
                }
            }
            return true;
        }
    }
    false
}

/// The index of the largest value, the lowest index among equal ones.
fn argmax(it: impl Iterator<Item = (usize, f64)>) -> usize {
    let mut best = (usize::MAX, f64::NEG_INFINITY);
    for (j, v) in it {
        if v > best.1 || best.0 == usize::MAX {
            best = (j, v);
        }
    }
    best.0
}
