//! The labeling loop: fit a committee, score the unlabeled pool, ask an oracle, repeat.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ndarray::{ArrayView2, Axis};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::batch::Acquisition;
use crate::committee::{check_labels, Committee, CommitteeFactory};
use crate::error::{ActiveError, Result};

/// Whoever provides labels for requested pool indices.
pub trait Oracle {
    /// Labels (in `0..n_classes`) for the pool points `indices`, in the same order.
    ///
    /// # Errors
    /// Implementation specific; [`ActiveError::LabelsPending`] when labels are not available yet.
    fn label(&mut self, indices: &[usize]) -> Result<Vec<usize>>;
}

/// An oracle answering from known labels: simulated active learning on a labeled data set.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatedOracle {
    labels: Vec<usize>,
    queries: usize,
}

impl SimulatedOracle {
    /// An oracle holding the true label of every pool point.
    pub fn new(labels: Vec<usize>) -> Self {
        Self { labels, queries: 0 }
    }

    /// How many labels were requested so far.
    pub fn queries(&self) -> usize {
        self.queries
    }
}

impl Oracle for SimulatedOracle {
    fn label(&mut self, indices: &[usize]) -> Result<Vec<usize>> {
        let n = self.labels.len();
        self.queries += indices.len();
        indices
            .iter()
            .map(|&i| {
                self.labels
                    .get(i)
                    .copied()
                    .ok_or(ActiveError::BadIndex { index: i, pool: n })
            })
            .collect()
    }
}

/// A file-based oracle for a human labeling tool.
///
/// [`Oracle::label`] appends the requested pool indices to the queries file (one per line) and
/// reads answers as `index,label` lines from the answers file (blank lines and lines starting with
/// `#` are ignored). When some requested index has no answer yet it returns
/// [`ActiveError::LabelsPending`]; run again once the human has answered. A CLI drives this by
/// keeping the labeled set on disk between invocations.
#[derive(Debug, Clone, PartialEq)]
pub struct FileOracle {
    queries: PathBuf,
    answers: PathBuf,
}

impl FileOracle {
    /// An oracle writing requests to `queries` and reading labels from `answers`.
    pub fn new(queries: impl Into<PathBuf>, answers: impl Into<PathBuf>) -> Self {
        Self {
            queries: queries.into(),
            answers: answers.into(),
        }
    }

    /// Parses the answers file into `index → label`; a missing file is no answers.
    ///
    /// # Errors
    /// [`ActiveError::Io`] when the file exists but cannot be read, [`ActiveError::Format`] for a
    /// malformed line (the line number is in the message).
    pub fn answers(&self) -> Result<HashMap<usize, usize>> {
        let text = match std::fs::read_to_string(&self.answers) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
            Err(source) => {
                return Err(ActiveError::Io {
                    path: self.answers.clone(),
                    source,
                })
            }
        };
        let mut out = HashMap::new();
        for (no, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || ActiveError::Format {
                path: self.answers.clone(),
                reason: format!("line {}: expected `index,label`, found {line:?}", no + 1),
            };
            let (i, l) = line.split_once(',').ok_or_else(bad)?;
            let i = i.trim().parse::<usize>().map_err(|_| bad())?;
            let l = l.trim().parse::<usize>().map_err(|_| bad())?;
            out.insert(i, l);
        }
        Ok(out)
    }
}

impl Oracle for FileOracle {
    fn label(&mut self, indices: &[usize]) -> Result<Vec<usize>> {
        let answers = self.answers()?;
        let missing: Vec<usize> = indices
            .iter()
            .copied()
            .filter(|i| !answers.contains_key(i))
            .collect();
        if !missing.is_empty() {
            let io = |source| ActiveError::Io {
                path: self.queries.clone(),
                source,
            };
            let mut text = String::new();
            for i in &missing {
                text.push_str(&format!("{i}\n"));
            }
            use std::io::Write;
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.queries)
                .and_then(|mut f| f.write_all(text.as_bytes()))
                .map_err(io)?;
            return Err(ActiveError::LabelsPending {
                missing: missing.len(),
                path: self.answers.clone(),
            });
        }
        Ok(indices.iter().map(|i| answers[i]).collect())
    }
}

/// One point of a learning curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurvePoint {
    /// Labels used to fit the committee.
    pub labels: usize,
    /// Accuracy of the committee's consensus on the evaluation set, in `[0, 1]`.
    pub accuracy: f64,
}

/// The record of one active-learning run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LearningCurve {
    /// Accuracy after each round, first the initial labeled set.
    pub points: Vec<CurvePoint>,
    /// Pool indices in the order they were labeled (initial set first).
    pub labeled: Vec<usize>,
}

impl LearningCurve {
    /// The fewest labels at which accuracy reached `target`, if it did.
    pub fn labels_to_reach(&self, target: f64) -> Option<usize> {
        self.points
            .iter()
            .find(|p| p.accuracy >= target)
            .map(|p| p.labels)
    }

    /// Area under the accuracy-versus-labels curve by the trapezoid rule, divided by the label
    /// range: the mean accuracy over the run, in `[0, 1]`. A single point gives its accuracy.
    pub fn normalized_auc(&self) -> f64 {
        match self.points.as_slice() {
            [] => 0.0,
            [p] => p.accuracy,
            pts => {
                let mut area = 0.0;
                for w in pts.windows(2) {
                    area +=
                        (w[1].labels - w[0].labels) as f64 * (w[0].accuracy + w[1].accuracy) / 2.0;
                }
                let range = (pts[pts.len() - 1].labels - pts[0].labels) as f64;
                if range > 0.0 {
                    area / range
                } else {
                    pts[0].accuracy
                }
            }
        }
    }
}

/// The active-learning loop over a pool of feature rows.
///
/// Each round fits a committee with the factory on the labeled rows, records its accuracy on
/// the evaluation set, predicts `[U × K × C]` samples for the unlabeled rows, picks a batch with
/// the acquisition, and asks the oracle. It stops when `budget` labels beyond the initial set
/// were acquired or the pool is exhausted. Round `r` uses seeds drawn from ChaCha8 seeded with
/// `seed`, so a run is reproducible.
///
/// Defaults: `batch_size` = 10, `budget` = 100, `seed` = 0. An evaluation set
/// ([`ActiveLearner::evaluation`]) is required: the learning curve is measured on it.
///
/// # Examples
/// ```
/// use mutinfo_active::{Acquisition, ActiveLearner, Bootstrap, Logistic, SimulatedOracle};
/// use ndarray::Array2;
/// // Two separable classes along the first feature.
/// let x = Array2::from_shape_fn((40, 2), |(i, j)| if j == 0 { (i % 2) as f64 * 4.0 + (i as f64) * 0.01 } else { (i % 5) as f64 * 0.1 });
/// let y: Vec<usize> = (0..40).map(|i| i % 2).collect();
/// let learner = ActiveLearner::new(x.view(), 2, Bootstrap::new(Logistic::default(), 4), "bald".parse()?)
///     .batch_size(2)
///     .budget(4)
///     .evaluation(x.view(), &y);
/// let curve = learner.run(&[0, 1], &mut SimulatedOracle::new(y.clone()))?;
/// assert_eq!(curve.points.len(), 3); // 2, 4 and 6 labels
/// assert_eq!(curve.labeled.len(), 6);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ActiveLearner<'a, F: CommitteeFactory> {
    x_pool: ArrayView2<'a, f64>,
    n_classes: usize,
    factory: F,
    acquisition: Acquisition,
    batch_size: usize,
    budget: usize,
    seed: u64,
    eval: Option<(ArrayView2<'a, f64>, &'a [usize])>,
}

impl<'a, F: CommitteeFactory> ActiveLearner<'a, F> {
    /// A loop over `x_pool` with `n_classes` classes, committees from `factory`, batches from
    /// `acquisition`.
    pub fn new(
        x_pool: ArrayView2<'a, f64>,
        n_classes: usize,
        factory: F,
        acquisition: Acquisition,
    ) -> Self {
        Self {
            x_pool,
            n_classes,
            factory,
            acquisition,
            batch_size: 10,
            budget: 100,
            seed: 0,
            eval: None,
        }
    }

    /// Labels requested per round.
    pub fn batch_size(mut self, b: usize) -> Self {
        self.batch_size = b;
        self
    }

    /// Labels to acquire beyond the initial set.
    pub fn budget(mut self, b: usize) -> Self {
        self.budget = b;
        self
    }

    /// Seed for committees and acquisition.
    pub fn seed(mut self, s: u64) -> Self {
        self.seed = s;
        self
    }

    /// A held-out evaluation set for the learning curve.
    pub fn evaluation(mut self, x: ArrayView2<'a, f64>, y: &'a [usize]) -> Self {
        self.eval = Some((x, y));
        self
    }

    /// Runs the loop from the `initial` labeled pool indices.
    ///
    /// # Errors
    /// [`ActiveError::InvalidParameter`] for a zero batch size; [`ActiveError::BadIndex`] for an
    /// initial index out of range or repeated; [`ActiveError::Empty`] without an initial set or
    /// evaluation set; the oracle's, committee's and acquisition's errors.
    pub fn run(&self, initial: &[usize], oracle: &mut dyn Oracle) -> Result<LearningCurve> {
        let n = self.x_pool.nrows();
        if self.batch_size == 0 {
            return Err(ActiveError::InvalidParameter {
                name: "batch_size",
                value: "0".into(),
                reason: "must be at least 1",
            });
        }
        if initial.is_empty() {
            return Err(ActiveError::Empty {
                what: "initial labeled set",
            });
        }
        let (x_eval, y_eval) = self.eval.ok_or(ActiveError::Empty {
            what: "evaluation set",
        })?;
        check_labels(x_eval, y_eval, self.n_classes)?;
        let mut labeled_mask = vec![false; n];
        for &i in initial {
            if i >= n || labeled_mask[i] {
                return Err(ActiveError::BadIndex { index: i, pool: n });
            }
            labeled_mask[i] = true;
        }
        let mut labeled: Vec<usize> = initial.to_vec();
        let mut labels = oracle.label(initial)?;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let mut curve = LearningCurve::default();
        let mut acquired = 0;
        loop {
            let committee = self.factory.fit_in_pool(
                self.x_pool,
                &labeled,
                &labels,
                self.n_classes,
                rng.next_u64(),
            )?;
            let pred = committee.predict(x_eval)?;
            let correct = pred.iter().zip(y_eval).filter(|(a, b)| a == b).count();
            curve.points.push(CurvePoint {
                labels: labeled.len(),
                accuracy: correct as f64 / y_eval.len() as f64,
            });
            let unlabeled: Vec<usize> = (0..n).filter(|&i| !labeled_mask[i]).collect();
            let want = self
                .batch_size
                .min(self.budget - acquired)
                .min(unlabeled.len());
            if want == 0 {
                break;
            }
            let x_u = self.x_pool.select(Axis(0), &unlabeled);
            let probs = committee.predict_samples(x_u.view())?;
            let sel = self.acquisition.select_with_features(
                probs.view(),
                Some(x_u.view()),
                want,
                rng.next_u64(),
            )?;
            let picked: Vec<usize> = sel.indices.iter().map(|&j| unlabeled[j]).collect();
            let new_labels = oracle.label(&picked)?;
            for (&i, &l) in picked.iter().zip(&new_labels) {
                if l >= self.n_classes {
                    return Err(ActiveError::LabelOutOfRange {
                        row: i,
                        label: l,
                        n_classes: self.n_classes,
                    });
                }
                labeled_mask[i] = true;
                labeled.push(i);
                labels.push(l);
            }
            acquired += picked.len();
        }
        curve.labeled = labeled;
        Ok(curve)
    }
}

/// Reads a whitespace- or comma-separated list of pool indices (e.g. a queries file).
///
/// # Errors
/// [`ActiveError::Io`] or [`ActiveError::Format`] naming the bad token.
pub fn read_indices(path: &Path) -> Result<Vec<usize>> {
    let text = std::fs::read_to_string(path).map_err(|source| ActiveError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    text.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<usize>().map_err(|_| ActiveError::Format {
                path: path.to_path_buf(),
                reason: format!("{t:?} is not a pool index"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Bootstrap, Logistic, Score};
    use ndarray::Array2;

    fn blobs(n: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
        use rand::Rng;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut x = Array2::zeros((n, 2));
        let mut y = Vec::with_capacity(n);
        for i in 0..n {
            let c = i % 3;
            let (cx, cy) = [(0.0, 0.0), (3.0, 0.0), (0.0, 3.0)][c];
            x[[i, 0]] = cx + rng.gen::<f64>() * 2.0 - 1.0;
            x[[i, 1]] = cy + rng.gen::<f64>() * 2.0 - 1.0;
            y.push(c);
        }
        (x, y)
    }

    #[test]
    fn loop_learns_and_is_reproducible() {
        let (x, y) = blobs(90, 1);
        let (xt, yt) = blobs(60, 2);
        let learner = ActiveLearner::new(
            x.view(),
            3,
            Bootstrap::new(Logistic::default(), 5),
            Acquisition::TopK(Score::Bald),
        )
        .batch_size(4)
        .budget(12)
        .seed(3)
        .evaluation(xt.view(), &yt);
        let mut oracle = SimulatedOracle::new(y.clone());
        let curve = learner.run(&[0, 1, 2], &mut oracle).unwrap();
        assert_eq!(
            curve.points.iter().map(|p| p.labels).collect::<Vec<_>>(),
            vec![3, 7, 11, 15]
        );
        assert_eq!(oracle.queries(), 15);
        assert_eq!(curve.labeled.len(), 15);
        let mut u = curve.labeled.clone();
        u.sort();
        u.dedup();
        assert_eq!(u.len(), 15, "a point was labeled twice");
        assert!(curve.points.last().unwrap().accuracy > 0.9, "{curve:?}");
        let again = learner
            .run(&[0, 1, 2], &mut SimulatedOracle::new(y))
            .unwrap();
        assert_eq!(curve, again);
    }

    #[test]
    fn file_oracle_waits_then_answers() {
        let dir = tempfile::tempdir().unwrap();
        let q = dir.path().join("queries.txt");
        let a = dir.path().join("answers.csv");
        let mut o = FileOracle::new(&q, &a);
        assert!(matches!(
            o.label(&[4, 7]),
            Err(ActiveError::LabelsPending { missing: 2, .. })
        ));
        assert_eq!(read_indices(&q).unwrap(), vec![4, 7]);
        std::fs::write(&a, "# index,label\n4,1\n7, 0\n").unwrap();
        assert_eq!(o.label(&[7, 4]).unwrap(), vec![0, 1]);
        std::fs::write(&a, "4;1\n").unwrap();
        assert!(matches!(o.label(&[4]), Err(ActiveError::Format { .. })));
    }

    #[test]
    fn curve_summaries() {
        let c = LearningCurve {
            points: vec![
                CurvePoint {
                    labels: 10,
                    accuracy: 0.5,
                },
                CurvePoint {
                    labels: 20,
                    accuracy: 0.7,
                },
                CurvePoint {
                    labels: 40,
                    accuracy: 0.9,
                },
            ],
            labeled: vec![],
        };
        assert_eq!(c.labels_to_reach(0.7), Some(20));
        assert_eq!(c.labels_to_reach(0.95), None);
        // (10·0.6 + 20·0.8) / 30
        assert!((c.normalized_auc() - 22.0 / 30.0).abs() < mutinfo_core::prec::ROUNDOFF);
    }
}
