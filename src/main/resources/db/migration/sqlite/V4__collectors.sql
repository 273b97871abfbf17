-- Provider admin-API collectors (tally serve polls them): per provider, the watermark (every bucket
-- before it is final and stored) and the outcome of the last runs, for `tally collectors status`.
CREATE TABLE collector_state (
  provider         TEXT PRIMARY KEY,     -- anthropic, openai, cursor, github, openrouter
  watermark_ms     BIGINT,               -- the next run starts here; null = nothing collected yet
  last_run_ms      BIGINT,
  last_success_ms  BIGINT,
  last_failure_ms  BIGINT,
  last_error       TEXT                  -- never contains a key: collectors only name method, path and status
);

-- Seats and subscriptions (Cursor members, Copilot seats, Claude plans), apart from metered spend.
CREATE TABLE seats (
  provider            TEXT   NOT NULL,
  identity            TEXT   NOT NULL,   -- email:... or github:login; mapped to a person at query time
  plan                TEXT,              -- the provider's plan, role or seat kind
  cost_micros         BIGINT,            -- price of the seat per month, when known
  cycle_spend_micros  BIGINT,            -- spend the provider reported for the current billing cycle
  last_activity_ms    BIGINT,            -- null = no activity seen (an idle seat)
  seen_ms             BIGINT NOT NULL,   -- when the provider last listed the seat
  PRIMARY KEY (provider, identity)
);

-- Admin-API buckets exactly as the providers reported them (a re-fetched open bucket replaces its
-- row). The ledger holds only what they add beyond metered traffic (README, "Provider admin APIs");
-- these full figures feed the reconciliation report.
CREATE TABLE reported_usage (
  provider              TEXT   NOT NULL,
  slice_key             TEXT   NOT NULL,
  day_ms                BIGINT NOT NULL, -- UTC day of start_ms
  start_ms              BIGINT NOT NULL,
  end_ms                BIGINT NOT NULL,
  tool                  TEXT   NOT NULL,
  identity              TEXT   NOT NULL,
  key_id                TEXT,
  model                 TEXT   NOT NULL,
  requests              BIGINT NOT NULL,
  input_tokens          BIGINT NOT NULL,
  output_tokens         BIGINT NOT NULL,
  cache_write_5m        BIGINT NOT NULL,
  cache_write_1h        BIGINT NOT NULL,
  cache_read            BIGINT NOT NULL,
  reasoning_tokens      BIGINT NOT NULL,
  web_searches          BIGINT NOT NULL,
  reported_cost_micros  BIGINT,
  PRIMARY KEY (provider, slice_key)
);
CREATE INDEX reported_usage_by_day ON reported_usage (provider, day_ms);
