-- The ledger: one row per model request, whatever the source, deduplicated on dedup_key.
CREATE TABLE events (
  id                  INTEGER PRIMARY KEY,
  dedup_key           TEXT    NOT NULL UNIQUE,
  message_key         TEXT,              -- provider:message id, the second identity of a request
  ts_ms               BIGINT  NOT NULL,  -- UTC epoch milliseconds
  source              TEXT    NOT NULL,
  provider            TEXT    NOT NULL,
  model               TEXT    NOT NULL,  -- as reported
  model_id            TEXT    NOT NULL,  -- normalized (the price key when priced)
  tool                TEXT,
  identity            TEXT,
  key_id              TEXT,
  project             TEXT,
  session_id          TEXT,
  request_id          TEXT,
  message_id          TEXT,
  sidechain           INTEGER NOT NULL DEFAULT 0,
  input_tokens        BIGINT  NOT NULL,
  output_tokens       BIGINT  NOT NULL,
  cache_write_5m      BIGINT  NOT NULL,
  cache_write_1h      BIGINT  NOT NULL,
  cache_read          BIGINT  NOT NULL,
  reasoning_tokens    BIGINT  NOT NULL,
  web_searches        BIGINT  NOT NULL,
  cost_micros         BIGINT  NOT NULL,  -- computed at ingest with price_version
  reported_cost_micros BIGINT,           -- what the source itself reported, if anything
  price_version       TEXT    NOT NULL,
  priced_as           TEXT,              -- price key matched; NULL = unknown model (priced at 0, flagged)
  reported_cost_is_share INTEGER NOT NULL DEFAULT 0  -- 1: the reported cost is a share of a session figure
);
CREATE INDEX events_message_key ON events (message_key);
CREATE INDEX events_ts ON events (ts_ms);

-- Hourly rollup (UTC hours): serves every whole-hour time zone; empty strings stand for "unknown"
-- so that the primary key works the same on SQLite and PostgreSQL.
CREATE TABLE rollup_hour (
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
  PRIMARY KEY (hour_ms, identity, key_id, provider, model, model_id, tool, project, session_id, source)
) WITHOUT ROWID; -- the key is the storage order: range scans by time read rows in group order

-- Daily rollup (UTC days), without sessions: kept longer than raw events, answers long ranges.
CREATE TABLE rollup_day (
  day_ms           BIGINT NOT NULL,
  identity         TEXT   NOT NULL,
  key_id           TEXT   NOT NULL,
  provider         TEXT   NOT NULL,
  model            TEXT   NOT NULL,
  model_id         TEXT   NOT NULL,
  tool             TEXT   NOT NULL,
  project          TEXT   NOT NULL,
  source           TEXT   NOT NULL,
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
  PRIMARY KEY (day_ms, identity, key_id, provider, model, model_id, tool, project, source)
) WITHOUT ROWID;

-- Where each local log reader stopped in each file.
CREATE TABLE file_cursors (
  path            TEXT   PRIMARY KEY,
  agent           TEXT   NOT NULL,
  file_key        TEXT,
  size            BIGINT NOT NULL,
  mtime_ms        BIGINT NOT NULL,
  read_offset     BIGINT NOT NULL,
  state           TEXT,
  lines           BIGINT NOT NULL,
  malformed_lines BIGINT NOT NULL
);
