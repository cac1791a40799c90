//! Counters for Prometheus at `GET /metrics`, per process (a scraper adds the replicas up).
//! Only what a person should watch: what the platforms said became of our messages, and
//! deliveries set aside.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    channel: String,
    status: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FailedLabels {
    channel: String,
    code: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ChannelLabels {
    channel: String,
}

#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    statuses: Family<StatusLabels, Counter>,
    failed: Family<FailedLabels, Counter>,
    set_aside: Family<ChannelLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("sigap");
        let statuses = Family::<StatusLabels, Counter>::default();
        let failed = Family::<FailedLabels, Counter>::default();
        registry.register(
            "delivery_status",
            "Delivery statuses reported by the platform (sent, delivered, read, failed)",
            statuses.clone(),
        );
        registry.register(
            "delivery_failed",
            "Messages the platform reported as failed, by its error code",
            failed.clone(),
        );
        let set_aside = Family::<ChannelLabels, Counter>::default();
        registry.register(
            "updates_set_aside",
            "Deliveries set aside because they could not be stored for a reason that would not go away",
            set_aside.clone(),
        );
        Metrics {
            registry,
            statuses,
            failed,
            set_aside,
        }
    }
}

impl Metrics {
    pub fn status(&self, channel: &str, status: &str) {
        self.statuses
            .get_or_create(&StatusLabels {
                channel: channel.into(),
                status: status.into(),
            })
            .inc();
    }

    pub fn failed(&self, channel: &str, code: i64) {
        self.failed
            .get_or_create(&FailedLabels {
                channel: channel.into(),
                code: code.to_string(),
            })
            .inc();
    }

    pub fn set_aside(&self, channel: &str) {
        self.set_aside
            .get_or_create(&ChannelLabels {
                channel: channel.into(),
            })
            .inc();
    }

    /// The OpenMetrics text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_show_in_the_text() {
        let m = super::Metrics::default();
        m.status("whatsapp", "failed");
        m.status("whatsapp", "failed");
        m.failed("whatsapp", 131_047);
        let text = m.render();
        assert!(
            text.contains(r#"sigap_delivery_status_total{channel="whatsapp",status="failed"} 2"#),
            "{text}"
        );
        assert!(text.contains(r#"sigap_delivery_failed_total{channel="whatsapp",code="131047"} 1"#));
    }
}
