-- When a person who is not a technician was last told so in the war room: the group takes
-- 20 messages a minute, so someone sending command after command is told once in a while,
-- not once per command, and cannot fill the group's queue ahead of the tickets' cards.
CREATE TABLE desk_refusals (
    user_id    BIGINT PRIMARY KEY,
    refused_at TIMESTAMPTZ NOT NULL
);
