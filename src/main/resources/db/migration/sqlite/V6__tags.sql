-- Tags: a request's tag set, stored as its sorted tags joined with commas ('' = no tags; a tag
-- never contains a comma). The rollups are keyed by the set, so grouping by tag can split a row
-- into its tags and still count each request once per tag.
ALTER TABLE events ADD COLUMN tags TEXT NOT NULL DEFAULT '';

-- A WITHOUT ROWID table's primary key cannot change in place: rebuild each rollup with the tag set
-- in its key, copying the rows (all untagged so far).
CREATE TABLE rollup_hour_v6 (
  hour_ms          BIGINT NOT NULL,
  identity         TEXT   NOT NULL,
  key_id           TEXT   NOT NULL,
  provider         TEXT   NOT NULL,
  model            TEXT   NOT NULL,
  model_id         TEXT   NOT NULL,
  tool             TEXT   NOT NULL,
  project          TEXT   NOT NULL,
  session_id       TEXT   NOT NULL,
  source           TEXT   NOT NULL,
  tags             TEXT   NOT NULL DEFAULT '',
  events           BIGINT NOT NULL,
  input_tokens     BIGINT NOT NULL,
  output_tokens    BIGINT NOT NULL,
  cache_write_5m   BIGINT NOT NULL,
  cache_write_1h   BIGINT NOT NULL,
  cache_read       BIGINT NOT NULL,
  reasoning_tokens BIGINT NOT NULL,
  web_searches     BIGINT NOT NULL,
  cost_micros      BIGINT NOT NULL,
  reported_cost_micros BIGINT NOT NULL,
  reported_events  BIGINT NOT NULL,
  auto_cost_micros BIGINT NOT NULL,
  unpriced_events  BIGINT NOT NULL,
  first_ms         BIGINT NOT NULL,
  last_ms          BIGINT NOT NULL,
  PRIMARY KEY (hour_ms, identity, key_id, provider, model, model_id, tool, project, session_id, source, tags)
) WITHOUT ROWID;
INSERT INTO rollup_hour_v6 (hour_ms, identity, key_id, provider, model, model_id, tool, project, session_id, source, events, input_tokens, output_tokens, cache_write_5m, cache_write_1h, cache_read, reasoning_tokens, web_searches, cost_micros, reported_cost_micros, reported_events, auto_cost_micros, unpriced_events, first_ms, last_ms, tags)
SELECT hour_ms, identity, key_id, provider, model, model_id, tool, project, session_id, source, events, input_tokens, output_tokens, cache_write_5m, cache_write_1h, cache_read, reasoning_tokens, web_searches, cost_micros, reported_cost_micros, reported_events, auto_cost_micros, unpriced_events, first_ms, last_ms, '' FROM rollup_hour;
DROP TABLE rollup_hour;
ALTER TABLE rollup_hour_v6 RENAME TO rollup_hour;

CREATE TABLE rollup_day_v6 (
  day_ms           BIGINT NOT NULL,
  identity         TEXT   NOT NULL,
  key_id           TEXT   NOT NULL,
  provider         TEXT   NOT NULL,
  model            TEXT   NOT NULL,
  model_id         TEXT   NOT NULL,
  tool             TEXT   NOT NULL,
  project          TEXT   NOT NULL,
  source           TEXT   NOT NULL,
  tags             TEXT   NOT NULL DEFAULT '',
  events           BIGINT NOT NULL,
  input_tokens     BIGINT NOT NULL,
  output_tokens    BIGINT NOT NULL,
  cache_write_5m   BIGINT NOT NULL,
  cache_write_1h   BIGINT NOT NULL,
  cache_read       BIGINT NOT NULL,
  reasoning_tokens BIGINT NOT NULL,
  web_searches     BIGINT NOT NULL,
  cost_micros      BIGINT NOT NULL,
  reported_cost_micros BIGINT NOT NULL,
  reported_events  BIGINT NOT NULL,
  auto_cost_micros BIGINT NOT NULL,
  unpriced_events  BIGINT NOT NULL,
  first_ms         BIGINT NOT NULL,
  last_ms          BIGINT NOT NULL,
  PRIMARY KEY (day_ms, identity, key_id, provider, model, model_id, tool, project, source, tags)
) WITHOUT ROWID;
INSERT INTO rollup_day_v6 (day_ms, identity, key_id, provider, model, model_id, tool, project, source, events, input_tokens, output_tokens, cache_write_5m, cache_write_1h, cache_read, reasoning_tokens, web_searches, cost_micros, reported_cost_micros, reported_events, auto_cost_micros, unpriced_events, first_ms, last_ms, tags)
SELECT day_ms, identity, key_id, provider, model, model_id, tool, project, source, events, input_tokens, output_tokens, cache_write_5m, cache_write_1h, cache_read, reasoning_tokens, web_searches, cost_micros, reported_cost_micros, reported_events, auto_cost_micros, unpriced_events, first_ms, last_ms, '' FROM rollup_day;
DROP TABLE rollup_day;
ALTER TABLE rollup_day_v6 RENAME TO rollup_day;

CREATE TABLE rollup_month_v6 (
  month_ms         BIGINT NOT NULL,
  identity         TEXT   NOT NULL,
  key_id           TEXT   NOT NULL,
  provider         TEXT   NOT NULL,
  model            TEXT   NOT NULL,
  model_id         TEXT   NOT NULL,
  tool             TEXT   NOT NULL,
  project          TEXT   NOT NULL,
  source           TEXT   NOT NULL,
  tags             TEXT   NOT NULL DEFAULT '',
  events           BIGINT NOT NULL,
  input_tokens     BIGINT NOT NULL,
  output_tokens    BIGINT NOT NULL,
  cache_write_5m   BIGINT NOT NULL,
  cache_write_1h   BIGINT NOT NULL,
  cache_read       BIGINT NOT NULL,
  reasoning_tokens BIGINT NOT NULL,
  web_searches     BIGINT NOT NULL,
  cost_micros      BIGINT NOT NULL,
  reported_cost_micros BIGINT NOT NULL,
  reported_events  BIGINT NOT NULL,
  auto_cost_micros BIGINT NOT NULL,
  unpriced_events  BIGINT NOT NULL,
  first_ms         BIGINT NOT NULL,
  last_ms          BIGINT NOT NULL,
  PRIMARY KEY (month_ms, identity, key_id, provider, model, model_id, tool, project, source, tags)
) WITHOUT ROWID;
INSERT INTO rollup_month_v6 (month_ms, identity, key_id, provider, model, model_id, tool, project, source, events, input_tokens, output_tokens, cache_write_5m, cache_write_1h, cache_read, reasoning_tokens, web_searches, cost_micros, reported_cost_micros, reported_events, auto_cost_micros, unpriced_events, first_ms, last_ms, tags)
SELECT month_ms, identity, key_id, provider, model, model_id, tool, project, source, events, input_tokens, output_tokens, cache_write_5m, cache_write_1h, cache_read, reasoning_tokens, web_searches, cost_micros, reported_cost_micros, reported_events, auto_cost_micros, unpriced_events, first_ms, last_ms, '' FROM rollup_month;
DROP TABLE rollup_month;
ALTER TABLE rollup_month_v6 RENAME TO rollup_month;
