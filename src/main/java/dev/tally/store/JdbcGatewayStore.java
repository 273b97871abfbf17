package dev.tally.store;

import static dev.tally.store.Sql.insertReturningId;
import static dev.tally.store.Sql.nullableLong;
import static dev.tally.store.Sql.prepare;
import static dev.tally.store.Sql.update;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** The gateway's tables on JDBC, with SQL shared by SQLite and PostgreSQL. */
final class JdbcGatewayStore implements GatewayStore {
  private final Sql sql;

  JdbcGatewayStore(Supplier<Connection> connections) {
    this.sql = new Sql(connections, () -> {});
  }

  private <T> List<T> list(String doing, String query, Sql.RowMapper<T> mapper, Object... params) {
    return sql.list(doing, query, mapper, params);
  }

  @Override
  public long addCredential(String name, String provider, String baseUrl, String secretEnc, String last4, long nowMs) {
    return sql.write("adding provider credential " + name, c -> insertReturningId(c,
        "INSERT INTO provider_credentials (name, provider, base_url, secret_enc, last4, created_ms) VALUES (?, ?, ?, ?, ?, ?)",
        name, provider, baseUrl, secretEnc, last4, nowMs));
  }

  @Override
  public List<CredentialRow> credentials() {
    return list("reading provider credentials",
        "SELECT id, name, provider, base_url, secret_enc, last4, created_ms FROM provider_credentials ORDER BY name",
        rs -> new CredentialRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
            rs.getString(6), rs.getLong(7)));
  }

  @Override
  public boolean removeCredential(String name) {
    return sql.write("removing provider credential " + name,
        c -> update(c, "DELETE FROM provider_credentials WHERE name = ?", name) > 0);
  }

  private static final String KEY_SQL = "SELECT id, name, prefix, person_id, project, tags, allowed_models, rpm, tpm, "
      + "concurrency, expires_ms, created_ms, revoked_ms, last_used_ms, rotated_from FROM gateway_keys";

  private static KeyRow key(ResultSet rs) throws SQLException {
    return new KeyRow(rs.getLong(1), rs.getString(2), rs.getString(3), nullableLong(rs, 4), rs.getString(5),
        rs.getString(6), rs.getString(7), nullableInt(rs, 8), nullableInt(rs, 9), nullableInt(rs, 10),
        nullableLong(rs, 11), rs.getLong(12), nullableLong(rs, 13), nullableLong(rs, 14), nullableLong(rs, 15));
  }

  private static Integer nullableInt(ResultSet rs, int column) throws SQLException {
    int v = rs.getInt(column);
    return rs.wasNull() ? null : v;
  }

  @Override
  public long createKey(NewKey k, long nowMs) {
    return sql.write("creating key " + k.name(), c -> insertReturningId(c,
        "INSERT INTO gateway_keys (name, prefix, secret_hash, person_id, project, tags, allowed_models, rpm, tpm, "
            + "concurrency, expires_ms, created_ms, rotated_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        k.name(), k.prefix(), k.secretHash(), k.personId(), k.project(), k.tags(), k.allowedModels(), k.rpm(), k.tpm(),
        k.concurrency(), k.expiresMs(), nowMs, k.rotatedFrom()));
  }

  @Override
  public Optional<KeyRow> keyBySecretHash(String secretHash) {
    return list("reading key", KEY_SQL + " WHERE secret_hash = ?", JdbcGatewayStore::key, secretHash).stream().findFirst();
  }

  @Override
  public Optional<KeyRow> key(long id) {
    return list("reading key", KEY_SQL + " WHERE id = ?", JdbcGatewayStore::key, id).stream().findFirst();
  }

  @Override
  public List<KeyRow> keys() {
    return list("reading keys", KEY_SQL + " ORDER BY name, id", JdbcGatewayStore::key);
  }

  @Override
  public List<Long> revokedKeyIds() {
    return list("reading revoked keys", "SELECT id FROM gateway_keys WHERE revoked_ms IS NOT NULL", rs -> rs.getLong(1));
  }

  @Override
  public void revokeKey(long id, long nowMs) {
    sql.write("revoking key " + id, c -> update(c,
        "UPDATE gateway_keys SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL", nowMs, id));
  }

  @Override
  public void touchKeys(Map<Long, Long> lastUsedMsById) {
    if (lastUsedMsById.isEmpty()) {
      return;
    }
    sql.tx("recording key use", c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE gateway_keys SET last_used_ms = ? WHERE id = ?")) {
        for (var e : lastUsedMsById.entrySet()) {
          ps.setLong(1, e.getValue());
          ps.setLong(2, e.getKey());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  @Override
  public long putBudget(String scope, String target, String period, long limitMicros, boolean hard, long nowMs) {
    return sql.write("saving budget", c -> {
      Optional<Long> id = Sql.longValue(c, "SELECT id FROM budgets WHERE scope = ? AND target = ? AND period = ?",
          scope, target, period);
      if (id.isPresent()) {
        update(c, "UPDATE budgets SET limit_micros = ?, hard = ? WHERE id = ?", limitMicros, hard ? 1 : 0, id.get());
        return id.get();
      }
      return insertReturningId(c, "INSERT INTO budgets (scope, target, period, limit_micros, hard, created_ms) "
          + "VALUES (?, ?, ?, ?, ?, ?)", scope, target, period, limitMicros, hard ? 1 : 0, nowMs);
    });
  }

  @Override
  public List<BudgetRow> budgets() {
    return list("reading budgets", "SELECT id, scope, target, period, limit_micros, hard, created_ms FROM budgets ORDER BY id",
        rs -> new BudgetRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
            rs.getInt(6) != 0, rs.getLong(7)));
  }

  @Override
  public boolean removeBudget(long id) {
    return sql.write("removing budget " + id, c -> {
      update(c, "DELETE FROM budget_alerts WHERE budget_id = ?", id);
      return update(c, "DELETE FROM budgets WHERE id = ?", id) > 0;
    });
  }

  @Override
  public boolean recordAlert(long budgetId, long periodStartMs, int threshold, long spentMicros, long nowMs) {
    return sql.write("recording budget alert", c -> {
      if (Sql.longValue(c, "SELECT budget_id FROM budget_alerts WHERE budget_id = ? AND period_start = ? AND threshold = ?",
          budgetId, periodStartMs, threshold).isPresent()) {
        return false;
      }
      update(c, "INSERT INTO budget_alerts (budget_id, period_start, threshold, spent_micros, created_ms) VALUES (?, ?, ?, ?, ?)",
          budgetId, periodStartMs, threshold, spentMicros, nowMs);
      return true;
    });
  }

  @Override
  public Map<Long, LimitCounts> shareLimits(String replica, long minute, List<LimitCounts> mine, long nowMs,
      long aliveSinceMs) {
    sql.write("sharing rate-limit counts", c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO limit_counts (replica, key_id, minute, requests, "
          + "tokens, in_flight, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (replica, key_id) DO UPDATE SET "
          + "minute = excluded.minute, requests = excluded.requests, tokens = excluded.tokens, "
          + "in_flight = excluded.in_flight, updated_ms = excluded.updated_ms")) {
        for (LimitCounts m : mine) {
          Sql.bind(ps, replica, m.keyId(), m.minute(), m.requests(), m.tokens(), m.inFlight(), nowMs);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
    Map<Long, LimitCounts> others = new java.util.HashMap<>();
    list("reading other replicas' rate-limit counts", "SELECT key_id, "
            + "SUM(CASE WHEN minute = ? THEN requests ELSE 0 END), SUM(CASE WHEN minute = ? THEN tokens ELSE 0 END), "
            + "SUM(CASE WHEN updated_ms >= ? THEN in_flight ELSE 0 END) FROM limit_counts WHERE replica <> ? GROUP BY key_id",
        rs -> new LimitCounts(rs.getLong(1), minute, rs.getLong(2), rs.getLong(3), rs.getInt(4)),
        minute, minute, aliveSinceMs, replica).forEach(o -> others.put(o.keyId(), o));
    return others;
  }
}
