//! What each card button, command and typed note does. Authorisation is decided here,
//! from the database: who is pressing, and what the ticket's state is now.

use super::card::{self, CardAction};
use super::{Desk, LIST};
use crate::domain::{Outbound, Status};
use crate::i18n::{Arg, Msg};
use crate::ingest::IngestError;
use crate::store::desk::{self, CardTicket, Prompt, PromptAction};
use crate::store::outbox::{Op, Queued};
use crate::store::technicians::Technician;
use crate::store::{followup, teams, tickets};

/// Notes longer than this are cut: a resolution note is a sentence or two, not a log.
const NOTE_MAX: usize = 1000;
/// Shorter than this is not a note ("ok").
const NOTE_MIN: usize = 3;

/// "tiket ini sudah selesai": a ticket that left the desk's hands.
pub(super) fn moved_on(t: &CardTicket) -> Msg {
    Msg::new("desk-moved-on")
        .arg("number", t.number.as_str())
        .arg("status", t.status)
}

fn is_open(s: Status) -> bool {
    matches!(s, Status::New | Status::InProgress)
}

impl Desk<'_> {
    pub(super) async fn button(
        &mut self,
        tech: &Technician,
        ticket_id: i64,
        action: CardAction,
        query_id: &str,
    ) -> Result<(), IngestError> {
        let at = self.input.received_at;
        let Some(t) = desk::card_ticket(self.conn, ticket_id).await? else {
            self.answer(query_id, Some(Msg::new("desk-stale-button")));
            return Ok(());
        };
        if !is_open(t.status) {
            self.answer(query_id, Some(moved_on(&t)));
            return Ok(());
        }
        match action {
            CardAction::Claim => {
                if desk::claim(self.conn, t.id, tech.id, at).await? {
                    self.answer(query_id, None);
                    self.refresh_card(t.id).await?;
                    self.tell_reporter(
                        &t,
                        Status::InProgress,
                        Msg::new("push-claimed")
                            .arg("number", t.number.as_str())
                            .arg("name", tech.name.as_str())
                            .arg("team", tech.team.as_str()),
                    );
                } else {
                    // Lost the race, or the ticket moved: say who has it now.
                    let now = desk::card_ticket(self.conn, t.id).await?.unwrap_or(t);
                    let alert = match &now.assignee {
                        _ if !is_open(now.status) => moved_on(&now),
                        Some(_) if now.assignee_id == Some(tech.id) => Msg::new("desk-yours-already"),
                        Some(name) => Msg::new("desk-taken").arg("name", name.as_str()),
                        None => moved_on(&now),
                    };
                    self.answer(query_id, Some(alert));
                }
            }
            CardAction::Escalate | CardAction::Resolve | CardAction::Cancel | CardAction::Return | CardAction::Up => {
                if let Some(holder) = t.assignee.as_deref().filter(|_| t.assignee_id != Some(tech.id)) {
                    self.answer(query_id, Some(Msg::new("desk-held-by").arg("name", holder)));
                    return Ok(());
                }
                match action {
                    CardAction::Escalate => self.offer_teams(&t, query_id).await?,
                    CardAction::Resolve => self.ask(tech, &t, PromptAction::Resolve, query_id).await?,
                    CardAction::Cancel => self.ask(tech, &t, PromptAction::Cancel, query_id).await?,
                    CardAction::Return => self.hand_to_team(tech, t.id, None, query_id).await?,
                    CardAction::Up => self.up(tech, &t, query_id).await?,
                    CardAction::Claim => {}
                }
            }
        }
        Ok(())
    }

    /// Asks for the resolution note or the reason to cancel, as a reply the technician's
    /// app opens for them.
    async fn ask(
        &mut self,
        tech: &Technician,
        t: &CardTicket,
        action: PromptAction,
        query_id: &str,
    ) -> Result<(), IngestError> {
        let prompt = Prompt {
            ticket_id: t.id,
            action,
            chat_id: self.input.chat_id.clone(),
        };
        desk::set_prompt(self.conn, tech.id, &prompt, self.input.received_at).await?;
        self.answer(query_id, None);
        let key = match action {
            PromptAction::Resolve => "desk-ask-note",
            PromptAction::Cancel => "desk-ask-reason",
            PromptAction::Vendor => "desk-ask-vendor-ref",
        };
        self.prompt_reply(t, tech, key);
        Ok(())
    }

    /// The question a prompt asks, as a reply the technician's app opens for them.
    pub(super) fn prompt_reply(&mut self, t: &CardTicket, tech: &Technician, key: &'static str) {
        let text = self.war.render(
            &Msg::new(key)
                .arg("number", t.number.as_str())
                .arg("name", tech.name.as_str()),
        );
        let reply_to = match &self.input.kind {
            super::DeskKind::Button { message_id, .. } => Some(message_id.clone()),
            _ => None,
        };
        let chat = self.input.chat_id.clone();
        self.telegram(
            &chat,
            Queued {
                message: Outbound {
                    expects_reply: true,
                    ..Outbound::text(text)
                },
                ticket_id: Some(t.id),
                op: Op::Send { reply_to },
            },
        );
    }

    /// The technician's typed answer to the open question.
    pub(super) async fn note(&mut self, tech: &Technician, text: &str) -> Result<(), IngestError> {
        let text = text.trim();
        if text.chars().count() < NOTE_MIN {
            // Keep the question open: "ok" is not a resolution note.
            if desk::has_prompt(self.conn, tech.id).await? {
                self.say(Msg::new("desk-note-short"));
            }
            return Ok(());
        }
        let Some(prompt) = desk::take_prompt(self.conn, tech.id).await? else {
            return Ok(());
        };
        let note: String = text.chars().take(NOTE_MAX).collect();
        let Some(t) = desk::card_ticket(self.conn, prompt.ticket_id).await? else {
            return Ok(());
        };
        if !is_open(t.status) {
            self.say(moved_on(&t));
            return Ok(());
        }
        if let Some(holder) = t.assignee.as_deref().filter(|_| t.assignee_id != Some(tech.id)) {
            self.say(Msg::new("desk-held-by").arg("name", holder));
            return Ok(());
        }
        let at = self.input.received_at;
        match prompt.action {
            PromptAction::Resolve => {
                // Whoever resolves an unclaimed ticket has handled it.
                if t.assignee_id.is_none() {
                    desk::claim(self.conn, t.id, tech.id, at).await?;
                }
                if tickets::resolve(self.conn, &t.number, &note, Some(tech.id), at)
                    .await?
                    .is_none()
                {
                    self.say(moved_on(&t));
                    return Ok(());
                }
                let days = self.env.settings.sla.autoclose_days;
                let autoclose_at = self.env.calendar.current().add_days(at, days);
                followup::await_confirmation(self.conn, t.id, autoclose_at).await?;
                self.say(Msg::new("desk-resolved").arg("number", t.number.as_str()));
                self.tell_reporter_reply(&t, crate::intake::followup::ask_confirm(t.id, &t.number, &note), None);
            }
            PromptAction::Vendor => {
                if !teams::set_vendor_ref(self.conn, t.id, &note, tech.id, at).await? {
                    self.say(moved_on(&t));
                    return Ok(());
                }
                self.say(Msg::new("desk-vendor-ref-saved").arg("number", t.number.as_str()));
            }
            PromptAction::Cancel => {
                if !desk::cancel(self.conn, t.id, &note, tech.id, at).await? {
                    self.say(moved_on(&t));
                    return Ok(());
                }
                self.say(Msg::new("desk-cancelled").arg("number", t.number.as_str()));
                self.tell_reporter(
                    &t,
                    Status::Cancelled,
                    Msg::new("push-cancelled")
                        .arg("number", t.number.as_str())
                        .arg("reason", note.as_str()),
                );
            }
        }
        self.refresh_card(t.id).await?;
        Ok(())
    }

    pub(super) async fn command(
        &mut self,
        tech: &Technician,
        name: &str,
        arg: Option<&str>,
    ) -> Result<(), IngestError> {
        match name {
            "tiket" => {
                let found = match arg {
                    Some(n) => desk::find(self.conn, n).await?,
                    None => None,
                };
                let t = match found {
                    Some(id) => desk::card_ticket(self.conn, id).await?,
                    None => None,
                };
                match t {
                    Some(t) => {
                        let message = card::render(&t, self.war);
                        let chat = self.input.chat_id.clone();
                        self.telegram(&chat, Queued::send(message, Some(t.id)));
                    }
                    None => self.say(Msg::new("desk-ticket-not-found").arg("number", arg.unwrap_or(""))),
                }
            }
            "prioritas" => self.set_priority(tech, arg).await?,
            "antrian" | "milik" => {
                let holder = (name == "milik").then_some(tech.id);
                let list = desk::queue(self.conn, holder, LIST).await?;
                let lines: Vec<Msg> = list
                    .iter()
                    .map(|l| {
                        Msg::new("desk-queue-line")
                            .arg("number", l.number.as_str())
                            .arg("priority", i64::from(l.priority.get()))
                            .arg("title", l.title.as_str())
                            .arg("status", l.status)
                            .arg("due", l.resolution_due)
                    })
                    .collect();
                let key = match (name, lines.is_empty()) {
                    ("milik", true) => "desk-mine-empty",
                    ("milik", false) => "desk-mine",
                    (_, true) => "desk-queue-empty",
                    _ => "desk-queue",
                };
                self.say(
                    Msg::new(key)
                        .arg("count", lines.len() as i64)
                        .arg("lines", Arg::Lines(lines)),
                );
            }
            "batal" => {
                desk::take_prompt(self.conn, tech.id).await?;
                self.say(Msg::new("desk-prompt-dropped"));
            }
            _ => self.say(Msg::new("desk-help")),
        }
        Ok(())
    }
}
