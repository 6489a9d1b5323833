//! The linfa face of the engine: [`InfoSelectorParams`] (`Fit`) and the fitted
//! [`InfoSelector`] (`Transformer`).

mod fitted;
mod hyperparams;

pub use fitted::InfoSelector;
pub use hyperparams::{InfoSelectorParams, InfoSelectorValidParams};
