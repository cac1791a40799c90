//! The report as one CSV table, `section,key,metric,value`, for spreadsheets and scripts:
//! every figure a row, plain numbers (percentages and minutes with one decimal), an empty
//! value where there is no figure.

use super::{Kpis, Period, Share, minutes, percent, priority, score};

pub fn csv(k: &Kpis, period: &Period) -> String {
    let mut rows = Rows::default();
    rows.push("period", "all", "from", period.from.to_string());
    rows.push("period", "all", "to", period.to.to_string());
    rows.push("period", "all", "timezone", period.tz.name().to_owned());
    rows.push("tickets", "all", "tickets", k.tickets.to_string());
    for (section, counts) in [
        ("type", &k.by_type),
        ("category", &k.by_category),
        ("service", &k.by_service),
        ("priority", &k.by_priority),
        ("status", &k.by_status),
    ] {
        for c in counts {
            rows.push(section, &c.key, "tickets", c.tickets.to_string());
        }
    }
    for t in &k.targets {
        let key = priority(t.priority);
        rows.push("targets", &key, "tickets", t.tickets.to_string());
        rows.share("targets", &key, "response_met", &t.response_met);
        rows.share("targets", &key, "resolution_met", &t.resolution_met);
        rows.push("targets", &key, "response_avg_min", minutes(t.response.average));
        rows.push("targets", &key, "response_median_min", minutes(t.response.median));
        rows.push("targets", &key, "resolution_avg_min", minutes(t.resolution.average));
        rows.push("targets", &key, "resolution_median_min", minutes(t.resolution.median));
    }
    rows.share("resolution", "all", "first_contact", &k.first_contact);
    let e = &k.escalations;
    rows.push("escalations", "all", "functional", e.functional.to_string());
    rows.push("escalations", "all", "hierarchical", e.hierarchical.to_string());
    rows.push("escalations", "all", "returned", e.returned.to_string());
    rows.push("escalations", "all", "reopened", e.reopened.to_string());
    let l = &k.level0;
    rows.push("level0", "all", "level0", l.level0.to_string());
    rows.push("level0", "all", "ticket", l.ticket.to_string());
    rows.push("level0", "all", "cancelled", l.cancelled.to_string());
    rows.push("level0", "all", "deflection_pct", percent(&l.deflection));
    let s = &k.satisfaction;
    rows.push("satisfaction", "all", "average", score(s.average));
    rows.push("satisfaction", "all", "asked", s.asked.to_string());
    rows.push("satisfaction", "all", "answered", s.answered.to_string());
    rows.push("satisfaction", "all", "response_rate_pct", percent(&s.response_rate));
    for (i, n) in s.scores.iter().enumerate() {
        rows.push("satisfaction", &(i + 1).to_string(), "answers", n.to_string());
    }
    for t in &k.teams {
        rows.push("team", &t.team, "tickets", t.tickets.to_string());
        rows.push("team", &t.team, "resolved", t.resolved.to_string());
        rows.share("team", &t.team, "response_met", &t.response_met);
        rows.push("team", &t.team, "csat", score(t.csat));
        rows.push("team", &t.team, "surveys", t.answered.to_string());
    }
    for t in &k.technicians {
        // Names may repeat; the id tells two people apart.
        let key = format!("{} #{}", t.name, t.id);
        rows.push("technician", &key, "team", t.team.clone());
        rows.push("technician", &key, "tickets", t.tickets.to_string());
        rows.push("technician", &key, "resolved", t.resolved.to_string());
        rows.push("technician", &key, "resolution_avg_min", minutes(t.resolution_minutes));
        rows.push("technician", &key, "csat", score(t.csat));
        rows.push("technician", &key, "surveys", t.answered.to_string());
    }
    rows.out
}

struct Rows {
    out: String,
}

impl Default for Rows {
    fn default() -> Rows {
        Rows {
            out: "section,key,metric,value\n".to_owned(),
        }
    }
}

impl Rows {
    fn push(&mut self, section: &str, key: &str, metric: &str, value: impl Into<Option<String>>) {
        let value = value.into().unwrap_or_default();
        let fields = [section, key, metric, value.as_str()].map(field);
        self.out.push_str(&fields.join(","));
        self.out.push('\n');
    }

    /// Three rows: `<metric>`, `<metric>_of`, `<metric>_pct`.
    fn share(&mut self, section: &str, key: &str, metric: &str, s: &Share) {
        self.push(section, key, metric, s.count.to_string());
        self.push(section, key, &format!("{metric}_of"), s.of.to_string());
        self.push(section, key, &format!("{metric}_pct"), percent(s));
    }
}

/// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("L1"), "L1");
        assert_eq!(field("Andi, S.Kom"), "\"Andi, S.Kom\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
