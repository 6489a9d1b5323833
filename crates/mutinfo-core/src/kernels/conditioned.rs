//! A candidate against a prepared (conditioning, target) pair: the three-way table of
//! `(X, Z, Y)` and its marginals, for conditional mutual information and the selection rounds.

use super::{column_stats, dense_limit, entropy_u32, fill_keys, scatter, sorted, Scratch};
use crate::codes::{check_len, with_codes, Code, Codes};
use crate::error::Result;
use crate::estimator::Estimator;
use crate::exact::{NLogNSum, NLogNTable};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

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

impl TripleEntropies {
    /// `I(X;Y)`.
    pub fn mi_xy(&self, e: Estimator) -> f64 {
        super::clamp(e, self.h_x + self.h_y - self.h_xy)
    }
    /// `I(X;Z)`: the redundancy of the candidate with the conditioning column.
    pub fn mi_xz(&self, e: Estimator) -> f64 {
        super::clamp(e, self.h_x + self.h_z - self.h_xz)
    }
    /// `I(X;Y|Z) = H(X,Z) + H(Z,Y) − H(X,Z,Y) − H(Z)`.
    pub fn cmi_xy_given_z(&self, e: Estimator) -> f64 {
        super::clamp(e, self.h_xz + self.h_zy - self.h_xzy - self.h_z)
    }
    /// `I(X;Z|Y) = H(X,Y) + H(Z,Y) − H(X,Z,Y) − H(Y)`.
    pub fn cmi_xz_given_y(&self, e: Estimator) -> f64 {
        super::clamp(e, self.h_xy + self.h_zy - self.h_xzy - self.h_y)
    }
    /// `I(X,Z;Y) = H(X,Z) + H(Y) − H(X,Z,Y)`: the joint relevance of the pair.
    pub fn joint_mi(&self, e: Estimator) -> f64 {
        super::clamp(e, self.h_xz + self.h_y - self.h_xzy)
    }
}

/// A conditioning column `Z` (say the newest selected feature, or the joint of the selected
/// set) prepared together with the target `Y`: their joint code and exact entropies.
#[derive(Debug, Clone)]
pub struct Conditioning {
    z: Codes,
    zy: Codes,
    zy_to_z: Vec<u32>,
    zy_to_y: Vec<u32>,
    /// `N·H(Z)`, exact (units of `2^-64`).
    pub h_z: i128,
    /// `N·H(Z,Y)`, exact.
    pub h_zy: i128,
}

impl Conditioning {
    /// Prepares `(z, y)`: their joint code and exact entropies.
    ///
    /// # Errors
    /// [`crate::CoreError::LengthMismatch`] when `z` and `y` differ in length.
    pub fn new(z: &Codes, y: &Codes) -> Result<Self> {
        // The joint code of each (z, y) pair is its rank among the pairs that occur: the
        // pairs come with it, without a pass over the rows.
        let (zy, pairs) = z.joint_with_pairs(y)?;
        let (zy_to_z, zy_to_y): (Vec<u32>, Vec<u32>) = pairs.into_iter().unzip();
        let n = z.len() as u64;
        // z's counts are the joint counts summed over y: one pass over the rows, not two.
        let zy_counts = zy.counts();
        let mut z_counts = vec![0u64; z.cardinality() as usize];
        for (&c, &zi) in zy_counts.iter().zip(&zy_to_z) {
            z_counts[zi as usize] += c;
        }
        Ok(Conditioning {
            h_z: NLogNSum::from_counts(z_counts).scaled_entropy(n),
            h_zy: NLogNSum::from_counts(zy_counts).scaled_entropy(n),
            z: z.clone(),
            zy,
            zy_to_z,
            zy_to_y,
        })
    }

    /// The conditioning column.
    pub fn z(&self) -> &Codes {
        &self.z
    }

    /// `N·(H(X,Z), H(X,Z,Y))` (exact, units of `2^-64`) of a candidate `x` of the same
    /// length, counted into the worker's reusable scratch.
    pub fn entropies_exact(&self, x: &Codes, nl: &NLogNTable, s: &mut Scratch) -> (i128, i128) {
        let c = self;
        let n = x.len();
        let nzy = c.zy.cardinality() as u64;
        let nz = c.z.cardinality() as u64;
        let nx = x.cardinality() as u64;
        let cells = nx * nzy;
        if cells <= dense_limit(n, true) && nx * nz <= dense_limit(n, true) {
            s.table.clear();
            s.table.resize(cells as usize, 0);
            with_codes!(x, sx => with_codes!(&c.zy, szy => scatter(sx, szy, nzy as usize, &mut s.table)));
            let h_xzy = nl.scaled_entropy(NLogNSum::from_counts_with(&s.table, nl), n as u64);
            s.marginal.clear();
            s.marginal.resize((nx * nz) as usize, 0);
            for (xi, row) in s.table.chunks_exact(nzy as usize).enumerate() {
                let out = &mut s.marginal[xi * nz as usize..(xi + 1) * nz as usize];
                for (k, &cnt) in row.iter().enumerate() {
                    out[c.zy_to_z[k] as usize] += cnt;
                }
            }
            let h_xz = nl.scaled_entropy(NLogNSum::from_counts_with(&s.marginal, nl), n as u64);
            (h_xz, h_xzy)
        } else {
            with_codes!(x, sx => with_codes!(&c.zy, szy => fill_keys(sx, szy, nzy, &mut s.keys)));
            let h_xzy = sorted::scaled_entropy(&mut s.keys, nl);
            with_codes!(x, sx => with_codes!(&c.z, sz => fill_keys(sx, sz, nz, &mut s.keys)));
            let h_xz = sorted::scaled_entropy(&mut s.keys, nl);
            (h_xz, h_xzy)
        }
    }
}

/// A conditioning column and the target, prepared once to count many candidates against them.
#[derive(Debug, Clone)]
pub struct ConditionedTarget {
    prepared: Conditioning,
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
        let prepared = Conditioning::new(z, y)?;
        let nl = NLogNTable::new(z.len() as u64);
        let (h_z, kz) = column_stats(z, est);
        let (h_y, ky) = column_stats(y, est);
        let h_zy = est.entropy(&prepared.zy.counts(), kz * ky);
        Ok(ConditionedTarget {
            h_z,
            h_y,
            kz,
            ky,
            h_zy,
            prepared,
            nz: z.cardinality(),
            ny: y.cardinality(),
            est,
            nl,
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.prepared.zy.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.prepared.zy.is_empty()
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
        let prep = &self.prepared;
        let nzy = prep.zy.cardinality() as u64;
        let cells = nx * nzy;
        let (h_x, kx) = column_stats(x, est);
        let (kz, ky) = (self.kz, self.ky);
        let (h_xz, h_xy, h_xzy);
        let limit = dense_limit(n, false);
        if cells <= limit && nx * nz <= limit && nx * ny <= limit {
            let mut t = vec![0u32; cells as usize];
            with_codes!(x, sx => with_codes!(&prep.zy, szy => scatter(sx, szy, nzy as usize, &mut t)));
            h_xzy = entropy_u32(est, &t, n as u64, kx * kz * ky, &self.nl);
            let mut xz = vec![0u32; (nx * nz) as usize];
            let mut xy = vec![0u32; (nx * ny) as usize];
            for (xi, row) in t.chunks_exact(nzy as usize).enumerate() {
                for (k, &c) in row.iter().enumerate() {
                    if c > 0 {
                        xz[xi * nz as usize + prep.zy_to_z[k] as usize] += c;
                        xy[xi * ny as usize + prep.zy_to_y[k] as usize] += c;
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
            with_codes!(x, sx => with_codes!(&prep.zy, szy => {
                for (&a, &b) in sx.iter().zip(szy) {
                    let a = a.idx() as u64;
                    let b = b.idx();
                    kxzy.push(a * nzy + b as u64);
                    kxz.push(a * nz + prep.zy_to_z[b] as u64);
                    kxy.push(a * ny + prep.zy_to_y[b] as u64);
                }
            }));
            h_xzy = sorted::entropy(est, &mut kxzy, kx * kz * ky, &self.nl);
            h_xz = sorted::entropy(est, &mut kxz, kx * kz, &self.nl);
            h_xy = sorted::entropy(est, &mut kxy, kx * ky, &self.nl);
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
