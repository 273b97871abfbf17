-- People, teams and the identities they own. Events keep the identity; who it belongs to is a
-- join at query time, so mapping later re-attributes history without rewriting events.
CREATE TABLE teams (
  id    INTEGER PRIMARY KEY,
  name  TEXT NOT NULL UNIQUE
);
CREATE TABLE people (
  id       INTEGER PRIMARY KEY,
  name     TEXT NOT NULL,
  team_id  BIGINT REFERENCES teams (id)
);
-- identity strings as events carry them: email:a@b.c, key:<id>, anthropic-user:<uuid>, local:<user>@<host>
CREATE TABLE identities (
  identity   TEXT PRIMARY KEY,
  person_id  BIGINT NOT NULL REFERENCES people (id)
);
CREATE INDEX identities_person ON identities (person_id);

-- Who may sign in or call the API.
CREATE TABLE users (
  id             INTEGER PRIMARY KEY,
  username       TEXT NOT NULL UNIQUE,
  password_hash  TEXT NOT NULL,
  role           TEXT NOT NULL,       -- admin, lead, member
  person_id      BIGINT REFERENCES people (id)
);
CREATE TABLE team_leads (
  user_id  BIGINT NOT NULL REFERENCES users (id),
  team_id  BIGINT NOT NULL REFERENCES teams (id),
  PRIMARY KEY (user_id, team_id)
);
-- Machine tokens: only a SHA-256 of the secret is kept, with a visible prefix to recognise it.
CREATE TABLE api_tokens (
  id          INTEGER PRIMARY KEY,
  prefix      TEXT NOT NULL,
  secret_hash TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  scope       TEXT NOT NULL,          -- admin, agent (ingest for its person only), read (its person's usage)
  person_id   BIGINT REFERENCES people (id),
  created_ms  BIGINT NOT NULL,
  revoked_ms  BIGINT
);

-- Aggregate telemetry (Claude Code's token and cost counters), kept apart from the per-request
-- ledger: it is compared with what was seen per request (reconciliation), never added on top.
CREATE TABLE otel_metric_points (
  series      TEXT   NOT NULL,        -- resource + metric + attributes, for cumulative bookkeeping
  start_ms    BIGINT NOT NULL,
  end_ms      BIGINT NOT NULL,
  identity    TEXT,
  session_id  TEXT,
  model       TEXT,
  kind        TEXT   NOT NULL,        -- input, output, cacheRead, cacheCreation, cost_micros
  delta       BIGINT NOT NULL,        -- the increase over [start, end]
  cumulative  BIGINT,                 -- the running total, for cumulative series
  PRIMARY KEY (series, end_ms)
);
