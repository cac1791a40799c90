//! `/prioritas NOMOR 1|2|3`: a technician corrects a ticket's priority. Its due times and
//! SLA marks are computed again from when it was recorded, in the agency's calendar;
//! warnings already sent stay sent.

use super::Desk;
use crate::domain::Priority;
use crate::i18n::Msg;
use crate::ingest::IngestError;
use crate::store::technicians::Technician;
use crate::store::{desk, sla};

impl Desk<'_> {
    pub(super) async fn set_priority(&mut self, tech: &Technician, arg: Option<&str>) -> Result<(), IngestError> {
        let mut words = arg.unwrap_or("").split_whitespace();
        let (Some(number), Some(p), None) = (words.next(), words.next(), words.next()) else {
            self.say(Msg::new("desk-priority-usage"));
            return Ok(());
        };
        let Some(priority) = p
            .trim_start_matches(['P', 'p'])
            .parse::<u8>()
            .ok()
            .and_then(Priority::new)
        else {
            self.say(Msg::new("desk-priority-usage"));
            return Ok(());
        };
        let Some(id) = desk::find(self.conn, number).await? else {
            self.say(Msg::new("desk-ticket-not-found").arg("number", number));
            return Ok(());
        };
        let Some(clock) = sla::lock_clock(self.conn, id).await? else {
            return Ok(());
        };
        let Some(t) = desk::card_ticket(self.conn, id).await? else {
            return Ok(());
        };
        if !clock.open {
            self.say(super::actions::moved_on(&t));
            return Ok(());
        }
        if clock.priority == priority {
            self.say(Msg::new("desk-priority-same").arg("number", t.number.as_str()));
            return Ok(());
        }
        let policy = &self.env.settings.priority;
        let calendar = self.env.calendar.current();
        let due = policy.due(priority, clock.created_at, &calendar);
        let marks = policy.marks(priority, clock.created_at, &calendar);
        sla::set_priority(
            self.conn,
            id,
            clock.priority,
            priority,
            &due,
            tech.id,
            self.input.received_at,
        )
        .await?;
        sla::plan(self.conn, id, &marks).await?;
        self.refresh_card(id).await?;
        self.say(
            Msg::new("desk-priority-set")
                .arg("number", t.number.as_str())
                .arg("priority", i64::from(priority.get()))
                .arg("due", due.resolution),
        );
        Ok(())
    }
}
