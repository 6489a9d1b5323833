//! Per-point acquisition scores over predictive samples: higher means "label me first".

use std::fmt;
use std::str::FromStr;

use ndarray::{ArrayView2, ArrayView3};
use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::{ActiveError, Result};
use crate::probs::{consensus_into, entropy, validate};

/// A per-point acquisition score. All are oriented so that a higher score is more informative,
/// all are in nats where a logarithm is involved, and `0 ln 0 = 0` exactly.
///
/// With `c` the consensus (mean over the K members) of a point's class probabilities:
///
/// ```text
/// MaxEntropy       H(c) = −Σ_y c_y ln c_y                       (predictive entropy)
/// LeastConfidence  1 − max_y c_y
/// Margin           1 − (c_(1) − c_(2))   (top two consensus probabilities)
/// VariationRatios  1 − (votes for the modal class) / K   (each member votes its argmax,
///                  ties to the lowest class)
/// MeanStd          (1/C) Σ_y sqrt((1/K) Σ_k (p_ky − c_y)²)      (Kampffmeyer et al. 2016)
/// Bald             (1/K) Σ_k KL(p_k ‖ c) = H(c) − (1/K) Σ_k H(p_k) = I(y; ω)
///                  (Houlsby et al. 2011, "Bayesian active learning by disagreement")
/// Random           uniform on [0, 1), from ChaCha8 seeded with the given seed
///
/// Query by committee (Seung et al. 1992; McCallum & Nigam 1998; Dagan & Engelson 1995):
/// VoteEntropy      −Σ_y (V_y/K) ln(V_y/K), V_y the members voting y (argmax, ties to the
///                  lowest class): the entropy of the hard votes
/// ConsensusKl      (1/K) Σ_k KL(p_k ‖ c): McCallum & Nigam's "KL to the mean" — the same
///                  quantity as Bald, kept under its QBC name
/// MaxDisagreement  max_k KL(p_k ‖ c): the most dissenting member's divergence
/// ```
///
/// `Margin` with a single class is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Score {
    /// Entropy of the consensus prediction.
    MaxEntropy,
    /// One minus the consensus' top probability.
    LeastConfidence,
    /// One minus the gap between the two largest consensus probabilities.
    Margin,
    /// One minus the fraction of members voting for the modal class.
    VariationRatios,
    /// Mean over classes of the members' standard deviation.
    MeanStd,
    /// Mutual information between the label and the model (BALD).
    Bald,
    /// Seeded uniform noise: the random-sampling baseline.
    Random,
    /// Entropy of the members' hard votes (query by committee).
    VoteEntropy,
    /// Mean KL divergence of the members from the consensus (equals [`Score::Bald`]).
    ConsensusKl,
    /// Largest KL divergence of one member from the consensus.
    MaxDisagreement,
}

impl Score {
    /// Every score, in a fixed order.
    pub const ALL: [Score; 10] = [
        Score::MaxEntropy,
        Score::LeastConfidence,
        Score::Margin,
        Score::VariationRatios,
        Score::MeanStd,
        Score::Bald,
        Score::Random,
        Score::VoteEntropy,
        Score::ConsensusKl,
        Score::MaxDisagreement,
    ];

    /// The name [`FromStr`] accepts and [`fmt::Display`] prints.
    pub fn name(self) -> &'static str {
        match self {
            Score::MaxEntropy => "entropy",
            Score::LeastConfidence => "least-confidence",
            Score::Margin => "margin",
            Score::VariationRatios => "variation-ratios",
            Score::MeanStd => "mean-std",
            Score::Bald => "bald",
            Score::Random => "random",
            Score::VoteEntropy => "vote-entropy",
            Score::ConsensusKl => "consensus-kl",
            Score::MaxDisagreement => "max-disagreement",
        }
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

pub(crate) const SCORE_NAMES: &str =
    "entropy, least-confidence, margin, variation-ratios, mean-std, bald, random, \
     vote-entropy, consensus-kl, max-disagreement";

impl FromStr for Score {
    type Err = ActiveError;
    fn from_str(s: &str) -> Result<Self> {
        let norm = s.trim().to_ascii_lowercase().replace('_', "-");
        Ok(match norm.as_str() {
            "entropy" | "max-entropy" | "maxentropy" => Score::MaxEntropy,
            "least-confidence" | "leastconfidence" | "confidence" => Score::LeastConfidence,
            "margin" => Score::Margin,
            "variation-ratios" | "variation-ratio" | "variationratios" => Score::VariationRatios,
            "mean-std" | "meanstd" | "std" => Score::MeanStd,
            "bald" => Score::Bald,
            "random" => Score::Random,
            "vote-entropy" | "voteentropy" => Score::VoteEntropy,
            "consensus-kl" | "consensuskl" | "kl-to-mean" => Score::ConsensusKl,
            "max-disagreement" | "maxdisagreement" => Score::MaxDisagreement,
            _ => {
                return Err(ActiveError::UnknownMethod {
                    what: "score",
                    name: s.to_string(),
                    expected: SCORE_NAMES,
                })
            }
        })
    }
}

/// Computes `score` for every pool point of an `[N × K × C]` array of predictive samples.
///
/// The input is validated first (see [`validate`](crate::validate)). Deterministic: points are
/// scored independently (in parallel with rayon), `Random` draws sequentially from ChaCha8
/// seeded with `seed` (other scores ignore the seed).
///
/// # Errors
/// Those of [`validate`](crate::validate).
///
/// # Examples
/// ```
/// use mutinfo_active::{scores, Score};
/// use ndarray::array;
/// // Two confident members that disagree: BALD = ln 2. Two that agree: 0.
/// let probs = array![[[1.0, 0.0], [0.0, 1.0]], [[0.3, 0.7], [0.3, 0.7]]];
/// let bald = scores(probs.view(), Score::Bald, 0)?;
/// assert_eq!(bald, vec![std::f64::consts::LN_2, 0.0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn scores(probs: ArrayView3<f64>, score: Score, seed: u64) -> Result<Vec<f64>> {
    validate(probs)?;
    Ok(scores_unchecked(probs, score, seed))
}

/// BALD for every pool point: `(1/K) Σ_k KL(p_k ‖ c)` in nats. See [`Score::Bald`].
///
/// # Errors
/// Those of [`validate`](crate::validate).
pub fn bald(probs: ArrayView3<f64>) -> Result<Vec<f64>> {
    scores(probs, Score::Bald, 0)
}

/// The `Random` scores of `n` points: ChaCha8 seeded with `seed`, drawn in order.
pub(crate) fn random_scores(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| rng.gen::<f64>()).collect()
}

pub(crate) fn scores_unchecked(probs: ArrayView3<f64>, score: Score, seed: u64) -> Vec<f64> {
    let n = probs.dim().0;
    if score == Score::Random {
        return random_scores(n, seed);
    }
    (0..n)
        .into_par_iter()
        .with_min_len(64)
        .map(|i| point_score(probs.index_axis(ndarray::Axis(0), i), score))
        .collect()
}

fn point_score(plane: ArrayView2<f64>, score: Score) -> f64 {
    let (k, c) = plane.dim();
    let mut cons = vec![0.0; c];
    consensus_into(plane, &mut cons);
    match score {
        Score::MaxEntropy => entropy(cons.iter().copied()),
        Score::LeastConfidence => 1.0 - cons.iter().copied().fold(0.0, f64::max),
        Score::Margin => {
            let (mut a, mut b) = (0.0f64, 0.0f64);
            for &x in &cons {
                if x > a {
                    b = a;
                    a = x;
                } else if x > b {
                    b = x;
                }
            }
            if c < 2 {
                0.0
            } else {
                1.0 - (a - b)
            }
        }
        Score::VariationRatios => {
            let votes = votes(plane);
            let modal = votes.iter().copied().max().unwrap_or(0);
            1.0 - modal as f64 / k as f64
        }
        Score::VoteEntropy => entropy(votes(plane).iter().map(|&v| v as f64 / k as f64)),
        Score::ConsensusKl => bald_point(plane, &cons),
        Score::MaxDisagreement => plane
            .outer_iter()
            .map(|row| kl(row, &cons))
            .fold(0.0, f64::max),
        Score::MeanStd => {
            let mut s = 0.0;
            for (j, &m) in cons.iter().enumerate() {
                let mut v = 0.0;
                for row in plane.outer_iter() {
                    let d = row[j] - m;
                    v += d * d;
                }
                s += (v / k as f64).sqrt();
            }
            s / c as f64
        }
        Score::Bald => bald_point(plane, &cons),
        Score::Random => unreachable!("random scores are drawn sequentially"),
    }
}

/// Each member's vote (argmax, ties to the lowest class), counted per class.
fn votes(plane: ArrayView2<f64>) -> Vec<usize> {
    let mut votes = vec![0usize; plane.ncols()];
    for row in plane.outer_iter() {
        let mut best = 0;
        for (j, &x) in row.iter().enumerate() {
            if x > row[best] {
                best = j;
            }
        }
        votes[best] += 1;
    }
    votes
}

/// `KL(p ‖ c) = Σ_y p_y ln(p_y / c_y)`; `0 ln 0 = 0`, and `p_y > 0` implies `c_y > 0`.
fn kl(row: ndarray::ArrayView1<f64>, cons: &[f64]) -> f64 {
    let mut kl = 0.0;
    for (&p, &c) in row.iter().zip(cons) {
        if p > 0.0 {
            kl += p * (p / c).ln();
        }
    }
    kl
}

/// `(1/K) Σ_k Σ_y p_ky ln(p_ky / c_y)`; `0 ln 0 = 0`, and `p_ky > 0` implies `c_y > 0`.
fn bald_point(plane: ArrayView2<f64>, cons: &[f64]) -> f64 {
    let k = plane.nrows();
    let mut total = 0.0;
    for row in plane.outer_iter() {
        total += kl(row, cons);
    }
    total / k as f64
}

/// BALD through the entropy form `H(c) − (1/K) Σ_k H(p_k)`, used to cross-check the KL form.
#[cfg(test)]
pub(crate) fn bald_entropy_form(plane: ArrayView2<f64>) -> f64 {
    let mut cons = vec![0.0; plane.ncols()];
    consensus_into(plane, &mut cons);
    -cons.iter().map(|&x| crate::probs::xlnx(x)).sum::<f64>()
        - crate::probs::mean_member_entropy(plane)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array3};
    use proptest::prelude::*;
    use std::f64::consts::LN_2;

    #[test]
    fn closed_forms() {
        // Two confident members disagreeing on two classes: BALD = ln 2 exactly.
        let p = array![[[1.0, 0.0], [0.0, 1.0]]];
        assert_eq!(bald(p.view()).unwrap(), vec![LN_2]);
        assert_eq!(scores(p.view(), Score::MaxEntropy, 0).unwrap(), vec![LN_2]);
        assert_eq!(
            scores(p.view(), Score::LeastConfidence, 0).unwrap(),
            vec![0.5]
        );
        assert_eq!(scores(p.view(), Score::Margin, 0).unwrap(), vec![1.0]);
        assert_eq!(
            scores(p.view(), Score::VariationRatios, 0).unwrap(),
            vec![0.5]
        );
        assert_eq!(scores(p.view(), Score::MeanStd, 0).unwrap(), vec![0.5]);
        // Agreement: BALD exactly 0 whatever the shared prediction.
        let a = array![[[0.1, 0.2, 0.7], [0.1, 0.2, 0.7], [0.1, 0.2, 0.7]]];
        assert_eq!(bald(a.view()).unwrap(), vec![0.0]);
        assert_eq!(scores(a.view(), Score::MeanStd, 0).unwrap(), vec![0.0]);
        assert_eq!(
            scores(a.view(), Score::VariationRatios, 0).unwrap(),
            vec![0.0]
        );
        // Entropy of (0.1, 0.2, 0.7): closed form.
        let h = -(0.1f64 * 0.1f64.ln() + 0.2 * 0.2f64.ln() + 0.7 * 0.7f64.ln());
        let got = scores(a.view(), Score::MaxEntropy, 0).unwrap()[0];
        assert!(mutinfo_core::prec::close(
            got,
            h,
            mutinfo_core::prec::CLOSED_FORM
        ));
        let m = scores(a.view(), Score::Margin, 0).unwrap()[0];
        assert!((m - 0.5).abs() < mutinfo_core::prec::ROUNDOFF);
    }

    #[test]
    fn committee_measures_by_hand() {
        // Three members over three classes; votes 0, 0, 1 (member 3 ties 1/2 → class 1 first).
        let p = array![[[0.6, 0.3, 0.1], [0.5, 0.5, 0.0], [0.2, 0.7, 0.1]]];
        // Vote entropy of (2/3, 1/3, 0).
        let ve = -(2.0f64 / 3.0 * (2.0f64 / 3.0).ln() + 1.0 / 3.0 * (1.0f64 / 3.0).ln());
        let got = scores(p.view(), Score::VoteEntropy, 0).unwrap()[0];
        assert!((got - ve).abs() < 1e-15, "{got} vs {ve}");
        // Consensus c = (1.3/3, 1.5/3, 0.2/3); KL of each member by hand.
        let c = [1.3 / 3.0, 1.5 / 3.0, 0.2 / 3.0];
        let kl = |m: [f64; 3]| -> f64 {
            m.iter()
                .zip(c)
                .filter(|(p, _)| **p > 0.0)
                .map(|(p, q)| p * (p / q).ln())
                .sum()
        };
        let kls = [
            kl([0.6, 0.3, 0.1]),
            kl([0.5, 0.5, 0.0]),
            kl([0.2, 0.7, 0.1]),
        ];
        let mean = kls.iter().sum::<f64>() / 3.0;
        let max = kls.iter().copied().fold(0.0, f64::max);
        let got = scores(p.view(), Score::ConsensusKl, 0).unwrap()[0];
        assert!((got - mean).abs() < 1e-12, "{got} vs {mean}");
        assert!((got - bald(p.view()).unwrap()[0]).abs() < 1e-15);
        let got = scores(p.view(), Score::MaxDisagreement, 0).unwrap()[0];
        assert!((got - max).abs() < 1e-12, "{got} vs {max}");
        // Unanimous confident votes: all three measures are exactly 0.
        let a = array![[[0.9, 0.1], [0.9, 0.1]]];
        for s in [
            Score::VoteEntropy,
            Score::ConsensusKl,
            Score::MaxDisagreement,
        ] {
            assert_eq!(scores(a.view(), s, 0).unwrap(), vec![0.0], "{s}");
        }
        // Two members, opposite certain votes: vote entropy ln 2, max KL ln 2.
        let d = array![[[1.0, 0.0], [0.0, 1.0]]];
        assert_eq!(scores(d.view(), Score::VoteEntropy, 0).unwrap(), vec![LN_2]);
        assert_eq!(
            scores(d.view(), Score::MaxDisagreement, 0).unwrap(),
            vec![LN_2]
        );
    }

    #[test]
    fn random_is_seeded() {
        let p = Array3::from_elem((50, 2, 2), 0.5);
        let a = scores(p.view(), Score::Random, 7).unwrap();
        let b = scores(p.view(), Score::Random, 7).unwrap();
        let c = scores(p.view(), Score::Random, 8).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn names_round_trip() {
        for s in Score::ALL {
            assert_eq!(s.name().parse::<Score>().unwrap(), s);
        }
        assert!(matches!(
            "bold".parse::<Score>(),
            Err(ActiveError::UnknownMethod { .. })
        ));
    }

    pub(crate) fn probs_strategy(
        max_n: usize,
        max_k: usize,
        max_c: usize,
    ) -> impl Strategy<Value = Array3<f64>> {
        (1..=max_n, 1..=max_k, 1..=max_c).prop_flat_map(|(n, k, c)| {
            // Weights with exact zeros mixed in, normalized per member.
            proptest::collection::vec(prop_oneof![Just(0.0), 0.0..1.0f64, Just(1.0)], n * k * c)
                .prop_map(move |w| {
                    let mut a = Array3::from_shape_vec((n, k, c), w).unwrap();
                    for mut plane in a.outer_iter_mut() {
                        for mut row in plane.outer_iter_mut() {
                            let s: f64 = row.sum();
                            if s == 0.0 {
                                row[0] = 1.0;
                            } else {
                                row.mapv_inplace(|x| x / s);
                            }
                        }
                    }
                    a
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn bald_bounds_and_forms(p in probs_strategy(6, 5, 4)) {
            let (_, k, c) = p.dim();
            let b = bald(p.view()).unwrap();
            let h = scores(p.view(), Score::MaxEntropy, 0).unwrap();
            for (i, (&bi, &hi)) in b.iter().zip(&h).enumerate() {
                // 0 ≤ BALD ≤ H(c) ≤ ln C, and BALD ≤ ln K.
                prop_assert!(bi >= -mutinfo_core::prec::GOLDEN, "bald {} < 0", bi);
                prop_assert!(bi <= hi + mutinfo_core::prec::GOLDEN);
                prop_assert!(hi <= (c as f64).ln() + mutinfo_core::prec::GOLDEN);
                prop_assert!(bi <= (k as f64).ln() + mutinfo_core::prec::GOLDEN);
                let alt = bald_entropy_form(p.index_axis(ndarray::Axis(0), i));
                prop_assert!((alt - bi).abs() <= mutinfo_core::prec::GOLDEN, "{} vs {}", alt, bi);
            }
        }

        #[test]
        fn scores_invariant_to_member_and_class_permutation(p in probs_strategy(4, 4, 4)) {
            let mut q = p.clone();
            q.invert_axis(ndarray::Axis(1));
            q.invert_axis(ndarray::Axis(2));
            let q = q.as_standard_layout().to_owned();
            for s in [Score::MaxEntropy, Score::LeastConfidence, Score::Margin, Score::MeanStd, Score::Bald] {
                let a = scores(p.view(), s, 0).unwrap();
                let b = scores(q.view(), s, 0).unwrap();
                for (x, y) in a.iter().zip(&b) {
                    prop_assert!((x - y).abs() <= mutinfo_core::prec::GOLDEN, "{} {} vs {}", s, x, y);
                }
            }
        }
    }
}
