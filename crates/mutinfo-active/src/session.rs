//! A labeling session a person can stop and resume: the pool's features, the labels taught so
//! far and the committee settings, saved as one versioned JSON file.
//!
//! ```text
//! {
//!   "format": "mutinfo-active-session", "format_version": 1,
//!   "target": "label", "id_column": "id" | null, "feature_names": [...],
//!   "rows": N, "features_f64le_base64": "...", "features_fnv1a64": "0123abcd...",
//!   "ids": [...] | null, "classes": [...], "classes_fixed": bool,
//!   "labels": [class index | null per row], "committee": {"kind": "kernel", "members": 20},
//!   "taught": number of teach calls that changed something, "pool": "where it came from"
//! }
//! ```
//!
//! The features are stored, not a path to the pool: a session then never depends on a file
//! that may be edited, moved or re-exported between rounds (a checksum of a path would only
//! detect that, not recover from it). They are stored exactly (little-endian `f64` bytes in
//! base64, with an FNV-1a checksum checked on load). Loading refuses another format or version,
//! unknown fields, and any inconsistency (lengths, class indices, checksum).
//!
//! [`ActiveSession::save`] writes through [`mutinfo_core::save`] (temporary sibling, fsync,
//! rename) and then syncs the directory: a process killed at any moment leaves the old or the
//! new file, and once `save` returns the new one survives a crash of the machine.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use ndarray::{Array2, ArrayView2, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::batch::{k_center, top_k, Acquired, Acquisition};
use crate::committee::{Bootstrap, Committee, CommitteeFactory, Logistic, TreeMember};
use crate::error::{ActiveError, Result};
use crate::kernel::KernelLaplace;
use crate::laplace::LaplaceLogistic;
use crate::scores::Score;

/// The `format` field of a saved session.
pub const SESSION_FORMAT: &str = "mutinfo-active-session";
/// The `format_version` this build writes and reads.
pub const SESSION_FORMAT_VERSION: u32 = 1;
/// A query on a pool with more unlabeled rows than this (or 50 per batch slot if more) runs
/// the acquisition on that many best rows by its own score (BALD for BatchBALD).
pub const BATCHBALD_CANDIDATES: usize = 2000;
/// Pool rows predicted at a time by a query on a large pool.
const QUERY_BLOCK: usize = 8192;

/// Which committee a session (or `simulate`) fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommitteeKind {
    /// [`LaplaceLogistic`]: posterior samples of a Bayesian multinomial logistic regression.
    Laplace,
    /// [`Bootstrap`] of [`Logistic`]: point estimates on resamples.
    Logistic,
    /// [`Bootstrap`] of [`TreeMember`]: randomised trees (resamples and √d features per node).
    Tree,
    /// [`KernelLaplace`]: [`LaplaceLogistic`] on a Nyström RBF-kernel map of the pool.
    Kernel,
}

impl CommitteeKind {
    /// The names [`FromStr`] accepts.
    pub const NAMES: &'static str = "kernel, laplace, logistic, tree";

    /// The name [`FromStr`] accepts.
    pub fn name(self) -> &'static str {
        match self {
            CommitteeKind::Laplace => "laplace",
            CommitteeKind::Logistic => "logistic",
            CommitteeKind::Tree => "tree",
            CommitteeKind::Kernel => "kernel",
        }
    }
}

impl CommitteeKind {
    /// The committee size when none is given: 20 posterior samples for the Bayesian
    /// committees, 10 bootstrap members otherwise.
    pub fn default_members(self) -> usize {
        match self {
            CommitteeKind::Laplace | CommitteeKind::Kernel => 20,
            CommitteeKind::Logistic | CommitteeKind::Tree => 10,
        }
    }
}

impl fmt::Display for CommitteeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for CommitteeKind {
    type Err = ActiveError;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "laplace" | "bayes" | "bayesian-logistic" => Ok(CommitteeKind::Laplace),
            "logistic" => Ok(CommitteeKind::Logistic),
            "tree" | "trees" => Ok(CommitteeKind::Tree),
            "kernel" | "nystroem" | "gp" => Ok(CommitteeKind::Kernel),
            _ => Err(ActiveError::UnknownMethod {
                what: "committee",
                name: s.to_string(),
                expected: Self::NAMES,
            }),
        }
    }
}

/// A committee kind and size: fits a boxed [`Committee`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitteeSpec {
    /// The kind of committee.
    pub kind: CommitteeKind,
    /// Members K.
    pub members: usize,
}

impl Default for CommitteeSpec {
    /// The default committee: 20 posterior samples of the kernel committee (it won the
    /// comparison in README).
    fn default() -> Self {
        Self {
            kind: CommitteeKind::Kernel,
            members: 20,
        }
    }
}

/// A fitted committee of any kind.
pub type BoxedCommittee = Box<dyn Committee + Send + Sync>;

impl CommitteeFactory for CommitteeSpec {
    type Committee = BoxedCommittee;

    fn fit(
        &self,
        x: ArrayView2<f64>,
        y: &[usize],
        n_classes: usize,
        seed: u64,
    ) -> Result<BoxedCommittee> {
        Ok(match self.kind {
            CommitteeKind::Kernel => {
                Box::new(KernelLaplace::new(self.members).fit(x, y, n_classes, seed)?)
            }
            CommitteeKind::Laplace => {
                Box::new(LaplaceLogistic::new(self.members).fit(x, y, n_classes, seed)?)
            }
            CommitteeKind::Logistic => Box::new(
                Bootstrap::new(Logistic::default(), self.members).fit(x, y, n_classes, seed)?,
            ),
            CommitteeKind::Tree => Box::new(
                Bootstrap::new(TreeMember::default(), self.members).fit(x, y, n_classes, seed)?,
            ),
        })
    }

    /// The kernel committee maps the whole pool; the others fit on the labeled rows.
    fn fit_in_pool(
        &self,
        pool: ArrayView2<f64>,
        labeled: &[usize],
        y: &[usize],
        n_classes: usize,
        seed: u64,
    ) -> Result<BoxedCommittee> {
        if self.kind == CommitteeKind::Kernel {
            return Ok(Box::new(
                KernelLaplace::new(self.members).fit_in_pool(pool, labeled, y, n_classes, seed)?,
            ));
        }
        let x = crate::committee::labeled_rows(pool, labeled, y, n_classes)?;
        self.fit(x.view(), y, n_classes, seed)
    }
}

impl Committee for BoxedCommittee {
    fn n_classes(&self) -> usize {
        (**self).n_classes()
    }
    fn predict_samples(&self, x: ArrayView2<f64>) -> Result<ndarray::Array3<f64>> {
        (**self).predict_samples(x)
    }
    fn predict(&self, x: ArrayView2<f64>) -> Result<Vec<usize>> {
        (**self).predict(x)
    }
}

/// One row chosen by [`ActiveSession::query`].
#[derive(Debug, Clone, PartialEq)]
pub struct QueryRow {
    /// 0-based position in the pool.
    pub row: usize,
    /// The acquisition's score for it (BatchBALD: the batch's joint MI after the pick).
    pub score: f64,
}

/// What [`ActiveSession::teach`] changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Taught {
    /// Rows labeled for the first time.
    pub added: usize,
    /// Rows taught the label they already had (no-ops).
    pub unchanged: usize,
    /// Classes not seen before (only when the class list is not fixed).
    pub new_classes: usize,
}

/// Why a teach was refused; nothing of the call is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeachError {
    /// The row is not in the pool.
    UnknownRow {
        /// Position of the pair in the call.
        entry: usize,
        /// The row.
        row: usize,
        /// Pool size.
        rows: usize,
    },
    /// The row already has another label (taught earlier or earlier in the same call).
    Conflict {
        /// The row.
        row: usize,
        /// The label it has.
        has: String,
        /// The label given.
        given: String,
    },
    /// With a fixed class list, a label outside it.
    UnknownClass {
        /// The row.
        row: usize,
        /// The label given.
        label: String,
        /// The class list.
        classes: Vec<String>,
    },
    /// An empty label.
    EmptyLabel {
        /// The row.
        row: usize,
    },
}

impl fmt::Display for TeachError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TeachError::UnknownRow { entry, row, rows } => write!(
                f,
                "entry {entry}: row {row} is not in the pool (rows 0..{rows})"
            ),
            TeachError::Conflict { row, has, given } => write!(
                f,
                "row {row} is already labeled {has:?}; refusing the different label {given:?}"
            ),
            TeachError::UnknownClass {
                row,
                label,
                classes,
            } => write!(
                f,
                "row {row}: label {label:?} is not one of the classes {}",
                classes.join(", ")
            ),
            TeachError::EmptyLabel { row } => write!(f, "row {row}: empty label"),
        }
    }
}

impl std::error::Error for TeachError {}

/// A labeling session over a pool of feature rows (see the module docs).
///
/// # Examples
/// ```
/// use mutinfo_active::{ActiveSession, CommitteeSpec};
/// use ndarray::Array2;
/// let x = Array2::from_shape_fn((60, 2), |(i, j)| ((i % 3) * 3 + j) as f64 + (i as f64) * 0.01);
/// let mut s = ActiveSession::new(x, vec!["a".into(), "b".into()], CommitteeSpec::default())?;
/// s.teach(&[(0, "x"), (1, "y"), (2, "z")])?;
/// let rows = s.query(5, &"batchbald".parse()?, 0)?;
/// assert_eq!(rows.len(), 5);
/// let again = ActiveSession::from_json(&s.to_json()?)?;
/// assert_eq!(again, s);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveSession {
    features: Array2<f64>,
    feature_names: Vec<String>,
    target: String,
    id_column: Option<String>,
    ids: Option<Vec<String>>,
    classes: Vec<String>,
    classes_fixed: bool,
    labels: Vec<Option<usize>>,
    committee: CommitteeSpec,
    taught: u64,
    pool: String,
}

impl ActiveSession {
    /// A session over `features` (`[N × d]`, finite) named `feature_names`, nothing labeled,
    /// classes learned from the labels taught.
    ///
    /// # Errors
    /// [`ActiveError::Shape`] for a name count other than `d`, [`ActiveError::Empty`] for no
    /// rows, [`ActiveError::InvalidParameter`] for a non-finite feature or zero members.
    pub fn new(
        features: Array2<f64>,
        feature_names: Vec<String>,
        committee: CommitteeSpec,
    ) -> Result<Self> {
        let n = features.nrows();
        let s = Self {
            features,
            feature_names,
            target: "label".into(),
            id_column: None,
            ids: None,
            classes: Vec::new(),
            classes_fixed: false,
            labels: vec![None; n],
            committee,
            taught: 0,
            pool: String::new(),
        };
        s.validate()?;
        Ok(s)
    }

    /// Fixes the class list: labels outside it are refused. Classes already taught must be in it.
    ///
    /// # Errors
    /// [`ActiveError::InvalidParameter`] for a duplicate or empty class, or a taught class
    /// missing from `classes`.
    pub fn with_classes(mut self, classes: Vec<String>) -> Result<Self> {
        let mut map = Vec::with_capacity(self.classes.len());
        for c in &self.classes {
            match classes.iter().position(|k| k == c) {
                Some(i) => map.push(i),
                None => {
                    return Err(ActiveError::InvalidParameter {
                        name: "classes",
                        value: classes.join(","),
                        reason: "a label present in the pool is not in the class list",
                    })
                }
            }
        }
        for l in self.labels.iter_mut().flatten() {
            *l = map[*l];
        }
        self.classes = classes;
        self.classes_fixed = true;
        self.validate()?;
        Ok(self)
    }

    /// Names the target column and the id column with its values (one per row).
    ///
    /// # Errors
    /// [`ActiveError::Shape`] when the ids are not one per row; [`ActiveError::InvalidParameter`]
    /// for a repeated id.
    pub fn with_names(
        mut self,
        target: &str,
        id: Option<(String, Vec<String>)>,
        pool: &str,
    ) -> Result<Self> {
        self.target = target.to_string();
        self.pool = pool.to_string();
        if let Some((col, ids)) = id {
            self.id_column = Some(col);
            self.ids = Some(ids);
        }
        self.validate()?;
        Ok(self)
    }

    /// Pool rows N.
    pub fn rows(&self) -> usize {
        self.features.nrows()
    }
    /// The feature matrix.
    pub fn features(&self) -> ArrayView2<'_, f64> {
        self.features.view()
    }
    /// The feature names.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }
    /// The target column's name.
    pub fn target(&self) -> &str {
        &self.target
    }
    /// The id column and its values, if the session has one.
    pub fn ids(&self) -> Option<(&str, &[String])> {
        match (&self.id_column, &self.ids) {
            (Some(c), Some(v)) => Some((c.as_str(), v.as_slice())),
            _ => None,
        }
    }
    /// The class names, in class-index order.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }
    /// Whether the class list was fixed (labels outside it are refused).
    pub fn classes_fixed(&self) -> bool {
        self.classes_fixed
    }
    /// The class index of each row, `None` when unlabeled.
    pub fn labels(&self) -> &[Option<usize>] {
        &self.labels
    }
    /// The label of `row` as a class name.
    pub fn label_name(&self, row: usize) -> Option<&str> {
        self.labels
            .get(row)
            .copied()
            .flatten()
            .map(|c| self.classes[c].as_str())
    }
    /// The committee settings.
    pub fn committee(&self) -> CommitteeSpec {
        self.committee
    }
    /// Teach calls that changed something.
    pub fn taught(&self) -> u64 {
        self.taught
    }
    /// Where the pool came from (informational).
    pub fn pool(&self) -> &str {
        &self.pool
    }
    /// Labeled rows.
    pub fn labeled(&self) -> usize {
        self.labels.iter().filter(|l| l.is_some()).count()
    }

    /// The row with id `id`, when the session has an id column.
    pub fn row_of_id(&self, id: &str) -> Option<usize> {
        self.ids.as_ref()?.iter().position(|v| v == id)
    }

    /// Teaches labels: all or nothing. A row taught the label it has is a no-op; another label
    /// for a labeled row, a row outside the pool, an empty label, or (with a fixed class list)
    /// an unknown class refuses the whole call and changes nothing.
    ///
    /// # Errors
    /// [`TeachError`] naming the row and value.
    pub fn teach<S: AsRef<str>>(
        &mut self,
        pairs: &[(usize, S)],
    ) -> std::result::Result<Taught, TeachError> {
        let n = self.rows();
        let mut classes = self.classes.clone();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, c) in self.classes.iter().enumerate() {
            index.insert(c.as_str(), i);
        }
        let mut pending: HashMap<usize, usize> = HashMap::new();
        let mut out = Taught::default();
        let name_of = |c: usize, classes: &[String]| classes[c].clone();
        for (entry, (row, label)) in pairs.iter().enumerate() {
            let (row, label) = (*row, label.as_ref());
            if row >= n {
                return Err(TeachError::UnknownRow {
                    entry,
                    row,
                    rows: n,
                });
            }
            if label.is_empty() {
                return Err(TeachError::EmptyLabel { row });
            }
            let class = match index.get(label).copied().or_else(|| {
                classes[self.classes.len()..]
                    .iter()
                    .position(|c| c == label)
                    .map(|p| p + self.classes.len())
            }) {
                Some(c) => c,
                None if self.classes_fixed => {
                    return Err(TeachError::UnknownClass {
                        row,
                        label: label.to_string(),
                        classes: self.classes.clone(),
                    })
                }
                None => {
                    classes.push(label.to_string());
                    out.new_classes += 1;
                    classes.len() - 1
                }
            };
            let has = self.labels[row].or_else(|| pending.get(&row).copied());
            match has {
                Some(h) if h == class => out.unchanged += 1,
                Some(h) => {
                    return Err(TeachError::Conflict {
                        row,
                        has: name_of(h, &classes),
                        given: label.to_string(),
                    })
                }
                None => {
                    pending.insert(row, class);
                    out.added += 1;
                }
            }
        }
        for (row, class) in pending {
            self.labels[row] = Some(class);
        }
        self.classes = classes;
        if out.added > 0 {
            self.taught += 1;
        }
        Ok(out)
    }

    fn labeled_xy(&self) -> (Vec<usize>, Vec<usize>) {
        self.labels
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.map(|c| (i, c)))
            .unzip()
    }

    /// The `batch` unlabeled rows to label next, best first, by `acquisition` over the
    /// session's committee fitted on the labels so far, seeded by `seed`.
    ///
    /// Until two classes are labeled there is no committee to ask: the batch is then chosen for
    /// coverage, k-center greedy on standardized features from a seeded random start (score:
    /// the distance to the rows chosen or labeled before). BatchBALD on a pool beyond
    /// [`BATCHBALD_CANDIDATES`] (or 50 × batch) unlabeled rows considers that many best rows by
    /// BALD; top-k and k-center batches are exactly those of the whole pool.
    ///
    /// # Errors
    /// [`ActiveError::BatchTooLarge`] when fewer than `batch` rows are unlabeled,
    /// [`ActiveError::InvalidParameter`] for a zero batch; the committee's and acquisition's.
    pub fn query(
        &self,
        batch: usize,
        acquisition: &Acquisition,
        seed: u64,
    ) -> Result<Vec<QueryRow>> {
        if batch == 0 {
            return Err(ActiveError::InvalidParameter {
                name: "batch",
                value: "0".into(),
                reason: "must be at least 1",
            });
        }
        let (lab_rows, lab_y) = self.labeled_xy();
        let unlabeled: Vec<usize> = (0..self.rows())
            .filter(|&i| self.labels[i].is_none())
            .collect();
        if batch > unlabeled.len() {
            return Err(ActiveError::BatchTooLarge {
                batch,
                pool: unlabeled.len(),
            });
        }
        let mut seen = lab_y.clone();
        seen.sort_unstable();
        seen.dedup();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        if seen.len() < 2 {
            return Ok(self.cold_start(&lab_rows, &unlabeled, batch, rng.gen()));
        }
        let committee = self.committee.fit_in_pool(
            self.features.view(),
            &lab_rows,
            &lab_y,
            self.classes.len(),
            rng.gen(),
        )?;
        let acq_seed: u64 = rng.gen();
        let cap = BATCHBALD_CANDIDATES.max(50 * batch);
        let sel: Acquired = if unlabeled.len() <= cap {
            let x_u = self.features.select(Axis(0), &unlabeled);
            let probs = committee.predict_samples(x_u.view())?;
            acquisition.select_with_features(probs.view(), Some(x_u.view()), batch, acq_seed)?
        } else {
            // A large pool: score it block by block (never the whole [N × K × C] tensor),
            // keep the `cap` best rows by the acquisition's own score (BALD for BatchBALD),
            // and run the acquisition on those. Top-k and k-center give the same batch as on
            // the whole pool; BatchBALD and stochastic acquisition see the best `cap` rows.
            let filter = match acquisition {
                Acquisition::TopK(s) | Acquisition::KCenter { score: s, .. } => *s,
                Acquisition::Stochastic { score, .. } => *score,
                Acquisition::BatchBald(_) => Score::Bald,
            };
            let mut scores = Vec::with_capacity(unlabeled.len());
            if filter == Score::Random {
                scores = crate::scores::random_scores(unlabeled.len(), acq_seed);
            } else {
                for block in unlabeled.chunks(QUERY_BLOCK) {
                    let p =
                        committee.predict_samples(self.features.select(Axis(0), block).view())?;
                    crate::probs::validate(p.view())?;
                    scores.extend(crate::scores::scores_unchecked(p.view(), filter, 0));
                }
            }
            let cand = top_k(&scores, cap);
            let rows: Vec<usize> = cand.iter().map(|&j| unlabeled[j]).collect();
            let x_c = self.features.select(Axis(0), &rows);
            let probs = committee.predict_samples(x_c.view())?;
            let s = if filter == Score::Random {
                Acquired {
                    indices: (0..batch).collect(),
                    scores: cand[..batch].iter().map(|&j| scores[j]).collect(),
                }
            } else {
                acquisition.select_with_features(probs.view(), Some(x_c.view()), batch, acq_seed)?
            };
            Acquired {
                indices: s.indices.iter().map(|&j| cand[j]).collect(),
                scores: s.scores,
            }
        };
        Ok(sel
            .indices
            .iter()
            .zip(&sel.scores)
            .map(|(&j, &score)| QueryRow {
                row: unlabeled[j],
                score,
            })
            .collect())
    }

    fn standardized(&self) -> Array2<f64> {
        let x = &self.features;
        let n = x.nrows().max(1) as f64;
        let mut z = x.clone();
        for mut col in z.columns_mut() {
            let m = col.sum() / n;
            let v = col.iter().map(|&a| (a - m) * (a - m)).sum::<f64>() / n;
            let inv = if v > 1e-24 { 1.0 / v.sqrt() } else { 0.0 };
            col.mapv_inplace(|a| (a - m) * inv);
        }
        z
    }

    fn cold_start(
        &self,
        labeled: &[usize],
        unlabeled: &[usize],
        batch: usize,
        seed: u64,
    ) -> Vec<QueryRow> {
        let z = self.standardized();
        let d2 = |a: usize, b: usize| -> f64 {
            z.row(a)
                .iter()
                .zip(z.row(b))
                .map(|(x, y)| (x - y) * (x - y))
                .sum()
        };
        let mut near = vec![f64::INFINITY; unlabeled.len()];
        for &l in labeled {
            for (j, &u) in unlabeled.iter().enumerate() {
                near[j] = near[j].min(d2(u, l));
            }
        }
        let mut out = Vec::with_capacity(batch);
        let mut taken = vec![false; unlabeled.len()];
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for step in 0..batch {
            let j = if step == 0 && labeled.is_empty() {
                rng.gen_range(0..unlabeled.len())
            } else {
                let mut best = usize::MAX;
                for (j, &v) in near.iter().enumerate() {
                    if !taken[j] && (best == usize::MAX || v > near[best]) {
                        best = j;
                    }
                }
                best
            };
            taken[j] = true;
            out.push(QueryRow {
                row: unlabeled[j],
                score: if near[j].is_finite() {
                    near[j].sqrt()
                } else {
                    0.0
                },
            });
            for (i, &u) in unlabeled.iter().enumerate() {
                if !taken[i] {
                    near[i] = near[i].min(d2(u, unlabeled[j]));
                }
            }
        }
        let _ = k_center; // the same greedy rule as `Acquisition::KCenter`
        out
    }

    /// The committee's estimated accuracy on the labeled rows by `folds`-fold cross-validation
    /// (rows dealt to folds in a seeded random order), with the number of rows it is measured
    /// on; `None` with fewer than `2 × folds` labels or two classes.
    ///
    /// # Errors
    /// The committee's.
    pub fn estimated_accuracy(&self, folds: usize, seed: u64) -> Result<Option<(f64, usize)>> {
        let (rows, y) = self.labeled_xy();
        let mut seen = y.clone();
        seen.sort_unstable();
        seen.dedup();
        let folds = folds.max(2);
        if rows.len() < 2 * folds || seen.len() < 2 {
            return Ok(None);
        }
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rand::seq::SliceRandom::shuffle(order.as_mut_slice(), &mut rng);
        let mut correct = 0usize;
        for f in 0..folds {
            let test: Vec<usize> = order.iter().copied().skip(f).step_by(folds).collect();
            let train: Vec<usize> = order
                .iter()
                .copied()
                .enumerate()
                .filter(|(p, _)| p % folds != f)
                .map(|(_, i)| i)
                .collect();
            let xr: Vec<usize> = train.iter().map(|&i| rows[i]).collect();
            let yr: Vec<usize> = train.iter().map(|&i| y[i]).collect();
            let c = self.committee.fit_in_pool(
                self.features.view(),
                &xr,
                &yr,
                self.classes.len(),
                rng.gen(),
            )?;
            let xt: Vec<usize> = test.iter().map(|&i| rows[i]).collect();
            let pred = c.predict(self.features.select(Axis(0), &xt).view())?;
            correct += pred
                .iter()
                .zip(test.iter().map(|&i| y[i]))
                .filter(|(a, b)| **a == *b)
                .count();
        }
        Ok(Some((correct as f64 / rows.len() as f64, rows.len())))
    }

    fn validate(&self) -> Result<()> {
        let (n, d) = self.features.dim();
        let bad = |reason: &'static str, value: String| ActiveError::InvalidParameter {
            name: "session",
            value,
            reason,
        };
        if n == 0 {
            return Err(ActiveError::Empty { what: "pool" });
        }
        if self.feature_names.len() != d {
            return Err(ActiveError::Shape {
                what: "feature names",
                found: vec![self.feature_names.len()],
                expected: format!("{d} names"),
            });
        }
        if let Some((i, v)) = self
            .features
            .iter()
            .enumerate()
            .find(|(_, v)| !v.is_finite())
        {
            return Err(bad(
                "features must be finite",
                format!("row {} column {}: {v}", i / d.max(1), i % d.max(1)),
            ));
        }
        if self.labels.len() != n {
            return Err(bad("one label slot per row", self.labels.len().to_string()));
        }
        if let Some(l) = self
            .labels
            .iter()
            .flatten()
            .find(|&&l| l >= self.classes.len())
        {
            return Err(bad("label index beyond the class list", l.to_string()));
        }
        let mut sorted = self.classes.clone();
        sorted.sort();
        sorted.dedup();
        if sorted.len() != self.classes.len() || self.classes.iter().any(String::is_empty) {
            return Err(bad(
                "classes must be distinct and non-empty",
                self.classes.join(","),
            ));
        }
        if self.ids.is_some() != self.id_column.is_some() {
            return Err(bad("ids need an id column", String::new()));
        }
        if let Some(ids) = &self.ids {
            if ids.len() != n {
                return Err(ActiveError::Shape {
                    what: "ids",
                    found: vec![ids.len()],
                    expected: format!("{n} values"),
                });
            }
            let mut s: Vec<&String> = ids.iter().collect();
            s.sort();
            if let Some(w) = s.windows(2).find(|w| w[0] == w[1]) {
                return Err(bad("ids must be distinct", w[0].clone()));
            }
        }
        if self.committee.members == 0 {
            return Err(bad("a committee needs at least one member", "0".into()));
        }
        Ok(())
    }

    /// The session as JSON in the versioned layout of the module docs.
    ///
    /// # Errors
    /// [`ActiveError::Format`] if serialization fails (it does not for a valid session).
    pub fn to_json(&self) -> Result<String> {
        let bytes: Vec<u8> = self.features.iter().flat_map(|v| v.to_le_bytes()).collect();
        let file = SessionFile {
            format: SESSION_FORMAT.into(),
            format_version: SESSION_FORMAT_VERSION,
            target: self.target.clone(),
            id_column: self.id_column.clone(),
            pool: self.pool.clone(),
            feature_names: self.feature_names.clone(),
            rows: self.rows(),
            features_fnv1a64: format!("{:016x}", fnv1a64(&bytes)),
            features_f64le_base64: base64_encode(&bytes),
            ids: self.ids.clone(),
            classes: self.classes.clone(),
            classes_fixed: self.classes_fixed,
            labels: self.labels.clone(),
            committee: self.committee,
            taught: self.taught,
        };
        serde_json::to_string(&file).map_err(|e| ActiveError::Format {
            path: "session".into(),
            reason: e.to_string(),
        })
    }

    /// A session from [`ActiveSession::to_json`].
    ///
    /// # Errors
    /// [`ActiveError::Format`] for malformed JSON, another format or version, a checksum
    /// mismatch or an inconsistent session.
    pub fn from_json(text: &str) -> Result<Self> {
        let bad = |reason: String| ActiveError::Format {
            path: "session".into(),
            reason,
        };
        let f: SessionFile = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        if f.format != SESSION_FORMAT {
            return Err(bad(format!(
                "format {:?}, expected {SESSION_FORMAT:?}",
                f.format
            )));
        }
        if f.format_version != SESSION_FORMAT_VERSION {
            return Err(bad(format!(
                "format_version {}, this build reads version {SESSION_FORMAT_VERSION}",
                f.format_version
            )));
        }
        let bytes = base64_decode(&f.features_f64le_base64)
            .ok_or_else(|| bad("features_f64le_base64 is not base64".into()))?;
        if format!("{:016x}", fnv1a64(&bytes)) != f.features_fnv1a64 {
            return Err(bad("the features do not match their checksum".into()));
        }
        let d = f.feature_names.len();
        if bytes.len() != f.rows * d * 8 {
            return Err(bad(format!(
                "{} feature bytes for {} rows × {d} columns",
                bytes.len(),
                f.rows
            )));
        }
        let values: Vec<f64> = bytes
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
            .collect();
        let features =
            Array2::from_shape_vec((f.rows, d), values).map_err(|e| bad(e.to_string()))?;
        let s = ActiveSession {
            features,
            feature_names: f.feature_names,
            target: f.target,
            id_column: f.id_column,
            ids: f.ids,
            classes: f.classes,
            classes_fixed: f.classes_fixed,
            labels: f.labels,
            committee: f.committee,
            taught: f.taught,
            pool: f.pool,
        };
        s.validate().map_err(|e| bad(e.to_string()))?;
        Ok(s)
    }

    /// Writes the session to `path` crash-safely (temporary sibling, fsync, rename, then the
    /// directory synced).
    ///
    /// # Errors
    /// [`ActiveError::Io`] naming the path.
    pub fn save(&self, path: &Path) -> Result<()> {
        let io = |source| ActiveError::Io {
            path: path.to_path_buf(),
            source,
        };
        let json = self.to_json()?;
        mutinfo_core::save::write_atomic(path, json.as_bytes()).map_err(io)?;
        let target = mutinfo_core::save::resolve(path);
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// Reads a session saved by [`ActiveSession::save`].
    ///
    /// # Errors
    /// [`ActiveError::Io`] naming the path, or [`ActiveError::Format`] (with the path) as
    /// [`ActiveSession::from_json`].
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| ActiveError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_json(&text).map_err(|e| match e {
            ActiveError::Format { reason, .. } => ActiveError::Format {
                path: path.to_path_buf(),
                reason: format!("not a valid session state: {reason}"),
            },
            e => e,
        })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionFile {
    #[serde(default)]
    format: String,
    #[serde(default)]
    format_version: u32,
    target: String,
    id_column: Option<String>,
    pool: String,
    feature_names: Vec<String>,
    rows: usize,
    features_fnv1a64: String,
    features_f64le_base64: String,
    ids: Option<Vec<String>>,
    classes: Vec<String>,
    classes_fixed: bool,
    labels: Vec<Option<usize>>,
    committee: CommitteeSpec,
    taught: u64,
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((v >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    const BAD: u8 = 255;
    let mut lut = [BAD; 256];
    for (v, &c) in B64.iter().enumerate() {
        lut[c as usize] = v as u8;
    }
    let t = text.as_bytes();
    if t.len() % 4 != 0 {
        return None;
    }
    let pad = t.iter().rev().take_while(|&&c| c == b'=').count();
    if pad > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(t.len() / 4 * 3);
    let full = if pad > 0 { t.len() - 4 } else { t.len() };
    for q in t[..full].chunks_exact(4) {
        let (a, b, c, d) = (
            lut[q[0] as usize],
            lut[q[1] as usize],
            lut[q[2] as usize],
            lut[q[3] as usize],
        );
        if (a | b | c | d) == BAD || a > 63 || b > 63 || c > 63 || d > 63 {
            return None;
        }
        let v = (u32::from(a) << 18) | (u32::from(b) << 12) | (u32::from(c) << 6) | u32::from(d);
        out.extend_from_slice(&[(v >> 16) as u8, (v >> 8) as u8, v as u8]);
    }
    if pad > 0 {
        let q = &t[full..];
        let mut v = 0u32;
        for &c in &q[..4 - pad] {
            let x = lut[c as usize];
            if x > 63 {
                return None;
            }
            v = (v << 6) | u32::from(x);
        }
        v <<= 6 * pad as u32;
        let b = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
        out.extend_from_slice(&b[..3 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pool(n: usize) -> Array2<f64> {
        Array2::from_shape_fn((n, 3), |(i, j)| {
            ((i % 4) as f64) * 2.0 + j as f64 * 0.1 + (i as f64 * 0.37).sin() * 0.3
        })
    }

    #[test]
    fn base64_round_trips() {
        for n in 0..10 {
            let b: Vec<u8> = (0..n as u8).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(base64_decode(&base64_encode(&b)).unwrap(), b);
        }
        assert_eq!(base64_encode(b"foob"), "Zm9vYg==");
        assert!(base64_decode("Zm9v!g==").is_none());
    }

    #[test]
    fn teach_rules() {
        let mut s = ActiveSession::new(
            pool(12),
            vec!["a".into(), "b".into(), "c".into()],
            CommitteeSpec::default(),
        )
        .unwrap();
        assert_eq!(
            s.teach(&[(0, "x"), (1, "y")]).unwrap(),
            Taught {
                added: 2,
                unchanged: 0,
                new_classes: 2
            }
        );
        let before = s.clone();
        // Same label again: no-op.
        assert_eq!(s.teach(&[(0, "x")]).unwrap().unchanged, 1);
        assert_eq!(s.taught(), before.taught());
        // Conflict, unknown row, conflict inside one call: refused, nothing applied.
        assert!(matches!(
            s.teach(&[(2, "x"), (0, "y")]),
            Err(TeachError::Conflict { row: 0, .. })
        ));
        assert!(matches!(
            s.teach(&[(2, "x"), (99, "y")]),
            Err(TeachError::UnknownRow { row: 99, .. })
        ));
        assert!(matches!(
            s.teach(&[(3, "x"), (3, "z")]),
            Err(TeachError::Conflict { row: 3, .. })
        ));
        assert!(matches!(
            s.teach(&[(3, "")]),
            Err(TeachError::EmptyLabel { row: 3 })
        ));
        assert_eq!(s, before);
        let mut f = s
            .clone()
            .with_classes(vec!["y".into(), "x".into(), "w".into()])
            .unwrap();
        assert_eq!(f.label_name(0), Some("x"));
        assert!(matches!(
            f.teach(&[(5, "z")]),
            Err(TeachError::UnknownClass { .. })
        ));
        assert!(s.clone().with_classes(vec!["x".into()]).is_err());
    }

    #[test]
    fn query_cold_then_committee_and_deterministic() {
        for kind in [CommitteeKind::Kernel, CommitteeKind::Laplace] {
            query_with(kind);
        }
    }

    fn query_with(kind: CommitteeKind) {
        let mut s = ActiveSession::new(
            pool(200),
            vec!["a".into(), "b".into(), "c".into()],
            CommitteeSpec {
                kind,
                members: kind.default_members(),
            },
        )
        .unwrap();
        let acq: Acquisition = "batchbald".parse().unwrap();
        let cold = s.query(4, &acq, 1).unwrap();
        assert_eq!(cold.len(), 4);
        let labels: Vec<(usize, String)> = (0..8).map(|i| (i, format!("c{}", i % 4))).collect();
        s.teach(&labels).unwrap();
        for name in [
            "batchbald",
            "bald",
            "margin",
            "kcenter",
            "vote-entropy",
            "random",
        ] {
            let a: Acquisition = name.parse().unwrap();
            let q = s.query(5, &a, 3).unwrap();
            assert_eq!(q.len(), 5, "{name}");
            assert!(
                q.iter().all(|r| r.row >= 8),
                "{name}: a labeled row was queried"
            );
            let q1 = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build()
                .unwrap()
                .install(|| s.query(5, &a, 3).unwrap());
            assert_eq!(q, q1, "{name}");
        }
        assert!(s.query(0, &acq, 0).is_err());
        assert!(s.query(193, &acq, 0).is_err());
        // Eight labels: too few for 5-fold estimates; with 40 the committee is measured.
        assert_eq!(s.estimated_accuracy(5, 0).unwrap(), None);
        let more: Vec<(usize, String)> = (8..40).map(|i| (i, format!("c{}", i % 4))).collect();
        s.teach(&more).unwrap();
        let (acc, n) = s.estimated_accuracy(5, 0).unwrap().unwrap();
        assert_eq!(n, 40);
        assert!((0.0..=1.0).contains(&acc));
    }

    #[test]
    fn load_refuses_damage() {
        let mut s = ActiveSession::new(
            pool(10),
            vec!["a".into(), "b".into(), "c".into()],
            CommitteeSpec::default(),
        )
        .unwrap();
        s.teach(&[(1, "p"), (2, "q")]).unwrap();
        let j = s.to_json().unwrap();
        assert_eq!(ActiveSession::from_json(&j).unwrap(), s);
        assert!(ActiveSession::from_json(&j.replace(SESSION_FORMAT, "other")).is_err());
        assert!(ActiveSession::from_json(
            &j.replace("\"format_version\":1", "\"format_version\":2")
        )
        .is_err());
        assert!(ActiveSession::from_json(&j[..j.len() / 2]).is_err());
        assert!(
            ActiveSession::from_json(&j.replace("\"taught\"", "\"extra\":1,\"taught\"")).is_err()
        );
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        let b = v["features_f64le_base64"].as_str().unwrap();
        let flipped = format!("{}{}", if b.starts_with('A') { "B" } else { "A" }, &b[1..]);
        assert!(ActiveSession::from_json(&j.replace(b, &flipped)).is_err());
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.json");
        s.save(&p).unwrap();
        assert_eq!(ActiveSession::load(&p).unwrap(), s);
        assert!(ActiveSession::load(&dir.path().join("none.json")).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn save_load_round_trips(
            vals in proptest::collection::vec(-1e300f64..1e300, 1..40),
            d in 1usize..4,
            labels in proptest::collection::vec(proptest::option::of(0usize..3), 1..40),
            members in 1usize..30,
            kind in 0usize..4,
            ids in any::<bool>(),
        ) {
            let n = (vals.len() / d).max(1);
            let x = Array2::from_shape_fn((n, d), |(i, j)| vals[(i * d + j) % vals.len()]);
            let names: Vec<String> = (0..d).map(|j| format!("f{j}")).collect();
            let kind = [
                CommitteeKind::Kernel,
                CommitteeKind::Laplace,
                CommitteeKind::Logistic,
                CommitteeKind::Tree,
            ][kind];
            let mut s = ActiveSession::new(x, names, CommitteeSpec { kind, members }).unwrap();
            let pairs: Vec<(usize, String)> = labels.iter().take(n).enumerate()
                .filter_map(|(i, l)| l.map(|c| (i, format!("class é{c}"))))
                .collect();
            s.teach(&pairs).unwrap();
            let id = ids.then(|| ("id".to_string(), (0..n).map(|i| format!("r{i}")).collect()));
            let s = s.with_names("y", id, "pool.csv").unwrap();
            let back = ActiveSession::from_json(&s.to_json().unwrap()).unwrap();
            prop_assert_eq!(&back, &s);
            for (a, b) in back.features().iter().zip(s.features().iter()) {
                prop_assert_eq!(a.to_bits(), b.to_bits());
            }
        }
    }
}
