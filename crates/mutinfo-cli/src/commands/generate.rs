//! `mutinfo generate`: small synthetic data sets whose answers are known, written as CSV.
//!
//! Every generator is seeded (ChaCha8), so the same command writes the same bytes on any
//! machine. The files shipped in `datasets/` are made by `datasets/generate.sh`.

use crate::error::Result;
use clap::{Args, ValueEnum};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Which data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// `y = x1 xor x2` over fair bits, plus 8 independent noise bits: each of x1, x2 alone has
    /// I = 0 with y, the pair has I = ln 2.
    Xor,
    /// Odd parity of three bits x1, x2, x3 (synergy of order 3) plus 7 noise bits.
    Parity,
    /// A 4-level informative feature `signal` (y = signal mod 2 with 10% label noise), an exact
    /// relabeled copy, a copy with 20% of values replaced at random, and 5 noise features.
    Redundant,
    /// Madelon-like (Guyon 2003, as sklearn's make_classification): 2 classes on the vertices of
    /// a 5-dimensional hypercube (informative i0..i4, Gaussian clusters), 5 redundant linear
    /// combinations r0..r4 of them, and 15 Gaussian noise features n0..n14; continuous values.
    Madelon,
}

/// `mutinfo generate KIND`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Which data set.
    #[arg(value_enum)]
    pub kind: Kind,
    /// Number of rows (at most 10000000).
    #[arg(long, default_value_t = 2000)]
    pub rows: usize,
    /// Random seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The CSV file to write (atomically); standard output when absent.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = rng.gen::<f64>().max(f64::MIN_POSITIVE);
    let v: f64 = rng.gen();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// The CSV text of a generated data set.
pub fn generate(kind: Kind, rows: usize, seed: u64) -> Result<String> {
    crate::limits::check("--rows", rows, 1, crate::limits::MAX_ROWS)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut s = String::new();
    match kind {
        Kind::Xor | Kind::Parity => {
            let (k, noise) = if kind == Kind::Xor { (2, 8) } else { (3, 7) };
            let names: Vec<String> = (1..=k)
                .map(|i| format!("x{i}"))
                .chain((1..=noise).map(|i| format!("n{i}")))
                .collect();
            let _ = writeln!(s, "{},y", names.join(","));
            for _ in 0..rows {
                let bits: Vec<u8> = (0..k + noise).map(|_| rng.gen_range(0..2u8)).collect();
                let y = bits[..k].iter().fold(0, |a, b| a ^ b);
                let cells: Vec<String> = bits.iter().map(|b| b.to_string()).collect();
                let _ = writeln!(s, "{},{y}", cells.join(","));
            }
        }
        Kind::Redundant => {
            let _ = writeln!(s, "signal,copy,noisy_copy,n1,n2,n3,n4,n5,y");
            let labels = ["a", "b", "c", "d"];
            for _ in 0..rows {
                let sig = rng.gen_range(0..4usize);
                let copy = labels[3 - sig];
                let noisy = if rng.gen::<f64>() < 0.2 {
                    rng.gen_range(0..4usize)
                } else {
                    sig
                };
                let noise: Vec<String> =
                    (0..5).map(|_| rng.gen_range(0..4u8).to_string()).collect();
                let mut y = sig % 2;
                if rng.gen::<f64>() < 0.1 {
                    y = 1 - y;
                }
                let _ = writeln!(s, "{sig},{copy},{noisy},{},{y}", noise.join(","));
            }
        }
        Kind::Madelon => {
            let k = 5;
            // Redundant features: fixed random linear combinations of the informative ones.
            let mix: Vec<Vec<f64>> = (0..5)
                .map(|_| (0..k).map(|_| 2.0 * rng.gen::<f64>() - 1.0).collect())
                .collect();
            // Each class owns a random half of the 2^5 hypercube vertices (side 2, centred on 0),
            // as make_classification does, so single features are only weakly informative.
            let mut vertices: Vec<usize> = (0..1 << k).collect();
            for i in (1..vertices.len()).rev() {
                let j = rng.gen_range(0..=i);
                vertices.swap(i, j);
            }
            let half = vertices.len() / 2;
            let names: Vec<String> = (0..k)
                .map(|i| format!("i{i}"))
                .chain((0..5).map(|i| format!("r{i}")))
                .chain((0..15).map(|i| format!("n{i}")))
                .collect();
            let _ = writeln!(s, "{},y", names.join(","));
            for r in 0..rows {
                let y = r % 2;
                let v = vertices[y * half + rng.gen_range(0..half)];
                let inf: Vec<f64> = (0..k)
                    .map(|i| if v >> i & 1 == 1 { 1.0 } else { -1.0 } + 0.5 * normal(&mut rng))
                    .collect();
                let red: Vec<f64> = mix
                    .iter()
                    .map(|w| w.iter().zip(&inf).map(|(a, b)| a * b).sum())
                    .collect();
                let noise: Vec<f64> = (0..15).map(|_| normal(&mut rng)).collect();
                let cells: Vec<String> = inf
                    .iter()
                    .chain(&red)
                    .chain(&noise)
                    .map(|v| format!("{v:.6}"))
                    .collect();
                let _ = writeln!(s, "{},{y}", cells.join(","));
            }
        }
    }
    Ok(s)
}

/// Runs `mutinfo generate`.
pub fn run(a: &GenerateArgs) -> Result<()> {
    let text = generate(a.kind, a.rows, a.seed)?;
    crate::output::emit(a.out.as_deref(), &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_and_shaped() {
        for k in [Kind::Xor, Kind::Parity, Kind::Redundant, Kind::Madelon] {
            let a = generate(k, 50, 3).unwrap();
            assert_eq!(a, generate(k, 50, 3).unwrap());
            assert_ne!(a, generate(k, 50, 4).unwrap());
            let lines: Vec<&str> = a.lines().collect();
            assert_eq!(lines.len(), 51);
            let w = lines[0].split(',').count();
            assert!(lines.iter().all(|l| l.split(',').count() == w));
        }
        assert!(generate(Kind::Xor, 0, 0).is_err());
    }
}
