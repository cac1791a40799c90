//! After a ticket is resolved the reporter is asked whether it is back to normal ("Ya" closes
//! it, "Belum" reopens it), then to rate the service. Buttons carry the ticket id, so a tap
//! works whatever else the conversation is doing; a typed answer is read only for the one
//! question pending, and only while the reporter is not in the middle of a report.

use super::reply::{Choice, Reply};
use crate::domain::About;
pub use crate::domain::survey::{Answer, Pending};
use crate::domain::survey::{SCALE, Step};
use crate::i18n::Msg;
use chrono::{DateTime, Duration, Utc};

/// A typed comment is taken as the survey's comment only this soon after it was asked;
/// later words are a new conversation.
const COMMENT_WINDOW: i64 = 60;

/// An answer and the question it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub ticket_id: i64,
    /// `None` for the confirmation; the survey step otherwise.
    pub step: Option<Step>,
    pub answer: Answer,
}

/// `fu:<ticket>:y|n` or `sv:<ticket>:<1-5|x>:<step>`.
pub fn parse_button(id: &str) -> Option<FollowUp> {
    let mut parts = id.splitn(4, ':');
    let kind = parts.next()?;
    let ticket_id = parts.next()?.parse().ok()?;
    let value = parts.next()?;
    match kind {
        "fu" => Some(FollowUp {
            ticket_id,
            step: None,
            answer: match value {
                "y" => Answer::Fixed,
                "n" => Answer::NotFixed,
                _ => return None,
            },
        }),
        "sv" => {
            let step = Step::from_stored(parts.next()?)?;
            let answer = match value {
                "x" => Answer::Skip,
                n => Answer::Score(n.parse().ok().filter(|n| SCALE.contains(n))?),
            };
            Some(FollowUp {
                ticket_id,
                step: Some(step),
                answer,
            })
        }
        _ => None,
    }
}

/// A typed answer to the pending question, if the words are one.
pub fn parse_typed(p: &Pending, text: &str, now: DateTime<Utc>) -> Option<FollowUp> {
    let lower = text.trim().to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    match p {
        Pending::Confirm { ticket_id } => {
            // "belum normal" is a no: the negative words are looked for first.
            let answer = if has(&["belum", "blm", "masih", "tidak", "tdk", "gak", "ga", "nggak", "enggak"]) {
                Answer::NotFixed
            } else if has(&[
                "ya", "iya", "sudah", "sdh", "udah", "normal", "beres", "ok", "oke", "baik",
            ]) {
                Answer::Fixed
            } else {
                return None;
            };
            Some(FollowUp {
                ticket_id: *ticket_id,
                step: None,
                answer,
            })
        }
        Pending::Survey {
            ticket_id,
            step,
            asked_at,
        } => {
            let answer = match step {
                Step::Score | Step::Item(_) => {
                    if has(&["lewati", "skip", "lewat"]) {
                        Answer::Skip
                    } else {
                        Answer::Score(score_in(&lower, &words)?)
                    }
                }
                Step::Comment if now - *asked_at <= Duration::minutes(COMMENT_WINDOW) => {
                    if has(&["lewati", "skip"]) || matches!(lower.as_str(), "-" | "tidak ada" | "tdk ada" | "gak ada") {
                        Answer::Skip
                    } else {
                        Answer::Comment(text.trim().chars().take(1000).collect())
                    }
                }
                _ => return None,
            };
            Some(FollowUp {
                ticket_id: *ticket_id,
                step: Some(step.clone()),
                answer,
            })
        }
    }
}

/// A digit 1-5 standing alone, or the scale's words.
fn score_in(lower: &str, words: &[&str]) -> Option<u8> {
    if let [w] = words {
        if let Ok(n) = w.parse::<u8>() {
            return SCALE.contains(&n).then_some(n);
        }
    }
    let phrases: [(&str, u8); 5] = [
        ("sangat memuaskan", 5),
        ("tidak memuaskan", 1),
        ("kurang memuaskan", 2),
        ("cukup", 3),
        ("memuaskan", 4),
    ];
    phrases.iter().find(|(p, _)| lower.contains(p)).map(|(_, n)| *n)
}

/// The resolution note and the question whether it is fixed.
pub fn ask_confirm(ticket_id: i64, number: &str, note: &str) -> Reply {
    Reply::with_choices(
        Msg::new("push-resolved").arg("number", number).arg("note", note),
        vec![
            Choice::key(format!("fu:{ticket_id}:y"), "followup-fixed"),
            Choice::key(format!("fu:{ticket_id}:n"), "followup-not-fixed"),
        ],
    )
    .about(About::Confirm { number: number.into() })
}

/// The survey's question at `step` (none once done).
pub fn ask(ticket_id: i64, number: &str, step: &Step) -> Option<Reply> {
    let button = |value: String, label: Msg| Choice::new(format!("sv:{ticket_id}:{value}:{}", step.as_stored()), label);
    let scale = || {
        SCALE
            .map(|n| button(n.to_string(), Msg::new("survey-scale").arg("score", i64::from(n))))
            .collect::<Vec<_>>()
    };
    Some(match step {
        // The opening question is the one that may go out long after the reporter wrote:
        // it carries its gist, for a channel that then needs a template.
        Step::Score => Reply::with_choices(Msg::new("survey-ask-score").arg("number", number), scale())
            .about(About::Survey { number: number.into() }),
        Step::Item(key) => {
            let mut choices = scale();
            choices.push(button("x".into(), Msg::new("survey-skip")));
            let question = Msg::new("survey-item").arg("item", key.as_str());
            Reply::with_choices(Msg::new("survey-ask-item").arg("question", question), choices)
        }
        Step::Comment => Reply::with_choices(
            Msg::new("survey-ask-comment"),
            vec![button("x".into(), Msg::new("survey-skip"))],
        ),
        Step::Done => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_round_trip_and_strangers_are_refused() {
        let r = ask(42, "INC-2611-0001", &Step::Item("speed".into())).unwrap();
        let ids: Vec<&str> = r.choices.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids[0], "sv:42:1:item:speed");
        assert_eq!(ids[5], "sv:42:x:item:speed");
        assert!(ids.iter().all(|id| id.len() <= 64));
        assert_eq!(
            parse_button(ids[3]),
            Some(FollowUp {
                ticket_id: 42,
                step: Some(Step::Item("speed".into())),
                answer: Answer::Score(4)
            })
        );
        assert_eq!(parse_button("fu:42:n").unwrap().answer, Answer::NotFixed);
        for bad in ["fu:x:y", "sv:42:9:score", "sv:42:1:nothing", "fu:42", "c:yes", ""] {
            assert_eq!(parse_button(bad), None, "{bad}");
        }
    }

    #[test]
    fn typed_answers_are_read_for_the_pending_question_only() {
        let now = Utc::now();
        let confirm = Pending::Confirm { ticket_id: 7 };
        let ans = |p: &Pending, t: &str| parse_typed(p, t, now).map(|f| f.answer);
        assert_eq!(ans(&confirm, "ya sudah normal"), Some(Answer::Fixed));
        assert_eq!(ans(&confirm, "belum normal, masih mati"), Some(Answer::NotFixed));
        assert_eq!(ans(&confirm, "printer di lantai 2 rusak"), None);
        let score = Pending::Survey {
            ticket_id: 7,
            step: Step::Score,
            asked_at: now,
        };
        assert_eq!(ans(&score, " 4 "), Some(Answer::Score(4)));
        assert_eq!(ans(&score, "Sangat memuaskan!"), Some(Answer::Score(5)));
        assert_eq!(ans(&score, "kurang memuaskan"), Some(Answer::Score(2)));
        assert_eq!(ans(&score, "9"), None);
        assert_eq!(ans(&score, "wifi mati lagi"), None);
        let comment = |asked_at| Pending::Survey {
            ticket_id: 7,
            step: Step::Comment,
            asked_at,
        };
        assert_eq!(
            ans(&comment(now), "teknisinya cepat"),
            Some(Answer::Comment("teknisinya cepat".into()))
        );
        assert_eq!(
            ans(&comment(now - Duration::hours(5)), "printer rusak"),
            None,
            "too late: a new report"
        );
    }
}
