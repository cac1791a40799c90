//! The satisfaction survey of the SOP: one overall score on a five-point scale, then the
//! optional items an agency chose from the paper form's ten, then an optional comment;
//! and before it, the reporter's answer whether the fix holds.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The paper form's ten items, by the keys settings and stored answers use; their
/// questions live in locales/ as `survey-item-<key>`.
pub const ITEMS: [&str; 10] = [
    "channel",
    "speed",
    "quality",
    "fit",
    "friendliness",
    "information",
    "timeliness",
    "overall",
    "facilities",
    "service_fit",
];

/// Scores 1 (Tidak Memuaskan) to 5 (Sangat Memuaskan).
pub const SCALE: std::ops::RangeInclusive<u8> = 1..=5;

/// What the survey asks after the overall score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SurveySettings {
    /// Up to a few keys of `ITEMS`, asked one tap each and skippable; all ten for the full form.
    pub items: Vec<String>,
    /// Ask for a comment at the end.
    pub comment: bool,
}

impl Default for SurveySettings {
    fn default() -> Self {
        SurveySettings {
            items: vec!["speed".into(), "quality".into(), "friendliness".into()],
            comment: true,
        }
    }
}

impl SurveySettings {
    pub fn validate(&self) -> Result<(), String> {
        for (i, item) in self.items.iter().enumerate() {
            if !ITEMS.contains(&item.as_str()) {
                return Err(format!(
                    "survey.items: unknown item `{item}`; known: {}",
                    ITEMS.join(", ")
                ));
            }
            if self.items[..i].contains(item) {
                return Err(format!("survey.items: `{item}` twice"));
            }
        }
        Ok(())
    }
}

/// The question about a handled ticket that waits for this reporter (from the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Confirm {
        ticket_id: i64,
    },
    Survey {
        ticket_id: i64,
        step: Step,
        asked_at: DateTime<Utc>,
    },
}

/// What the reporter answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Fixed,
    NotFixed,
    Score(u8),
    Skip,
    Comment(String),
}

/// Where a survey stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Score,
    Item(String),
    Comment,
    Done,
}

impl Step {
    pub fn as_stored(&self) -> String {
        match self {
            Step::Score => "score".into(),
            Step::Item(k) => format!("item:{k}"),
            Step::Comment => "comment".into(),
            Step::Done => "done".into(),
        }
    }

    pub fn from_stored(s: &str) -> Option<Step> {
        Some(match s {
            "score" => Step::Score,
            "comment" => Step::Comment,
            "done" => Step::Done,
            _ => Step::Item(s.strip_prefix("item:")?.to_owned()),
        })
    }

    /// What comes after this step with these settings.
    pub fn next(&self, s: &SurveySettings) -> Step {
        let after_items = || if s.comment { Step::Comment } else { Step::Done };
        match self {
            Step::Score => s.items.first().map_or_else(after_items, |k| Step::Item(k.clone())),
            Step::Item(k) => match s.items.iter().position(|i| i == k) {
                Some(i) => s.items.get(i + 1).map_or_else(after_items, |k| Step::Item(k.clone())),
                None => after_items(),
            },
            Step::Comment | Step::Done => Step::Done,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_go_score_items_comment_done() {
        let s = SurveySettings::default();
        s.validate().unwrap();
        let mut step = Step::Score;
        let mut seen = Vec::new();
        while step != Step::Done {
            seen.push(step.as_stored());
            assert_eq!(Step::from_stored(&step.as_stored()), Some(step.clone()));
            step = step.next(&s);
        }
        assert_eq!(
            seen,
            ["score", "item:speed", "item:quality", "item:friendliness", "comment"]
        );
        let bare = SurveySettings {
            items: vec![],
            comment: false,
        };
        assert_eq!(Step::Score.next(&bare), Step::Done);
        let bad = SurveySettings {
            items: vec!["speed".into(), "kopi".into()],
            comment: true,
        };
        assert!(bad.validate().unwrap_err().contains("kopi"));
    }
}
