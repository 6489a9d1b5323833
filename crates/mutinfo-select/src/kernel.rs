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
//!
//! When every column is stored as `u8` (discretized data), the rounds use blocked kernels
//! instead: a per-round key column `w[r] = (z·n_y + y)·unit` (`u16`) is shared by all
//! candidates, four candidates are counted per pass over the rows, and when the largest
//! cardinality `s` has `s² ≤ 256` the columns are pre-paired into bytes `x_a·s + x_b`, so one
//! increment counts two candidates; their own tables are summed out of the pair's table. The
//! counts are the same integers, so the entropies are bit-identical to the single path.

use mutinfo_core::codes::{Code, CodeVec};
use mutinfo_core::exact::{NLogNSum, NLogNTable};
use mutinfo_core::{with_codes, CodeMatrix, Codes, Result};

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

/// Candidates counted together per pass over the rows by the blocked `u8` kernels.
pub(crate) const BLOCK: usize = 4;
/// Cells of one table of the blocked kernels (a power of two: indices are masked with
/// `BLOCK_CELLS - 1`, which never changes an in-range index and lets the compiler drop the
/// bounds checks).
const BLOCK_CELLS: usize = 8192;

/// The candidate columns as `u8` slices (when every column is stored as `u8`), with their
/// common stride `s` (the largest cardinality), and, when `s² ≤ 256`, the pair columns
/// `x_{2i}·s + x_{2i+1}`: one byte holds two candidates, so one increment counts both.
#[derive(Debug)]
pub(crate) struct U8Columns<'a> {
    cols: Vec<&'a [u8]>,
    stride: usize,
    pairs: Vec<Vec<u8>>,
}

impl<'a> U8Columns<'a> {
    /// `None` unless every column is stored as `u8`; `with_pairs` builds the pair columns.
    pub(crate) fn new(x: &'a CodeMatrix, with_pairs: bool) -> Option<Self> {
        let mut cols = Vec::with_capacity(x.n_cols());
        let mut stride = 1;
        for c in x.columns() {
            match c.storage() {
                CodeVec::U8(v) => cols.push(v.as_slice()),
                _ => return None,
            }
            stride = stride.max(c.cardinality() as usize);
        }
        let pairs = if with_pairs && stride * stride <= 256 {
            cols.chunks_exact(2)
                .map(|ab| {
                    ab[0]
                        .iter()
                        .zip(ab[1])
                        .map(|(&a, &b)| (a as usize * stride + b as usize) as u8)
                        .collect()
                })
                .collect()
        } else {
            Vec::new()
        };
        Some(U8Columns {
            cols,
            stride,
            pairs,
        })
    }

    /// The common stride (largest cardinality).
    pub(crate) fn stride(&self) -> usize {
        self.stride
    }

    /// Whether the pair columns were built.
    pub(crate) fn has_pairs(&self) -> bool {
        !self.pairs.is_empty()
    }
}

/// A conditioning column (and optionally the class) prepared for the blocked kernels: the
/// table offset of every row, `w[r] = (z[r]·n_y + y[r])·unit` (`n_y = 1` without the class),
/// so that a candidate's cell is `w[r] + x[r]` (`unit = s`) or a pair's `w[r] + x_a[r]·s +
/// x_b[r]` (`unit = s²`).
#[derive(Debug)]
pub(crate) struct BlockKeys {
    w: Vec<u16>,
    nz: usize,
    ny: usize,
    unit: usize,
}

impl BlockKeys {
    /// `None` when a table would exceed the kernels' size.
    pub(crate) fn new(z: &Codes, y: Option<&Codes>, unit: usize) -> Option<Self> {
        let nz = z.cardinality() as usize;
        let ny = y.map_or(1, |y| y.cardinality() as usize);
        if nz.checked_mul(ny)?.checked_mul(unit)? > BLOCK_CELLS {
            return None;
        }
        let mut w = vec![0u16; z.len()];
        with_codes!(z, sz => {
            for (o, &c) in w.iter_mut().zip(sz) {
                *o = (c.idx() * ny * unit) as u16;
            }
        });
        if let Some(y) = y {
            with_codes!(y, sy => {
                for (o, &c) in w.iter_mut().zip(sy) {
                    *o += (c.idx() * unit) as u16;
                }
            });
        }
        Some(BlockKeys { w, nz, ny, unit })
    }

    fn groups(&self) -> usize {
        self.nz * self.ny
    }

    fn cells(&self) -> usize {
        self.groups() * self.unit
    }
}

/// Reusable tables of the blocked kernels (one worker's).
#[derive(Debug)]
pub(crate) struct BlockScratch {
    tables: Vec<[u32; BLOCK_CELLS]>,
    single: Vec<u32>,
    marginal: Vec<u32>,
}

impl Default for BlockScratch {
    fn default() -> Self {
        BlockScratch {
            tables: vec![[0u32; BLOCK_CELLS]; BLOCK],
            single: Vec::new(),
            marginal: Vec::new(),
        }
    }
}

const M: usize = BLOCK_CELLS - 1;

/// Counts four `u8` columns against the row offsets in one pass: each row loads its offset
/// once, and the four increments are independent.
fn count4(w: &[u16], xs: [&[u8]; 4], t: &mut [[u32; BLOCK_CELLS]]) {
    let n = w.len();
    let (a0, a1, a2, a3) = (&xs[0][..n], &xs[1][..n], &xs[2][..n], &xs[3][..n]);
    let [t0, t1, t2, t3, ..] = t else {
        unreachable!("four tables")
    };
    for r in 0..n {
        let o = w[r] as usize;
        t0[(o + a0[r] as usize) & M] += 1;
        t1[(o + a1[r] as usize) & M] += 1;
        t2[(o + a2[r] as usize) & M] += 1;
        t3[(o + a3[r] as usize) & M] += 1;
    }
}

/// Counts two pair columns (four candidates) against the row offsets in one pass.
fn count2(w: &[u16], xs: [&[u8]; 2], t: &mut [[u32; BLOCK_CELLS]]) {
    let n = w.len();
    let (a0, a1) = (&xs[0][..n], &xs[1][..n]);
    let [t0, t1, ..] = t else {
        unreachable!("two tables")
    };
    for r in 0..n {
        let o = w[r] as usize;
        t0[(o + a0[r] as usize) & M] += 1;
        t1[(o + a1[r] as usize) & M] += 1;
    }
}

/// `(H(X,Z), H(X,Z,Y))` from a candidate's table laid out `t[(z·n_y + y)·s + x]`.
fn table_entropies(
    t: &[u32],
    keys: &BlockKeys,
    s: usize,
    nl: &NLogNTable,
    marginal: &mut Vec<u32>,
) -> (f64, f64) {
    let n = keys.w.len() as u64;
    debug_assert_eq!(t.len(), keys.groups() * s);
    let h_xzy = NLogNSum::from_counts_with(t, nl).entropy(n);
    if keys.ny == 1 {
        return (h_xzy, h_xzy);
    }
    marginal.clear();
    marginal.resize(keys.nz * s, 0);
    for (z, m) in marginal.chunks_exact_mut(s).enumerate() {
        for y in 0..keys.ny {
            let row = &t[(z * keys.ny + y) * s..][..s];
            for (a, &c) in m.iter_mut().zip(row) {
                *a += c;
            }
        }
    }
    (NLogNSum::from_counts_with(marginal, nl).entropy(n), h_xzy)
}

/// `(H(X,Z), H(X,Z,Y))` of up to [`BLOCK`] candidates `js` with keys of unit `s`, from one
/// pass over the rows (`H(X,Z,Y) = H(X,Z)` when the keys were built without the class).
/// Exact `Σ n ln n` sums: equal bit for bit to [`triple_entropies`] and [`pair_entropy`].
pub(crate) fn block_entropies(
    cols: &U8Columns<'_>,
    js: &[usize],
    keys: &BlockKeys,
    nl: &NLogNTable,
    s: &mut BlockScratch,
) -> [(f64, f64); BLOCK] {
    debug_assert!(!js.is_empty() && js.len() <= BLOCK && keys.unit == cols.stride);
    let cells = keys.cells();
    // Pad a short block with its first column; the padded results are ignored.
    let xs: [&[u8]; BLOCK] = std::array::from_fn(|i| cols.cols[js[i.min(js.len() - 1)]]);
    for t in s.tables.iter_mut() {
        t[..cells].fill(0);
    }
    count4(&keys.w, xs, &mut s.tables);
    let mut out = [(0.0, 0.0); BLOCK];
    for (o, t) in out.iter_mut().zip(&s.tables).take(js.len()) {
        *o = table_entropies(&t[..cells], keys, cols.stride, nl, &mut s.marginal);
    }
    out
}

/// As [`block_entropies`] for the candidates `2i, 2i+1` of each pair index `i` in `ps` (at
/// most two), with keys of unit `s²`: one increment per row counts both candidates of a pair,
/// whose own tables are then summed out of the pair's.
pub(crate) fn pair_block_entropies(
    cols: &U8Columns<'_>,
    ps: &[usize],
    keys: &BlockKeys,
    nl: &NLogNTable,
    s: &mut BlockScratch,
) -> [(f64, f64); BLOCK] {
    let st = cols.stride;
    debug_assert!(!ps.is_empty() && ps.len() <= 2 && keys.unit == st * st);
    let cells = keys.cells();
    let xs: [&[u8]; 2] = std::array::from_fn(|i| cols.pairs[ps[i.min(ps.len() - 1)]].as_slice());
    for t in s.tables.iter_mut().take(2) {
        t[..cells].fill(0);
    }
    count2(&keys.w, xs, &mut s.tables);
    let mut out = [(0.0, 0.0); BLOCK];
    let small = keys.groups() * st;
    for (o, t) in out.chunks_exact_mut(2).zip(&s.tables).take(ps.len()) {
        // First candidate: sum each run of `s` cells; second: sum the runs elementwise.
        s.single.clear();
        s.single.resize(small, 0);
        for (c, run) in s.single.iter_mut().zip(t[..cells].chunks_exact(st)) {
            *c = run.iter().sum();
        }
        o[0] = table_entropies(&s.single, keys, st, nl, &mut s.marginal);
        s.single.fill(0);
        for (g, out) in s.single.chunks_exact_mut(st).enumerate() {
            for run in t[g * st * st..(g + 1) * st * st].chunks_exact(st) {
                for (a, &c) in out.iter_mut().zip(run) {
                    *a += c;
                }
            }
        }
        o[1] = table_entropies(&s.single, keys, st, nl, &mut s.marginal);
    }
    out
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

    #[test]
    fn blocked_kernels_match_core() {
        // Brute force: mutinfo-core's joint entropies, on random columns whose cardinalities
        // vary (so the stride exceeds some columns' cardinality) and short blocks.
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for case in 0..40 {
            let n = rng.gen_range(1..300);
            let p = rng.gen_range(1..12);
            let max_card = if case % 2 == 0 { 16 } else { 5 };
            let cols: Vec<Codes> = (0..p)
                .map(|_| {
                    let card = rng.gen_range(1..=max_card);
                    codes(
                        &(0..n).map(|_| rng.gen_range(0..card)).collect::<Vec<_>>(),
                        card,
                    )
                })
                .collect();
            let x = CodeMatrix::from_columns(cols).unwrap();
            let zc = rng.gen_range(1..8);
            let z = codes(
                &(0..n).map(|_| rng.gen_range(0..zc)).collect::<Vec<_>>(),
                zc,
            );
            let yc = rng.gen_range(1..4);
            let y = codes(
                &(0..n).map(|_| rng.gen_range(0..yc)).collect::<Vec<_>>(),
                yc,
            );
            let u8c = U8Columns::new(&x, true).unwrap();
            let st = u8c.stride();
            let nl = NLogNTable::new(n as u64);
            let mut s = BlockScratch::default();
            let all: Vec<usize> = (0..p).collect();
            for with_y in [false, true] {
                let yy = with_y.then_some(&y);
                let want = |j: usize| {
                    let xj = x.column(j);
                    let h_xz = joint_entropy(&[xj, &z]).unwrap();
                    let h_xzy = if with_y {
                        joint_entropy(&[xj, &z, &y]).unwrap()
                    } else {
                        h_xz
                    };
                    (h_xz, h_xzy)
                };
                let keys = BlockKeys::new(&z, yy, st).unwrap();
                for js in all.chunks(BLOCK) {
                    let got = block_entropies(&u8c, js, &keys, &nl, &mut s);
                    for (&j, &g) in js.iter().zip(&got) {
                        assert_eq!(g, want(j), "single, case {case}, column {j}");
                    }
                }
                if u8c.has_pairs() {
                    let keys = BlockKeys::new(&z, yy, st * st).unwrap();
                    let ps: Vec<usize> = (0..p / 2).collect();
                    for chunk in ps.chunks(2) {
                        let got = pair_block_entropies(&u8c, chunk, &keys, &nl, &mut s);
                        let js = chunk.iter().flat_map(|&i| [2 * i, 2 * i + 1]);
                        for (j, &g) in js.zip(&got) {
                            assert_eq!(g, want(j), "pair, case {case}, column {j}");
                        }
                    }
                }
            }
        }
    }
}
