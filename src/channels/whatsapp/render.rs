//! A Sigap message as WhatsApp shows it: long text split, up to three short choices as reply
//! buttons, more (or longer) as a list; outside the 24-hour window, the configured template
//! carrying the message's gist.

use super::api::{self, Message};
use crate::channels::text::{clip, split};
use crate::config::WhatsAppTemplates;
use crate::domain::{About, OutChoice, Outbound};

/// The free-form messages for `m`, in order. `list_button` labels a list's opening button.
pub fn free_form(m: &Outbound, list_button: &str) -> Vec<Message> {
    if m.choices.is_empty() {
        return split(&m.text, api::TEXT_MAX).into_iter().map(Message::Text).collect();
    }
    let buttons = fits_buttons(&m.choices);
    let body_max = if buttons { api::BUTTON_BODY_MAX } else { api::TEXT_MAX };
    let mut parts = split(&m.text, api::TEXT_MAX);
    // The part that carries the choices must fit an interactive body.
    let last = parts.pop().unwrap_or_default();
    let mut tail = split(&last, body_max);
    let body = tail.pop().unwrap_or_default();
    parts.extend(tail);
    let mut out: Vec<Message> = parts.into_iter().map(Message::Text).collect();
    let body = if body.trim().is_empty() { "…".to_owned() } else { body };
    if buttons {
        out.push(Message::Buttons {
            body,
            buttons: m
                .choices
                .iter()
                .map(|c| (c.id.clone(), clip(&c.label, api::BUTTON_TITLE_MAX)))
                .collect(),
        });
    } else {
        // A list holds ten rows; more choices continue in another list.
        for (i, rows) in m.choices.chunks(api::LIST_ROWS_MAX).enumerate() {
            out.push(Message::List {
                body: if i == 0 { body.clone() } else { "…".to_owned() },
                button: clip(list_button, api::LIST_BUTTON_MAX),
                rows: rows.iter().map(row).collect(),
            });
        }
    }
    out
}

/// Up to three choices become buttons, a long label clipped, as long as the clipped
/// labels stay distinct (the API refuses two buttons with one title).
fn fits_buttons(choices: &[OutChoice]) -> bool {
    let mut titles: Vec<String> = choices.iter().map(|c| clip(&c.label, api::BUTTON_TITLE_MAX)).collect();
    titles.sort_unstable();
    titles.dedup();
    choices.len() <= api::BUTTONS_MAX && titles.len() == choices.len() && titles.iter().all(|t| !t.trim().is_empty())
}

/// A list row: the label as the title, or clipped with the whole of it below.
fn row(c: &OutChoice) -> (String, String, Option<String>) {
    if c.label.chars().count() <= api::ROW_TITLE_MAX {
        (c.id.clone(), c.label.clone(), None)
    } else {
        (
            c.id.clone(),
            clip(&c.label, api::ROW_TITLE_MAX),
            Some(clip(&c.label, api::ROW_DESCRIPTION_MAX)),
        )
    }
}

/// The template that says what `m` says, for a recipient whose window is closed.
pub fn template(m: &Outbound, templates: &WhatsAppTemplates, language: &str) -> Message {
    let payloads = || m.choices.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    let (name, params, quick_replies) = match &m.about {
        Some(About::Status { number, status }) => (&templates.status, vec![param(number), param(status)], Vec::new()),
        Some(About::Confirm { number }) => (&templates.confirm, vec![param(number)], payloads()),
        Some(About::Survey { number }) => (&templates.survey, vec![param(number)], payloads()),
        None => (&templates.notice, vec![param(&m.text)], Vec::new()),
    };
    Message::Template {
        name: name.clone(),
        language: language.to_owned(),
        params,
        quick_replies,
    }
}

/// A template parameter may hold no line breaks, tabs or long runs of spaces.
fn param(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    clip(&flat, api::PARAM_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices(labels: &[&str]) -> Vec<OutChoice> {
        labels
            .iter()
            .enumerate()
            .map(|(i, l)| OutChoice {
                id: format!("c{i}"),
                label: (*l).to_owned(),
            })
            .collect()
    }

    fn with(text: &str, labels: &[&str]) -> Outbound {
        Outbound {
            choices: choices(labels),
            ..Outbound::text(text)
        }
    }

    #[test]
    fn three_short_choices_are_buttons_more_are_a_list() {
        let m = free_form(&with("Sudah normal?", &["Ya", "Belum"]), "Pilih");
        assert!(matches!(&m[..], [Message::Buttons { buttons, .. }] if buttons.len() == 2));
        let m = free_form(&with("Nilai?", &["1", "2", "3", "4", "5"]), "Pilih");
        assert!(matches!(&m[..], [Message::List { rows, button, .. }] if rows.len() == 5 && button == "Pilih"));
        // A long label is clipped on a button; in a list the whole of it goes below.
        let long = "Berhasil, masalah selesai sekarang";
        let m = free_form(&with("Coba ini", &["Ya", long]), "Pilih");
        let Message::Buttons { buttons, .. } = &m[0] else {
            panic!("{m:?}")
        };
        assert_eq!(buttons[1].1.chars().count(), api::BUTTON_TITLE_MAX);
        let m = free_form(&with("Coba ini", &["Ya", "Tidak", "Nanti", long]), "Pilih");
        let Message::List { rows, .. } = &m[0] else {
            panic!("{m:?}")
        };
        assert_eq!(rows[3].1.chars().count(), api::ROW_TITLE_MAX);
        assert_eq!(rows[3].2.as_deref(), Some(long));
        // Labels that clip to the same title make a list.
        let m = free_form(
            &with("?", &["Sangat sangat puas sekali", "Sangat sangat puas sekali!"]),
            "Pilih",
        );
        assert!(matches!(&m[0], Message::List { .. }));
        let twelve: Vec<String> = (1..=12).map(|i| format!("Pilihan {i}")).collect();
        let labels: Vec<&str> = twelve.iter().map(String::as_str).collect();
        assert_eq!(free_form(&with("Mana?", &labels), "Pilih").len(), 2);
    }

    #[test]
    fn long_text_is_split_and_the_button_body_fits() {
        let text = "kata ".repeat(1500);
        let m = free_form(&with(&text, &["Ya", "Belum"]), "Pilih");
        let Some(Message::Buttons { body, .. }) = m.last() else {
            panic!()
        };
        assert!(body.chars().count() <= api::BUTTON_BODY_MAX);
        for part in &m[..m.len() - 1] {
            let Message::Text(t) = part else { panic!() };
            assert!(t.chars().count() <= api::TEXT_MAX);
        }
        let total: usize = m
            .iter()
            .map(|p| match p {
                Message::Text(t) | Message::Buttons { body: t, .. } => t.matches("kata").count(),
                _ => 0,
            })
            .sum();
        assert_eq!(total, 1500, "nothing lost");
        assert_eq!(free_form(&Outbound::text("x".repeat(9000)), "Pilih").len(), 3);
    }

    #[test]
    fn templates_carry_the_gist() {
        let t = WhatsAppTemplates::default();
        let m = Outbound::text("Tiket INC-1\nsedang ditangani").about(About::Status {
            number: "INC-1".into(),
            status: "Dalam Penanganan".into(),
        });
        assert_eq!(
            template(&m, &t, "id"),
            Message::Template {
                name: t.status.clone(),
                language: "id".into(),
                params: vec!["INC-1".into(), "Dalam Penanganan".into()],
                quick_replies: vec![],
            }
        );
        let confirm = Outbound {
            about: Some(About::Confirm { number: "INC-1".into() }),
            ..with("Sudah normal?", &["Ya", "Belum"])
        };
        let Message::Template { quick_replies, .. } = template(&confirm, &t, "id") else {
            panic!()
        };
        assert_eq!(quick_replies, vec!["c0", "c1"]);
        let Message::Template { params, name, .. } = template(&Outbound::text("a\n\tb    c"), &t, "en") else {
            panic!()
        };
        assert_eq!((name, params), (t.notice.clone(), vec!["a b c".to_owned()]));
    }
}
