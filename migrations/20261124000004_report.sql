-- Reports select a period's tickets by when they were recorded.
CREATE INDEX tickets_created ON tickets (created_at);
