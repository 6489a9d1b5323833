//! Selection on continuous features with the kNN / Gaussian / copula estimators of
//! `mutinfo-continuous`, through the same round loop as the discrete engine.

use crate::criterion::{Criterion, Need};
use crate::error::{Result, SelectError};
use crate::options::{check_shape, SelectOptions};
use crate::result::{RoundScores, Selection};
use crate::rounds::{par_update, run, TermSource};
use crate::score::{float_score, Acc, PairTerms};
use mutinfo_continuous::{ContinuousError, ContinuousMi, Estimate, Estimator};
use mutinfo_core::{Base as Unit, Codes};
use ndarray::{concatenate, Array2, ArrayView1, ArrayView2, Axis};

/// The target of [`select_continuous`]: continuous values (regression) or class labels.
#[derive(Debug, Clone, Copy)]
pub enum ContinuousTarget<'a> {
    /// A continuous target, one value per row.
    Values(ArrayView1<'a, f64>),
    /// Class labels, one code per row.
    Classes(&'a Codes),
}

impl ContinuousTarget<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            ContinuousTarget::Values(v) => v.len(),
            ContinuousTarget::Classes(c) => c.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Checks that the options can be used with continuous estimators.
///
/// # Errors
/// [`SelectError::UnsupportedCriterion`] for DISR and NJMIM (they divide by the joint
/// entropy `H(X,X_s,Y)`, which has no meaning as a normalizer for differential entropies: it
/// can be zero or negative); [`SelectError::InvalidParameter`] for `alpha` (the G-test stop
/// rule counts discrete codes).
pub(crate) fn check_continuous_options(opts: &SelectOptions) -> Result<()> {
    if matches!(opts.criterion, Criterion::Disr | Criterion::Njmim) {
        return Err(SelectError::UnsupportedCriterion {
            criterion: opts.criterion.name(),
            reason: "it divides by the joint entropy H(X,X_s,Y), which is not defined as a \
                     normalizer for differential entropies (it can be zero or negative)",
        });
    }
    if let Some(a) = opts.alpha {
        return Err(SelectError::InvalidParameter {
            name: "alpha",
            value: a.to_string(),
            reason: "the G-test stop rule needs discrete codes; with a continuous estimator \
                     stop by k or threshold",
        });
    }
    Ok(())
}

/// Which pairwise terms a criterion needs from the continuous estimators.
#[derive(Debug, Clone, Copy, Default)]
struct TermsNeeded {
    /// `I(X;X_s)`.
    mi_xz: bool,
    /// `I(X;X_s|Y)`.
    conditional_redundancy: bool,
    /// `I(X,X_s;Y)` (and `I(X;Y|X_s)` from it by the chain rule).
    joint: bool,
}

impl TermsNeeded {
    fn of(c: Criterion) -> Self {
        match c {
            Criterion::Mifs { .. } | Criterion::Mrmr | Criterion::MrmrQuotient => TermsNeeded {
                mi_xz: true,
                ..TermsNeeded::default()
            },
            Criterion::Jmi | Criterion::Jmim | Criterion::Cmim | Criterion::CmimUncapped => {
                TermsNeeded {
                    joint: true,
                    ..TermsNeeded::default()
                }
            }
            Criterion::Icap | Criterion::Cife | Criterion::BetaGamma { .. } => TermsNeeded {
                mi_xz: true,
                conditional_redundancy: true,
                joint: false,
            },
            // MIM needs nothing after the relevance, CondMI its own term; DISR and NJMIM are
            // rejected before a source is built.
            Criterion::Mim | Criterion::CondMi | Criterion::Disr | Criterion::Njmim => {
                TermsNeeded::default()
            }
        }
    }
}

/// The target as the source keeps it.
enum Target<'a> {
    /// `n × 1`.
    Values(Array2<f64>),
    /// Codes and, per class in code order, `(n_c / n, rows)`.
    Classes {
        codes: &'a Codes,
        groups: Vec<(f64, Vec<usize>)>,
    },
}

/// The continuous term source of the round loop.
struct Source<'a, 'b> {
    x: ArrayView2<'a, f64>,
    y: Target<'b>,
    /// Continuous–continuous terms.
    cc: ContinuousMi,
    /// Terms against class labels.
    cd: ContinuousMi,
    rel: Vec<f64>,
    want: TermsNeeded,
}

/// A selected feature (or the selected set, for CondMI) prepared for one round.
struct PreparedSet {
    cols: Vec<usize>,
    /// The selected columns, `n × |cols|`.
    z: Array2<f64>,
    /// `I(X_s;Y)` for the chain rule (the relevance of `X_s`, or `I(X_S;Y)` of the joint
    /// block for CondMI with classes); unused with a continuous target's CondMI.
    rel_z: f64,
}

fn cols_name(cols: &[usize]) -> String {
    match cols {
        [c] => format!("X{c}"),
        _ => {
            let v: Vec<String> = cols.iter().map(|c| c.to_string()).collect();
            format!("X{{{}}}", v.join(","))
        }
    }
}

/// The value of an estimate, or the estimator's error with the term it was estimating.
fn value(
    r: std::result::Result<Estimate, ContinuousError>,
    term: impl FnOnce() -> String,
) -> Result<f64> {
    r.map(|e| e.value).map_err(|source| SelectError::Estimate {
        term: term(),
        source,
    })
}

impl Source<'_, '_> {
    fn column(&self, j: usize) -> ArrayView2<'_, f64> {
        self.x.column(j).insert_axis(Axis(1))
    }

    /// `I(X_j;Z)`.
    fn mi_xz(&self, j: usize, c: &PreparedSet) -> Result<f64> {
        value(
            self.cc.mutual_information(self.column(j), c.z.view()),
            || format!("I(X{j};{})", cols_name(&c.cols)),
        )
    }

    /// `I(X_j,Z;Y)`, the block `[X_j, Z]` against the target.
    fn joint(&self, j: usize, c: &PreparedSet) -> Result<f64> {
        let xz =
            concatenate(Axis(1), &[self.column(j), c.z.view()]).expect("columns of the same rows");
        let r = match &self.y {
            Target::Values(y) => self.cc.mutual_information(xz.view(), y.view()),
            Target::Classes { codes, .. } => self.cd.mutual_information_discrete(xz.view(), codes),
        };
        value(r, || format!("I(X{j},{};Y)", cols_name(&c.cols)))
    }

    /// `I(X_j;Z|Y)`: `Σ_c p(c) I(X_j;Z | Y=c)` over classes in code order (kNN `k` capped at
    /// `n_c − 1`, classes with fewer than two rows contribute 0), or the direct estimate for a
    /// continuous target.
    fn conditional_redundancy(&self, j: usize, c: &PreparedSet) -> Result<f64> {
        let name = || format!("I(X{j};{}|Y)", cols_name(&c.cols));
        match &self.y {
            Target::Values(y) => value(
                self.cc
                    .conditional_mutual_information(self.column(j), c.z.view(), y.view()),
                name,
            ),
            Target::Classes { groups, .. } => {
                let mut sum = 0.0;
                for (class, (w, rows)) in groups.iter().enumerate() {
                    if rows.len() < 2 {
                        continue;
                    }
                    let k = self.cc.get_neighbors().min(rows.len() - 1);
                    let xs = self.column(j).select(Axis(0), rows);
                    let zs = c.z.select(Axis(0), rows);
                    let v = value(
                        self.cc
                            .neighbors(k)
                            .mutual_information(xs.view(), zs.view()),
                        || format!("I(X{j};{}|Y={class})", cols_name(&c.cols)),
                    )?;
                    sum += w * v;
                }
                Ok(sum)
            }
        }
    }
}

impl TermSource for Source<'_, '_> {
    type Term = f64;
    type Score = f64;
    type Prepared = PreparedSet;
    type Joint = Vec<usize>;
    type Scratch = ();

    fn n_features(&self) -> usize {
        self.x.ncols()
    }

    fn relevance(&self) -> &[f64] {
        &self.rel
    }

    fn nats(&self, t: f64) -> f64 {
        t + 0.0
    }

    fn score(&self, crit: Criterion, rel: f64, a: &Acc<f64>, s: usize) -> Result<f64> {
        Ok(float_score(crit, rel, a, s))
    }

    fn relevance_score(&self, rel: f64) -> f64 {
        rel + 0.0
    }

    fn reports(&self, crit: Criterion) -> (bool, bool) {
        let w = TermsNeeded::of(crit);
        (w.mi_xz, w.conditional_redundancy)
    }

    fn extend_joint(&self, joint: Option<Vec<usize>>, newest: usize) -> Result<Vec<usize>> {
        let mut cols = joint.unwrap_or_default();
        cols.push(newest);
        Ok(cols)
    }

    fn p_value(&self, _j: usize, _joint: Option<&Vec<usize>>) -> Result<f64> {
        // `check_continuous_options` rejects `alpha` before the loop starts.
        Err(SelectError::InvalidParameter {
            name: "alpha",
            value: "set".into(),
            reason: "the G-test stop rule needs discrete codes",
        })
    }

    fn prepare(&self, newest: usize, joint: Option<&Vec<usize>>) -> Result<PreparedSet> {
        let cols = match joint {
            Some(c) => c.clone(),
            None => vec![newest],
        };
        let z = self.x.select(Axis(1), &cols);
        let rel_z = match (joint, &self.y) {
            (None, _) => self.rel[newest],
            (Some(_), Target::Classes { codes, .. }) => {
                value(self.cd.mutual_information_discrete(z.view(), codes), || {
                    format!("I({};Y)", cols_name(&cols))
                })?
            }
            (Some(_), Target::Values(_)) => f64::NAN,
        };
        Ok(PreparedSet { cols, z, rel_z })
    }

    fn update(
        &self,
        crit: Criterion,
        j: usize,
        c: &PreparedSet,
        a: &mut Acc<f64>,
        _s: &mut (),
    ) -> Result<()> {
        if crit == Criterion::CondMi {
            a.conditional_relevance = match &self.y {
                Target::Values(y) => value(
                    self.cc
                        .conditional_mutual_information(self.column(j), y.view(), c.z.view()),
                    || format!("I(X{j};Y|{})", cols_name(&c.cols)),
                )?,
                Target::Classes { .. } => self.joint(j, c)? - c.rel_z,
            };
            return Ok(());
        }
        match crit.need() {
            Need::Nothing | Need::Joint => {}
            Need::Pair => a.add_redundancy(self.mi_xz(j, c)?),
            Need::Triple => {
                // Terms the criterion does not use are not estimated (NaN, never read).
                let w = self.want;
                let mi_xz = if w.mi_xz { self.mi_xz(j, c)? } else { f64::NAN };
                let cred = if w.conditional_redundancy {
                    self.conditional_redundancy(j, c)?
                } else {
                    f64::NAN
                };
                let joint = if w.joint { self.joint(j, c)? } else { f64::NAN };
                a.add_pair_terms(&PairTerms {
                    mi_xz,
                    cmi_xz_given_y: cred,
                    joint,
                    // The chain rule I(X;Y|X_s) = I(X,X_s;Y) − I(X_s;Y).
                    cmi_xy_given_z: joint - c.rel_z,
                    h_xzy: None,
                });
            }
        }
        Ok(())
    }

    fn update_all(
        &self,
        crit: Criterion,
        c: &PreparedSet,
        accs: &mut [Acc<f64>],
        taken: &[bool],
    ) -> Result<()> {
        par_update(self, crit, c, accs, taken, 1)
    }
}

/// The estimator used for continuous–continuous terms: `ross` (defined only against classes)
/// becomes `ksg`, its continuous counterpart; results in nats.
fn pair_estimator(mi: &ContinuousMi) -> ContinuousMi {
    let e = match mi.get_estimator() {
        Estimator::Ross => Estimator::Ksg1,
        e => e,
    };
    mi.estimator(e).base(Unit::Nats)
}

/// The estimator used against class labels: `ksg`, `ksg2` and `ksg-copula` (defined only for
/// continuous targets) become `ross`, the KSG construction for a discrete target, and
/// `elliptical` becomes `copula` (its Gaussian-copula class model); results in nats.
fn class_estimator(mi: &ContinuousMi) -> ContinuousMi {
    let e = match mi.get_estimator() {
        Estimator::Ksg1 | Estimator::Ksg2 | Estimator::KsgCopula => Estimator::Ross,
        Estimator::Elliptical => Estimator::Copula,
        e => e,
    };
    mi.estimator(e).base(Unit::Nats)
}

fn build<'a, 'b>(
    features: ArrayView2<'a, f64>,
    target: ContinuousTarget<'b>,
    opts: &SelectOptions,
    mi: &ContinuousMi,
) -> Result<Source<'a, 'b>> {
    let (n, p) = features.dim();
    check_shape(n, p, target.len(), opts)?;
    check_continuous_options(opts)?;
    if mi.get_neighbors() == 0 {
        return Err(SelectError::InvalidParameter {
            name: "neighbors",
            value: "0".into(),
            reason: "must be at least 1",
        });
    }
    for (column, col) in features.columns().into_iter().enumerate() {
        if let Some((row, &value)) = col.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(SelectError::NonFinite { column, row, value });
        }
    }
    let (cc, cd) = (pair_estimator(mi), class_estimator(mi));
    let relevance_error = |source: ContinuousError| SelectError::Estimate {
        term: "I(X;Y) (relevance)".into(),
        source,
    };
    let (y, rel) = match target {
        ContinuousTarget::Values(v) => {
            if let Some((row, &value)) = v.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(SelectError::NonFiniteTarget { row, value });
            }
            let rel = cc.many(features, v).map_err(relevance_error)?;
            (Target::Values(v.to_owned().insert_axis(Axis(1))), rel)
        }
        ContinuousTarget::Classes(codes) => {
            let mut groups: Vec<(f64, Vec<usize>)> =
                vec![(0.0, Vec::new()); codes.cardinality() as usize];
            for i in 0..n {
                groups[codes.get(i) as usize].1.push(i);
            }
            for g in &mut groups {
                g.0 = g.1.len() as f64 / n as f64;
            }
            let rel = cd.many_discrete(features, codes).map_err(relevance_error)?;
            (Target::Classes { codes, groups }, rel)
        }
    };
    Ok(Source {
        x: features,
        y,
        cc,
        cd,
        rel: rel.iter().map(|e| e.value).collect(),
        want: TermsNeeded::of(opts.criterion),
    })
}

/// Greedy forward selection of continuous `features` (rows × columns) for a continuous or
/// class `target`, every term estimated by `mi` (kNN, Gaussian or copula; no binning).
///
/// The round loop, the scores, CMIM's lazy evaluation, the tie rule (lowest column index) and
/// the stop rules are those of [`select`](crate::select); only the terms differ. Per candidate
/// `X` and newest selected `X_s`:
///
/// | term | continuous target `Y` | class target `Y` |
/// |---|---|---|
/// | `I(X;Y)` | [`ContinuousMi::many`] | [`ContinuousMi::many_discrete`] |
/// | `I(X;X_s)` | `mutual_information(X, X_s)` | same |
/// | `I(X;X_s\|Y)` | `conditional_mutual_information(X, X_s, Y)` | `Σ_c p(c) I(X;X_s \| Y=c)`, the MI within each class's rows (classes in code order; kNN `k` capped at `n_c − 1`; classes of one row add 0) |
/// | `I(X,X_s;Y)` | `mutual_information([X, X_s], Y)` | `mutual_information_discrete([X, X_s], Y)` |
/// | `I(X;Y\|X_s)` | chain rule `I(X,X_s;Y) − I(X_s;Y)` | same |
/// | CondMI's `I(X;Y\|X_S)` | `conditional_mutual_information(X, Y, X_S)` | chain rule `I(X,X_S;Y) − I(X_S;Y)`, both by `mutual_information_discrete` |
///
/// The chain rule is used for `I(X;Y|X_s)` because no conditional estimator exists for a class
/// target and it reuses the joint term JMI needs. Only the terms a criterion uses are
/// estimated, so [`Step::redundancy`](crate::Step::redundancy) is reported for MIFS, mRMR, ICAP,
/// CIFE and β/γ, and [`Step::conditional_redundancy`](crate::Step::conditional_redundancy) for
/// the last three. Estimates are in nats (whatever the base of `mi`) and are not clipped at 0.
///
/// The estimator of `mi` is used as given, except that `ross` (defined only for a class
/// target) becomes `ksg` for continuous–continuous terms, and `ksg` / `ksg2` (defined only for
/// a continuous target) become `ross` for terms against classes. With `auto`, each term
/// resolves its own choice. Candidates are estimated in parallel, each on one thread, so the
/// result is identical for any number of rayon threads (CMIM's lazy evaluation runs
/// sequentially).
///
/// # Errors
/// [`SelectError::Empty`], [`SelectError::TargetLength`], the option errors of
/// [`SelectOptions::validate`], [`SelectError::UnsupportedCriterion`] for DISR and NJMIM,
/// [`SelectError::InvalidParameter`] for `alpha` or `neighbors = 0`,
/// [`SelectError::NonFinite`] / [`SelectError::NonFiniteTarget`] naming the column and row of a
/// NaN or infinity, and [`SelectError::Estimate`] naming the term an estimator failed on (for
/// example `ksg2` or `mixed` have no conditional form for ICAP/CIFE with a continuous target).
///
/// # Examples
/// ```
/// use mutinfo_continuous::{ContinuousMi, Estimator};
/// use mutinfo_select::{select_continuous, ContinuousTarget, Criterion, SelectOptions};
/// use ndarray::{Array1, Array2};
/// let n = 300;
/// // Column 1 drives y, column 0 is a scrambled decoy.
/// let x = Array2::from_shape_fn((n, 2), |(i, j)| ((i * (7 + 24 * j) + 3 * j) % n) as f64 / n as f64);
/// let y = Array1::from_shape_fn(n, |i| x[[i, 1]] * 2.0 + ((i * 13) % 17) as f64 * 1e-3);
/// let mi = ContinuousMi::new().estimator(Estimator::Ksg1).neighbors(3);
/// let opts = SelectOptions::new(Criterion::Mrmr).k(1);
/// let sel = select_continuous(x.view(), ContinuousTarget::Values(y.view()), &opts, &mi)?;
/// assert_eq!(sel.selected(), vec![1]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn select_continuous(
    features: ArrayView2<'_, f64>,
    target: ContinuousTarget<'_>,
    opts: &SelectOptions,
    mi: &ContinuousMi,
) -> Result<Selection> {
    run(&build(features, target, opts, mi)?, opts, None)
}

/// [`select_continuous`], also returning the criterion value of every remaining candidate at
/// every round (round 0 is the relevance; CMIM's bounds are evaluated in full, which changes
/// no pick), for auditing a selection.
///
/// # Errors
/// As [`select_continuous`].
pub fn select_continuous_traced(
    features: ArrayView2<'_, f64>,
    target: ContinuousTarget<'_>,
    opts: &SelectOptions,
    mi: &ContinuousMi,
) -> Result<(Selection, Vec<RoundScores>)> {
    let mut trace = Vec::new();
    let sel = run(&build(features, target, opts, mi)?, opts, Some(&mut trace))?;
    Ok((sel, trace))
}
