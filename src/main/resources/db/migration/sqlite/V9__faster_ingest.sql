-- NULL message keys (requests without a message id, most gateway requests) are never looked up:
-- keep them out of the index. (The id column stays: in SQLite it is the row id, which costs nothing.)
DROP INDEX events_message_key;
CREATE INDEX events_message_key ON events (message_key) WHERE message_key IS NOT NULL;
