//! A sign of life on stderr while something takes a while (the self-test's
//! namespaces, a rollback's reloads): a spinner with what is being done,
//! drawn only on a terminal and cleared before the result is printed, so
//! pipes and logs get the result alone.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Busy(ProgressBar);

impl Busy {
    pub fn start(what: &str) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        Self(bar)
    }

    pub fn say(&self, what: &str) {
        self.0.set_message(what.to_string());
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
