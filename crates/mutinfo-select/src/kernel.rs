//! The counting kernel of the selection loop: one candidate against the newest selected
//! feature (and the class), into a reusable dense table.
//!
//! `mutinfo_core::ConditionedTarget` gives all seven entropies of a triple; the loop needs only
//! `H(X,Z)` and `H(X,Z,Y)` (the candidate's `H(X)` and `H(X,Y)` do not change between rounds,
//! and those of `Z` and `(Z,Y)` are shared by all candidates), and mRMR/MIFS need only `H(X,Z)`.
//! Counting just those into a per-thread scratch table, with no allocation per candidate, is
//! what makes a round one cheap pass. Entropies are exact `Σ n ln n` sums
//! ([`mutinfo_core::exact`]), so they equal mutinfo-core's bit for bit and do not depend on the
//! cell order.

use mutinfo_core::codes::Code;
use mutinfo_core::exact::{NLogNSum, NLogNTable};
use mutinfo_core::{with_codes, Codes, Result};

/// Largest dense table (cells) counted by scatter-add; larger ones are counted by sorting.
fn dense_limit(n: usize) -> u64 {
    (16 * n as u64).clamp(1 << 16, 1 << 26)
}

/// Reusable scratch space of one worker.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    table: Vec<u32>,
    marginal: Vec<u32>,
    keys: Vec<u64>,
}

/// A conditioning column `Z` (the newest selected feature, or the joint of the selected set)
/// prepared together with the class `Y`.
#[derive(Debug, Clone)]
pub(crate) struct Conditioning {
    z: Codes,
    zy: Codes,
    zy_to_z: Vec<u32>,
    /// `H(Z)`.
    pub h_z: f64,
    /// `H(Z,Y)`.
    pub h_zy: f64,
}

impl Conditioning {
    pub(crate) fn new(z: &Codes, y: &Codes) -> Result<Self> {
        let zy = z.joint(y)?;
        let mut zy_to_z = vec![0u32; zy.cardinality() as usize];
        for i in 0..zy.len() {
            zy_to_z[zy.get(i) as usize] = z.get(i);
        }
        let n = z.len() as u64;
        Ok(Conditioning {
            h_z: NLogNSum::from_counts(z.counts()).entropy(n),
            h_zy: NLogNSum::from_counts(zy.counts()).entropy(n),
            z: z.clone(),
            zy,
            zy_to_z,
        })
    }

    /// The conditioning column.
    pub(crate) fn z(&self) -> &Codes {
        &self.z
    }
}

#[inline]
fn scatter<A: Code, B: Code>(a: &[A], b: &[B], nb: usize, table: &mut [u32]) {
    for (&x, &y) in a.iter().zip(b) {
        table[x.idx() * nb + y.idx()] += 1;
    }
}

fn fill_keys<A: Code, B: Code>(a: &[A], b: &[B], nb: u64, keys: &mut Vec<u64>) {
    keys.clear();
    keys.extend(
        a.iter()
            .zip(b)
            .map(|(&x, &y)| x.idx() as u64 * nb + y.idx() as u64),
    );
}

/// Entropy of the runs of sorted keys.
fn sorted_entropy(keys: &mut [u64]) -> f64 {
    keys.sort_unstable();
    let mut s = NLogNSum::ZERO;
    let mut i = 0;
    while i < keys.len() {
        let mut j = i + 1;
        while j < keys.len() && keys[j] == keys[i] {
            j += 1;
        }
        s.add_count((j - i) as u64);
        i = j;
    }
    s.entropy(keys.len() as u64)
}

/// `H(A,B)` of two equal-length columns.
pub(crate) fn pair_entropy(a: &Codes, b: &Codes, nl: &NLogNTable, s: &mut Scratch) -> f64 {
    let n = a.len();
    let nb = b.cardinality() as u64;
    let cells = a.cardinality() as u64 * nb;
    if cells <= dense_limit(n) {
        s.table.clear();
        s.table.resize(cells as usize, 0);
        with_codes!(a, sa => with_codes!(b, sb => scatter(sa, sb, nb as usize, &mut s.table)));
        NLogNSum::from_counts_with(&s.table, nl).entropy(n as u64)
    } else {
        with_codes!(a, sa => with_codes!(b, sb => fill_keys(sa, sb, nb, &mut s.keys)));
        sorted_entropy(&mut s.keys)
    }
}

/// `(H(X,Z), H(X,Z,Y))` of a candidate with a prepared conditioning.
pub(crate) fn triple_entropies(
    x: &Codes,
    c: &Conditioning,
    nl: &NLogNTable,
    s: &mut Scratch,
) -> (f64, f64) {
    let n = x.len();
    let nzy = c.zy.cardinality() as u64;
    let nz = c.z.cardinality() as u64;
    let nx = x.cardinality() as u64;
    let cells = nx * nzy;
    if cells <= dense_limit(n) && nx * nz <= dense_limit(n) {
        s.table.clear();
        s.table.resize(cells as usize, 0);
        with_codes!(x, sx => with_codes!(&c.zy, szy => scatter(sx, szy, nzy as usize, &mut s.table)));
        let h_xzy = NLogNSum::from_counts_with(&s.table, nl).entropy(n as u64);
        s.marginal.clear();
        s.marginal.resize((nx * nz) as usize, 0);
        for (xi, row) in s.table.chunks_exact(nzy as usize).enumerate() {
            let out = &mut s.marginal[xi * nz as usize..(xi + 1) * nz as usize];
            for (k, &cnt) in row.iter().enumerate() {
                out[c.zy_to_z[k] as usize] += cnt;
            }
        }
        let h_xz = NLogNSum::from_counts_with(&s.marginal, nl).entropy(n as u64);
        (h_xz, h_xzy)
    } else {
        with_codes!(x, sx => with_codes!(&c.zy, szy => fill_keys(sx, szy, nzy, &mut s.keys)));
        let h_xzy = sorted_entropy(&mut s.keys);
        with_codes!(x, sx => with_codes!(&c.z, sz => fill_keys(sx, sz, nz, &mut s.keys)));
        let h_xz = sorted_entropy(&mut s.keys);
        (h_xz, h_xzy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mutinfo_core::{joint_entropy, Codes};

    fn codes(v: &[u32], card: u32) -> Codes {
        Codes::from_codes(v.to_vec(), card).unwrap()
    }

    #[test]
    fn matches_core_dense_and_sorted() {
        // Brute force: mutinfo-core's joint entropies of the same columns.
        let x = codes(&[0, 1, 2, 2, 1, 0, 0, 2, 1, 1], 3);
        let z = codes(&[1, 1, 0, 0, 1, 0, 1, 1, 0, 0], 2);
        let y = codes(&[0, 0, 1, 1, 0, 1, 0, 1, 1, 0], 2);
        let nl = NLogNTable::new(10);
        let mut s = Scratch::default();
        let c = Conditioning::new(&z, &y).unwrap();
        let (h_xz, h_xzy) = triple_entropies(&x, &c, &nl, &mut s);
        assert_eq!(h_xz, joint_entropy(&[&x, &z]).unwrap());
        assert_eq!(h_xzy, joint_entropy(&[&x, &z, &y]).unwrap());
        assert_eq!(pair_entropy(&x, &z, &nl, &mut s), h_xz);
        // Wide codes force the sorted path.
        let n = 10u32;
        let wide_x = codes(
            &(0..n).map(|i| i * 1_000_000).collect::<Vec<_>>(),
            10_000_000,
        );
        let (h_xz, h_xzy) = triple_entropies(&wide_x, &c, &nl, &mut s);
        assert_eq!(h_xz, joint_entropy(&[&wide_x, &z]).unwrap());
        assert_eq!(h_xzy, joint_entropy(&[&wide_x, &z, &y]).unwrap());
        assert_eq!(pair_entropy(&wide_x, &z, &nl, &mut s), h_xz);
    }
}
