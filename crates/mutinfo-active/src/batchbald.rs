//! BatchBALD (Kirsch, van Amersfoort & Gal, NeurIPS 2019): greedy maximization of the joint
//! mutual information `I(y_1, …, y_b; ω)` between a batch's labels and the model.
//!
//! ```text
//! a(A) = H(y_A) − Σ_{i∈A} E_ω H(y_i | ω)
//! H(y_A) = −Σ_{ŷ} p(ŷ) ln p(ŷ),   p(ŷ) = (1/K) Σ_k Π_{i∈A} p_k(ŷ_i)
//! ```
//!
//! Each greedy step adds the pool point `x` maximizing `a(A ∪ {x})` (ties to the lowest index).
//! `H(y_{A∪x})` is enumerated exactly over all `C^|A|` label configurations of `A` while that
//! count is at most [`BatchBald::exact_limit`]; beyond, it is estimated from `M`
//! ([`BatchBald::num_samples`]) configurations drawn from the committee's joint predictive,
//! stratified over members (sample `m` follows member `m mod K`), with ChaCha8 seeded by
//! [`BatchBald::seed`]:
//!
//! ```text
//! Ĥ(y_{A∪x}) = −Σ_m α_m Σ_y [p(ŷ_m, y) / p(ŷ_m)] ln p(ŷ_m, y)
//! ```
//!
//! with `α_m = 1/(K·n_k)` for the `n_k` samples of member `k` (unbiased for the uniform
//! mixture). The candidates' joint probabilities for all configurations are one matrix product
//! `P[configs × K] · p_x[K × C]` per candidate, done in chunks of candidates so that memory stays
//! below about 8 MB per chunk whatever the pool size.
//!
//! **Kernel.** The products run in this crate's own tiled kernel (6 rows of `P` × two vector
//! registers of candidate columns, `Pᵀ` packed once per step, candidate planes side by side and
//! padded to the vector width), accumulating each output in `K` order with fused multiply-adds;
//! the logarithm-and-sum pass that follows is plain loops. Both are compiled for AVX-512,
//! AVX2 and the baseline and picked at run time; since every path performs the same operations
//! in the same order, the output does not depend on the CPU's vector width.
//!
//! **Pruning (exact, on by default).** Writing `π_m` for a configuration's weight and `r_m` for
//! the committee's predictive of `y_x` given that configuration,
//! `Ĥ(y_{A∪x}) − Ĥ(y_A) = Σ_m π_m H(r_m)`. Pool the configurations into groups `g` by their most
//! probable member; concavity of entropy gives `Σ_{m∈g} π_m H(r_m) ≤ π_g H(Σ_{m∈g} π_m r_m / π_g)`,
//! an upper bound that costs `G × K × C` per candidate instead of `rows × K × C` (G ≤ K groups,
//! rows up to `M`). Candidates are scored exactly in decreasing order of that bound and the step
//! stops when no remaining bound (plus a 1e-9 relative round-off margin) can beat the best score
//! found, so the batch is the one a full scan returns — for exact and sampled steps alike. It
//! saves most of the work when a few pool points dominate (a trained committee); on pools where
//! every point is equally uncertain it saves little, so once a bounded step has had to score
//! over 60% of the candidates the rest of the batch is scanned without bounds.
//!
//! **Precision.** Exact steps are computed in f64 throughout. Sampled steps form the products
//! `P · p_x` in f32 (inputs rounded to f32, K-term dot products; logarithms and sums in f64),
//! which halves the dominant matrix-product cost. The relative error of `q` is about `K · 2⁻²⁴`
//! at worst (~6e-6 for K = 100); on the 10 000 × 100 × 10 Dirichlet(½) benchmark the chosen
//! batch is unchanged and the sampled `a(A)` values move by under 4e-7 relative — three orders
//! of magnitude below the Monte Carlo error of M = 1000 samples (~0.5%). Pruning uses a 1e-4
//! relative margin in sampled steps to cover this rounding.
//!
//! **Determinism.** Candidates are scored independently (each in a fixed operation order),
//! chunk boundaries depend only on the data (not on the thread count), samples are drawn
//! sequentially: same input and seed give bit-identical output for any number of rayon threads.
//!
//! Members' probabilities are renormalized to sum to 1 exactly before use (inputs are accepted
//! within [`DEFAULT_SUM_TOLERANCE`](crate::DEFAULT_SUM_TOLERANCE)).

use ndarray::{Array2, Array3, ArrayView3, Axis};
use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::{ActiveError, Result};
use crate::gemm;
use crate::probs::{ln_into, mean_member_entropy, validate, xlnx};

/// Default number of sampled configurations `M`.
///
/// Measured by `examples/batchbald_accuracy.rs` (pool 200, K = 100, C = 10, batch 5, sampling
/// from the second pick, 10 seeds, against exact enumeration of the 10⁵ configurations): with
/// Dirichlet(½) members the mean relative error of the batch's joint MI is 2.5% at M = 100,
/// 0.56% at M = 1000 (max 1.0%) and 0.16% at M = 10 000 — the `1/√M` of Monte Carlo. At
/// M = 1000 the error is below the typical gap between the best candidates' gains, costs the same
/// per step as the last exact step (`C^|A| = 1000`), and is what Kirsch et al. (2019) and
/// batchbald_redux use.
pub const DEFAULT_NUM_SAMPLES: usize = 1000;

/// Greedy BatchBALD batch selection. Construct with [`BatchBald::new`], adjust with the
/// consuming setters, run with [`BatchBald::select`].
///
/// Defaults: `num_samples` = [`DEFAULT_NUM_SAMPLES`] (1000), `exact_limit` = `num_samples`
/// (exact enumeration while `C^|A| ≤ 1000`), `seed` = 0, `prune` = true.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchBald {
    num_samples: usize,
    exact_limit: Option<usize>,
    seed: u64,
    prune: bool,
}

impl Default for BatchBald {
    fn default() -> Self {
        Self::new()
    }
}

/// The batch BatchBALD chose and the estimates behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchBaldSelection {
    /// Pool indices in the order they were picked.
    pub indices: Vec<usize>,
    /// `a(A)` in nats after each pick: the (estimated) joint mutual information of the batch so far.
    pub joint_mi: Vec<f64>,
    /// Whether the joint entropy at each pick was enumerated exactly (`false`: sampled).
    pub exact: Vec<bool>,
    /// Number of candidate evaluations done (a full scan does `Σ_t (N − t)`); shows what pruning saved.
    pub evaluations: usize,
}

impl BatchBaldSelection {
    /// The marginal gain of each pick, `a(A_t) − a(A_{t−1})`, in nats.
    pub fn gains(&self) -> Vec<f64> {
        let mut prev = 0.0;
        self.joint_mi
            .iter()
            .map(|&a| {
                let g = a - prev;
                prev = a;
                g
            })
            .collect()
    }
}

impl BatchBald {
    /// BatchBALD with the defaults listed on [`BatchBald`].
    pub fn new() -> Self {
        Self {
            num_samples: DEFAULT_NUM_SAMPLES,
            exact_limit: None,
            seed: 0,
            prune: true,
        }
    }

    /// Number `M` of sampled label configurations once exact enumeration is too large.
    pub fn num_samples(mut self, m: usize) -> Self {
        self.num_samples = m;
        self
    }

    /// Largest configuration count `C^|A|` enumerated exactly (default: `num_samples`).
    pub fn exact_limit(mut self, limit: usize) -> Self {
        self.exact_limit = Some(limit);
        self
    }

    /// Seed of the ChaCha8 generator drawing the sampled configurations.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Whether to skip candidates whose upper bound cannot beat the best (same result either way).
    pub fn prune(mut self, prune: bool) -> Self {
        self.prune = prune;
        self
    }

    /// Picks `batch` pool points from an `[N × K × C]` array of predictive samples.
    ///
    /// # Errors
    /// Those of [`validate`](crate::validate); [`ActiveError::BatchTooLarge`] when
    /// `batch > N`; [`ActiveError::InvalidParameter`] when `num_samples` is 0.
    ///
    /// # Examples
    /// ```
    /// use mutinfo_active::BatchBald;
    /// use ndarray::array;
    /// // Points 0 and 1 are exact duplicates; point 2 is less uncertain but independent.
    /// // Top-k BALD would take both duplicates; BatchBALD takes 0 then 2.
    /// let probs = array![
    ///     [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]],
    ///     [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]],
    ///     [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]],
    /// ];
    /// let sel = BatchBald::new().select(probs.view(), 2)?;
    /// assert_eq!(sel.indices, vec![0, 2]);
    /// assert!((sel.joint_mi[1] - 4f64.ln()).abs() < 1e-12);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn select(&self, probs: ArrayView3<f64>, batch: usize) -> Result<BatchBaldSelection> {
        validate(probs)?;
        let (n, k, c) = probs.dim();
        if batch > n {
            return Err(ActiveError::BatchTooLarge { batch, pool: n });
        }
        if self.num_samples == 0 {
            return Err(ActiveError::InvalidParameter {
                name: "num_samples",
                value: "0".into(),
                reason: "must be at least 1",
            });
        }
        let exact_limit = self.exact_limit.unwrap_or(self.num_samples).max(1);
        let pool = Pool::new(probs);
        let mut chosen: Vec<usize> = Vec::with_capacity(batch);
        let mut taken = vec![false; n];
        let mut out = BatchBaldSelection {
            indices: Vec::with_capacity(batch),
            joint_mi: Vec::with_capacity(batch),
            exact: Vec::with_capacity(batch),
            evaluations: 0,
        };
        let mut state = JointState::empty(k);
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let mut cond_sum = 0.0;
        // Pruning never changes the result; it is dropped for the rest of the batch once a
        // step had to score most candidates anyway (bounds then only add cost).
        let mut prune = self.prune;
        for t in 0..batch {
            let (best, score, evals, bounded) = self.step(&pool, &state, &taken, cond_sum, prune);
            if bounded && evals as f64 > PRUNE_GIVE_UP * (n - t) as f64 {
                prune = false;
            }
            out.evaluations += evals;
            out.indices.push(best);
            out.joint_mi.push(score);
            out.exact.push(state.exact);
            taken[best] = true;
            chosen.push(best);
            cond_sum += pool.cond[best];
            // Extend the configuration state with the new point (not needed after the last pick).
            if chosen.len() < batch {
                let configs = (c as f64).powi(chosen.len() as i32);
                if state.exact && configs <= exact_limit as f64 {
                    state = state.extend_exact(&pool, best);
                } else if state.exact {
                    state = JointState::sample(&pool, &chosen, self.num_samples, &mut rng);
                } else {
                    state.extend_sampled(&pool, best, &mut rng);
                }
            }
        }
        Ok(out)
    }

    /// One greedy step: the best candidate, its score `a(A ∪ {x})`, the evaluation count and
    /// whether bounds were used.
    fn step(
        &self,
        pool: &Pool,
        state: &JointState,
        taken: &[bool],
        cond_sum: f64,
        prune: bool,
    ) -> (usize, f64, usize, bool) {
        let rows = state.p.nrows();
        let cands: Vec<usize> = (0..pool.n).filter(|&i| !taken[i]).collect();
        let groups = if prune { state.groups() } else { None };
        let Some(groups) = groups else {
            let chunk = chunk_len(rows, pool.c);
            let best = eval_many(pool, state, &cands, chunk, cond_sum);
            let (i, s) = best.expect("a non-empty pool has a candidate");
            return (i, s, cands.len(), false);
        };
        // Upper bounds for every candidate from the grouped rows (G ≪ rows), then exact scores
        // in decreasing order of bound until no remaining bound can beat the best.
        let h_a = state.entropy();
        let gchunk = chunk_len(groups.nrows(), pool.c);
        let gt = transpose(&groups);
        let bounds: Vec<f64> = cands
            .par_chunks(gchunk)
            .map(|ch| {
                with_scratch(|sc| group_bounds(pool, &gt, groups.nrows(), ch, sc))
                    .into_iter()
                    .zip(ch)
                    .map(|(b, &x)| h_a + b - cond_sum - pool.cond[x])
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
            .concat();
        let mut order: Vec<usize> = (0..cands.len()).collect();
        order.sort_by(|&a, &b| {
            bounds[b]
                .total_cmp(&bounds[a])
                .then(cands[a].cmp(&cands[b]))
        });
        let sorted: Vec<usize> = order.iter().map(|&i| cands[i]).collect();
        let chunk = chunk_len(rows, pool.c).min(16);
        let wave = chunk * 4;
        let mut best: Option<(usize, f64)> = None;
        let mut start = 0;
        let mut evals = 0;
        while start < sorted.len() {
            if let Some((_, b)) = best {
                let ub = bounds[order[start]];
                // f32 products (sampled steps) are within ~1e-6 relative; keep a wide margin.
                let tol = if state.exact { 1e-9 } else { 1e-4 };
                let margin = tol * b.abs().max(ub.abs()).max(1.0);
                if ub + margin < b {
                    break;
                }
            }
            let end = (start + wave).min(sorted.len());
            let wave_best = eval_many(pool, state, &sorted[start..end], chunk, cond_sum);
            evals += end - start;
            best = better(best, wave_best);
            start = end;
        }
        let (i, s) = best.expect("a non-empty pool has a candidate");
        (i, s, evals, true)
    }
}

/// Pruning is given up for the rest of a batch after a bounded step scored more than this
/// fraction of the candidates (on pools where every point is equally uncertain).
const PRUNE_GIVE_UP: f64 = 0.6;

/// Candidates per matrix product: about 2^17 f64 of output (1 MB, so the products stay in L2
/// for the logarithm pass), independent of the thread count.
fn chunk_len(rows: usize, c: usize) -> usize {
    ((1usize << 17) / (rows * c).max(1)).clamp(1, 256)
}

/// Reusable buffers of one worker: gathered candidate planes, products, logarithms.
#[derive(Default)]
struct Scratch {
    /// Candidate planes side by side, `[K × ld]` (columns past `len·C` are zero padding).
    xc: Vec<f64>,
    /// Products `[rows × ld]`.
    q: Vec<f64>,
    logs: Vec<f64>,
    /// Single-precision planes and products of the sampled steps.
    xc32: Vec<f32>,
    q32: Vec<f32>,
    /// One product row widened back to f64.
    row64: Vec<f64>,
}

thread_local! {
    /// One worker's buffers, reused across chunks, waves and steps: no allocation and no
    /// zeroing of the product buffer per chunk (the kernel overwrites all of it).
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's [`Scratch`] (`f` must not start parallel work of its own).
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|s| f(&mut s.borrow_mut()))
}

/// `cols` rounded up to a multiple of `pad`.
fn padded(cols: usize, pad: usize) -> usize {
    cols.div_ceil(pad) * pad
}

impl Scratch {
    /// `q = P · [p_x for x in cands]`, `[rows × ld]`, from `pt = Pᵀ` (`[K × rows]`); returns `ld`.
    fn product(&mut self, pool: &Pool, pt: &[f64], rows: usize, cands: &[usize]) -> usize {
        let (k, c) = (pool.k, pool.c);
        let cols = cands.len() * c;
        let ld = padded(cols, gemm::PAD_F64);
        self.xc.clear();
        self.xc.resize(k * ld, 0.0);
        for (j, &x) in cands.iter().enumerate() {
            let plane = pool.p.index_axis(Axis(0), x);
            let plane = plane.as_slice().expect("standard layout");
            for (kk, src) in plane.chunks_exact(c).enumerate() {
                self.xc[kk * ld + j * c..kk * ld + (j + 1) * c].copy_from_slice(src);
            }
        }
        self.q.resize(rows * ld, 0.0);
        gemm::gemm_f64(pt, rows, k, &self.xc, ld, &mut self.q[..rows * ld]);
        self.logs.resize(cols, 0.0);
        ld
    }

    /// As [`Scratch::product`] in single precision, into `q32` (sampled steps only).
    fn product32(&mut self, pool: &Pool, pt: &[f32], rows: usize, cands: &[usize]) -> usize {
        let (k, c) = (pool.k, pool.c);
        let cols = cands.len() * c;
        let ld = padded(cols, gemm::PAD_F32);
        self.xc32.clear();
        self.xc32.resize(k * ld, 0.0);
        for (j, &x) in cands.iter().enumerate() {
            let plane = pool.p32.index_axis(Axis(0), x);
            let plane = plane.as_slice().expect("standard layout");
            for (kk, src) in plane.chunks_exact(c).enumerate() {
                self.xc32[kk * ld + j * c..kk * ld + (j + 1) * c].copy_from_slice(src);
            }
        }
        self.q32.resize(rows * ld, 0.0);
        gemm::gemm_f32(pt, rows, k, &self.xc32, ld, &mut self.q32[..rows * ld]);
        self.logs.resize(cols, 0.0);
        self.row64.resize(cols, 0.0);
        ld
    }
}

/// `Pᵀ` of a row-major `[rows × K]` matrix, as the kernel wants it.
fn transpose<T: Copy>(p: &Array2<T>) -> Vec<T> {
    let (rows, k) = p.dim();
    let mut out = Vec::with_capacity(rows * k);
    for kk in 0..k {
        out.extend(p.column(kk).iter().copied());
    }
    out
}

/// `Σ_g [π_g ln π_g − Σ_y R_gy ln R_gy]` per candidate with `R_g = G[g, :] · p_x`: by concavity
/// of entropy an upper bound on `Ĥ(y_{A∪x}) − Ĥ(y_A)` (see the module docs). `gt = Gᵀ`.
fn group_bounds(
    pool: &Pool,
    gt: &[f64],
    groups: usize,
    cands: &[usize],
    sc: &mut Scratch,
) -> Vec<f64> {
    let c = pool.c;
    let ld = sc.product(pool, gt, groups, cands);
    let cols = cands.len() * c;
    let mut out = vec![0.0; cands.len()];
    for qrow in sc.q[..groups * ld].chunks_exact(ld) {
        let qrow = &qrow[..cols];
        ln_into(qrow, &mut sc.logs);
        for ((o, block), lblock) in out
            .iter_mut()
            .zip(qrow.chunks_exact(c))
            .zip(sc.logs.chunks_exact(c))
        {
            let mut pi = 0.0;
            let mut s2 = 0.0;
            for (&v, &l) in block.iter().zip(lblock) {
                pi += v;
                s2 += v * l;
            }
            *o += xlnx(pi) - s2;
        }
    }
    out
}

fn eval_many(
    pool: &Pool,
    state: &JointState,
    cands: &[usize],
    chunk: usize,
    cond_sum: f64,
) -> Option<(usize, f64)> {
    cands
        .par_chunks(chunk)
        .map(|ch| {
            let h = with_scratch(|sc| state.joint_entropies(pool, ch, sc));
            let mut best: Option<(usize, f64)> = None;
            for (&x, hx) in ch.iter().zip(h) {
                best = better(best, Some((x, hx - cond_sum - pool.cond[x])));
            }
            best
        })
        .reduce(|| None, better)
}
/// The higher score, ties to the lower index; order-independent so any reduction tree agrees.
fn better(a: Option<(usize, f64)>, b: Option<(usize, f64)>) -> Option<(usize, f64)> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) => {
            if b.1 > a.1 || (b.1 == a.1 && b.0 < a.0) {
                Some(b)
            } else {
                Some(a)
            }
        }
    }
}

/// Picks `batch` points by greedy BatchBALD with the default settings and the given seed.
///
/// # Errors
/// See [`BatchBald::select`].
pub fn batch_bald(probs: ArrayView3<f64>, batch: usize, seed: u64) -> Result<BatchBaldSelection> {
    BatchBald::new().seed(seed).select(probs, batch)
}

/// The pool in the layout the kernels want, with per-point constants.
struct Pool {
    n: usize,
    k: usize,
    c: usize,
    /// `[N × K × C]`, each member row renormalized to sum to 1.
    p: Array3<f64>,
    /// `E_k H(p_k)` per point.
    cond: Vec<f64>,
    /// `p` rounded to f32, for the sampled steps' products.
    p32: Array3<f32>,
}

impl Pool {
    fn new(probs: ArrayView3<f64>) -> Self {
        let (n, k, c) = probs.dim();
        let mut p = probs.as_standard_layout().into_owned();
        for mut row in p.rows_mut() {
            let s: f64 = row.sum();
            row.mapv_inplace(|v| v / s);
        }
        let cond: Vec<f64> = (0..n)
            .into_par_iter()
            .with_min_len(64)
            .map(|i| mean_member_entropy(p.index_axis(Axis(0), i)))
            .collect();
        let p32 = p.mapv(|v| v as f32);
        Self {
            n,
            k,
            c,
            p,
            cond,
            p32,
        }
    }
}

/// Joint probabilities of the current batch's label configurations, one row per configuration
/// (exact) or per sample (sampled), one column per member.
///
/// Row `m` stands for `P_true[m, k] = exp(a_m) · p[m, k]`, weight `w_m`:
/// `Ĥ(y_{A∪x}) = −Σ_m w_m (a_m Σ_y q_my + Σ_y q_my ln q_my)` with `q = p · p_x`.
struct JointState {
    p: Array2<f64>,
    a: Vec<f64>,
    w: Vec<f64>,
    exact: bool,
    /// Sampled regime: the member each sample follows, and its stratum weight `α_m`.
    member: Vec<usize>,
    alpha: Vec<f64>,
    /// `pᵀ` (`[K × rows]`) for the product kernel (exact regime).
    pt: Vec<f64>,
    /// Sampled regime: `pᵀ` rounded to f32 (the products are single precision there).
    pt32: Option<Vec<f32>>,
}

impl JointState {
    /// No point chosen: one configuration with probability `1/K` per member.
    fn empty(k: usize) -> Self {
        let p = Array2::from_elem((1, k), 1.0 / k as f64);
        Self {
            pt: transpose(&p),
            p,
            a: vec![0.0],
            w: vec![1.0],
            exact: true,
            member: Vec::new(),
            alpha: Vec::new(),
            pt32: None,
        }
    }

    /// Exact enumeration with one more point: rows `(r, y)`, `y` fastest.
    fn extend_exact(&self, pool: &Pool, x: usize) -> Self {
        let (r, k) = self.p.dim();
        let c = pool.c;
        let px = pool.p.index_axis(Axis(0), x);
        let mut p = Array2::zeros((r * c, k));
        for ri in 0..r {
            for y in 0..c {
                let mut dst = p.row_mut(ri * c + y);
                for kk in 0..k {
                    dst[kk] = self.p[[ri, kk]] * px[[kk, y]];
                }
            }
        }
        Self {
            pt: transpose(&p),
            p,
            a: vec![0.0; r * c],
            w: vec![1.0; r * c],
            exact: true,
            member: Vec::new(),
            alpha: Vec::new(),
            pt32: None,
        }
    }

    /// Switch to sampling: `m` configurations of all chosen points, stratified over members.
    fn sample(pool: &Pool, chosen: &[usize], m: usize, rng: &mut ChaCha8Rng) -> Self {
        let k = pool.k;
        let member: Vec<usize> = if m >= k {
            (0..m).map(|i| i % k).collect()
        } else {
            (0..m).map(|_| rng.gen_range(0..k)).collect()
        };
        let alpha: Vec<f64> = if m >= k {
            let mut counts = vec![0usize; k];
            for &kk in &member {
                counts[kk] += 1;
            }
            member
                .iter()
                .map(|&kk| 1.0 / (k as f64 * counts[kk] as f64))
                .collect()
        } else {
            vec![1.0 / m as f64; m]
        };
        let mut st = Self {
            p: Array2::from_elem((m, k), 1.0),
            a: vec![-(k as f64).ln(); m],
            w: vec![0.0; m],
            exact: false,
            member,
            alpha,
            pt: Vec::new(),
            pt32: None,
        };
        for &x in chosen {
            st.multiply_in(pool, x, rng);
        }
        st.refresh_weights();
        st
    }

    fn extend_sampled(&mut self, pool: &Pool, x: usize, rng: &mut ChaCha8Rng) {
        self.multiply_in(pool, x, rng);
        self.refresh_weights();
    }

    /// Draws each sample's label of `x` from its member and multiplies the likelihoods in,
    /// rescaling each row by its maximum (kept in `a`) so long batches do not underflow.
    fn multiply_in(&mut self, pool: &Pool, x: usize, rng: &mut ChaCha8Rng) {
        let px = pool.p.index_axis(Axis(0), x);
        let c = pool.c;
        for (mi, mut row) in self.p.rows_mut().into_iter().enumerate() {
            let dist = px.row(self.member[mi]);
            let u: f64 = rng.gen::<f64>();
            let y = draw(dist.as_slice().expect("standard layout"), u, c);
            let mut mx = 0.0f64;
            for (kk, v) in row.iter_mut().enumerate() {
                *v *= px[[kk, y]];
                mx = mx.max(*v);
            }
            // mx > 0: the sample's own member gave label y positive probability.
            if mx > 0.0 {
                row.mapv_inplace(|v| v / mx);
                self.a[mi] += mx.ln();
            }
        }
    }

    fn refresh_weights(&mut self) {
        for (mi, row) in self.p.rows().into_iter().enumerate() {
            self.w[mi] = self.alpha[mi] / row.sum();
        }
        self.pt32 = Some(transpose(&self.p.mapv(|v| v as f32)));
    }

    /// `Ĥ(y_A)` under this state: `−Σ_m w_m (a_m p_m + p_m ln p_m)`, `p_m = Σ_k p[m, k]`.
    fn entropy(&self) -> f64 {
        let mut h = 0.0;
        for (mi, row) in self.p.rows().into_iter().enumerate() {
            let pm: f64 = row.sum();
            h -= self.w[mi] * (self.a[mi] * pm + xlnx(pm));
        }
        h
    }

    /// Rows pooled by their most probable member (ties to the lowest): `[G × K]` with
    /// `G[g, :] = Σ_{m ∈ g} w_m p[m, :]`. `None` when grouping would not save work.
    fn groups(&self) -> Option<Array2<f64>> {
        let (rows, k) = self.p.dim();
        let mut slot = vec![usize::MAX; k];
        let mut map = Vec::with_capacity(rows);
        for row in self.p.rows() {
            let mut best = 0;
            for (kk, &v) in row.iter().enumerate() {
                if v > row[best] {
                    best = kk;
                }
            }
            slot[best] = 0;
            map.push(best);
        }
        let mut g = 0;
        for s in slot.iter_mut().filter(|s| **s == 0) {
            *s = g;
            g += 1;
        }
        if rows < 64 || rows < 4 * g {
            return None;
        }
        let mut out = Array2::zeros((g, k));
        for (mi, row) in self.p.rows().into_iter().enumerate() {
            let mut dst = out.row_mut(slot[map[mi]]);
            let w = self.w[mi];
            for (d, &v) in dst.iter_mut().zip(row.iter()) {
                *d += w * v;
            }
        }
        Some(out)
    }

    /// `Ĥ(y_{A∪x})` for each candidate `x` in `cands`, one matrix product for all of them.
    fn joint_entropies(&self, pool: &Pool, cands: &[usize], sc: &mut Scratch) -> Vec<f64> {
        let c = pool.c;
        let rows = self.p.nrows();
        let mut h = vec![0.0; cands.len()];
        if let Some(pt32) = &self.pt32 {
            let ld = sc.product32(pool, pt32, rows, cands);
            let Scratch {
                q32, logs, row64, ..
            } = sc;
            let q = &q32[..rows * ld];
            rows_entropy(Rows::F32(q), ld, &mut h, logs, row64, c, &self.w, &self.a);
            return h;
        }
        let ld = sc.product(pool, &self.pt, rows, cands);
        let Scratch { q, logs, .. } = sc;
        let q = &q[..rows * ld];
        rows_entropy(Rows::F64(q), ld, &mut h, logs, &mut [], c, &self.w, &self.a);
        h
    }
}

/// Row-major product rows `q` (one per configuration), single or double precision.
#[derive(Clone, Copy)]
enum Rows<'a> {
    F32(&'a [f32]),
    F64(&'a [f64]),
}

/// `h_j −= w_m (a_m Σ_y q_mjy + Σ_y q_mjy ln q_mjy)` over all rows `m` of `q`, with the widest
/// vector instructions the CPU has. The logarithm and the sums are the same operations in the
/// same order on every path (Rust never fuses a multiply and an add on its own), so the
/// result is bit-identical whichever path runs.
#[allow(clippy::too_many_arguments)]
fn rows_entropy(
    q: Rows<'_>,
    ld: usize,
    h: &mut [f64],
    logs: &mut [f64],
    row64: &mut [f64],
    c: usize,
    w: &[f64],
    a: &[f64],
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F, all that `rows_entropy_avx512` enables.
            #[allow(unsafe_code)]
            unsafe {
                rows_entropy_avx512(q, ld, h, logs, row64, c, w, a);
            }
            return;
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, all that `rows_entropy_avx2` enables.
            #[allow(unsafe_code)]
            unsafe {
                rows_entropy_avx2(q, ld, h, logs, row64, c, w, a);
            }
            return;
        }
    }
    rows_entropy_portable(q, ld, h, logs, row64, c, w, a);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
fn rows_entropy_avx512(
    q: Rows<'_>,
    ld: usize,
    h: &mut [f64],
    logs: &mut [f64],
    row64: &mut [f64],
    c: usize,
    w: &[f64],
    a: &[f64],
) {
    rows_entropy_portable(q, ld, h, logs, row64, c, w, a);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
fn rows_entropy_avx2(
    q: Rows<'_>,
    ld: usize,
    h: &mut [f64],
    logs: &mut [f64],
    row64: &mut [f64],
    c: usize,
    w: &[f64],
    a: &[f64],
) {
    rows_entropy_portable(q, ld, h, logs, row64, c, w, a);
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn rows_entropy_portable(
    q: Rows<'_>,
    ld: usize,
    h: &mut [f64],
    logs: &mut [f64],
    row64: &mut [f64],
    c: usize,
    w: &[f64],
    a: &[f64],
) {
    let cols = logs.len();
    match q {
        Rows::F32(q) => {
            for (mi, qrow) in q.chunks_exact(ld).enumerate() {
                for (d, &v) in row64.iter_mut().zip(&qrow[..cols]) {
                    *d = f64::from(v);
                }
                accumulate(h, row64, logs, c, w[mi], a[mi]);
            }
        }
        Rows::F64(q) => {
            for (mi, qrow) in q.chunks_exact(ld).enumerate() {
                accumulate(h, &qrow[..cols], logs, c, w[mi], a[mi]);
            }
        }
    }
}

/// `h_j −= w (a Σ_y q_jy + Σ_y q_jy ln q_jy)` for each candidate block `j` of one product row.
#[inline(always)]
fn accumulate(h: &mut [f64], qrow: &[f64], logs: &mut [f64], c: usize, w: f64, a: f64) {
    ln_into(qrow, logs);
    for ((hj, block), lblock) in h
        .iter_mut()
        .zip(qrow.chunks_exact(c))
        .zip(logs.chunks_exact(c))
    {
        let mut s1 = 0.0;
        let mut s2 = 0.0;
        for (&v, &l) in block.iter().zip(lblock) {
            s1 += v;
            s2 += v * l;
        }
        *hj -= w * (a * s1 + s2);
    }
}

/// Inverse-CDF draw of a label with uniform `u ∈ [0, 1)`; never returns a zero-probability label.
fn draw(dist: &[f64], u: f64, c: usize) -> usize {
    let total: f64 = dist.iter().sum();
    let t = u * total;
    let mut acc = 0.0;
    let mut last = 0;
    for (y, &p) in dist.iter().enumerate().take(c) {
        if p > 0.0 {
            acc += p;
            last = y;
            if acc > t {
                return y;
            }
        }
    }
    last
}

/// Joint mutual information `I(y_B; ω)` of a given batch `B` by brute-force enumeration of all
/// `C^|B|` label configurations, nats. The reference the greedy search is tested against.
///
/// # Errors
/// Those of [`validate`](crate::validate); [`ActiveError::BadIndex`] for an index outside the
/// pool; [`ActiveError::InvalidParameter`] when `C^|B|` exceeds 10⁷.
pub fn joint_mutual_information(probs: ArrayView3<f64>, batch: &[usize]) -> Result<f64> {
    validate(probs)?;
    let (n, k, c) = probs.dim();
    for &i in batch {
        if i >= n {
            return Err(ActiveError::BadIndex { index: i, pool: n });
        }
    }
    let configs = (c as f64).powi(batch.len() as i32);
    if configs > 1e7 {
        return Err(ActiveError::InvalidParameter {
            name: "batch",
            value: batch.len().to_string(),
            reason: "C^batch exceeds 10^7 configurations for exact enumeration",
        });
    }
    let configs = configs as usize;
    // The batch's planes, each member row renormalized (as in the greedy search).
    let planes: Vec<Array2<f64>> = batch
        .iter()
        .map(|&i| {
            let mut plane = probs.index_axis(Axis(0), i).to_owned();
            for mut row in plane.rows_mut() {
                let s: f64 = row.sum();
                row.mapv_inplace(|v| v / s);
            }
            plane
        })
        .collect();
    let mut h = 0.0;
    let mut ys = vec![0usize; batch.len()];
    for cfg in 0..configs {
        let mut r = cfg;
        for y in ys.iter_mut().rev() {
            *y = r % c;
            r /= c;
        }
        let mut p = 0.0;
        for kk in 0..k {
            let mut prod = 1.0;
            for (plane, &y) in planes.iter().zip(&ys) {
                prod *= plane[[kk, y]];
            }
            p += prod;
        }
        h -= xlnx(p / k as f64);
    }
    let cond: f64 = planes.iter().map(|pl| mean_member_entropy(pl.view())).sum();
    Ok(h - cond)
}
