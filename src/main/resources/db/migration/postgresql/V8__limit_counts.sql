-- Each gateway replica's rate-limit counts for the current minute, per key. Replicas sharing one
-- PostgreSQL publish theirs every fraction of a second and add the others' to their own, so a
-- key's requests/min, tokens/min and concurrency limits hold across all replicas.
CREATE TABLE limit_counts (
  replica    TEXT    NOT NULL,
  key_id     BIGINT  NOT NULL,
  minute     BIGINT  NOT NULL,  -- epoch minute the counts are for
  requests   BIGINT  NOT NULL,
  tokens     BIGINT  NOT NULL,
  in_flight  INTEGER NOT NULL,
  updated_ms BIGINT  NOT NULL,
  PRIMARY KEY (replica, key_id)
);
