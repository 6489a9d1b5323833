//! Counting kernels: "one against many" contingency counts turned into entropies.
//!
//! These are the hot loops of the project. A candidate column is scatter-added against the
//! target (or against a joint (conditioning, target) code) into a dense `u32` table when the
//! table is small next to the number of rows, and counted by sorting keys otherwise (columns
//! with hundreds of raw values against each other). Candidates run in parallel with rayon; each
//! candidate's counts are integers computed by one thread, and entropies are exact sums
//! ([`crate::exact`]), so every result is identical bit for bit for any number of threads, and
//! two candidates whose tables agree up to relabeling get identical values.

use crate::codes::{check_len, Code, Codes};
use crate::error::Result;
use crate::estimator::Estimator;
use crate::exact::{NLogNSum, NLogNTable};
use crate::with_codes;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Entropies (nats) of a candidate `X`, the target `Y`, and their pair.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairEntropies {
    /// `H(X)`.
    pub h_x: f64,
    /// `H(Y)`.
    pub h_y: f64,
    /// `H(X,Y)`.
    pub h_xy: f64,
}

impl PairEntropies {
    /// `I(X;Y) = H(X) + H(Y) − H(X,Y)` (clamped at 0 for the plug-in estimator, see
    /// [`crate::estimator`]).
    pub fn mutual_information(&self, estimator: Estimator) -> f64 {
        clamp(estimator, self.h_x + self.h_y - self.h_xy)
    }
}

/// Entropies (nats) of a candidate `X`, a conditioning column `Z` and the target `Y`, and of
/// their pairs and triple.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TripleEntropies {
    /// `H(X)`.
    pub h_x: f64,
    /// `H(Z)`.
    pub h_z: f64,
    /// `H(Y)`.
    pub h_y: f64,
    /// `H(X,Z)`.
    pub h_xz: f64,
    /// `H(X,Y)`.
    pub h_xy: f64,
    /// `H(Z,Y)`.
    pub h_zy: f64,
    /// `H(X,Z,Y)`.
    pub h_xzy: f64,
}

pub(crate) fn clamp(estimator: Estimator, v: f64) -> f64 {
    if estimator == Estimator::PlugIn {
        v.max(0.0)
    } else {
        v
    }
}

impl TripleEntropies {
    /// `I(X;Y)`.
    pub fn mi_xy(&self, e: Estimator) -> f64 {
        clamp(e, self.h_x + self.h_y - self.h_xy)
    }
    /// `I(X;Z)`: the redundancy of the candidate with the conditioning column.
    pub fn mi_xz(&self, e: Estimator) -> f64 {
        clamp(e, self.h_x + self.h_z - self.h_xz)
    }
    /// `I(X;Y|Z) = H(X,Z) + H(Z,Y) − H(X,Z,Y) − H(Z)`.
    pub fn cmi_xy_given_z(&self, e: Estimator) -> f64 {
        clamp(e, self.h_xz + self.h_zy - self.h_xzy - self.h_z)
    }
    /// `I(X;Z|Y) = H(X,Y) + H(Z,Y) − H(X,Z,Y) − H(Y)`.
    pub fn cmi_xz_given_y(&self, e: Estimator) -> f64 {
        clamp(e, self.h_xy + self.h_zy - self.h_xzy - self.h_y)
    }
    /// `I(X,Z;Y) = H(X,Z) + H(Y) − H(X,Z,Y)`: the joint relevance of the pair.
    pub fn joint_mi(&self, e: Estimator) -> f64 {
        clamp(e, self.h_xz + self.h_y - self.h_xzy)
    }
}

/// Rows up to which one `u32` table cannot overflow.
const U32_ROWS: usize = u32::MAX as usize;

/// Whether a table of `cells` cells is counted densely for `n` rows.
#[inline]
fn dense(cells: u64, n: usize) -> bool {
    cells <= (1u64 << 12).max(2 * n as u64).min(1 << 26)
}

/// Scatter-adds `table[a * nb + b] += 1`.
#[inline]
fn scatter2<A: Code, B: Code>(a: &[A], b: &[B], nb: usize, table: &mut [u32]) {
    debug_assert!(a.len() <= U32_ROWS);
    for (&x, &y) in a.iter().zip(b) {
        table[x.idx() * nb + y.idx()] += 1;
    }
}

/// Entropy of a `u32` table with `cells` possible cells.
fn entropy_u32(est: Estimator, counts: &[u32], total: u64, cells: u64, nl: &NLogNTable) -> f64 {
    if est == Estimator::PlugIn {
        NLogNSum::from_counts_with(counts, nl).entropy(total)
    } else {
        let v: Vec<u64> = counts
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| c as u64)
            .collect();
        est.entropy(&v, cells)
    }
}

/// Entropy of a column counted from a key per row (`keys < cells`), by sorting.
fn entropy_sorted_keys(est: Estimator, mut keys: Vec<u64>, cells: u64) -> f64 {
    keys.sort_unstable();
    let total = keys.len() as u64;
    let mut runs = Vec::new();
    let mut i = 0;
    while i < keys.len() {
        let mut j = i + 1;
        while j < keys.len() && keys[j] == keys[i] {
            j += 1;
        }
        runs.push((j - i) as u64);
        i = j;
    }
    if est == Estimator::PlugIn {
        NLogNSum::from_counts(runs).entropy(total)
    } else {
        est.entropy(&runs, cells)
    }
}

/// Entropy of one column and the number of values it takes.
pub(crate) fn column_stats(x: &Codes, est: Estimator) -> (f64, u64) {
    let c = x.counts();
    let observed = c.iter().filter(|&&v| v > 0).count() as u64;
    (est.entropy(&c, observed), observed)
}

/// Entropy of one column.
pub fn column_entropy(x: &Codes, est: Estimator) -> f64 {
    column_stats(x, est).0
}

/// Entropy of the pair `(a, b)` of equal-length columns; `cells` is the James–Stein target size.
pub(crate) fn pair_entropy(
    a: &Codes,
    b: &Codes,
    est: Estimator,
    nl: &NLogNTable,
    cells: u64,
) -> f64 {
    let n = a.len();
    let nb = b.cardinality() as u64;
    let table = a.cardinality() as u64 * nb;
    if dense(table, n) && n <= U32_ROWS {
        let mut t = vec![0u32; table as usize];
        with_codes!(a, sa => with_codes!(b, sb => scatter2(sa, sb, nb as usize, &mut t)));
        entropy_u32(est, &t, n as u64, cells, nl)
    } else {
        let keys: Vec<u64> = with_codes!(a, sa => with_codes!(b, sb => {
            sa.iter().zip(sb).map(|(&x, &y)| x.idx() as u64 * nb + y.idx() as u64).collect()
        }));
        entropy_sorted_keys(est, keys, cells)
    }
}

/// Entropies of a candidate from its dense table `t` (any layout) and its marginal counts.
fn pair_from_table(
    est: Estimator,
    t: &[u32],
    cx: &[u64],
    n: usize,
    h_y: f64,
    ky: u64,
    nl: &NLogNTable,
) -> PairEntropies {
    let kx = cx.iter().filter(|&&c| c > 0).count() as u64;
    PairEntropies {
        h_x: est.entropy(cx, kx),
        h_y,
        h_xy: entropy_u32(est, t, n as u64, kx * ky, nl),
    }
}

/// One candidate against the target: a dense table when it is small next to `n`, whose row
/// sums give `H(X)` without a second pass over the data; sorted keys otherwise.
fn pair_one(
    x: &Codes,
    y: &Codes,
    est: Estimator,
    h_y: f64,
    ky: u64,
    nl: &NLogNTable,
) -> PairEntropies {
    let n = y.len();
    let nb = y.cardinality() as usize;
    let cells = x.cardinality() as u64 * nb as u64;
    if dense(cells, n) && n <= U32_ROWS {
        let mut t = vec![0u32; cells as usize];
        with_codes!(x, sx => with_codes!(y, sy => scatter2(sx, sy, nb, &mut t)));
        let cx: Vec<u64> = t
            .chunks_exact(nb.max(1))
            .map(|r| r.iter().map(|&c| c as u64).sum())
            .collect();
        pair_from_table(est, &t, &cx, n, h_y, ky, nl)
    } else {
        let (h_x, kx) = column_stats(x, est);
        PairEntropies {
            h_x,
            h_y,
            h_xy: pair_entropy(x, y, est, nl, kx * ky),
        }
    }
}

/// Candidates counted together per pass over the rows in the `u8` fast path.
const BLOCK: usize = 4;

/// Four `u8` candidates against the target in one pass: each row loads the target once, and
/// the four independent increments keep the core busy. Tables are target-major with stride
/// 256 (`t[y·256 + x]`), so the row offset is a shift of the target code.
fn pair_block_u8<Y: Code>(xs: [&[u8]; BLOCK], y: &[Y], nb: usize) -> [Vec<u32>; BLOCK] {
    let n = y.len();
    let size = 256 * nb;
    let mut t: [Vec<u32>; BLOCK] = std::array::from_fn(|_| vec![0u32; size]);
    let [t0, t1, t2, t3] = &mut t;
    let (a0, a1, a2, a3) = (&xs[0][..n], &xs[1][..n], &xs[2][..n], &xs[3][..n]);
    for r in 0..n {
        let o = y[r].idx() << 8;
        t0[o + a0[r] as usize] += 1;
        t1[o + a1[r] as usize] += 1;
        t2[o + a2[r] as usize] += 1;
        t3[o + a3[r] as usize] += 1;
    }
    t
}

/// `H(X)`, `H(Y)` and `H(X,Y)` of every candidate against the target `y`, in parallel.
///
/// # Errors
/// [`crate::CoreError::LengthMismatch`] naming the first candidate whose length differs from `y`.
pub fn pair_entropies(
    candidates: &[&Codes],
    y: &Codes,
    est: Estimator,
) -> Result<Vec<PairEntropies>> {
    for (j, c) in candidates.iter().enumerate() {
        check_len(&format!("candidate {j}"), y.len(), c.len())?;
    }
    let n = y.len();
    let nb = y.cardinality() as usize;
    let nl = NLogNTable::new(n as u64);
    let (h_y, ky) = column_stats(y, est);
    let blocked = n <= U32_ROWS && nb > 0 && dense(256 * nb as u64, n);
    let out: Vec<Vec<PairEntropies>> = candidates
        .par_chunks(BLOCK)
        .map(|chunk| {
            let u8s: Vec<&[u8]> = chunk
                .iter()
                .filter_map(|c| match c.storage() {
                    crate::codes::CodeVec::U8(v) => Some(v.as_slice()),
                    _ => None,
                })
                .collect();
            if blocked && u8s.len() == BLOCK {
                let xs = [u8s[0], u8s[1], u8s[2], u8s[3]];
                let tables = with_codes!(y, sy => pair_block_u8(xs, sy, nb));
                tables
                    .iter()
                    .map(|t| {
                        let mut cx = vec![0u64; 256];
                        for row in t.chunks_exact(256) {
                            for (c, &v) in cx.iter_mut().zip(row) {
                                *c += v as u64;
                            }
                        }
                        pair_from_table(est, t, &cx, n, h_y, ky, &nl)
                    })
                    .collect()
            } else {
                chunk
                    .iter()
                    .map(|x| pair_one(x, y, est, h_y, ky, &nl))
                    .collect()
            }
        })
        .collect();
    Ok(out.into_iter().flatten().collect())
}

/// `I(X;Y)` of every candidate column against the target `y`, in nats, in parallel.
///
/// # Errors
/// As [`pair_entropies`].
pub fn mutual_information_many(
    candidates: &[&Codes],
    y: &Codes,
    est: Estimator,
) -> Result<Vec<f64>> {
    Ok(pair_entropies(candidates, y, est)?
        .into_iter()
        .map(|p| p.mutual_information(est))
        .collect())
}

/// A conditioning column and the target, prepared once to count many candidates against them.
#[derive(Debug, Clone)]
pub struct ConditionedTarget {
    zy: Codes,
    zy_to_z: Vec<u32>,
    zy_to_y: Vec<u32>,
    nz: u32,
    ny: u32,
    kz: u64,
    ky: u64,
    h_z: f64,
    h_y: f64,
    h_zy: f64,
    est: Estimator,
    nl: NLogNTable,
}

impl ConditionedTarget {
    /// Prepares `(z, y)`: their joint code and entropies.
    ///
    /// # Errors
    /// [`crate::CoreError::LengthMismatch`] when `z` and `y` differ in length.
    pub fn new(z: &Codes, y: &Codes, est: Estimator) -> Result<Self> {
        let zy = z.joint(y)?;
        let mut zy_to_z = vec![0u32; zy.cardinality() as usize];
        let mut zy_to_y = vec![0u32; zy.cardinality() as usize];
        for i in 0..zy.len() {
            let k = zy.get(i) as usize;
            zy_to_z[k] = z.get(i);
            zy_to_y[k] = y.get(i);
        }
        let nl = NLogNTable::new(z.len() as u64);
        let (h_z, kz) = column_stats(z, est);
        let (h_y, ky) = column_stats(y, est);
        let h_zy = est.entropy(&zy.counts(), kz * ky);
        Ok(ConditionedTarget {
            h_z,
            h_y,
            kz,
            ky,
            h_zy,
            zy,
            zy_to_z,
            zy_to_y,
            nz: z.cardinality(),
            ny: y.cardinality(),
            est,
            nl,
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.zy.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.zy.is_empty()
    }

    /// The seven entropies of one candidate `x` with `(z, y)`, from one counting pass.
    ///
    /// # Errors
    /// [`crate::CoreError::LengthMismatch`] when `x` has another length.
    pub fn entropies(&self, x: &Codes) -> Result<TripleEntropies> {
        check_len("candidate", self.len(), x.len())?;
        Ok(self.entropies_unchecked(x))
    }

    fn entropies_unchecked(&self, x: &Codes) -> TripleEntropies {
        let est = self.est;
        let n = self.len();
        let (nx, nz, ny) = (x.cardinality() as u64, self.nz as u64, self.ny as u64);
        let nzy = self.zy.cardinality() as u64;
        let cells = nx * nzy;
        let (h_x, kx) = column_stats(x, est);
        let (kz, ky) = (self.kz, self.ky);
        let (h_xz, h_xy, h_xzy);
        if dense(cells, n) && dense(nx * nz, n) && dense(nx * ny, n) && n <= U32_ROWS {
            let mut t = vec![0u32; cells as usize];
            with_codes!(x, sx => with_codes!(&self.zy, szy => scatter2(sx, szy, nzy as usize, &mut t)));
            h_xzy = entropy_u32(est, &t, n as u64, kx * kz * ky, &self.nl);
            let mut xz = vec![0u32; (nx * nz) as usize];
            let mut xy = vec![0u32; (nx * ny) as usize];
            for (xi, row) in t.chunks_exact(nzy as usize).enumerate() {
                for (k, &c) in row.iter().enumerate() {
                    if c > 0 {
                        xz[xi * nz as usize + self.zy_to_z[k] as usize] += c;
                        xy[xi * ny as usize + self.zy_to_y[k] as usize] += c;
                    }
                }
            }
            h_xz = entropy_u32(est, &xz, n as u64, kx * kz, &self.nl);
            h_xy = entropy_u32(est, &xy, n as u64, kx * ky, &self.nl);
        } else {
            let (mut kxzy, mut kxz, mut kxy) = (
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::with_capacity(n),
            );
            with_codes!(x, sx => with_codes!(&self.zy, szy => {
                for (&a, &b) in sx.iter().zip(szy) {
                    let a = a.idx() as u64;
                    let b = b.idx();
                    kxzy.push(a * nzy + b as u64);
                    kxz.push(a * nz + self.zy_to_z[b] as u64);
                    kxy.push(a * ny + self.zy_to_y[b] as u64);
                }
            }));
            h_xzy = entropy_sorted_keys(est, kxzy, kx * kz * ky);
            h_xz = entropy_sorted_keys(est, kxz, kx * kz);
            h_xy = entropy_sorted_keys(est, kxy, kx * ky);
        }
        TripleEntropies {
            h_x,
            h_z: self.h_z,
            h_y: self.h_y,
            h_xz,
            h_xy,
            h_zy: self.h_zy,
            h_xzy,
        }
    }

    /// The entropies of every candidate, in parallel.
    ///
    /// # Errors
    /// [`crate::CoreError::LengthMismatch`] naming the first candidate of another length.
    pub fn entropies_many(&self, candidates: &[&Codes]) -> Result<Vec<TripleEntropies>> {
        for (j, c) in candidates.iter().enumerate() {
            check_len(&format!("candidate {j}"), self.len(), c.len())?;
        }
        Ok(candidates
            .par_iter()
            .map(|x| self.entropies_unchecked(x))
            .collect())
    }
}

/// The entropies of every candidate `X` with a conditioning column `z` and the target `y`:
/// one parallel counting pass per candidate (see [`ConditionedTarget`] to reuse the preparation).
///
/// # Errors
/// [`crate::CoreError::LengthMismatch`] when lengths differ.
pub fn triple_entropies(
    candidates: &[&Codes],
    z: &Codes,
    y: &Codes,
    est: Estimator,
) -> Result<Vec<TripleEntropies>> {
    ConditionedTarget::new(z, y, est)?.entropies_many(candidates)
}
