//! One module per subcommand.

pub mod acquire;
pub mod generate;
pub mod rank;
pub mod select;
pub mod theory;
