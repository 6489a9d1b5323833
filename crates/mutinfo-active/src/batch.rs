//! Batch selection from per-point scores: top-k, and stochastic batch acquisition
//! (Kirsch, Farquhar, Atighehchian, Jesson, Branchaud-Charron & Gal, TMLR 2023).

use std::fmt;
use std::str::FromStr;

use ndarray::{ArrayView2, ArrayView3, Axis};
use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::batchbald::BatchBald;
use crate::error::{ActiveError, Result};
use crate::probs::{consensus_into, validate};
use crate::scores::{scores_unchecked, Score};

/// How stochastic batch acquisition turns scores `s_i` into sampling logits; the batch is then
/// drawn without replacement with the Gumbel-top-k trick (top-k of `logit_i + g_i`, `g_i`
/// standard Gumbel from ChaCha8).
///
/// ```text
/// Power     p_i ∝ s_i^β          logit = β ln s_i  (points scoring 0 come last)
/// Softmax   p_i ∝ exp(β s_i)     logit = β s_i
/// Softrank  p_i ∝ r_i^(−β)       logit = −β ln r_i  (r_i = 1 for the best score; ties by index)
/// ```
///
/// Kirsch et al. (2023) recommend power with β = 1 for BALD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stochastic {
    /// Sampling proportional to a power of the score.
    Power,
    /// Sampling proportional to the exponential of the score.
    Softmax,
    /// Sampling proportional to a power of the inverse rank.
    Softrank,
}

impl Stochastic {
    /// The name [`FromStr`] accepts.
    pub fn name(self) -> &'static str {
        match self {
            Stochastic::Power => "power",
            Stochastic::Softmax => "softmax",
            Stochastic::Softrank => "softrank",
        }
    }
}

/// A complete acquisition strategy: which batch to label next.
#[derive(Debug, Clone, PartialEq)]
pub enum Acquisition {
    /// The `batch` highest scores (ties to the lowest index); `Score::Random` is random sampling.
    TopK(Score),
    /// Stochastic batch acquisition over a score.
    Stochastic {
        /// The score sampled from.
        score: Score,
        /// How scores become sampling probabilities.
        mode: Stochastic,
        /// Inverse temperature β (> 0).
        beta: f64,
    },
    /// Greedy BatchBALD with these settings (its own seed is replaced by the one passed to
    /// [`Acquisition::select`]).
    BatchBald(BatchBald),
    /// Diversity by k-center greedy: the `factor × batch` best points by `score` are the
    /// candidates; the batch starts with the best and adds, one at a time, the candidate
    /// farthest (Euclidean) from those chosen. Distances are on the feature rows given to
    /// [`Acquisition::select_with_features`], or on the consensus probabilities when there are
    /// none. Deterministic (ties to the better score, then the lower index); cost
    /// `O(factor · batch² · d)`, so cheap on any pool size.
    KCenter {
        /// The score ranking the candidates.
        score: Score,
        /// Candidates per batch slot (≥ 1).
        factor: usize,
    },
}

/// Default candidates per batch slot of [`Acquisition::KCenter`].
pub const KCENTER_FACTOR: usize = 10;

impl Acquisition {
    /// The names [`FromStr`] accepts: every [`Score`] name (top-k), `batchbald`, and
    /// `power`, `softmax`, `softrank` (stochastic BALD with β = 1), or `power-<score>` etc.
    pub const NAMES: &'static str = "entropy, least-confidence, margin, variation-ratios, mean-std, \
         bald, random, vote-entropy, consensus-kl, max-disagreement, batchbald, power, softmax, softrank, \
         power-<score>, softmax-<score>, softrank-<score>, kcenter (margin), kcenter-<score>";

    /// Selects `batch` distinct pool indices with their scores, best first.
    ///
    /// For `TopK` and `Stochastic` the returned scores are the per-point scores; for `BatchBald`
    /// they are the batch's joint mutual information after each pick (nats).
    ///
    /// # Errors
    /// Those of [`validate`](crate::validate); [`ActiveError::BatchTooLarge`];
    /// [`ActiveError::InvalidParameter`] for β ≤ 0 or not finite.
    ///
    /// # Examples
    /// ```
    /// use mutinfo_active::{Acquisition, Score};
    /// use ndarray::array;
    /// let probs = array![[[0.9, 0.1], [0.9, 0.1]], [[1.0, 0.0], [0.0, 1.0]], [[0.6, 0.4], [0.4, 0.6]]];
    /// let sel = Acquisition::TopK(Score::Bald).select(probs.view(), 2, 0)?;
    /// assert_eq!(sel.indices, vec![1, 2]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn select(&self, probs: ArrayView3<f64>, batch: usize, seed: u64) -> Result<Acquired> {
        self.select_with_features(probs, None, batch, seed)
    }

    /// As [`Acquisition::select`], with the pool's feature rows `[N × d]` for the strategies
    /// that use them ([`Acquisition::KCenter`]); the others ignore them.
    ///
    /// # Errors
    /// As [`Acquisition::select`]; [`ActiveError::Shape`] when `features` has another row count.
    pub fn select_with_features(
        &self,
        probs: ArrayView3<f64>,
        features: Option<ArrayView2<f64>>,
        batch: usize,
        seed: u64,
    ) -> Result<Acquired> {
        validate(probs)?;
        let n = probs.dim().0;
        if batch > n {
            return Err(ActiveError::BatchTooLarge { batch, pool: n });
        }
        match self {
            Acquisition::TopK(score) => {
                let s = scores_unchecked(probs, *score, seed);
                let idx = top_k(&s, batch);
                Ok(Acquired {
                    scores: idx.iter().map(|&i| s[i]).collect(),
                    indices: idx,
                })
            }
            Acquisition::Stochastic { score, mode, beta } => {
                let s = scores_unchecked(probs, *score, seed);
                let idx = stochastic_batch(&s, *mode, *beta, batch, seed)?;
                Ok(Acquired {
                    scores: idx.iter().map(|&i| s[i]).collect(),
                    indices: idx,
                })
            }
            Acquisition::BatchBald(bb) => {
                let sel = bb.clone().seed(seed).select(probs, batch)?;
                Ok(Acquired {
                    indices: sel.indices,
                    scores: sel.joint_mi,
                })
            }
            Acquisition::KCenter { score, factor } => {
                if *factor == 0 {
                    return Err(ActiveError::InvalidParameter {
                        name: "factor",
                        value: "0".into(),
                        reason: "k-center needs at least one candidate per batch slot",
                    });
                }
                let s = scores_unchecked(probs, *score, seed);
                let candidates = top_k(&s, batch.saturating_mul(*factor).min(n));
                let rows: Vec<Vec<f64>> = match features {
                    Some(f) => {
                        if f.nrows() != n {
                            return Err(ActiveError::Shape {
                                what: "feature matrix",
                                found: f.shape().to_vec(),
                                expected: format!("{n} rows"),
                            });
                        }
                        candidates.iter().map(|&i| f.row(i).to_vec()).collect()
                    }
                    None => candidates
                        .iter()
                        .map(|&i| {
                            let mut c = vec![0.0; probs.dim().2];
                            consensus_into(probs.index_axis(Axis(0), i), &mut c);
                            c
                        })
                        .collect(),
                };
                let picked = k_center(&rows, batch);
                let indices: Vec<usize> = picked.iter().map(|&j| candidates[j]).collect();
                Ok(Acquired {
                    scores: indices.iter().map(|&i| s[i]).collect(),
                    indices,
                })
            }
        }
    }
}

/// Greedy k-center over `rows` (already ordered best first): starts from row 0 and adds the
/// row farthest from the chosen ones, ties to the lower position. Returns positions.
pub fn k_center(rows: &[Vec<f64>], k: usize) -> Vec<usize> {
    let n = rows.len();
    let k = k.min(n);
    if k == 0 {
        return Vec::new();
    }
    let d2 =
        |a: &[f64], b: &[f64]| -> f64 { a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum() };
    let mut chosen = vec![0usize];
    let mut taken = vec![false; n];
    taken[0] = true;
    let mut near: Vec<f64> = rows.iter().map(|r| d2(r, &rows[0])).collect();
    while chosen.len() < k {
        let mut best = usize::MAX;
        for i in 0..n {
            if !taken[i] && (best == usize::MAX || near[i] > near[best]) {
                best = i;
            }
        }
        taken[best] = true;
        chosen.push(best);
        for i in 0..n {
            if !taken[i] {
                near[i] = near[i].min(d2(&rows[i], &rows[best]));
            }
        }
    }
    chosen
}

impl fmt::Display for Acquisition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Acquisition::TopK(s) => write!(f, "{s}"),
            Acquisition::Stochastic { score, mode, beta } => {
                write!(f, "{}-{score}", mode.name())?;
                if *beta != 1.0 {
                    write!(f, "(beta={beta})")?;
                }
                Ok(())
            }
            Acquisition::BatchBald(_) => f.write_str("batchbald"),
            Acquisition::KCenter { score, factor } => {
                write!(f, "kcenter-{score}")?;
                if *factor != KCENTER_FACTOR {
                    write!(f, "(factor={factor})")?;
                }
                Ok(())
            }
        }
    }
}

impl FromStr for Acquisition {
    type Err = ActiveError;
    fn from_str(s: &str) -> Result<Self> {
        let norm = s.trim().to_ascii_lowercase().replace('_', "-");
        if norm == "batchbald" || norm == "batch-bald" {
            return Ok(Acquisition::BatchBald(BatchBald::new()));
        }
        if let Some(rest) = norm.strip_prefix("kcenter") {
            let score = match rest {
                "" => Some(Score::Margin),
                r => r.strip_prefix('-').and_then(|r| r.parse::<Score>().ok()),
            };
            if let Some(score) = score {
                return Ok(Acquisition::KCenter {
                    score,
                    factor: KCENTER_FACTOR,
                });
            }
        }
        for mode in [Stochastic::Power, Stochastic::Softmax, Stochastic::Softrank] {
            if let Some(rest) = norm.strip_prefix(mode.name()) {
                let score = match rest {
                    "" => Score::Bald,
                    r => match r.strip_prefix('-').map(str::parse::<Score>) {
                        Some(Ok(sc)) => sc,
                        _ => break,
                    },
                };
                return Ok(Acquisition::Stochastic {
                    score,
                    mode,
                    beta: 1.0,
                });
            }
        }
        match norm.parse::<Score>() {
            Ok(sc) => Ok(Acquisition::TopK(sc)),
            Err(_) => Err(ActiveError::UnknownMethod {
                what: "acquisition",
                name: s.to_string(),
                expected: Acquisition::NAMES,
            }),
        }
    }
}

/// Pool indices chosen by an [`Acquisition`], with one score per index.
#[derive(Debug, Clone, PartialEq)]
pub struct Acquired {
    /// Chosen pool indices, in selection order.
    pub indices: Vec<usize>,
    /// The score behind each choice (see [`Acquisition::select`]).
    pub scores: Vec<f64>,
}

/// Indices of the `k` largest scores, best first, ties to the lowest index.
///
/// Scores are compared with `f64::total_cmp`, so the order is total even for NaN (which the
/// scores of this crate never are).
pub fn top_k(scores: &[f64], k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    let k = k.min(idx.len());
    let cmp = |&a: &usize, &b: &usize| scores[b].total_cmp(&scores[a]).then(a.cmp(&b));
    if k < idx.len() && k > 0 {
        idx.select_nth_unstable_by(k - 1, cmp);
    }
    idx.truncate(k);
    idx.sort_by(cmp);
    idx
}

/// Stochastic batch acquisition: `k` distinct indices sampled without replacement with
/// probabilities given by `mode` and `beta` (see [`Stochastic`]), via Gumbel-top-k with ChaCha8
/// seeded by `seed`.
///
/// # Errors
/// [`ActiveError::InvalidParameter`] when `beta` is not a positive finite number or a score is
/// negative or NaN under `Power`; [`ActiveError::BatchTooLarge`] when `k > scores.len()`.
///
/// # Examples
/// ```
/// use mutinfo_active::{stochastic_batch, Stochastic};
/// let s = [0.0, 0.5, 0.2, 0.9];
/// let a = stochastic_batch(&s, Stochastic::Power, 1.0, 2, 42)?;
/// assert_eq!(a, stochastic_batch(&s, Stochastic::Power, 1.0, 2, 42)?);
/// assert!(!a.contains(&0)); // a zero score is never sampled while others remain
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn stochastic_batch(
    scores: &[f64],
    mode: Stochastic,
    beta: f64,
    k: usize,
    seed: u64,
) -> Result<Vec<usize>> {
    if beta.is_nan() || beta <= 0.0 || beta.is_infinite() {
        return Err(ActiveError::InvalidParameter {
            name: "beta",
            value: beta.to_string(),
            reason: "must be a positive finite number",
        });
    }
    if k > scores.len() {
        return Err(ActiveError::BatchTooLarge {
            batch: k,
            pool: scores.len(),
        });
    }
    let logits: Vec<f64> = match mode {
        Stochastic::Power => scores
            .iter()
            .map(|&s| {
                if s.is_nan() || s < 0.0 {
                    Err(ActiveError::InvalidParameter {
                        name: "score",
                        value: s.to_string(),
                        reason: "power acquisition needs non-negative scores",
                    })
                } else {
                    Ok(beta * s.ln())
                }
            })
            .collect::<Result<_>>()?,
        Stochastic::Softmax => scores.iter().map(|&s| beta * s).collect(),
        Stochastic::Softrank => {
            let order = top_k(scores, scores.len());
            let mut l = vec![0.0; scores.len()];
            for (r, &i) in order.iter().enumerate() {
                l[i] = -beta * ((r + 1) as f64).ln();
            }
            l
        }
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let perturbed: Vec<f64> = logits
        .iter()
        .map(|&l| {
            // Gumbel(0, 1) = −ln(−ln U), U in (0, 1): `gen` gives [0, 1), so use 1 − U.
            let u: f64 = 1.0 - rng.gen::<f64>();
            l - (-u.ln()).ln()
        })
        .collect();
    Ok(top_k(&perturbed, k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_center_by_hand() {
        // Points on a line, best first: 0, 0.1, 5, 5.1, 10. Start at 0, then the farthest
        // (10), then the farthest from {0, 10}: 5 (distance 5 against 4.9 for 5.1).
        let rows: Vec<Vec<f64>> = [0.0, 0.1, 5.0, 5.1, 10.0]
            .iter()
            .map(|&x| vec![x])
            .collect();
        assert_eq!(k_center(&rows, 3), vec![0, 4, 2]);
        assert_eq!(k_center(&rows, 0), Vec::<usize>::new());
        assert_eq!(k_center(&rows, 9).len(), 5);
        // Through select: two near-duplicate uncertain points, one far; batch of 2 takes the
        // best and the far one, not the duplicate.
        let probs = ndarray::array![
            [[0.5, 0.5], [0.5, 0.5]],
            [[0.51, 0.49], [0.51, 0.49]],
            [[0.9, 0.1], [0.9, 0.1]],
            [[0.99, 0.01], [0.99, 0.01]]
        ];
        let feats = ndarray::array![[0.0, 0.0], [0.0, 0.01], [3.0, 4.0], [1.0, 1.0]];
        let acq = Acquisition::KCenter {
            score: Score::Margin,
            factor: 2,
        };
        let sel = acq
            .select_with_features(probs.view(), Some(feats.view()), 2, 0)
            .unwrap();
        assert_eq!(sel.indices, vec![0, 2]);
        assert!(acq
            .select_with_features(probs.view(), Some(feats.slice(ndarray::s![..2, ..])), 2, 0)
            .is_err());
    }

    #[test]
    fn top_k_ties_to_lowest_index() {
        assert_eq!(top_k(&[1.0, 3.0, 3.0, 2.0], 3), vec![1, 2, 3]);
        assert_eq!(top_k(&[1.0, 1.0, 1.0], 2), vec![0, 1]);
        assert_eq!(top_k(&[1.0], 0), Vec::<usize>::new());
    }

    #[test]
    fn stochastic_frequencies_follow_power_law() {
        // With k = 1 Gumbel-max samples exactly p_i ∝ s_i: check frequencies over seeds.
        let s = [1.0, 2.0, 3.0, 4.0];
        let mut hits = [0usize; 4];
        let trials = 20_000;
        for seed in 0..trials {
            hits[stochastic_batch(&s, Stochastic::Power, 1.0, 1, seed).unwrap()[0]] += 1;
        }
        for (i, &h) in hits.iter().enumerate() {
            let expect = s[i] / 10.0;
            let f = h as f64 / trials as f64;
            // 5 standard errors of a binomial proportion.
            let se = (expect * (1.0 - expect) / trials as f64).sqrt();
            assert!((f - expect).abs() < 5.0 * se, "class {i}: {f} vs {expect}");
        }
    }

    #[test]
    fn softrank_and_softmax_distinct_and_seeded() {
        let s: Vec<f64> = (0..100).map(|i| (i as f64 * 0.37).sin().abs()).collect();
        for mode in [Stochastic::Power, Stochastic::Softmax, Stochastic::Softrank] {
            let a = stochastic_batch(&s, mode, 2.0, 10, 3).unwrap();
            let mut u = a.clone();
            u.sort();
            u.dedup();
            assert_eq!(u.len(), 10);
            assert_eq!(a, stochastic_batch(&s, mode, 2.0, 10, 3).unwrap());
        }
        assert!(stochastic_batch(&s, Stochastic::Power, 0.0, 1, 0).is_err());
        assert!(stochastic_batch(&[-1.0], Stochastic::Power, 1.0, 1, 0).is_err());
        assert!(stochastic_batch(&s, Stochastic::Power, 1.0, 101, 0).is_err());
    }

    #[test]
    fn names_parse() {
        assert_eq!(
            "bald".parse::<Acquisition>().unwrap(),
            Acquisition::TopK(Score::Bald)
        );
        assert_eq!(
            "power".parse::<Acquisition>().unwrap(),
            Acquisition::Stochastic {
                score: Score::Bald,
                mode: Stochastic::Power,
                beta: 1.0
            }
        );
        assert_eq!(
            "softrank-entropy".parse::<Acquisition>().unwrap(),
            Acquisition::Stochastic {
                score: Score::MaxEntropy,
                mode: Stochastic::Softrank,
                beta: 1.0
            }
        );
        assert!(matches!(
            "batchbald".parse::<Acquisition>().unwrap(),
            Acquisition::BatchBald(_)
        ));
        assert_eq!(
            "kcenter".parse::<Acquisition>().unwrap(),
            Acquisition::KCenter {
                score: Score::Margin,
                factor: KCENTER_FACTOR
            }
        );
        assert_eq!(
            "kcenter-vote-entropy".parse::<Acquisition>().unwrap(),
            Acquisition::KCenter {
                score: Score::VoteEntropy,
                factor: KCENTER_FACTOR
            }
        );
        for name in [
            "consensus-kl",
            "max-disagreement",
            "vote-entropy",
            "kcenter-bald",
        ] {
            let a: Acquisition = name.parse().unwrap();
            assert_eq!(a.to_string(), name);
        }
        assert!("kcenter-nope".parse::<Acquisition>().is_err());
        assert!("powerx".parse::<Acquisition>().is_err());
        assert!("nope".parse::<Acquisition>().is_err());
    }
}
