-- Several writers at once (the server's ingest transactions, gateway replicas) must not store one
-- request twice, once by its request id and once by its message id, when both copies arrive at the
-- same moment: a message key is now stored at most once, and the second writer finds the first's
-- row when it tries again. A request stored twice before this (by a race between replicas) keeps
-- counting as it did; only the later row gives up its message key, so that new copies merge into
-- the first.
UPDATE events e SET message_key = NULL
 WHERE message_key IS NOT NULL
   AND EXISTS (SELECT 1 FROM events f WHERE f.message_key = e.message_key AND f.dedup_key < e.dedup_key);
DROP INDEX events_message_key;
CREATE UNIQUE INDEX events_message_key ON events (message_key) WHERE message_key IS NOT NULL;
