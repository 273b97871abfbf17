-- Monthly totals (UTC calendar months), kept in step with the daily ones: a 90-day view reads two
-- or three months of these plus the days at its edges instead of ninety days of rows.
CREATE TABLE rollup_month (
  month_ms         BIGINT NOT NULL,
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
  PRIMARY KEY (month_ms, identity, key_id, provider, model, model_id, tool, project, source)
) WITHOUT ROWID;

INSERT INTO rollup_month (month_ms, identity, key_id, provider, model, model_id, tool, project, source, events, input_tokens, output_tokens, cache_write_5m, cache_write_1h, cache_read, reasoning_tokens, web_searches, cost_micros, reported_cost_micros, reported_events, auto_cost_micros, unpriced_events, first_ms, last_ms)
SELECT CAST(strftime('%s', datetime(day_ms / 1000, 'unixepoch', 'start of month')) AS INTEGER) * 1000, identity, key_id, provider, model, model_id, tool, project, source, SUM(events), SUM(input_tokens), SUM(output_tokens), SUM(cache_write_5m), SUM(cache_write_1h), SUM(cache_read), SUM(reasoning_tokens), SUM(web_searches), SUM(cost_micros), SUM(reported_cost_micros), SUM(reported_events), SUM(auto_cost_micros), SUM(unpriced_events), MIN(first_ms), MAX(last_ms)
FROM rollup_day GROUP BY 1, identity, key_id, provider, model, model_id, tool, project, source;
