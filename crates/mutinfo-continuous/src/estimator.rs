//! The estimator choice, the reusable [`ContinuousMi`] builder and its results.

use std::fmt;
use std::str::FromStr;

use mutinfo_core::{Base, Codes};
use ndarray::{ArrayView1, ArrayView2};
use rayon::prelude::*;

use crate::data::{check_finite, check_len, check_neighbors, Block};
use crate::elliptical::{self, Ranks};
use crate::error::{ContinuousError, Result};
use crate::gaussian;
use crate::kdtree::Sorted1d;
use crate::knn::{self, CdFlavor, ClassIndex, Side};

/// Which continuous or mixed estimator to use.
///
/// | name (`FromStr`) | variant | for |
/// |---|---|---|
/// | `ksg` | [`Ksg1`](Estimator::Ksg1) | continuous X, Y (any dimension), CMI, entropy (Kozachenko–Leonenko) |
/// | `ksg2` | [`Ksg2`](Estimator::Ksg2) | continuous X, Y |
/// | `ross` | [`Ross`](Estimator::Ross) | continuous X, discrete Y |
/// | `mixed` | [`Mixed`](Estimator::Mixed) | discrete–continuous mixtures: repeated values, atoms |
/// | `gaussian` | [`Gaussian`](Estimator::Gaussian) | any; exact for jointly Gaussian data, CMI, entropy |
/// | `copula` | [`Copula`](Estimator::Copula) | any; Gaussian MI of rank-normalized columns, CMI |
/// | `ksg-copula` | [`KsgCopula`](Estimator::KsgCopula) | continuous X, Y; KSG-1 on normal scores |
/// | `elliptical` | [`Elliptical`](Estimator::Elliptical) | continuous X, Y; Student-t or Gaussian copula |
/// | `auto` | [`Auto`](Estimator::Auto) | picks one of the above from the data and says which |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Estimator {
    /// Kraskov–Stögbauer–Grassberger algorithm 1 (Phys. Rev. E 69, 066138, 2004, eq. 8),
    /// max norm: `I = ψ(k) + ψ(N) − ⟨ψ(n_x+1) + ψ(n_y+1)⟩`, where ε is the distance to the
    /// k-th neighbour in the joint space and `n_x`, `n_y` count the points strictly closer
    /// than ε in each marginal. Nearly unbiased for independent variables; biased downward when
    /// the dependence is strong or the dimension high. Conditional MI uses the Frenzel–Pompe
    /// form, entropy the Kozachenko–Leonenko estimator.
    Ksg1,
    /// KSG algorithm 2 (eq. 9): marginal radii from the k neighbours' own spreads,
    /// `I = ψ(k) − 1/k + ψ(N) − ⟨ψ(n_x) + ψ(n_y)⟩`, counts with `≤`.
    Ksg2,
    /// Ross (PLoS ONE 9(2) e87357, 2014), continuous X against discrete Y:
    /// `I = ψ(N) + ⟨ψ(k)⟩ − ⟨ψ(N_c)⟩ − ⟨ψ(m)⟩`, as scikit-learn's `mutual_info_classif`
    /// (without its noise). Rows of single-member classes are dropped, as there.
    Ross,
    /// Gao, Kannan, Oh & Viswanath (NeurIPS 2017) for mixtures of discrete and continuous
    /// parts: where a point's k-th neighbour is at distance 0, the number of copies replaces
    /// k. `ξ = ψ(k̃) + ln N − ψ(n_x) − ψ(n_y)`.
    Mixed,
    /// Gaussian MI from covariance log-determinants, `½ ln(det Σ_X det Σ_Y / det Σ_XY)`, with
    /// the small-sample bias correction of Ince et al. (2017).
    Gaussian,
    /// Gaussian-copula MI (Ince et al. 2017): every column rank-transformed to normal scores,
    /// then [`Gaussian`](Estimator::Gaussian). A lower bound on the true MI, exact for
    /// Gaussian copulas, invariant under strictly monotone transforms of each column.
    Copula,
    /// KSG-1 on normal scores: every column is copula-transformed as for
    /// [`Copula`](Estimator::Copula) (average ranks → Φ⁻¹) before [`Ksg1`](Estimator::Ksg1).
    /// The MI is unchanged by these monotone maps, while the neighbour search no longer
    /// suffers from heavy tails or very different scales; still biased low under strong
    /// dependence and in high dimension.
    KsgCopula,
    /// The elliptical-copula estimate: a Student-t copula (correlation from Kendall's τ,
    /// degrees of freedom by maximum likelihood) when a likelihood-ratio test at 0.1 % prefers
    /// it to the Gaussian copula it contains, else [`Copula`](Estimator::Copula). Exact, up to
    /// sampling error, for Gaussian and Student-t copulas (which have tail dependence); a
    /// lower bound for many others. Ranks are ordinal (ties by row) in the fit; the Gaussian
    /// log-determinant bias correction applies. Reported as `Copula` when the test keeps the
    /// Gaussian copula.
    Elliptical,
    /// Chooses from the data; the choice and the reason are in [`Estimate`].
    #[default]
    Auto,
}

impl Estimator {
    /// The `FromStr` name.
    pub fn name(self) -> &'static str {
        match self {
            Estimator::Ksg1 => "ksg",
            Estimator::Ksg2 => "ksg2",
            Estimator::Ross => "ross",
            Estimator::Mixed => "mixed",
            Estimator::Gaussian => "gaussian",
            Estimator::Copula => "copula",
            Estimator::KsgCopula => "ksg-copula",
            Estimator::Elliptical => "elliptical",
            Estimator::Auto => "auto",
        }
    }

    /// All estimators, `Auto` last.
    pub const ALL: [Estimator; 9] = [
        Estimator::Ksg1,
        Estimator::Ksg2,
        Estimator::Ross,
        Estimator::Mixed,
        Estimator::Gaussian,
        Estimator::Copula,
        Estimator::KsgCopula,
        Estimator::Elliptical,
        Estimator::Auto,
    ];
}

impl fmt::Display for Estimator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Estimator {
    type Err = ContinuousError;

    /// Parses `ksg` (also `ksg1`), `ksg2`, `ross`, `mixed`, `gaussian`, `copula`,
    /// `ksg-copula`, `elliptical` (also `t-copula`), `auto`, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "ksg" | "ksg1" => Ok(Estimator::Ksg1),
            "ksg2" => Ok(Estimator::Ksg2),
            "ross" => Ok(Estimator::Ross),
            "mixed" => Ok(Estimator::Mixed),
            "gaussian" => Ok(Estimator::Gaussian),
            "copula" => Ok(Estimator::Copula),
            "ksg-copula" => Ok(Estimator::KsgCopula),
            "elliptical" | "t-copula" => Ok(Estimator::Elliptical),
            "auto" => Ok(Estimator::Auto),
            _ => Err(ContinuousError::UnknownEstimator {
                name: s.to_string(),
            }),
        }
    }
}

/// One estimate, with the estimator that produced it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The estimate in [`base`](Estimate::base) units. kNN and bias-corrected estimates of a
    /// small MI can be slightly negative; they are reported as computed, never clipped.
    pub value: f64,
    /// The unit of `value`.
    pub base: Base,
    /// The estimator actually used (never `Auto`).
    pub estimator: Estimator,
    /// Why that estimator (for `Auto`), or what special case applied.
    pub reason: &'static str,
}

/// Reasons reported in [`Estimate::reason`].
pub mod reason {
    /// The caller chose the estimator.
    pub const REQUESTED: &str = "requested";
    /// One side is constant, so the MI is exactly 0 whatever the estimator.
    pub const CONSTANT: &str = "constant input: mutual information is exactly 0";
    /// `Auto`: many repeated values (atoms) make KSG's counts degenerate; Gao's estimator handles them.
    pub const TIES: &str = "auto: repeated values (atoms) present, Gao et al. mixed estimator";
    /// `Auto`: continuous, low-dimensional data: the larger of KSG-1 on normal scores and the
    /// elliptical-copula estimate, both of which are biased low where they are wrong (KSG
    /// under strong dependence, the copulas off their own family).
    pub const CONTINUOUS_LOW_DIM: &str =
        "auto: continuous, low dimension: larger of KSG on normal scores and the elliptical copula";
    /// `Auto`: high total dimension, where kNN estimators are strongly biased.
    pub const HIGH_DIM: &str = "auto: total dimension above the KSG limit: elliptical copula";
    /// `Elliptical`: the Student-t copula fits significantly better than the Gaussian one.
    pub const T_COPULA: &str =
        "elliptical: Student-t copula preferred by the likelihood-ratio test";
    /// `Elliptical`: the Student-t copula does not fit significantly better.
    pub const GAUSSIAN_COPULA: &str =
        "elliptical: Student-t copula not significantly better: Gaussian copula";
    /// `Auto`: continuous X against a discrete target without repeated X values.
    pub const DISCRETE_TARGET: &str = "auto: discrete target, tie-free features: Ross";
}

/// Total dimension (X and Y together) above which `Auto` uses the Gaussian copula alone: KSG's
/// downward bias grows quickly with dimension, and its neighbour search slows to O(N²).
pub const AUTO_MAX_KNN_DIM: usize = 10;

/// Fraction of repeated values in a column above which `Auto` treats the data as a
/// discrete–continuous mixture (Gao et al. estimator). Float32 data converted to f64 has a few
/// accidental ties; those leave KSG essentially unchanged.
pub const AUTO_TIE_FRACTION: f64 = 0.01;

/// Continuous and mixed MI estimation: estimator, neighbour count and unit, reusable.
///
/// Defaults: `estimator = Auto`, `neighbors = 3` (sklearn's and Kraskov's choice),
/// `base = Nats`, `bias_correction = true` (Gaussian and copula only), `scale_columns = true`
/// and `break_ties = true` (the kNN estimators' preparation of their input, as sklearn's
/// `mutual_info_regression`: see [`scale_columns`](Self::scale_columns) and
/// [`break_ties`](Self::break_ties)).
///
/// # Examples
/// ```
/// use mutinfo_continuous::{ContinuousMi, Estimator};
/// // y = x + small noise (deterministic stand-in): strongly dependent.
/// let x: Vec<f64> = (0..500).map(|i| ((i * 7919) % 500) as f64 / 500.0).collect();
/// let y: Vec<f64> = x.iter().enumerate().map(|(i, v)| v + ((i * 31) % 17) as f64 * 1e-3).collect();
/// let est = ContinuousMi::new().estimator(Estimator::Ksg1).neighbors(3);
/// let mi = est.mutual_information_1d(&x, &y)?;
/// assert!(mi.value > 2.0);
/// assert_eq!(mi.estimator, Estimator::Ksg1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContinuousMi {
    estimator: Estimator,
    neighbors: usize,
    base: Base,
    bias_correction: bool,
    scale_columns: bool,
    break_ties: bool,
}

impl Default for ContinuousMi {
    fn default() -> Self {
        ContinuousMi {
            estimator: Estimator::Auto,
            neighbors: 3,
            base: Base::Nats,
            bias_correction: true,
            scale_columns: true,
            break_ties: true,
        }
    }
}

enum Target<'a> {
    Continuous(Block),
    Discrete(&'a Codes),
}

impl ContinuousMi {
    /// The defaults listed above.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the estimator.
    pub fn estimator(mut self, estimator: Estimator) -> Self {
        self.estimator = estimator;
        self
    }

    /// Sets `k`, the number of neighbours of the kNN estimators (validated when used: `k ≥ 1`
    /// and fewer than the number of rows).
    pub fn neighbors(mut self, k: usize) -> Self {
        self.neighbors = k;
        self
    }

    /// Sets the unit of the results.
    pub fn base(mut self, base: Base) -> Self {
        self.base = base;
        self
    }

    /// Turns the Gaussian/copula small-sample bias correction on or off.
    pub fn bias_correction(mut self, on: bool) -> Self {
        self.bias_correction = on;
        self
    }

    /// Whether the kNN estimators (`Ksg1`, `Ksg2`, `KsgCopula`, `Mixed`, `Ross`, `Auto`)
    /// first divide every column by its standard deviation (ddof 0), as sklearn's
    /// `scale(X, with_mean=False)` in `mutual_info_regression`: with it `c·X` gives the
    /// estimate of `X` for any `c > 0`. On by default; off gives the raw max-norm estimate
    /// (sklearn's `_compute_mi_cc` on the values as they are).
    pub fn scale_columns(mut self, on: bool) -> Self {
        self.scale_columns = on;
        self
    }

    /// Whether `Ksg1`, `Ksg2` and `KsgCopula` add seeded noise of sklearn's size,
    /// `1e-10 · max(1, mean|x|) · N(0, 1)`, to every column that repeats a value (and is not
    /// constant). Their neighbour counts assume distinct values, so ties (rounded or integer
    /// data) inflate them: independent noise rounded to one decimal gives 0.25 nats for KSG-1
    /// and −0.78 for KSG-2 without it, |MI| < 0.03 with it. The noise comes from a ChaCha8
    /// stream seeded by argument and column: the same input gives the same bits. On by
    /// default; columns without repeats are never changed.
    pub fn break_ties(mut self, on: bool) -> Self {
        self.break_ties = on;
        self
    }

    /// The configured estimator.
    pub fn get_estimator(&self) -> Estimator {
        self.estimator
    }

    /// The configured neighbour count.
    pub fn get_neighbors(&self) -> usize {
        self.neighbors
    }

    fn done(&self, nats: f64, estimator: Estimator, reason: &'static str) -> Estimate {
        Estimate {
            value: self.base.convert(nats),
            base: self.base,
            estimator,
            reason,
        }
    }

    fn requested(&self) -> &'static str {
        if self.estimator == Estimator::Auto {
            ""
        } else {
            reason::REQUESTED
        }
    }

    /// `I(X;Y)` for continuous X (rows × dx) and Y (rows × dy), max norm for kNN estimators.
    ///
    /// `Ross` is not applicable (it needs a discrete Y: see
    /// [`mutual_information_discrete`](Self::mutual_information_discrete)).
    ///
    /// # Errors
    /// Empty input, different row counts, a NaN or infinity (named by argument, column and
    /// row), too few rows for `k`, a singular covariance (Gaussian/copula), `Ross`.
    pub fn mutual_information(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView2<'_, f64>,
    ) -> Result<Estimate> {
        let xb = self.prepare(self.estimator, Block::new("x", x)?, STREAM_X);
        let yb = self.prepare(self.estimator, Block::new("y", y)?, STREAM_Y);
        check_len("y", xb.rows, yb.rows)?;
        let ys = Side::new(yb);
        self.mi_continuous(Side::new(xb), &ys, None)
    }

    /// `I(X;Y)` for two columns given as slices.
    ///
    /// # Errors
    /// As [`mutual_information`](Self::mutual_information).
    pub fn mutual_information_1d(&self, x: &[f64], y: &[f64]) -> Result<Estimate> {
        let xb = self.prepare(self.estimator, Block::from_slice("x", x)?, STREAM_X);
        let yb = self.prepare(self.estimator, Block::from_slice("y", y)?, STREAM_Y);
        check_len("y", xb.rows, yb.rows)?;
        let ys = Side::new(yb);
        self.mi_continuous(Side::new(xb), &ys, None)
    }

    /// `I(X;Y)` for continuous X against a discrete Y (for example class labels).
    ///
    /// Ross and Mixed are kNN estimators (Mixed also handles repeated X values); Gaussian and
    /// Copula fit one Gaussian per class (`mi_model_gd` of Ince et al.). KSG is not applicable.
    ///
    /// # Errors
    /// As [`mutual_information`](Self::mutual_information); `Ksg1`/`Ksg2`; a class with too
    /// few rows for its covariance (Gaussian/copula).
    pub fn mutual_information_discrete(
        &self,
        x: ArrayView2<'_, f64>,
        y: &Codes,
    ) -> Result<Estimate> {
        let xb = self.prepare(self.estimator, Block::new("x", x)?, STREAM_X);
        check_len("y", xb.rows, y.len())?;
        self.mi_discrete(&xb, y, None, None)
    }

    /// The input preparation the kNN estimators share with sklearn's `_estimate_mi`: for
    /// `Ksg1`, `Ksg2`, `KsgCopula`, `Mixed`, `Ross` and `Auto` every column is scaled to unit
    /// variance (so `c·X` gives the estimate of `X` for any `c > 0`); for `Ksg1`, `Ksg2` and
    /// `KsgCopula` a column with repeated values also gets seeded noise of sklearn's size
    /// (`1e-10 · max(1, mean|x|)`), because their neighbour counts assume distinct values:
    /// rounded independent data would otherwise report up to 0.25 nats (KSG-2 −0.8). `Mixed`
    /// (and `Auto`, which picks it on ties) counts ties exactly instead; the Gaussian and
    /// copula estimates are scale free and take the values as given.
    fn prepare(&self, est: Estimator, mut b: Block, stream: u64) -> Block {
        use Estimator::*;
        if self.scale_columns && matches!(est, Ksg1 | Ksg2 | KsgCopula | Mixed | Ross | Auto) {
            b.scale_columns();
        }
        if self.break_ties && matches!(est, Ksg1 | Ksg2 | KsgCopula) {
            b.jitter_ties(stream);
        }
        b
    }

    fn resolve_continuous(&self, x: &Side, y: &Side) -> (Estimator, &'static str) {
        match self.estimator {
            Estimator::Auto => {
                if side_has_ties(x) || side_has_ties(y) {
                    (Estimator::Mixed, reason::TIES)
                } else if x.block.dim + y.block.dim > AUTO_MAX_KNN_DIM {
                    (Estimator::Elliptical, reason::HIGH_DIM)
                } else {
                    (Estimator::Auto, reason::CONTINUOUS_LOW_DIM)
                }
            }
            e => (e, self.requested()),
        }
    }

    fn mi_continuous(&self, x: Side, y: &Side, cache: Option<&CopulaCache>) -> Result<Estimate> {
        let (est, why) = self.resolve_continuous(&x, y);
        if est == Estimator::Ross {
            return Err(ContinuousError::Unsupported {
                estimator: "ross",
                reason: "needs a discrete target: use mutual_information_discrete",
            });
        }
        if x.block.is_constant() || y.block.is_constant() {
            let e = if est == Estimator::Auto {
                Estimator::Ksg1
            } else {
                est
            };
            return Ok(self.done(0.0, e, reason::CONSTANT));
        }
        let k = self.neighbors;
        let owned;
        let cache = match cache {
            Some(c) => c,
            None if matches!(
                est,
                Estimator::Copula | Estimator::KsgCopula | Estimator::Elliptical | Estimator::Auto
            ) =>
            {
                owned = CopulaCache::new(y);
                &owned
            }
            None => {
                owned = CopulaCache::empty();
                &owned
            }
        };
        if let Some(yc) = cache.y.as_ref().filter(|_| {
            matches!(
                est,
                Estimator::Copula | Estimator::KsgCopula | Estimator::Elliptical | Estimator::Auto
            )
        }) {
            // The copula transform of X, once for whichever copula estimates follow.
            let cx = copula_of(&x, Some(cache));
            return Ok(match est {
                Estimator::Auto => {
                    // Both estimates are biased low where they are wrong (KSG with strong
                    // dependence or dimension; a copula family off its own family): report
                    // the larger.
                    check_neighbors(x.block.rows, k)?;
                    let (ell, e, _) = self.elliptical_mi(&x, &cx, yc)?;
                    let ksg = knn::ksg1(&Side::new(cx), &yc.side, k);
                    if ell > ksg {
                        self.done(ell, e, why)
                    } else {
                        self.done(ksg, Estimator::KsgCopula, why)
                    }
                }
                Estimator::Elliptical => {
                    let (v, e, r) = self.elliptical_mi(&x, &cx, yc)?;
                    self.done(v, e, if why == reason::HIGH_DIM { why } else { r })
                }
                Estimator::KsgCopula => {
                    check_neighbors(x.block.rows, k)?;
                    self.done(knn::ksg1(&Side::new(cx), &yc.side, k), est, why)
                }
                _ => self.done(self.gaussian_copula_mi(&cx, yc)?, est, why),
            });
        }
        let nats = match est {
            Estimator::Ksg1 | Estimator::Ksg2 | Estimator::Mixed => {
                check_neighbors(x.block.rows, k)?;
                match est {
                    Estimator::Ksg1 => knn::ksg1(&x, y, k),
                    Estimator::Ksg2 => knn::ksg2(&x, y, k),
                    _ => knn::mixed(&x, y, k),
                }
            }
            Estimator::Gaussian => gaussian::gaussian_mi(&x.block, &y.block, self.bias_correction)?,
            e => {
                return Err(ContinuousError::Unsupported {
                    estimator: e.name(),
                    reason: "not a continuous-target estimator",
                })
            }
        };
        Ok(self.done(nats, est, why))
    }

    /// Gaussian-copula MI from X's copula transform and the target's.
    fn gaussian_copula_mi(&self, cx: &Block, yc: &TargetCopula) -> Result<f64> {
        gaussian::gaussian_mi(cx, &yc.block, self.bias_correction)
    }

    /// The elliptical-copula estimate and what it used (`Elliptical` for the t copula,
    /// `Copula` when the likelihood-ratio test keeps the Gaussian copula); `cx` is X's copula
    /// transform.
    fn elliptical_mi(
        &self,
        x: &Side,
        cx: &Block,
        yc: &TargetCopula,
    ) -> Result<(f64, Estimator, &'static str)> {
        let xr = match &x.marginal {
            knn::Marginal::One(s) => Ranks::from_order(s.rows_in_order()),
            knn::Marginal::Many(_) => Ranks::new(&x.block),
        };
        let cols: Vec<&[u32]> = xr
            .cols
            .iter()
            .chain(&yc.ranks.cols)
            .map(|c| &c[..])
            .collect();
        let fit = elliptical::fit(&cols, x.block.dim, &yc.tables, self.bias_correction);
        match fit {
            Some(f) if f.t_preferred() => Ok((f.t_mi, Estimator::Elliptical, reason::T_COPULA)),
            _ => Ok((
                self.gaussian_copula_mi(cx, yc)?,
                Estimator::Copula,
                reason::GAUSSIAN_COPULA,
            )),
        }
    }

    fn mi_discrete(
        &self,
        x: &Block,
        y: &Codes,
        classes: Option<&ClassIndex>,
        x_sorted: Option<&Sorted1d>,
    ) -> Result<Estimate> {
        let (est, why) = match self.estimator {
            Estimator::Auto => {
                let ties = match x_sorted {
                    Some(s) => s.repeated_fraction(),
                    None => x.repeated_fraction(),
                } > AUTO_TIE_FRACTION;
                if ties {
                    (Estimator::Mixed, reason::TIES)
                } else {
                    (Estimator::Ross, reason::DISCRETE_TARGET)
                }
            }
            e => (e, self.requested()),
        };
        if matches!(
            est,
            Estimator::Ksg1 | Estimator::Ksg2 | Estimator::KsgCopula | Estimator::Elliptical
        ) {
            return Err(ContinuousError::Unsupported {
                estimator: est.name(),
                reason: "needs a continuous target: use ross or mixed for a discrete one",
            });
        }
        if x.is_constant() || y.observed_cardinality() <= 1 {
            return Ok(self.done(0.0, est, reason::CONSTANT));
        }
        let k = self.neighbors;
        let nats = match est {
            Estimator::Ross | Estimator::Mixed => {
                // Per class k is min(k, N_c − 1), so only k ≥ 1 is required here.
                check_neighbors(usize::MAX, k)?;
                let flavor = if est == Estimator::Ross {
                    CdFlavor::Ross
                } else {
                    CdFlavor::Mixed
                };
                knn::continuous_discrete(x, y, k, flavor, classes)
            }
            Estimator::Gaussian => gaussian::gaussian_mi_discrete(x, y, self.bias_correction)?,
            _ => gaussian::gaussian_mi_discrete(
                &gaussian::copula_normalize(x),
                y,
                self.bias_correction,
            )?,
        };
        Ok(self.done(nats, est, why))
    }

    /// Conditional MI `I(X;Y|Z)` for continuous blocks with the same rows.
    ///
    /// `Ksg1` (and `Auto` on low-dimensional data) is the Frenzel–Pompe KSG estimator;
    /// `Gaussian` and `Copula` are the Gaussian forms `H(XZ) + H(YZ) − H(Z) − H(XYZ)`.
    ///
    /// # Errors
    /// As [`mutual_information`](Self::mutual_information); `Ksg2`, `Ross` and `Mixed` have
    /// no conditional form here.
    pub fn conditional_mutual_information(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView2<'_, f64>,
        z: ArrayView2<'_, f64>,
    ) -> Result<Estimate> {
        let xb = Block::new("x", x)?;
        let yb = Block::new("y", y)?;
        let zb = Block::new("z", z)?;
        check_len("y", xb.rows, yb.rows)?;
        check_len("z", xb.rows, zb.rows)?;
        let (est, why) = match self.estimator {
            Estimator::Auto => {
                if xb.dim + yb.dim + zb.dim > AUTO_MAX_KNN_DIM + 1 {
                    (Estimator::Copula, reason::HIGH_DIM)
                } else {
                    (Estimator::Ksg1, reason::CONTINUOUS_LOW_DIM)
                }
            }
            e => (e, self.requested()),
        };
        let xb = self.prepare(est, xb, STREAM_X);
        let yb = self.prepare(est, yb, STREAM_Y);
        let zb = self.prepare(est, zb, STREAM_Z);
        if xb.is_constant() || yb.is_constant() {
            return Ok(self.done(0.0, est, reason::CONSTANT));
        }
        let nats = match est {
            Estimator::Ksg1 => {
                check_neighbors(xb.rows, self.neighbors)?;
                knn::ksg_cmi(&xb, &yb, &zb, self.neighbors)
            }
            Estimator::Gaussian => gaussian::gaussian_cmi(&xb, &yb, &zb, self.bias_correction)?,
            Estimator::Copula => gaussian::gaussian_cmi(
                &gaussian::copula_normalize(&xb),
                &gaussian::copula_normalize(&yb),
                &gaussian::copula_normalize(&zb),
                self.bias_correction,
            )?,
            e => {
                return Err(ContinuousError::Unsupported {
                    estimator: e.name(),
                    reason: "no conditional form: use ksg, gaussian or copula",
                })
            }
        };
        Ok(self.done(nats, est, why))
    }

    /// Differential entropy `H(X)` of a continuous block: Kozachenko–Leonenko under the max
    /// norm (`Ksg1`, `Auto`) or the Gaussian entropy `½ ln((2πe)^d det Σ)` (`Gaussian`, with
    /// the bias correction when enabled).
    ///
    /// # Errors
    /// As [`mutual_information`](Self::mutual_information); a point whose k-th neighbour
    /// coincides with it (differential entropy −∞); other estimators.
    pub fn entropy(&self, x: ArrayView2<'_, f64>) -> Result<Estimate> {
        let xb = Block::new("x", x)?;
        let (est, why) = match self.estimator {
            Estimator::Auto => (Estimator::Ksg1, "auto: Kozachenko-Leonenko"),
            e => (e, self.requested()),
        };
        let nats = match est {
            Estimator::Ksg1 => {
                check_neighbors(xb.rows, self.neighbors)?;
                knn::kozachenko_leonenko(&xb, self.neighbors, "x")?
            }
            Estimator::Gaussian => gaussian::gaussian_entropy(&xb, self.bias_correction)?,
            e => {
                return Err(ContinuousError::Unsupported {
                    estimator: e.name(),
                    reason: "no entropy estimate: use ksg or gaussian",
                })
            }
        };
        Ok(self.done(nats, est, why))
    }

    /// `I(Xⱼ;Y)` for every column `j` of `features` (rows × features) against one continuous
    /// target: the target's sorted array (or copula scores) is built once, features run in
    /// parallel, and the results are identical for any thread count.
    ///
    /// # Errors
    /// As [`mutual_information`](Self::mutual_information), for the first failing feature
    /// (NaN errors name the feature column and row).
    pub fn many(
        &self,
        features: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
    ) -> Result<Vec<Estimate>> {
        let yv: Vec<f64> = y.iter().copied().collect();
        let yb = self.prepare(self.estimator, Block::from_slice("y", &yv)?, STREAM_Y);
        check_len("features", yb.rows, features.nrows())?;
        self.many_impl(features, Target::Continuous(yb))
    }

    /// `I(Xⱼ;Y)` for every column of `features` against a discrete target (class labels):
    /// per-class neighbour structures are built once.
    ///
    /// # Errors
    /// As [`mutual_information_discrete`](Self::mutual_information_discrete).
    pub fn many_discrete(&self, features: ArrayView2<'_, f64>, y: &Codes) -> Result<Vec<Estimate>> {
        check_len("features", y.len(), features.nrows())?;
        self.many_impl(features, Target::Discrete(y))
    }

    fn many_impl(
        &self,
        features: ArrayView2<'_, f64>,
        target: Target<'_>,
    ) -> Result<Vec<Estimate>> {
        if features.nrows() == 0 {
            return Err(ContinuousError::Empty {
                what: "features",
                unit: "rows",
            });
        }
        for (j, col) in features.columns().into_iter().enumerate() {
            if let Some((row, &value)) = col.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(ContinuousError::NonFinite {
                    what: "features",
                    column: j,
                    row,
                    value,
                });
            }
        }
        match target {
            Target::Continuous(yb) => {
                let ys = Side::new(yb);
                let uses_copula = matches!(
                    self.estimator,
                    Estimator::Copula
                        | Estimator::KsgCopula
                        | Estimator::Elliptical
                        | Estimator::Auto
                );
                let cache = if uses_copula {
                    CopulaCache::new(&ys)
                } else {
                    CopulaCache::empty()
                };
                (0..features.ncols())
                    .into_par_iter()
                    .map(|j| {
                        let xb = self.prepare(self.estimator, column_block(features, j), STREAM_X);
                        let xs = Side::new(xb);
                        self.mi_continuous(xs, &ys, Some(&cache))
                            .map_err(|e| in_feature(j, e))
                    })
                    .collect()
            }
            Target::Discrete(y) => {
                let classes = ClassIndex::new(y);
                (0..features.ncols())
                    .into_par_iter()
                    .map(|j| {
                        let xb = self.prepare(self.estimator, column_block(features, j), STREAM_X);
                        let sorted = Sorted1d::new(&xb.data);
                        self.mi_discrete(&xb, y, Some(&classes), Some(&sorted))
                            .map_err(|e| in_feature(j, e))
                    })
                    .collect()
            }
        }
    }
}

/// Jitter streams of the X, Y and Z arguments (see `Block::jitter_ties`).
const STREAM_X: u64 = 1;
const STREAM_Y: u64 = 2;
const STREAM_Z: u64 = 3;

/// An error of the estimate for feature `index`, saying which feature it was.
fn in_feature(index: usize, e: ContinuousError) -> ContinuousError {
    ContinuousError::Feature {
        index,
        source: Box::new(e),
    }
}

/// Copula structures of the target, built once for many features: the normal-score table,
/// the target's copula transform (also as a kNN side), its ordinal ranks and the Student-t
/// quantile tables. Empty for estimators that use none of them.
struct CopulaCache {
    y: Option<TargetCopula>,
}

struct TargetCopula {
    scores: gaussian::NormalScores,
    block: Block,
    side: Side,
    ranks: Ranks,
    tables: elliptical::TTables,
}

impl CopulaCache {
    fn new(y: &Side) -> Self {
        let n = y.block.rows;
        let scores = gaussian::NormalScores::new(n);
        let block = copula_of(y, None);
        let ranks = match &y.marginal {
            knn::Marginal::One(s) => Ranks::from_order(s.rows_in_order()),
            knn::Marginal::Many(_) => Ranks::new(&y.block),
        };
        CopulaCache {
            y: Some(TargetCopula {
                side: Side::new(block.clone()),
                block,
                ranks,
                tables: elliptical::TTables::new(n),
                scores,
            }),
        }
    }

    fn empty() -> Self {
        CopulaCache { y: None }
    }
}

/// The copula transform of one side (average ranks → Φ⁻¹), reusing a 1-D side's sort and the
/// cached score table.
fn copula_of(x: &Side, cache: Option<&CopulaCache>) -> Block {
    let order = match &x.marginal {
        knn::Marginal::One(s) => Some(s.rows_in_order()),
        knn::Marginal::Many(_) => None,
    };
    let scores = cache.and_then(|c| c.y.as_ref()).map(|y| &y.scores);
    gaussian::copula_normalize_with(&x.block, scores, order)
}

fn column_block(features: ArrayView2<'_, f64>, j: usize) -> Block {
    let data: Vec<f64> = features.column(j).iter().copied().collect();
    Block {
        rows: data.len(),
        data,
        dim: 1,
    }
}

fn side_has_ties(s: &Side) -> bool {
    let f = match &s.marginal {
        knn::Marginal::One(sorted) => sorted.repeated_fraction(),
        knn::Marginal::Many(_) => s.block.repeated_fraction(),
    };
    f > AUTO_TIE_FRACTION
}

/// `I(X;Y)` of two columns with the default [`ContinuousMi`] (`Auto`, k = 3, nats).
///
/// # Errors
/// See [`ContinuousMi::mutual_information`].
pub fn mutual_information(x: &[f64], y: &[f64]) -> Result<Estimate> {
    ContinuousMi::new().mutual_information_1d(x, y)
}

/// Checks a slice for NaN and infinity, naming the row (for callers that build their own
/// blocks, such as the CLI).
///
/// # Errors
/// [`ContinuousError::NonFinite`] at the first bad value.
pub fn check_column(what: &'static str, column: usize, values: &[f64]) -> Result<()> {
    check_finite(what, column, values)
}
