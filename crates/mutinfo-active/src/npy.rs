//! A small reader for NumPy `.npy` files holding predictive samples (e.g. MC-dropout or deep
//! ensemble outputs computed elsewhere), and a writer for tests and scripts.
//!
//! Supports format versions 1–3, little- and big-endian `f8`/`f4`, C and Fortran order, any
//! number of dimensions (then checked to be 3 by [`read_npy`]).
//!
//! ## Why not `ndarray-npy`
//! Issue 16 asked to replace this file with `ndarray-npy` where it is at least as exact. It is
//! not, for these inputs:
//! - the versions that speak ndarray 0.16 (0.9.x; 0.10 needs ndarray 0.17, a second ndarray
//!   in the build) allocate the element count the header announces before reading the data
//!   (`vec![zero; len]` in `npy/elements/primitive.rs`), so a 128-byte file whose header says
//!   shape `(1099511627776,)` makes the process abort on an 8 TiB allocation; here the
//!   announced size is checked against the bytes present first (a clear "truncated data"
//!   error, the contract of issue 14);
//! - it reads only the element type asked for (`f4` data into an `f64` array is an error),
//!   while committees written by PyTorch are usually `float32`: here both read as `f64`.

use std::io::Write;
use std::path::Path;

use ndarray::{Array3, ArrayD, IxDyn, ShapeBuilder};

use crate::error::{ActiveError, Result};

fn format_err(path: &Path, reason: impl Into<String>) -> ActiveError {
    ActiveError::Format {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Reads an `[N × K × C]` array of probabilities from a `.npy` file (float64 or float32).
///
/// Only the file format is checked here; validate the values with
/// [`validate`](crate::validate) (every acquisition function does).
///
/// # Errors
/// [`ActiveError::Io`] when the file cannot be read; [`ActiveError::Format`] for a file that is
/// not `.npy`, an unsupported dtype, or truncated data; [`ActiveError::Shape`] when the array is
/// not three-dimensional.
pub fn read_npy(path: impl AsRef<Path>) -> Result<Array3<f64>> {
    let path = path.as_ref();
    let a = read_npy_dyn(path)?;
    let shape = a.shape().to_vec();
    a.into_dimensionality::<ndarray::Ix3>()
        .map_err(|_| ActiveError::Shape {
            what: "npy array",
            found: shape,
            expected: "three axes [pool × members × classes]".into(),
        })
}

/// Reads a `.npy` file of float64 or float32 values of any dimensionality.
///
/// # Errors
/// As [`read_npy`], without the shape check.
pub fn read_npy_dyn(path: impl AsRef<Path>) -> Result<ArrayD<f64>> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| ActiveError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_npy(&bytes).map_err(|r| format_err(path, r))
}

fn parse_npy(bytes: &[u8]) -> std::result::Result<ArrayD<f64>, String> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err("not a .npy file (missing \\x93NUMPY magic)".into());
    }
    let major = bytes[6];
    let (hlen, start) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 => {
            if bytes.len() < 12 {
                return Err("truncated header".into());
            }
            (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            )
        }
        v => return Err(format!("unsupported .npy format version {v}")),
    };
    let header = bytes
        .get(start..start + hlen)
        .ok_or("truncated header")
        .map(String::from_utf8_lossy)?;
    let descr = dict_value(&header, "descr").ok_or("header has no 'descr'")?;
    let descr = descr.trim_matches(|c| c == '\'' || c == '"');
    let fortran = dict_value(&header, "fortran_order").ok_or("header has no 'fortran_order'")?;
    let fortran = match fortran.as_str() {
        "True" => true,
        "False" => false,
        other => return Err(format!("bad fortran_order {other}")),
    };
    let shape_s = dict_value(&header, "shape").ok_or("header has no 'shape'")?;
    let shape: Vec<usize> = shape_s
        .trim_matches(|c| c == '(' || c == ')')
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<usize>()
                .map_err(|_| format!("bad shape {shape_s}"))
        })
        .collect::<std::result::Result<_, _>>()?;
    let count = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or("shape overflows")?;
    let data = &bytes[start + hlen..];
    let values: Vec<f64> = match descr {
        "<f8" | ">f8" | "=f8" => {
            let big = descr.starts_with('>');
            take(data, count, 8)?
                .chunks_exact(8)
                .map(|b| {
                    let arr: [u8; 8] = b.try_into().expect("chunk of 8");
                    if big {
                        f64::from_be_bytes(arr)
                    } else {
                        f64::from_le_bytes(arr)
                    }
                })
                .collect()
        }
        "<f4" | ">f4" | "=f4" => {
            let big = descr.starts_with('>');
            take(data, count, 4)?
                .chunks_exact(4)
                .map(|b| {
                    let arr: [u8; 4] = b.try_into().expect("chunk of 4");
                    f64::from(if big {
                        f32::from_be_bytes(arr)
                    } else {
                        f32::from_le_bytes(arr)
                    })
                })
                .collect()
        }
        other => {
            return Err(format!(
                "unsupported dtype {other}; expected float64 or float32"
            ))
        }
    };
    let dim = IxDyn(&shape);
    let arr = if fortran {
        ArrayD::from_shape_vec(dim.f(), values)
    } else {
        ArrayD::from_shape_vec(dim, values)
    }
    .map_err(|e| e.to_string())?;
    Ok(arr.as_standard_layout().into_owned())
}

fn take(data: &[u8], count: usize, width: usize) -> std::result::Result<&[u8], String> {
    let need = count.checked_mul(width).ok_or("shape overflows")?;
    data.get(..need)
        .ok_or_else(|| format!("truncated data: {} bytes for {count} values", data.len()))
}

/// The raw text of `'key': value` in a Python dict literal (value up to the next top-level comma).
fn dict_value(header: &str, key: &str) -> Option<String> {
    let pos = header.find(&format!("'{key}'"))?;
    let rest = &header[pos + key.len() + 2..];
    let rest = rest[rest.find(':')? + 1..].trim_start();
    let mut depth = 0i32;
    let mut end = rest.len();
    for (i, ch) in rest.char_indices() {
        match ch {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' | '}' if depth == 0 => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    Some(rest[..end].trim().to_string())
}

/// Writes a float64 array (any dimensionality) as a version-1 `.npy` file in C order.
///
/// # Errors
/// [`ActiveError::Io`] when the file cannot be written.
pub fn write_npy<D: ndarray::Dimension>(
    path: impl AsRef<Path>,
    array: &ndarray::ArrayBase<impl ndarray::Data<Elem = f64>, D>,
) -> Result<()> {
    let path = path.as_ref();
    let shape: Vec<String> = array.shape().iter().map(|d| d.to_string()).collect();
    let shape = if shape.len() == 1 {
        format!("({},)", shape[0])
    } else {
        format!("({})", shape.join(", "))
    };
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}");
    // Pad so that the data starts on a 64-byte boundary, header ending in '\n'.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + array.len() * 8);
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for v in array.iter() {
        out.extend_from_slice(&v.to_le_bytes());
    }
    let io = |source| ActiveError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut f = std::fs::File::create(path).map_err(io)?;
    f.write_all(&out).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let a = Array3::from_shape_fn((3, 2, 4), |(i, j, k)| (i * 100 + j * 10 + k) as f64 / 7.0);
        let p = dir.path().join("a.npy");
        write_npy(&p, &a).unwrap();
        assert_eq!(read_npy(&p).unwrap(), a);
        // A Fortran-order float32 file written by hand (bytes as numpy.save produces them).
        let hdr = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 1, 2), }";
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend_from_slice(&(hdr.len() as u16).to_le_bytes());
        b.extend_from_slice(hdr.as_bytes());
        for v in [0.25f32, 0.5, 0.75, 0.5] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        let q = dir.path().join("f.npy");
        std::fs::write(&q, &b).unwrap();
        let f = read_npy(&q).unwrap();
        // Fortran order: element [i, 0, k] sits at i + 2k.
        assert_eq!(f[[0, 0, 0]], 0.25);
        assert_eq!(f[[1, 0, 0]], 0.5);
        assert_eq!(f[[0, 0, 1]], 0.75);
        b.truncate(b.len() - 3);
        std::fs::write(&q, &b).unwrap();
        assert!(matches!(read_npy(&q), Err(ActiveError::Format { .. })));
        std::fs::write(&q, b"hello").unwrap();
        assert!(matches!(read_npy(&q), Err(ActiveError::Format { .. })));
        assert!(matches!(
            read_npy(dir.path().join("missing.npy")),
            Err(ActiveError::Io { .. })
        ));
        let two = ndarray::Array2::<f64>::zeros((2, 2));
        write_npy(&p, &two).unwrap();
        assert!(matches!(read_npy(&p), Err(ActiveError::Shape { .. })));
    }
}
