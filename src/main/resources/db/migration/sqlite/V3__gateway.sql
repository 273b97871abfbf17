-- Provider keys the gateway forwards requests with. Only AES-256-GCM ciphertext (under the
-- master key, which is never in the database) and the last four characters are stored.
CREATE TABLE provider_credentials (
  id          INTEGER PRIMARY KEY,
  name        TEXT   NOT NULL UNIQUE,   -- route name: anthropic, openai, openrouter, or the admin's own
  provider    TEXT   NOT NULL,          -- anthropic, openai, openrouter, openai-compatible
  base_url    TEXT   NOT NULL,
  secret_enc  TEXT   NOT NULL,
  last4       TEXT   NOT NULL,
  created_ms  BIGINT NOT NULL
);

-- Personal gateway keys: a SHA-256 of the secret and a visible prefix. Events carry key:<id> as
-- identity; the directory maps it to the key's person, so a rotated key stays with its person.
CREATE TABLE gateway_keys (
  id              INTEGER PRIMARY KEY,
  name            TEXT   NOT NULL,
  prefix          TEXT   NOT NULL,
  secret_hash     TEXT   NOT NULL UNIQUE,
  person_id       BIGINT REFERENCES people (id),
  project         TEXT,
  tags            TEXT,                 -- comma-separated
  allowed_models  TEXT,                 -- comma-separated; null = every model
  rpm             INTEGER,              -- requests per minute; null = no limit
  tpm             INTEGER,              -- tokens per minute
  concurrency     INTEGER,              -- requests in flight
  expires_ms      BIGINT,
  created_ms      BIGINT NOT NULL,
  revoked_ms      BIGINT,
  last_used_ms    BIGINT,
  rotated_from    BIGINT
);

-- Spending caps in micro-dollars over a calendar period (UTC), for a key, person, team or the org.
CREATE TABLE budgets (
  id            INTEGER PRIMARY KEY,
  scope         TEXT   NOT NULL,        -- key, person, team, org
  target        TEXT   NOT NULL,        -- key id, person id, team name; '*' for the org
  period        TEXT   NOT NULL,        -- daily, weekly, monthly, total
  limit_micros  BIGINT NOT NULL,
  hard          INTEGER NOT NULL,       -- 1 = refuse requests once reached, 0 = alert only
  created_ms    BIGINT NOT NULL,
  UNIQUE (scope, target, period)
);

-- Budget alerts (50/80/100%), kept for the alerts work to deliver.
CREATE TABLE budget_alerts (
  budget_id     BIGINT NOT NULL REFERENCES budgets (id),
  period_start  BIGINT NOT NULL,
  threshold     INTEGER NOT NULL,       -- percent
  spent_micros  BIGINT NOT NULL,
  created_ms    BIGINT NOT NULL,
  PRIMARY KEY (budget_id, period_start, threshold)
);
