package dev.tally.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.ledger.Tokens;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.flywaydb.core.Flyway;

/** A ledger as schema version 5 (before tags) left it: later migrations must keep its data. */
final class OldLedger {
  private OldLedger() {}

  static final String HOUR = "1795597200000"; // 2026-11-25T09:00:00Z
  static final String DAY = "1795564800000";
  static final String MONTH = "1793491200000"; // 2026-11-01

  /** Migrates an empty database at {@code url} to version 5 and writes one request the way that version did. */
  static void create(String url, String user, String password, String dialect) throws Exception {
    Flyway.configure().dataSource(url, user, password).locations("classpath:db/migration/" + dialect).target("5")
        .load().migrate();
    String sums = "1, 10, 20, 0, 0, 30, 0, 0, 60, 0, 0, 60, 0, 1795597260000, 1795597260000";
    String sumColumns = "events, input_tokens, output_tokens, cache_write_5m, cache_write_1h, cache_read,"
        + " reasoning_tokens, web_searches, cost_micros, reported_cost_micros, reported_events, auto_cost_micros,"
        + " unpriced_events, first_ms, last_ms";
    try (Connection c = DriverManager.getConnection(url, user, password); Statement st = c.createStatement()) {
      st.execute("INSERT INTO events (dedup_key, message_key, ts_ms, source, provider, model, model_id, tool, identity,"
          + " key_id, project, session_id, request_id, message_id, sidechain, input_tokens, output_tokens, cache_write_5m,"
          + " cache_write_1h, cache_read, reasoning_tokens, web_searches, cost_micros, reported_cost_micros, price_version,"
          + " priced_as, reported_cost_is_share) VALUES ('anthropic:req:old', NULL, 1795597260000, 'local-log', 'anthropic',"
          + " 'm', 'm', 'claude-code', 'email:dev@example.com', NULL, 'app', 's1', NULL, NULL, 0, 10, 20, 0, 0, 30, 0, 0, 60,"
          + " NULL, 'test', 'm', 0)");
      st.execute("INSERT INTO rollup_hour (hour_ms, identity, key_id, provider, model, model_id, tool, project, session_id,"
          + " source, " + sumColumns + ") VALUES (" + HOUR + ", 'email:dev@example.com', '', 'anthropic', 'm', 'm',"
          + " 'claude-code', 'app', 's1', 'local-log', " + sums + ")");
      for (String[] t : new String[][] {{"rollup_day", "day_ms", DAY}, {"rollup_month", "month_ms", MONTH}}) {
        st.execute("INSERT INTO " + t[0] + " (" + t[1] + ", identity, key_id, provider, model, model_id, tool, project,"
            + " source, " + sumColumns + ") VALUES (" + t[2] + ", 'email:dev@example.com', '', 'anthropic', 'm', 'm',"
            + " 'claude-code', 'app', 'local-log', " + sums + ")");
      }
    }
  }

  /** The old request is still there, untagged, in the events and in every rollup; new tagged writes add to it. */
  static void check(Store store) {
    assertThat(store.findByDedupKeys(List.of("anthropic:req:old")).get("anthropic:req:old").event().tags()).isEmpty();
    Instant from = Instant.parse("2026-11-01T00:00:00Z");
    Instant to = Instant.parse("2026-12-01T00:00:00Z");
    for (UsageQuery q : List.of(
        new UsageQuery(null, null, List.of(Dimension.TAG), Map.of(), true), // rollup_hour
        new UsageQuery(from, to, List.of(Dimension.TAG), Map.of(), true, true), // rollup_day
        new UsageQuery(from, to, List.of(Dimension.TAG), Map.of(), false))) { // rollup_month
      assertThat(store.usage(q)).singleElement().satisfies(r -> {
        assertThat(r.keys()).containsExactly("");
        assertThat(r.totals().tokens()).isEqualTo(Tokens.of(10, 20, 0, 0, 30));
        assertThat(r.totals().costMicros()).isEqualTo(60);
      });
    }
    store.apply(List.of(new Store.Change(null, Events.priced(Events.event("new", "2026-11-25T09:30:00Z", "m",
        Tokens.of(1, 0, 0, 0, 0)).withTags(List.of("ci"))))), List.of());
    UsageQuery all = new UsageQuery(from, to, List.of(), Map.of(), false);
    assertThat(store.usage(all).get(0).totals().events()).isEqualTo(2);
    UsageQuery ci = new UsageQuery(from, to, List.of(), Map.of(Dimension.TAG, Set.of("ci")), false);
    assertThat(store.usage(ci).get(0).totals().tokens().input()).isEqualTo(1);
  }
}
