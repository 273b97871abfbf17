package dev.tally.store;

import static dev.tally.store.Sql.nullableLong;
import static dev.tally.store.Sql.prepare;
import static dev.tally.store.Sql.update;

import dev.tally.ledger.ReportedUsage;
import dev.tally.ledger.Tokens;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** The collectors' tables on JDBC, with SQL shared by SQLite and PostgreSQL. */
final class JdbcCollectorStore implements CollectorStore {
  private final Sql sql;

  JdbcCollectorStore(Supplier<Connection> connections) {
    this.sql = new Sql(connections, () -> {});
  }

  private <T> List<T> list(String doing, String query, Sql.RowMapper<T> mapper, Object... params) {
    return sql.list(doing, query, mapper, params);
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    Long ms = nullableLong(rs, column);
    return ms == null ? null : Instant.ofEpochMilli(ms);
  }

  private static Long ms(Instant t) {
    return t == null ? null : t.toEpochMilli();
  }

  private static final String STATE_SQL =
      "SELECT provider, watermark_ms, last_run_ms, last_success_ms, last_failure_ms, last_error FROM collector_state";

  private static StateRow state(ResultSet rs) throws SQLException {
    return new StateRow(rs.getString(1), instant(rs, 2), instant(rs, 3), instant(rs, 4), instant(rs, 5), rs.getString(6));
  }

  @Override
  public Optional<StateRow> state(String provider) {
    return list("reading collector state", STATE_SQL + " WHERE provider = ?", JdbcCollectorStore::state, provider)
        .stream().findFirst();
  }

  @Override
  public List<StateRow> states() {
    return list("reading collector state", STATE_SQL + " ORDER BY provider", JdbcCollectorStore::state);
  }

  private static void ensureRow(Connection c, String provider) throws SQLException {
    update(c, "INSERT INTO collector_state (provider) VALUES (?) ON CONFLICT (provider) DO NOTHING", provider);
  }

  @Override
  public void recordSuccess(String provider, Instant at, Instant watermark) {
    sql.tx("recording a collector run", c -> {
      ensureRow(c, provider);
      update(c, "UPDATE collector_state SET last_run_ms = ?, last_success_ms = ? WHERE provider = ?",
          at.toEpochMilli(), at.toEpochMilli(), provider);
      if (watermark != null) {
        update(c, "UPDATE collector_state SET watermark_ms = ? WHERE provider = ? AND (watermark_ms IS NULL OR watermark_ms < ?)",
            watermark.toEpochMilli(), provider, watermark.toEpochMilli());
      }
      return null;
    });
  }

  @Override
  public void recordFailure(String provider, Instant at, String error) {
    sql.tx("recording a collector failure", c -> {
      ensureRow(c, provider);
      return update(c, "UPDATE collector_state SET last_run_ms = ?, last_failure_ms = ?, last_error = ? WHERE provider = ?",
          at.toEpochMilli(), at.toEpochMilli(), error, provider);
    });
  }

  @Override
  public void replaceSeats(String provider, List<SeatRow> seats) {
    sql.tx("saving seats", c -> {
      update(c, "DELETE FROM seats WHERE provider = ?", provider);
      Map<String, SeatRow> unique = new LinkedHashMap<>();
      seats.forEach(s -> unique.put(s.identity(), s));
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO seats (provider, identity, plan, cost_micros,"
          + " cycle_spend_micros, last_activity_ms, seen_ms) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        for (SeatRow s : unique.values()) {
          bind(ps, provider, s.identity(), s.plan(), s.costMicros(), s.cycleSpendMicros(), ms(s.lastActivity()),
              s.seen().toEpochMilli());
          ps.addBatch();
        }
        if (!unique.isEmpty()) {
          ps.executeBatch();
        }
      }
      return null;
    });
  }

  @Override
  public List<SeatRow> seats() {
    return list("reading seats", "SELECT provider, identity, plan, cost_micros, cycle_spend_micros, last_activity_ms, seen_ms"
        + " FROM seats ORDER BY provider, identity", rs -> new SeatRow(rs.getString(1), rs.getString(2), rs.getString(3),
        nullableLong(rs, 4), nullableLong(rs, 5), instant(rs, 6), instant(rs, 7)));
  }

  private static void bind(PreparedStatement ps, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object p = params[i];
      if (p == null) {
        ps.setObject(i + 1, null);
      } else if (p instanceof Long l) {
        ps.setLong(i + 1, l);
      } else {
        ps.setString(i + 1, p.toString());
      }
    }
  }

  private static final String REPORTED_COLUMNS = "provider, slice_key, day_ms, start_ms, end_ms, tool, identity, key_id,"
      + " model, requests, input_tokens, output_tokens, cache_write_5m, cache_write_1h, cache_read, reasoning_tokens,"
      + " web_searches, reported_cost_micros";

  @Override
  public void putReported(List<ReportedUsage> rows) {
    if (rows.isEmpty()) {
      return;
    }
    Map<List<String>, ReportedUsage> unique = new LinkedHashMap<>();
    rows.forEach(r -> unique.put(List.of(r.provider(), r.sliceKey()), r));
    String[] cols = REPORTED_COLUMNS.split(",\\s*");
    StringBuilder set = new StringBuilder();
    for (int i = 2; i < cols.length; i++) {
      set.append(i == 2 ? "" : ", ").append(cols[i]).append(" = excluded.").append(cols[i]);
    }
    sql.tx("saving admin-API report rows", c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO reported_usage (" + REPORTED_COLUMNS + ") VALUES ("
          + "?,".repeat(cols.length - 1) + "?) ON CONFLICT (provider, slice_key) DO UPDATE SET " + set)) {
        for (ReportedUsage r : unique.values()) {
          Tokens t = r.tokens();
          long start = r.start().toEpochMilli();
          bind(ps, r.provider(), r.sliceKey(), Math.floorDiv(start, JdbcStore.DAY_MS) * JdbcStore.DAY_MS, start,
              r.end().toEpochMilli(), r.tool(), r.identity(), r.keyId(), r.model(), r.requests(), t.input(), t.output(),
              t.cacheWrite5m(), t.cacheWrite1h(), t.cacheRead(), t.reasoning(), t.webSearches(), r.reportedCostMicros());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  @Override
  public List<ReportedUsage> reported(String provider, Instant from, Instant to) {
    return list("reading admin-API report rows", "SELECT " + REPORTED_COLUMNS + " FROM reported_usage WHERE provider = ?"
        + " AND day_ms >= ? AND day_ms < ? ORDER BY start_ms, slice_key", rs -> new ReportedUsage(
            Instant.ofEpochMilli(rs.getLong(4)), Instant.ofEpochMilli(rs.getLong(5)), rs.getString(1), rs.getString(6),
            rs.getString(7), rs.getString(8), rs.getString(9), rs.getLong(10),
            new Tokens(rs.getLong(11), rs.getLong(12), rs.getLong(13), rs.getLong(14), rs.getLong(15), rs.getLong(16),
                rs.getLong(17)), nullableLong(rs, 18), rs.getString(2)),
        provider, from.toEpochMilli(), to.toEpochMilli());
  }

  @Override
  public List<ProviderDay> reconcile(Instant from, Instant to) {
    String tokens = "input_tokens + output_tokens + cache_write_5m + cache_write_1h + cache_read";
    Map<List<Object>, long[]> days = new LinkedHashMap<>();
    long f = from.toEpochMilli();
    long t = to.toEpochMilli();
    list("reconciling admin-API reports", "SELECT day_ms, provider, SUM(" + tokens + "), SUM(COALESCE(reported_cost_micros, 0))"
        + " FROM reported_usage WHERE day_ms >= ? AND day_ms < ? GROUP BY day_ms, provider ORDER BY day_ms, provider",
        rs -> {
          long[] sums = days.computeIfAbsent(List.of(rs.getLong(1), rs.getString(2)), k -> new long[6]);
          sums[0] += rs.getLong(3);
          sums[1] += rs.getLong(4);
          return null;
        }, f, t);
    list("reconciling admin-API reports", "SELECT day_ms, provider, source, SUM(" + tokens + "), SUM(auto_cost_micros)"
        + " FROM rollup_day WHERE day_ms >= ? AND day_ms < ? GROUP BY day_ms, provider, source",
        rs -> {
          long[] sums = days.get(List.of(rs.getLong(1), rs.getString(2)));
          if (sums != null) {
            int at = "admin-api".equals(rs.getString(3)) ? 4 : 2;
            sums[at] += rs.getLong(4);
            sums[at + 1] += rs.getLong(5);
          }
          return null;
        }, f, t);
    List<ProviderDay> result = new ArrayList<>();
    days.forEach((k, s) -> result.add(new ProviderDay(Instant.ofEpochMilli((Long) k.get(0)).toString().substring(0, 10),
        (String) k.get(1), s[0], s[1], s[2], s[3], s[4], s[5])));
    return result;
  }
}
