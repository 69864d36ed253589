//! The ingest progress bar: pages done of total, pages per minute and time left, on
//! standard error and only when it is a terminal; otherwise notes are plain lines.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

use crate::ingest::Progress;

pub(super) struct Bar {
    bar: Option<ProgressBar>,
}

impl Bar {
    pub(super) fn new() -> Bar {
        Bar { bar: std::io::stderr().is_terminal().then(ProgressBar::no_length) }
    }
}

impl Progress for Bar {
    fn start(&self, pages: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(pages);
            let style = ProgressStyle::with_template("{bar:40} {pos}/{len} pages · {rate} · ETA {eta}")
                .expect("valid template")
                .with_key("rate", |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.1} pages/min", state.per_sec() * 60.0);
                });
            bar.set_style(style);
        }
    }

    fn page_done(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    fn note(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
