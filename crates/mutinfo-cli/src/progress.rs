//! Progress on standard error for long work: only on a terminal, never with `--quiet`.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

static QUIET: AtomicBool = AtomicBool::new(false);

/// Silences every progress indicator (`--quiet`).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// A spinner with a message, hidden when stderr is not a terminal or with `--quiet`.
pub fn spinner(message: &str) -> ProgressBar {
    if QUIET.load(Ordering::Relaxed) || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.set_message(message.to_string());
    pb.enable_steady_tick(std::time::Duration::from_millis(100));
    pb
}

/// A bar over `len` steps with a message, hidden when stderr is not a terminal or with
/// `--quiet`.
pub fn bar(len: u64, message: &str) -> ProgressBar {
    if QUIET.load(Ordering::Relaxed) || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} [{elapsed}, eta {eta}]")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb.set_message(message.to_string());
    pb
}

/// Progress of a fit: rows read so far, then a bar over the columns encoded.
pub struct FitBars {
    pb: ProgressBar,
    columns: u64,
    encoding: std::sync::Once,
}

impl FitBars {
    /// Bars for a fit of `columns` feature columns.
    pub fn new(columns: u64) -> Self {
        FitBars {
            pb: spinner("reading"),
            columns,
            encoding: std::sync::Once::new(),
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        self.pb.finish_and_clear();
    }
}

impl mutinfo_data::FitProgress for FitBars {
    fn rows_read(&self, rows: usize) {
        self.pb.set_message(format!("reading: {rows} rows"));
    }

    fn column_encoded(&self) {
        self.encoding.call_once(|| {
            self.pb.disable_steady_tick();
            self.pb.set_style(
                ProgressStyle::with_template(
                    "{msg} {bar:30} {pos}/{len} columns [{elapsed}, eta {eta}]",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            self.pb.set_length(self.columns);
            self.pb.set_message("encoding");
        });
        self.pb.inc(1);
    }
}
