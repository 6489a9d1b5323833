//! Times the library on an in-memory integer matrix, as the Python bindings receive one: the
//! codes from the matrix ([`mutinfo_data::small_int_codes`]), the selection on those codes, and
//! the two together — the library's whole work for a caller holding a row-major `i64` (or
//! `u8`) matrix, which `bench_python.py` sets beside the binding.
//!
//! Reads the file `select_timing` reads (little endian `n: u64`, `p: u64`, `p` columns of `n`
//! `u8` codes, `n` `u8` labels) and widens the codes to a row-major matrix of `DTYPE` values.
//!
//! ```text
//! cargo run --release -p mutinfo-select --example int_matrix_timing -- DATA.bin K CRITERION [i64|u8]
//! ```
//! Prints one JSON object: best wall time of 5 runs of each part (seconds) and the selection.

use mutinfo_core::{CodeMatrix, Codes};
use mutinfo_data::small_ints::SmallInt;
use mutinfo_select::{select, Criterion, SelectOptions};
use ndarray::Array2;
use std::time::Instant;

#[path = "common/codes_file.rs"]
mod codes_file;

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        return Err("usage: int_matrix_timing DATA.bin K CRITERION [i64|u8]".into());
    }
    let (n, p, body) = codes_file::read(&args[1])?;
    let body = body.as_slice();
    let k: usize = args[2].parse()?;
    let crit: Criterion = args[3].parse()?;
    let y = Codes::from_values(&body[p * n..])?;
    let cell = |i: usize, j: usize| body[j * n + i];
    match args.get(4).map(String::as_str).unwrap_or("i64") {
        "i64" => run(
            Array2::from_shape_fn((n, p), |(i, j)| i64::from(cell(i, j))),
            &y,
            k,
            crit,
        ),
        "u8" => run(
            Array2::from_shape_fn((n, p), |(i, j)| cell(i, j)),
            &y,
            k,
            crit,
        ),
        other => Err(format!("dtype {other:?}: give i64 or u8").into()),
    }
}

fn run<T: SmallInt>(x: Array2<T>, y: &Codes, k: usize, crit: Criterion) -> Result<(), Error> {
    let opts = SelectOptions::new(crit).k(k);
    let encode = || -> Result<CodeMatrix, Error> {
        mutinfo_data::small_int_codes(x.view(), mutinfo_data::discretize::DEFAULT_BINS)
            .ok_or_else(|| "not small integers".into())
    };
    let codes = encode()?;
    let (mut t_encode, mut t_select, mut t_both) = (f64::INFINITY, f64::INFINITY, f64::INFINITY);
    let mut selected = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        std::hint::black_box(encode()?);
        t_encode = t_encode.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        std::hint::black_box(select(&codes, y, &opts)?);
        t_select = t_select.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let s = select(&encode()?, y, &opts)?;
        t_both = t_both.min(t.elapsed().as_secs_f64());
        selected = s.selected();
    }
    println!(
        "{{\"criterion\": \"{}\", \"encode\": {t_encode}, \"select\": {t_select}, \"both\": {t_both}, \"selected\": {selected:?}}}",
        crit.name()
    );
    Ok(())
}
