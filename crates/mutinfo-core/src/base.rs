//! Units of information.

use serde::{Deserialize, Serialize};

/// The logarithm base, that is the unit, information is reported in.
///
/// Every function in mutinfo computes in nats (natural logarithm) and converts at the
/// end, so `Base::Bits.convert(x)` is `x / ln 2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Base {
    /// Natural logarithm (the default).
    #[default]
    Nats,
    /// Base 2.
    Bits,
    /// Base 10 (hartleys, also called bans or dits).
    Hartleys,
}

impl Base {
    /// Converts a value in nats to this unit.
    #[inline]
    pub fn convert(self, nats: f64) -> f64 {
        match self {
            Base::Nats => nats,
            Base::Bits => nats / std::f64::consts::LN_2,
            Base::Hartleys => nats / std::f64::consts::LN_10,
        }
    }

    /// Converts a value in this unit back to nats.
    #[inline]
    pub fn to_nats(self, value: f64) -> f64 {
        match self {
            Base::Nats => value,
            Base::Bits => value * std::f64::consts::LN_2,
            Base::Hartleys => value * std::f64::consts::LN_10,
        }
    }

    /// The name of the unit: `"nats"`, `"bits"` or `"hartleys"`.
    pub fn unit(self) -> &'static str {
        match self {
            Base::Nats => "nats",
            Base::Bits => "bits",
            Base::Hartleys => "hartleys",
        }
    }
}

impl std::str::FromStr for Base {
    type Err = crate::CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "nats" | "nat" | "e" => Ok(Base::Nats),
            "bits" | "bit" | "2" => Ok(Base::Bits),
            "hartleys" | "hartley" | "bans" | "dits" | "10" => Ok(Base::Hartleys),
            _ => Err(crate::CoreError::InvalidParameter {
                name: "base",
                value: s.to_string(),
                reason: "expected nats, bits or hartleys",
            }),
        }
    }
}

impl std::fmt::Display for Base {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.unit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for b in [Base::Nats, Base::Bits, Base::Hartleys] {
            assert!((b.to_nats(b.convert(1.2345)) - 1.2345).abs() < crate::prec::ROUNDOFF);
            assert_eq!(b.unit().parse::<Base>().unwrap(), b);
        }
        assert_eq!(Base::Bits.convert(std::f64::consts::LN_2), 1.0);
        assert!("furlongs".parse::<Base>().is_err());
    }
}
