//! Logs through `tracing`, to standard error so a terminal conversation stays readable.

use tracing_subscriber::EnvFilter;

/// Installs the subscriber. `RUST_LOG` wins over `default`.
pub fn init(default: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
