//! Blocked kernels for small codes: several `u8` candidates counted per pass over the rows,
//! for the pair entropies against a target and for the selection rounds.
//!
//! In the rounds, when every column is stored as `u8` (discretized data), a per-round key
//! column `w[r] = (z·n_y + y)·unit` (`u16`) is shared by all candidates, four candidates are
//! counted per pass over the rows, and when the largest cardinality `s` has `s² ≤ 256` the
//! columns are pre-paired into bytes `x_a·s + x_b`, so one increment counts two candidates;
//! their own tables are summed out of the pair's table. The counts are the same integers, so
//! the entropies are bit-identical to the single-candidate paths.

use crate::codes::{with_codes, Code, CodeVec};
use crate::exact::{NLogNSum, NLogNTable};
use crate::{CodeMatrix, Codes};

/// Four `u8` candidates against the target in one pass: each row loads the target once, and
/// the four independent increments keep the core busy. Tables are target-major with stride
/// 256 (`t[y·256 + x]`), so the row offset is a shift of the target code.
pub(crate) fn pair_block_u8<Y: Code>(xs: [&[u8]; BLOCK], y: &[Y], nb: usize) -> [Vec<u32>; BLOCK] {
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

/// Candidates counted together per pass over the rows by the blocked `u8` kernels.
pub const BLOCK: usize = 4;
/// Cells of one table of the blocked kernels (a power of two: indices are masked with
/// `BLOCK_CELLS - 1`, which never changes an in-range index and lets the compiler drop the
/// bounds checks).
const BLOCK_CELLS: usize = 8192;

/// The candidate columns as `u8` slices (when every column is stored as `u8`), with their
/// common stride `s` (the largest cardinality), and, when `s² ≤ 256`, the pair columns
/// `x_{2i}·s + x_{2i+1}`: one byte holds two candidates, so one increment counts both.
#[derive(Debug)]
pub struct U8Columns<'a> {
    cols: Vec<&'a [u8]>,
    stride: usize,
    pairs: Vec<Vec<u8>>,
}

impl<'a> U8Columns<'a> {
    /// `None` unless every column is stored as `u8`; `with_pairs` builds the pair columns.
    pub fn new(x: &'a CodeMatrix, with_pairs: bool) -> Option<Self> {
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
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// Whether the pair columns were built.
    pub fn has_pairs(&self) -> bool {
        !self.pairs.is_empty()
    }
}

/// A conditioning column (and optionally the class) prepared for the blocked kernels: the
/// table offset of every row, `w[r] = (z[r]·n_y + y[r])·unit` (`n_y = 1` without the class),
/// so that a candidate's cell is `w[r] + x[r]` (`unit = s`) or a pair's `w[r] + x_a[r]·s +
/// x_b[r]` (`unit = s²`).
#[derive(Debug)]
pub struct BlockKeys {
    w: Vec<u16>,
    nz: usize,
    ny: usize,
    unit: usize,
}

impl BlockKeys {
    /// `None` when a table would exceed the kernels' size.
    pub fn new(z: &Codes, y: Option<&Codes>, unit: usize) -> Option<Self> {
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
pub struct BlockScratch {
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
) -> (i128, i128) {
    let n = keys.w.len() as u64;
    debug_assert_eq!(t.len(), keys.groups() * s);
    let h_xzy = nl.scaled_entropy(NLogNSum::from_counts_with(t, nl), n);
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
    (
        nl.scaled_entropy(NLogNSum::from_counts_with(marginal, nl), n),
        h_xzy,
    )
}

/// `(H(X,Z), H(X,Z,Y))` of up to [`BLOCK`] candidates `js` with keys of unit `s`, from one
/// pass over the rows (`H(X,Z,Y) = H(X,Z)` when the keys were built without the class).
/// Exact `Σ n ln n` sums: equal bit for bit to
/// [`Conditioning::entropies_exact`](super::Conditioning::entropies_exact) and
/// [`pair_entropy_exact`](super::pair_entropy_exact).
pub fn block_entropies(
    cols: &U8Columns<'_>,
    js: &[usize],
    keys: &BlockKeys,
    nl: &NLogNTable,
    s: &mut BlockScratch,
) -> [(i128, i128); BLOCK] {
    debug_assert!(!js.is_empty() && js.len() <= BLOCK && keys.unit == cols.stride);
    let cells = keys.cells();
    // Pad a short block with its first column; the padded results are ignored.
    let xs: [&[u8]; BLOCK] = std::array::from_fn(|i| cols.cols[js[i.min(js.len() - 1)]]);
    for t in s.tables.iter_mut() {
        t[..cells].fill(0);
    }
    count4(&keys.w, xs, &mut s.tables);
    let mut out = [(0, 0); BLOCK];
    for (o, t) in out.iter_mut().zip(&s.tables).take(js.len()) {
        *o = table_entropies(&t[..cells], keys, cols.stride, nl, &mut s.marginal);
    }
    out
}

/// As [`block_entropies`] for the candidates `2i, 2i+1` of each pair index `i` in `ps` (at
/// most two), with keys of unit `s²`: one increment per row counts both candidates of a pair,
/// whose own tables are then summed out of the pair's.
pub fn pair_block_entropies(
    cols: &U8Columns<'_>,
    ps: &[usize],
    keys: &BlockKeys,
    nl: &NLogNTable,
    s: &mut BlockScratch,
) -> [(i128, i128); BLOCK] {
    let st = cols.stride;
    debug_assert!(!ps.is_empty() && ps.len() <= 2 && keys.unit == st * st);
    let cells = keys.cells();
    let xs: [&[u8]; 2] = std::array::from_fn(|i| cols.pairs[ps[i.min(ps.len() - 1)]].as_slice());
    for t in s.tables.iter_mut().take(2) {
        t[..cells].fill(0);
    }
    count2(&keys.w, xs, &mut s.tables);
    let mut out = [(0, 0); BLOCK];
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
    use crate::exact::fixed_to_f64;
    use crate::joint_entropy;
    use crate::kernels::{pair_entropy_exact, Conditioning, Scratch};

    /// An exact `N·H` as the entropy in nats that mutinfo-core reports.
    fn nats(v: i128, n: usize) -> f64 {
        fixed_to_f64(v) / n as f64
    }

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
        let (h_xz, h_xzy) = c.entropies_exact(&x, &nl, &mut s);
        assert_eq!(nats(h_xz, 10), joint_entropy(&[&x, &z]).unwrap());
        assert_eq!(nats(h_xzy, 10), joint_entropy(&[&x, &z, &y]).unwrap());
        assert_eq!(pair_entropy_exact(&x, &z, &nl, &mut s), h_xz);
        // Wide codes force the sorted path.
        let n = 10u32;
        let wide_x = codes(
            &(0..n).map(|i| i * 1_000_000).collect::<Vec<_>>(),
            10_000_000,
        );
        let (h_xz, h_xzy) = c.entropies_exact(&wide_x, &nl, &mut s);
        assert_eq!(nats(h_xz, 10), joint_entropy(&[&wide_x, &z]).unwrap());
        assert_eq!(nats(h_xzy, 10), joint_entropy(&[&wide_x, &z, &y]).unwrap());
        assert_eq!(pair_entropy_exact(&wide_x, &z, &nl, &mut s), h_xz);
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
                        assert_eq!(
                            (nats(g.0, n), nats(g.1, n)),
                            want(j),
                            "single, case {case}, column {j}"
                        );
                    }
                }
                if u8c.has_pairs() {
                    let keys = BlockKeys::new(&z, yy, st * st).unwrap();
                    let ps: Vec<usize> = (0..p / 2).collect();
                    for chunk in ps.chunks(2) {
                        let got = pair_block_entropies(&u8c, chunk, &keys, &nl, &mut s);
                        let js = chunk.iter().flat_map(|&i| [2 * i, 2 * i + 1]);
                        for (j, &g) in js.zip(&got) {
                            assert_eq!(
                                (nats(g.0, n), nats(g.1, n)),
                                want(j),
                                "pair, case {case}, column {j}"
                            );
                        }
                    }
                }
            }
        }
    }
}
