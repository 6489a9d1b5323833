//! The linfa face of the engine: [`InfoSelectorParams`] (`Fit`), the fitted
//! [`InfoSelector`] (`Transformer`), its file [`format`] and the [`Selected`] pipeline step.

mod fitted;
pub mod format;
mod hyperparams;
mod pipeline;

pub use fitted::{InfoSelector, SelectedFeature};
pub use format::{SELECTOR_FORMAT, SELECTOR_FORMAT_VERSION};
pub use hyperparams::{InfoSelectorParams, InfoSelectorValidParams};
pub use pipeline::{Selected, SelectedError, SelectedParams};
