//! The one dense kernel of BatchBALD: `q = P · X` with `P` given transposed (`pt`, `[K × rows]`)
//! and `X` the candidates' planes side by side (`[K × ld]`, `ld` a multiple of [`PAD_F32`] /
//! [`PAD_F64`]), into row-major `q` (`[rows × ld]`).
//!
//! Every output is `Σ_k P[m, k] · X[k, j]` accumulated in `k` order with fused multiply-adds
//! (`mul_add`), whatever the tiling or instruction set, so the result is bit-identical on every
//! path (wide vectors where the CPU has them, the portable loop otherwise) and for any thread
//! count. Tiles: 6 rows of `P` × 2 vector registers of columns, `X` tile kept in L1.

/// Column padding for single precision: candidate blocks are laid out on multiples of this.
pub(crate) const PAD_F32: usize = 32;
/// Column padding for double precision.
pub(crate) const PAD_F64: usize = 16;

/// Rows of `P` per micro-tile.
const MR: usize = 6;

/// A float the kernel accumulates in.
pub(crate) trait Lane: Copy + Default {
    /// `a · b + c` rounded once.
    fn fma(a: Self, b: Self, c: Self) -> Self;
}

impl Lane for f32 {
    #[inline(always)]
    fn fma(a: Self, b: Self, c: Self) -> Self {
        a.mul_add(b, c)
    }
}

impl Lane for f64 {
    #[inline(always)]
    fn fma(a: Self, b: Self, c: Self) -> Self {
        a.mul_add(b, c)
    }
}

/// `q = Pᵀᵀ · X` in single precision (see the module docs).
pub(crate) fn gemm_f32(pt: &[f32], rows: usize, k: usize, x: &[f32], ld: usize, q: &mut [f32]) {
    check(pt.len(), rows, k, x.len(), ld, q.len(), PAD_F32);
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has AVX-512F and FMA, all that the callee enables.
            #[allow(unsafe_code)]
            unsafe {
                gemm_avx512::<f32, 32>(pt, rows, k, x, ld, q);
            }
            return;
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has AVX2 and FMA, all that the callee enables.
            #[allow(unsafe_code)]
            unsafe {
                gemm_avx2::<f32, 16>(pt, rows, k, x, ld, q);
            }
            return;
        }
    }
    gemm_portable::<f32, 16>(pt, rows, k, x, ld, q);
}

/// `q = Pᵀᵀ · X` in double precision (see the module docs).
pub(crate) fn gemm_f64(pt: &[f64], rows: usize, k: usize, x: &[f64], ld: usize, q: &mut [f64]) {
    check(pt.len(), rows, k, x.len(), ld, q.len(), PAD_F64);
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has AVX-512F and FMA, all that the callee enables.
            #[allow(unsafe_code)]
            unsafe {
                gemm_avx512::<f64, 16>(pt, rows, k, x, ld, q);
            }
            return;
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has AVX2 and FMA, all that the callee enables.
            #[allow(unsafe_code)]
            unsafe {
                gemm_avx2::<f64, 8>(pt, rows, k, x, ld, q);
            }
            return;
        }
    }
    gemm_portable::<f64, 8>(pt, rows, k, x, ld, q);
}

fn check(pt: usize, rows: usize, k: usize, x: usize, ld: usize, q: usize, pad: usize) {
    assert!(ld % pad == 0, "ld {ld} not a multiple of {pad}");
    assert!(
        pt == rows * k && x == k * ld && q == rows * ld,
        "gemm shapes"
    );
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
fn gemm_avx512<T: Lane, const NR: usize>(
    pt: &[T],
    rows: usize,
    k: usize,
    x: &[T],
    ld: usize,
    q: &mut [T],
) {
    gemm_portable::<T, NR>(pt, rows, k, x, ld, q);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn gemm_avx2<T: Lane, const NR: usize>(
    pt: &[T],
    rows: usize,
    k: usize,
    x: &[T],
    ld: usize,
    q: &mut [T],
) {
    gemm_portable::<T, NR>(pt, rows, k, x, ld, q);
}

#[inline(always)]
fn gemm_portable<T: Lane, const NR: usize>(
    pt: &[T],
    rows: usize,
    k: usize,
    x: &[T],
    ld: usize,
    q: &mut [T],
) {
    for j0 in (0..ld).step_by(NR) {
        let mut m0 = 0;
        while m0 + MR <= rows {
            micro::<T, MR, NR>(pt, rows, m0, k, x, ld, j0, q);
            m0 += MR;
        }
        while m0 < rows {
            micro::<T, 1, NR>(pt, rows, m0, k, x, ld, j0, q);
            m0 += 1;
        }
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn micro<T: Lane, const R: usize, const NR: usize>(
    pt: &[T],
    rows: usize,
    m0: usize,
    k: usize,
    x: &[T],
    ld: usize,
    j0: usize,
    q: &mut [T],
) {
    let mut acc = [[T::default(); NR]; R];
    for kk in 0..k {
        let xr: &[T; NR] = x[kk * ld + j0..kk * ld + j0 + NR]
            .try_into()
            .expect("tile inside x");
        let pr: &[T; R] = pt[kk * rows + m0..kk * rows + m0 + R]
            .try_into()
            .expect("tile inside pt");
        for r in 0..R {
            let a = pr[r];
            for j in 0..NR {
                acc[r][j] = T::fma(a, xr[j], acc[r][j]);
            }
        }
    }
    for (r, row) in acc.iter().enumerate() {
        let at = (m0 + r) * ld + j0;
        q[at..at + NR].copy_from_slice(row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_naive_fma_loop_bit_for_bit() {
        let (rows, k, ld) = (13, 7, 2 * PAD_F32);
        let p: Vec<f32> = (0..rows * k)
            .map(|i| ((i * 37 % 101) as f32) / 101.0)
            .collect();
        let x: Vec<f32> = (0..k * ld).map(|i| ((i * 53 % 97) as f32) / 97.0).collect();
        let pt: Vec<f32> = (0..k * rows)
            .map(|i| p[(i % rows) * k + i / rows])
            .collect();
        let mut q = vec![0.0f32; rows * ld];
        gemm_f32(&pt, rows, k, &x, ld, &mut q);
        let mut q2 = vec![0.0f32; rows * ld];
        gemm_portable::<f32, 16>(&pt, rows, k, &x, ld, &mut q2);
        for m in 0..rows {
            for j in 0..ld {
                let mut s = 0.0f32;
                for kk in 0..k {
                    s = p[m * k + kk].mul_add(x[kk * ld + j], s);
                }
                assert_eq!(q[m * ld + j].to_bits(), s.to_bits());
                assert_eq!(q2[m * ld + j].to_bits(), s.to_bits());
            }
        }
        let (ld, rows) = (PAD_F64, 8);
        let p: Vec<f64> = (0..rows * k).map(|i| (i as f64).sin()).collect();
        let x: Vec<f64> = (0..k * ld).map(|i| (i as f64).cos()).collect();
        let pt: Vec<f64> = (0..k * rows)
            .map(|i| p[(i % rows) * k + i / rows])
            .collect();
        let mut q = vec![0.0f64; rows * ld];
        gemm_f64(&pt, rows, k, &x, ld, &mut q);
        for m in 0..rows {
            for j in 0..ld {
                let mut s = 0.0f64;
                for kk in 0..k {
                    s = p[m * k + kk].mul_add(x[kk * ld + j], s);
                }
                assert_eq!(q[m * ld + j].to_bits(), s.to_bits());
            }
        }
    }
}
