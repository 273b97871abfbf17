-- Every stored event paid for four index entries; two bought nothing: the identity column, which no
-- query reads (dedup_key identifies an event), and the NULL message keys of requests without a
-- message id (most gateway requests), which no lookup asks for.
ALTER TABLE events DROP COLUMN id;
DROP INDEX events_message_key;
CREATE INDEX events_message_key ON events (message_key) WHERE message_key IS NOT NULL;

-- Keys compared byte by byte: the database's default collation (en_US.UTF-8 on most installs)
-- compares text through the C library, several times slower, for an order no query relies on.
-- The rollups' keys are compared on every upsert, the dedup key on every insert and lookup.
ALTER TABLE events ALTER COLUMN dedup_key TYPE TEXT COLLATE "C", ALTER COLUMN message_key TYPE TEXT COLLATE "C";
ALTER TABLE rollup_hour ALTER COLUMN identity TYPE TEXT COLLATE "C", ALTER COLUMN key_id TYPE TEXT COLLATE "C", ALTER COLUMN provider TYPE TEXT COLLATE "C", ALTER COLUMN model TYPE TEXT COLLATE "C", ALTER COLUMN model_id TYPE TEXT COLLATE "C", ALTER COLUMN tool TYPE TEXT COLLATE "C", ALTER COLUMN project TYPE TEXT COLLATE "C", ALTER COLUMN session_id TYPE TEXT COLLATE "C", ALTER COLUMN source TYPE TEXT COLLATE "C", ALTER COLUMN tags TYPE TEXT COLLATE "C";
ALTER TABLE rollup_day ALTER COLUMN identity TYPE TEXT COLLATE "C", ALTER COLUMN key_id TYPE TEXT COLLATE "C", ALTER COLUMN provider TYPE TEXT COLLATE "C", ALTER COLUMN model TYPE TEXT COLLATE "C", ALTER COLUMN model_id TYPE TEXT COLLATE "C", ALTER COLUMN tool TYPE TEXT COLLATE "C", ALTER COLUMN project TYPE TEXT COLLATE "C", ALTER COLUMN source TYPE TEXT COLLATE "C", ALTER COLUMN tags TYPE TEXT COLLATE "C";
ALTER TABLE rollup_month ALTER COLUMN identity TYPE TEXT COLLATE "C", ALTER COLUMN key_id TYPE TEXT COLLATE "C", ALTER COLUMN provider TYPE TEXT COLLATE "C", ALTER COLUMN model TYPE TEXT COLLATE "C", ALTER COLUMN model_id TYPE TEXT COLLATE "C", ALTER COLUMN tool TYPE TEXT COLLATE "C", ALTER COLUMN project TYPE TEXT COLLATE "C", ALTER COLUMN source TYPE TEXT COLLATE "C", ALTER COLUMN tags TYPE TEXT COLLATE "C";

