//! Structured logs: JSON lines (or a human format). Which lines a request leaves, and when its
//! id is on the lines logged while it is served, is `http::requests_log`'s.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::config::{LogConfig, LogFormat};

/// Installs the global subscriber once, writing to stdout; later calls (tests start many apps)
/// are no-ops.
pub fn init(config: &LogConfig) {
    init_on(config, false);
}

/// [`init`], on stderr when `stderr`: for commands whose answer is their stdout.
pub fn init_on(config: &LogConfig, stderr: bool) {
    // Config::check already refused a level that is not a filter.
    let filter = EnvFilter::try_new(&config.level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::NONE)
        .with_writer(move || -> Box<dyn std::io::Write> {
            if stderr {
                Box::new(std::io::stderr())
            } else {
                Box::new(std::io::stdout())
            }
        });
    let _ = match config.format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
}
