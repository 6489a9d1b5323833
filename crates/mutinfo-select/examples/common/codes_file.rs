//! The codes file `select_timing` and `int_matrix_timing` read (little endian): `n: u64`,
//! `p: u64`, the `p` columns of `n` `u8` codes each, then `n` `u8` labels.

/// `(n, p, body)` of the file at `path`: `body` holds the `p * n` column bytes, then the `n`
/// labels.
pub fn read(path: &str) -> Result<(usize, usize, Vec<u8>), Box<dyn std::error::Error>> {
    let mut bytes = std::fs::read(path)?;
    let word = |i: usize| -> Result<usize, Box<dyn std::error::Error>> {
        let b: [u8; 8] = bytes
            .get(8 * i..8 * i + 8)
            .ok_or("truncated header")?
            .try_into()?;
        Ok(u64::from_le_bytes(b) as usize)
    };
    let (n, p) = (word(0)?, word(1)?);
    let body = bytes.split_off(16);
    if body.len() != n * (p + 1) {
        return Err(format!(
            "expected {} bytes of codes, found {}",
            n * (p + 1),
            body.len()
        )
        .into());
    }
    Ok((n, p, body))
}
