-- SLA clocks. The moments a ticket's response and resolution clocks cross 50, 75 and 100%
-- of their targets are computed once, with the agency's calendar, when the ticket is created
-- (and again when its priority changes or a pause ends). A worker then only asks the
-- database which marks are due: no timers in memory, and one row per ticket, clock and
-- threshold makes each warning go out once.
CREATE TABLE sla_marks (
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    clock      TEXT NOT NULL CHECK (clock IN ('response', 'resolution')),
    percent    SMALLINT NOT NULL CHECK (percent IN (50, 75, 100)),
    due_at     TIMESTAMPTZ NOT NULL,
    -- The warning was queued (in the same transaction).
    warned_at  TIMESTAMPTZ,
    -- Not sent: a later threshold of the same clock was due too (after downtime only the
    -- latest goes out), or the ticket had left the state the clock watches.
    skipped_at TIMESTAMPTZ,
    PRIMARY KEY (ticket_id, clock, percent)
);
CREATE INDEX sla_marks_due ON sla_marks (due_at) WHERE warned_at IS NULL AND skipped_at IS NULL;

-- Tickets from before this migration get marks on a 24/7 clock between creation and the
-- due times they already have.
INSERT INTO sla_marks (ticket_id, clock, percent, due_at)
SELECT t.id, c.clock, p.percent,
       t.created_at + (CASE c.clock WHEN 'response' THEN t.response_due ELSE t.resolution_due END
                       - t.created_at) * p.percent / 100
FROM tickets t
CROSS JOIN (VALUES ('response'), ('resolution')) AS c (clock)
CROSS JOIN (VALUES (50), (75), (100)) AS p (percent)
WHERE t.status IN ('new', 'in_progress');

-- An unclaimed P1 is announced again every few minutes until someone takes it.
ALTER TABLE tickets ADD COLUMN pinged_at TIMESTAMPTZ;
