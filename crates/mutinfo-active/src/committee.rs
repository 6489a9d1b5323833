//! Committees: models that turn feature rows into predictive samples `[N × K × C]`.

use linfa::prelude::*;
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2, Array3, ArrayView2, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::{ActiveError, Result};

/// A fitted committee of K probabilistic classifiers over C classes.
pub trait Committee {
    /// Number of classes C (the last axis of [`Committee::predict_samples`]).
    fn n_classes(&self) -> usize;

    /// Class probabilities of every member for every row of `x`: `[N × K × C]`, each
    /// `[n, k, :]` summing to 1, class axis aligned across members.
    ///
    /// # Errors
    /// Implementation specific; typically a feature-count mismatch as [`ActiveError::Shape`].
    fn predict_samples(&self, x: ArrayView2<f64>) -> Result<Array3<f64>>;

    /// The consensus class of each row: argmax of the members' mean probabilities, ties to the
    /// lowest class.
    ///
    /// # Errors
    /// Those of [`Committee::predict_samples`].
    fn predict(&self, x: ArrayView2<f64>) -> Result<Vec<usize>> {
        let p = self.predict_samples(x)?;
        let mean = p
            .mean_axis(Axis(1))
            .ok_or(ActiveError::Empty { what: "committee" })?;
        Ok(mean
            .outer_iter()
            .map(|row| {
                let mut best = 0;
                for (j, &v) in row.iter().enumerate() {
                    if v > row[best] {
                        best = j;
                    }
                }
                best
            })
            .collect())
    }
}

/// Something that fits a [`Committee`] from labeled rows: the model factory of the labeling loop.
pub trait CommitteeFactory {
    /// The fitted committee.
    type Committee: Committee;

    /// Fits on rows `x` with labels `y` in `0..n_classes`; `seed` drives every random choice.
    ///
    /// # Errors
    /// [`ActiveError::LabelOutOfRange`] for a label `≥ n_classes`, [`ActiveError::Empty`] for
    /// no rows, [`ActiveError::Shape`] when `x` and `y` disagree in length, or the model's own.
    fn fit(
        &self,
        x: ArrayView2<f64>,
        y: &[usize],
        n_classes: usize,
        seed: u64,
    ) -> Result<Self::Committee>;

    /// Fits on the rows `labeled` of `pool` (labels `y`, one per row), knowing the whole pool:
    /// committees whose representation is learned from unlabeled rows (the kernel map of
    /// [`KernelLaplace`](crate::KernelLaplace)) fit it to `pool`. The default fits
    /// [`CommitteeFactory::fit`] on the labeled rows.
    ///
    /// # Errors
    /// [`ActiveError::BadIndex`] for a row outside the pool, and those of
    /// [`CommitteeFactory::fit`].
    fn fit_in_pool(
        &self,
        pool: ArrayView2<f64>,
        labeled: &[usize],
        y: &[usize],
        n_classes: usize,
        seed: u64,
    ) -> Result<Self::Committee> {
        let x = labeled_rows(pool, labeled, y, n_classes)?;
        self.fit(x.view(), y, n_classes, seed)
    }
}

/// Column means and inverse (population) standard deviations of `x`; a constant column gets
/// an inverse of 0, so that it standardizes to 0.
pub(crate) fn standardization(x: ArrayView2<f64>) -> (Array1<f64>, Array1<f64>) {
    let (n, d) = x.dim();
    let mean = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(d));
    let inv_sd = Array1::from_iter((0..d).map(|j| {
        let m = mean[j];
        let v = x.column(j).iter().map(|&a| (a - m) * (a - m)).sum::<f64>() / n as f64;
        if v > 1e-24 {
            1.0 / v.sqrt()
        } else {
            0.0
        }
    }));
    (mean, inv_sd)
}

/// [`ActiveError::Shape`] unless `x` has `d` columns.
pub(crate) fn check_columns(x: ArrayView2<f64>, d: usize) -> Result<()> {
    if x.ncols() != d {
        return Err(ActiveError::Shape {
            what: "feature matrix",
            found: x.shape().to_vec(),
            expected: format!("{d} columns"),
        });
    }
    Ok(())
}

/// The rows `labeled` of `pool`, after checking the indices and the labels against them.
pub(crate) fn labeled_rows(
    pool: ArrayView2<f64>,
    labeled: &[usize],
    y: &[usize],
    n_classes: usize,
) -> Result<Array2<f64>> {
    let n = pool.nrows();
    if let Some(&index) = labeled.iter().find(|&&i| i >= n) {
        return Err(ActiveError::BadIndex { index, pool: n });
    }
    let x = pool.select(Axis(0), labeled);
    check_labels(x.view(), y, n_classes)?;
    Ok(x)
}

/// One probabilistic classifier that a [`Bootstrap`] committee trains K times.
///
/// Implement it for any model with class probabilities (our tree with smoothed leaf counts,
/// a linfa model, a wrapper around external code). The class axis of `predict_proba` must be
/// `0..n_classes` even when the training labels miss some classes.
pub trait MemberModel: Send + Sync {
    /// The fitted member.
    type Fitted: Send + Sync;

    /// Fits one member on `(x, y)`, labels in `0..n_classes`, seeded by `seed`.
    ///
    /// # Errors
    /// The model's fitting errors.
    fn fit_member(
        &self,
        x: ArrayView2<f64>,
        y: &[usize],
        n_classes: usize,
        seed: u64,
    ) -> Result<Self::Fitted>;

    /// `[N × n_classes]` class probabilities of a fitted member, rows summing to 1.
    ///
    /// # Errors
    /// The model's prediction errors.
    fn predict_proba(
        &self,
        fitted: &Self::Fitted,
        x: ArrayView2<f64>,
        n_classes: usize,
    ) -> Result<Array2<f64>>;
}

/// Multinomial logistic regression (linfa-logistic's `MultiLogisticRegression`, L-BFGS) as a
/// committee member. Classes absent from a member's training labels get probability 0 from it,
/// and a member trained on a single class predicts it with probability 1.
///
/// Defaults: `alpha` (L2 penalty) = 1.0, `max_iterations` = 100 (linfa-logistic's defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct Logistic {
    /// L2 regularization strength.
    pub alpha: f64,
    /// L-BFGS iteration cap.
    pub max_iterations: u64,
}

impl Default for Logistic {
    fn default() -> Self {
        Self {
            alpha: 1.0,
            max_iterations: 100,
        }
    }
}

/// A fitted [`Logistic`] member: the model and the global class of each of its columns.
#[derive(Debug)]
pub enum LogisticFitted {
    /// A multinomial model over the classes it saw.
    Model(linfa_logistic::MultiFittedLogisticRegression<f64, usize>),
    /// Trained on one class only.
    Constant(usize),
}

impl MemberModel for Logistic {
    type Fitted = LogisticFitted;

    fn fit_member(
        &self,
        x: ArrayView2<f64>,
        y: &[usize],
        _n_classes: usize,
        _seed: u64,
    ) -> Result<LogisticFitted> {
        let first = y.first().copied().ok_or(ActiveError::Empty {
            what: "training labels",
        })?;
        if y.iter().all(|&v| v == first) {
            return Ok(LogisticFitted::Constant(first));
        }
        let ds = Dataset::new(x.to_owned(), Array1::from(y.to_vec()));
        let model = MultiLogisticRegression::default()
            .alpha(self.alpha)
            .max_iterations(self.max_iterations)
            .fit(&ds)?;
        Ok(LogisticFitted::Model(model))
    }

    fn predict_proba(
        &self,
        fitted: &LogisticFitted,
        x: ArrayView2<f64>,
        n_classes: usize,
    ) -> Result<Array2<f64>> {
        let mut out = Array2::zeros((x.nrows(), n_classes));
        match fitted {
            LogisticFitted::Constant(c) => out.column_mut(*c).fill(1.0),
            LogisticFitted::Model(m) => {
                let p = m.predict_probabilities(&x);
                for (j, &class) in m.classes().iter().enumerate() {
                    out.column_mut(class).assign(&p.column(j));
                }
            }
        }
        Ok(out)
    }
}

/// mutinfo's decision tree ([`mutinfo_tree::DecisionTree`]) as a committee member, with
/// Laplace-smoothed leaf counts so members are not certain on every point.
///
/// Defaults: information gain, `max_depth` 8, `min_samples_leaf` 2, Laplace α = 1, and
/// ⌊√d⌋ features per node sampled with the member's seed (so members differ beyond their
/// bootstrap resamples, as in a random forest). Classes a member never saw get probability 0
/// from it; smoothing spreads mass over the classes it saw.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeMember {
    /// The tree's hyperparameters (the seed is replaced by each member's seed).
    pub params: mutinfo_tree::DecisionTreeParams,
}

impl Default for TreeMember {
    fn default() -> Self {
        Self {
            params: mutinfo_tree::DecisionTree::params()
                .max_depth(Some(8))
                .min_samples_leaf(2.0)
                .laplace(1.0)
                .max_features(mutinfo_tree::MaxFeatures::Sqrt),
        }
    }
}

impl MemberModel for TreeMember {
    type Fitted = mutinfo_tree::DecisionTree<usize>;

    fn fit_member(
        &self,
        x: ArrayView2<f64>,
        y: &[usize],
        _n_classes: usize,
        seed: u64,
    ) -> Result<Self::Fitted> {
        use linfa::ParamGuard;
        let params = self.params.clone().seed(seed).check()?;
        Ok(params.fit_arrays(x, y, None, Vec::new())?)
    }

    fn predict_proba(
        &self,
        fitted: &Self::Fitted,
        x: ArrayView2<f64>,
        n_classes: usize,
    ) -> Result<Array2<f64>> {
        let p = fitted.predict_proba(x)?;
        let mut out = Array2::zeros((x.nrows(), n_classes));
        for (j, &class) in fitted.classes().iter().enumerate() {
            if class >= n_classes {
                return Err(ActiveError::LabelOutOfRange {
                    row: 0,
                    label: class,
                    n_classes,
                });
            }
            out.column_mut(class).assign(&p.column(j));
        }
        Ok(out)
    }
}

/// A bootstrap committee: K copies of a [`MemberModel`], each trained on a resample (with
/// replacement, same size) of the labeled rows. Member `k` draws its resample from ChaCha8
/// seeded with the fit seed on stream `k`, so members can be fitted in parallel and the
/// committee is identical for any thread count.
///
/// # Examples
/// ```
/// use mutinfo_active::{Bootstrap, Committee, CommitteeFactory, Logistic};
/// use ndarray::array;
/// let x = array![[0.0, 0.1], [0.2, 0.0], [1.0, 0.9], [0.9, 1.1], [0.1, 0.2], [1.1, 1.0]];
/// let y = [0, 0, 1, 1, 0, 1];
/// let committee = Bootstrap::new(Logistic::default(), 5).fit(x.view(), &y, 2, 42)?;
/// let p = committee.predict_samples(x.view())?;
/// assert_eq!(p.dim(), (6, 5, 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Bootstrap<M> {
    /// The member model.
    pub model: M,
    /// Number of members K.
    pub members: usize,
}

impl<M: MemberModel> Bootstrap<M> {
    /// A committee of `members` bootstrap copies of `model`.
    pub fn new(model: M, members: usize) -> Self {
        Self { model, members }
    }
}

/// A fitted [`Bootstrap`] committee.
#[derive(Debug)]
pub struct BootstrapCommittee<M: MemberModel> {
    model: M,
    fitted: Vec<M::Fitted>,
    n_classes: usize,
    n_features: usize,
}

impl<M: MemberModel + Clone> CommitteeFactory for Bootstrap<M> {
    type Committee = BootstrapCommittee<M>;

    fn fit(
        &self,
        x: ArrayView2<f64>,
        y: &[usize],
        n_classes: usize,
        seed: u64,
    ) -> Result<Self::Committee> {
        if self.members == 0 {
            return Err(ActiveError::InvalidParameter {
                name: "members",
                value: "0".into(),
                reason: "a committee needs at least one member",
            });
        }
        check_labels(x, y, n_classes)?;
        let n = y.len();
        let fitted = (0..self.members)
            .into_par_iter()
            .map(|k| {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_stream(k as u64);
                let idx: Vec<usize> = (0..n).map(|_| rng.gen_range(0..n)).collect();
                let xs = x.select(Axis(0), &idx);
                let ys: Vec<usize> = idx.iter().map(|&i| y[i]).collect();
                self.model.fit_member(xs.view(), &ys, n_classes, rng.gen())
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(BootstrapCommittee {
            model: self.model.clone(),
            fitted,
            n_classes,
            n_features: x.ncols(),
        })
    }
}

impl<M: MemberModel> Committee for BootstrapCommittee<M> {
    fn n_classes(&self) -> usize {
        self.n_classes
    }

    fn predict_samples(&self, x: ArrayView2<f64>) -> Result<Array3<f64>> {
        if x.ncols() != self.n_features {
            return Err(ActiveError::Shape {
                what: "feature matrix",
                found: x.shape().to_vec(),
                expected: format!("{} columns", self.n_features),
            });
        }
        let k = self.fitted.len();
        let per: Vec<Array2<f64>> = self
            .fitted
            .par_iter()
            .map(|f| self.model.predict_proba(f, x, self.n_classes))
            .collect::<Result<_>>()?;
        let mut out = Array3::zeros((x.nrows(), k, self.n_classes));
        for (kk, p) in per.iter().enumerate() {
            out.index_axis_mut(Axis(1), kk).assign(p);
        }
        Ok(out)
    }
}

pub(crate) fn check_labels(x: ArrayView2<f64>, y: &[usize], n_classes: usize) -> Result<()> {
    if y.is_empty() {
        return Err(ActiveError::Empty {
            what: "training labels",
        });
    }
    if x.nrows() != y.len() {
        return Err(ActiveError::Shape {
            what: "feature matrix",
            found: x.shape().to_vec(),
            expected: format!("{} rows, one per label", y.len()),
        });
    }
    if let Some((row, &label)) = y.iter().enumerate().find(|(_, &l)| l >= n_classes) {
        return Err(ActiveError::LabelOutOfRange {
            row,
            label,
            n_classes,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn class_axes_align_when_a_resample_misses_a_class() {
        // Class 2 appears once: many bootstrap resamples miss it; those members must give it 0
        // and keep classes 0 and 1 in their own columns.
        let x = array![
            [0.0, 0.0],
            [0.1, 0.2],
            [0.2, 0.1],
            [3.0, 0.0],
            [3.1, 0.2],
            [3.2, 0.1],
            [0.0, 3.0]
        ];
        let y = [0, 0, 0, 1, 1, 1, 2];
        let c = Bootstrap::new(Logistic::default(), 12)
            .fit(x.view(), &y, 3, 1)
            .unwrap();
        let p = c
            .predict_samples(array![[0.05, 0.05], [3.05, 0.05]].view())
            .unwrap();
        assert_eq!(p.dim(), (2, 12, 3));
        let mut missed = 0;
        for k in 0..12 {
            for n in 0..2 {
                let s: f64 = p.slice(ndarray::s![n, k, ..]).sum();
                assert!((s - 1.0).abs() < mutinfo_core::prec::CONVERGED);
            }
            let saw = |class: usize| p[[0, k, class]] > 0.0 || p[[1, k, class]] > 0.0;
            if !saw(2) {
                missed += 1;
            }
            // A member that saw classes 0 and 1 keeps them in their own columns.
            if saw(0) && saw(1) {
                assert!(
                    p[[0, k, 0]] > p[[0, k, 1]],
                    "member {k} mislabels a class-0 point"
                );
                assert!(
                    p[[1, k, 1]] > p[[1, k, 0]],
                    "member {k} mislabels a class-1 point"
                );
            }
        }
        assert!(missed > 0, "expected some resample without class 2");
        assert_eq!(
            c.predict(array![[0.05, 0.05], [3.05, 0.05]].view())
                .unwrap(),
            vec![0, 1]
        );
        crate::validate(p.view()).unwrap();
    }

    #[test]
    fn deterministic_and_checked() {
        let x = array![[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [0.9, 0.1]];
        let y = [0, 1, 0, 1];
        let f = Bootstrap::new(Logistic::default(), 4);
        let run = |t| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .unwrap();
            pool.install(|| {
                f.fit(x.view(), &y, 2, 9)
                    .unwrap()
                    .predict_samples(x.view())
                    .unwrap()
            })
        };
        assert_eq!(run(1), run(2));
        assert!(matches!(
            f.fit(x.view(), &[0, 1, 2, 0], 2, 0),
            Err(ActiveError::LabelOutOfRange { row: 2, .. })
        ));
        assert!(matches!(
            f.fit(x.view(), &[0, 1], 2, 0),
            Err(ActiveError::Shape { .. })
        ));
        let c = f.fit(x.view(), &y, 2, 0).unwrap();
        assert!(matches!(
            c.predict_samples(array![[1.0]].view()),
            Err(ActiveError::Shape { .. })
        ));
    }
}
