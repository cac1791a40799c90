-- Functional escalation: the team that has a ticket now (routed from its category and
-- service at creation, moved by Eskalasi), and the vendor's own reference number while an
-- L3 vendor has it. Moves are ticket_events: 'escalated' (data: from_team, to_team,
-- vendor_ref) and 'returned' (sent back as misrouted; data: from_team, to_team).
ALTER TABLE tickets
    ADD COLUMN team       TEXT,
    ADD COLUMN vendor_ref TEXT;
CREATE INDEX tickets_team ON tickets (team, status);
CREATE INDEX ticket_events_kind ON ticket_events (kind, at);

-- Handing a ticket to a vendor asks the technician for the vendor's reference number.
ALTER TABLE desk_prompts DROP CONSTRAINT desk_prompts_action_check;
ALTER TABLE desk_prompts ADD CONSTRAINT desk_prompts_action_check CHECK (action IN ('resolve', 'cancel', 'vendor'));
