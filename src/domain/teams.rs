//! Teams and routing for functional escalation: L1 desk, L2 network, L2 applications, L2
//! hardware, L3 vendor by default. A ticket starts with the first-line team; Eskalasi offers
//! the teams of a higher level, the one routed for its category or service first.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Short and stable: it is stored on tickets and carried in buttons.
    pub key: String,
    pub name: String,
    /// 1 first line, 2 specialists, 3 vendors.
    pub level: u8,
    /// The team's own Telegram group; the card is posted there when the ticket moves to it.
    #[serde(default)]
    pub chat: Option<i64>,
    /// Where this team's supervisors are told (else `sla.supervisor_chat`).
    #[serde(default)]
    pub supervisor_chat: Option<i64>,
    /// An outside vendor: handing over asks for the vendor's reference number.
    #[serde(default)]
    pub vendor: bool,
}

/// Which team a category, or a service (more specific), is escalated to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    pub team: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TeamSettings {
    pub teams: Vec<Team>,
    pub routes: Vec<Route>,
}

/// Keys fit a button: `tk:<ticket id>:t:<key>` stays far under Telegram's 64 bytes.
const KEY_MAX: usize = 24;

impl Default for TeamSettings {
    fn default() -> Self {
        let team = |key: &str, name: &str, level, vendor| Team {
            key: key.into(),
            name: name.into(),
            level,
            chat: None,
            supervisor_chat: None,
            vendor,
        };
        let route = |category: &str, team: &str| Route {
            category: Some(category.into()),
            service: None,
            team: team.into(),
        };
        TeamSettings {
            teams: vec![
                team("l1", "L1 Service Desk", 1, false),
                team("l2-jaringan", "L2 Jaringan", 2, false),
                team("l2-aplikasi", "L2 Aplikasi", 2, false),
                team("l2-perangkat", "L2 Perangkat Keras", 2, false),
                team("l3-vendor", "L3 Vendor", 3, true),
            ],
            routes: vec![
                route("jaringan", "l2-jaringan"),
                route("aplikasi", "l2-aplikasi"),
                route("akses", "l2-aplikasi"),
                route("data", "l2-aplikasi"),
                route("hardware", "l2-perangkat"),
            ],
        }
    }
}

impl TeamSettings {
    pub fn validate(&self) -> Result<(), String> {
        if self.teams.is_empty() {
            return Err("teams: at least one team is needed".into());
        }
        for (i, t) in self.teams.iter().enumerate() {
            let ok = !t.key.is_empty()
                && t.key.len() <= KEY_MAX
                && t.key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !ok {
                return Err(format!(
                    "teams: key `{}` must be 1-{KEY_MAX} of a-z, 0-9, - and _",
                    t.key
                ));
            }
            if self.teams[..i].iter().any(|o| o.key == t.key) {
                return Err(format!("teams: key `{}` twice", t.key));
            }
        }
        for r in &self.routes {
            if self.team(&r.team).is_none() {
                return Err(format!("teams.routes: unknown team `{}`", r.team));
            }
            if r.category.is_none() && r.service.is_none() {
                return Err(format!(
                    "teams.routes: a route to `{}` names no category or service",
                    r.team
                ));
            }
        }
        Ok(())
    }

    pub fn team(&self, key: &str) -> Option<&Team> {
        self.teams.iter().find(|t| t.key == key)
    }

    /// Where every ticket starts: the first team of the lowest level.
    pub fn first(&self) -> Option<&Team> {
        self.teams.iter().min_by_key(|t| t.level)
    }

    /// The team a ticket of this category and service is escalated to, if routed.
    pub fn routed(&self, category: &str, service: Option<&str>) -> Option<&Team> {
        let by_service = service.and_then(|s| self.routes.iter().find(|r| r.service.as_deref() == Some(s)));
        let by_category = || {
            self.routes
                .iter()
                .find(|r| r.category.as_deref() == Some(category) && r.service.is_none())
        };
        self.team(&by_service.or_else(by_category)?.team)
    }

    /// Teams a ticket now with `current` may go on to: higher levels, the routed one first.
    pub fn next(&self, current: Option<&str>, category: &str, service: Option<&str>) -> Vec<&Team> {
        let level = current.and_then(|k| self.team(k)).map_or(0, |t| t.level);
        let routed = self.routed(category, service).map(|t| t.key.as_str());
        let mut out: Vec<&Team> = self.teams.iter().filter(|t| t.level > level).collect();
        out.sort_by_key(|t| (Some(t.key.as_str()) != routed, t.level));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_offers_the_routed_team_first_and_only_higher_levels() {
        let s = TeamSettings::default();
        s.validate().unwrap();
        assert_eq!(s.first().unwrap().key, "l1");
        let keys = |v: Vec<&Team>| v.into_iter().map(|t| t.key.clone()).collect::<Vec<_>>();
        assert_eq!(
            keys(s.next(Some("l1"), "jaringan", Some("Internet mati"))),
            ["l2-jaringan", "l2-aplikasi", "l2-perangkat", "l3-vendor"]
        );
        assert_eq!(keys(s.next(Some("l2-jaringan"), "jaringan", None)), ["l3-vendor"]);
        assert!(s.next(Some("l3-vendor"), "jaringan", None).is_empty());
        let mut bad = TeamSettings::default();
        bad.routes[0].team = "l9".into();
        assert!(bad.validate().unwrap_err().contains("l9"));
    }
}
