//! # mutinfo-active
//!
//! BALD acquisition for active learning: which unlabeled points to label next, judged by how
//! much their labels would tell about the model.
//!
//! Everything works on **predictive samples**, an `[N pool points × K members × C classes]`
//! array of class probabilities from a committee: bootstrap members, deep ensembles, MC-dropout
//! passes, or posterior samples. From it this crate computes
//!
//! - per-point [`Score`]s: BALD `I(y; ω)` (Houlsby et al. 2011), max entropy, least confidence,
//!   margin, variation ratios, mean standard deviation, and seeded random;
//! - batches: [`top_k`], greedy [`BatchBald`] (Kirsch et al. 2019) with exact joint entropies
//!   while the label-configuration count is small and seeded importance sampling beyond, and
//!   stochastic batch acquisition ([`stochastic_batch`]: power, softmax, softrank via
//!   Gumbel-top-k; Kirsch et al. 2023) — all through one [`Acquisition`] enum;
//! - committees ([`Committee`], [`CommitteeFactory`]): [`Bootstrap`] ensembles of any
//!   [`MemberModel`] — linfa-logistic's multinomial model ([`Logistic`]) built in — with class axes aligned across members, or probabilities read from a
//!   `.npy` file ([`read_npy`]);
//! - [`LaplaceLogistic`]: Bayesian multinomial logistic regression whose members are samples of
//!   a Laplace-approximation posterior (its disagreement is about the model, so BALD and
//!   BatchBALD find informative points rather than outliers), and [`KernelLaplace`], the same
//!   on a Nyström RBF-kernel map of the pool ([`NystroemMap`]) — an approximate Gaussian-process
//!   classifier and the default committee of sessions and `simulate`;
//! - query by committee: vote entropy, consensus KL, max disagreement ([`Score`]), and
//!   k-center diversity over the best candidates ([`Acquisition::KCenter`]);
//! - [`ActiveSession`]: a labeling session (query, teach, save, load) for a person, crash-safe;
//! - the labeling loop [`ActiveLearner`] with an [`Oracle`] (simulated from held-out labels, or
//!   file-based for a human) and a recorded [`LearningCurve`].
//!
//! All logarithms are natural (nats); `0 ln 0 = 0` exactly. Inputs are validated (NaN, range,
//! rows summing to 1 within [`DEFAULT_SUM_TOLERANCE`], shapes) into typed [`ActiveError`]s.
//! Every random choice uses ChaCha8 seeded by the caller, and parallel work (rayon over pool
//! points) never changes a result: same input and seed, same bits, any thread count.
//!
//! ## Example
//!
//! ```
//! use mutinfo_active::{Acquisition, Score};
//! use ndarray::Array3;
//!
//! // 100 pool points, 5 members, 3 classes.
//! let logit = |n: usize, k: usize, c: usize| ((n * (c + 1)) % 7) as f64 * 0.3 + (k * c % 3) as f64;
//! let probs = Array3::from_shape_fn((100, 5, 3), |(n, k, c)| {
//!     let z: f64 = (0..3).map(|j| logit(n, k, j).exp()).sum();
//!     logit(n, k, c).exp() / z
//! });
//! let top = Acquisition::TopK(Score::Bald).select(probs.view(), 4, 0)?;
//! let batch = "batchbald".parse::<Acquisition>()?.select(probs.view(), 4, 0)?;
//! let stochastic = "power".parse::<Acquisition>()?.select(probs.view(), 4, 7)?;
//! assert_eq!(top.indices.len(), 4);
//! assert_eq!(batch.indices[0], top.indices[0]); // BatchBALD's first pick is BALD's best
//! assert_eq!(stochastic.indices.len(), 4);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod batch;
mod batchbald;
mod committee;
mod error;
mod gemm;
mod kernel;
mod laplace;
mod learner;
mod npy;
mod probs;
mod scores;
mod session;

pub use batch::{
    k_center, stochastic_batch, top_k, Acquired, Acquisition, Stochastic, KCENTER_FACTOR,
};
pub use batchbald::{
    batch_bald, joint_mutual_information, BatchBald, BatchBaldSelection, DEFAULT_NUM_SAMPLES,
};
pub use committee::{
    Bootstrap, BootstrapCommittee, Committee, CommitteeFactory, Logistic, LogisticFitted,
    MemberModel, TreeMember,
};
pub use error::{ActiveError, Result};
pub use kernel::{
    KernelCommittee, KernelLaplace, NystroemMap, DEFAULT_COMPONENTS, DEFAULT_TEMPERATURE, MAP_SEED,
};
pub use laplace::{LaplaceCommittee, LaplaceLogistic, Posterior, MAX_BLOCK_SOLVE};
pub use learner::{
    read_indices, ActiveLearner, CurvePoint, FileOracle, LearningCurve, Oracle, SimulatedOracle,
};
pub use npy::{read_npy, read_npy_dyn, write_npy};
pub use probs::{validate, validate_with_tolerance, DEFAULT_SUM_TOLERANCE};
pub use scores::{bald, scores, Score};
pub use session::{
    ActiveSession, BoxedCommittee, CommitteeKind, CommitteeSpec, QueryRow, Taught, TeachError,
    BATCHBALD_CANDIDATES, SESSION_FORMAT, SESSION_FORMAT_VERSION,
};
