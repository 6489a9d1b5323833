//! One module per subcommand.

pub mod acquire;
pub mod active;
pub mod cluster;
pub mod estimate;
pub mod generate;
pub mod rank;
pub mod select;
pub mod theory;
pub mod tree;
