-- Tags: a request's tag set, stored as its sorted tags joined with commas ('' = no tags; a tag
-- never contains a comma). The rollups are keyed by the set, so grouping by tag can split a row
-- into its tags and still count each request once per tag.
ALTER TABLE events ADD COLUMN tags TEXT NOT NULL DEFAULT '';

ALTER TABLE rollup_hour ADD COLUMN tags TEXT NOT NULL DEFAULT '';
ALTER TABLE rollup_hour DROP CONSTRAINT rollup_hour_pkey;
ALTER TABLE rollup_hour ADD PRIMARY KEY (hour_ms, identity, key_id, provider, model, model_id, tool, project, session_id, source, tags);

ALTER TABLE rollup_day ADD COLUMN tags TEXT NOT NULL DEFAULT '';
ALTER TABLE rollup_day DROP CONSTRAINT rollup_day_pkey;
ALTER TABLE rollup_day ADD PRIMARY KEY (day_ms, identity, key_id, provider, model, model_id, tool, project, source, tags);

ALTER TABLE rollup_month ADD COLUMN tags TEXT NOT NULL DEFAULT '';
ALTER TABLE rollup_month DROP CONSTRAINT rollup_month_pkey;
ALTER TABLE rollup_month ADD PRIMARY KEY (month_ms, identity, key_id, provider, model, model_id, tool, project, source, tags);
