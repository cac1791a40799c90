//! Eskalasi: functional (to a team of a higher level, the one routed for the ticket's
//! category first; a vendor is asked for their reference number), hierarchical (to the
//! supervisors), and back to the team it came from when it was sent to the wrong one.

use super::Desk;
use super::card::{self, CardAction};
use crate::domain::teams::Team;
use crate::domain::{OutChoice, Outbound};
use crate::i18n::Msg;
use crate::ingest::IngestError;
use crate::store::desk::{self, CardTicket, PromptAction};
use crate::store::outbox::{Op, Queued};
use crate::store::teams;
use crate::store::technicians::Technician;

impl Desk<'_> {
    /// The teams the ticket may go on to, and the supervisors, as buttons under the card.
    pub(super) async fn offer_teams(&mut self, t: &CardTicket, query_id: &str) -> Result<(), IngestError> {
        self.answer(query_id, None);
        let settings = &self.env.settings.teams;
        let mut choices: Vec<OutChoice> = settings
            .next(t.team.as_deref(), &t.category, t.service.as_deref())
            .into_iter()
            .map(|team| OutChoice {
                id: CardAction::team_button(t.id, &team.key),
                label: team.name.clone(),
            })
            .collect();
        choices.push(OutChoice {
            id: CardAction::Up.button(t.id),
            label: self.war.render(&Msg::new(CardAction::Up.label())),
        });
        let text = self
            .war
            .render(&Msg::new("desk-escalate-to").arg("number", t.number.as_str()));
        let chat = self.input.chat_id.clone();
        let reply_to = match &self.input.kind {
            super::DeskKind::Button { message_id, .. } => Some(message_id.clone()),
            _ => None,
        };
        let mut message = Outbound::text(text);
        message.choices = choices;
        self.telegram(
            &chat,
            Queued {
                message,
                ticket_id: Some(t.id),
                op: Op::Send { reply_to },
            },
        );
        Ok(())
    }

    /// Hands the ticket to `key` (escalation), or back where it came from (`back`).
    pub(super) async fn hand_to_team(
        &mut self,
        tech: &Technician,
        ticket_id: i64,
        key: Option<&str>,
        query_id: &str,
    ) -> Result<(), IngestError> {
        let at = self.input.received_at;
        let Some(held) = teams::lock(self.conn, ticket_id).await? else {
            self.answer(query_id, Some(Msg::new("desk-stale-button")));
            return Ok(());
        };
        let Some(t) = desk::card_ticket(self.conn, ticket_id).await? else {
            return Ok(());
        };
        if !held.open {
            self.answer(query_id, Some(super::actions::moved_on(&t)));
            return Ok(());
        }
        if let Some(holder) = t.assignee.as_deref().filter(|_| held.assignee_id != Some(tech.id)) {
            self.answer(query_id, Some(Msg::new("desk-held-by").arg("name", holder)));
            return Ok(());
        }
        let settings = &self.env.settings.teams;
        let (target, kind): (Option<&Team>, &str) = match key {
            // Only a team the ticket may go on to now: an old offer does not move it back.
            Some(k) => (
                settings
                    .next(held.team.as_deref(), &t.category, t.service.as_deref())
                    .into_iter()
                    .find(|team| team.key == k),
                "escalated",
            ),
            None if t.returnable => {
                let back = teams::came_from(self.conn, ticket_id).await?;
                (
                    back.as_deref().and_then(|k| settings.team(k)).or(settings.first()),
                    "returned",
                )
            }
            None => (None, "returned"),
        };
        let Some(target) = target.cloned() else {
            self.answer(query_id, Some(Msg::new("desk-stale-button")));
            return Ok(());
        };
        teams::move_to(
            self.conn,
            ticket_id,
            tech.id,
            held.team.as_deref(),
            &target.key,
            kind,
            at,
        )
        .await?;
        self.answer(query_id, None);
        self.refresh_card(ticket_id).await?;
        let said = if kind == "returned" {
            "desk-returned"
        } else {
            "desk-escalated"
        };
        self.say(
            Msg::new(said)
                .arg("number", t.number.as_str())
                .arg("name", tech.name.as_str())
                .arg("team", target.name.as_str()),
        );
        if let Some(chat) = target
            .chat
            .filter(|c| Some(*c) != self.env.settings.telegram.war_room_chat)
        {
            // The team's own group gets the card, buttons and all.
            if let Some(now) = desk::card_ticket(self.conn, ticket_id).await? {
                self.telegram(
                    &chat.to_string(),
                    Queued::send(card::render(&now, self.war), Some(ticket_id)),
                );
            }
        }
        if kind == "escalated" {
            self.tell_reporter(
                &t,
                t.status,
                Msg::new("push-escalated").arg("number", t.number.as_str()),
            );
        }
        if target.vendor {
            let prompt = desk::Prompt {
                ticket_id,
                action: PromptAction::Vendor,
                chat_id: self.input.chat_id.clone(),
            };
            desk::set_prompt(self.conn, tech.id, &prompt, at).await?;
            self.prompt_reply(&t, tech, "desk-ask-vendor-ref");
        }
        Ok(())
    }

    /// "Ke atasan": the team's supervisors (or the desk's) get the card.
    pub(super) async fn up(&mut self, tech: &Technician, t: &CardTicket, query_id: &str) -> Result<(), IngestError> {
        let settings = &self.env.settings;
        let chat = t
            .team
            .as_deref()
            .and_then(|k| settings.teams.team(k))
            .and_then(|team| team.supervisor_chat)
            .or(settings.sla.supervisor_chat);
        let Some(chat) = chat else {
            self.answer(query_id, Some(Msg::new("desk-no-supervisors")));
            return Ok(());
        };
        self.answer(query_id, None);
        teams::record_up(
            self.conn,
            t.id,
            Some(tech.id),
            "technician",
            None,
            self.input.received_at,
        )
        .await?;
        let head = self.war.render(
            &Msg::new("desk-up")
                .arg("number", t.number.as_str())
                .arg("name", tech.name.as_str()),
        );
        let card = self.war.render(&card::card_text(t));
        self.telegram(
            &chat.to_string(),
            Queued::send(Outbound::text(format!("{head}\n\n{card}")), Some(t.id)),
        );
        self.say(Msg::new("desk-up-done").arg("number", t.number.as_str()));
        Ok(())
    }
}
