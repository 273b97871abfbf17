package dev.tally.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Supplier;

/** Short transactions and parameter binding shared by the small JDBC stores (directory, gateway). */
final class Sql {
  /**
   * A prepared statement's batch run every {@link #ROWS} rows instead of once at the end: sqlite-jdbc
   * keeps a batch's values in one array until it runs, and the array for a first scan's thousands
   * of rows outgrows the young generation and is garbage in the old one (peak RSS 161 → 137 MB).
   */
  static final class Batch {
    static final int ROWS = 256;
    private final PreparedStatement statement;
    private int pending;

    Batch(PreparedStatement statement) {
      this.statement = statement;
    }

    /** Adds the bound row; runs the batch when it is full. */
    void add() throws SQLException {
      statement.addBatch();
      if (++pending == ROWS) {
        finish();
      }
    }

    /** Runs the rows added since the last run. */
    void finish() throws SQLException {
      if (pending > 0) {
        statement.executeBatch();
        pending = 0;
      }
    }
  }

  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final Supplier<Connection> connections;
  private final Runnable changed;

  /** @param changed told after every committed change (cached answers that depend on it are dropped) */
  Sql(Supplier<Connection> connections, Runnable changed) {
    this.connections = connections;
    this.changed = changed;
  }

  <T> T tx(String doing, Work<T> work) {
    try (Connection c = connections.get()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException(doing, e);
    }
  }

  @FunctionalInterface
  interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /** Every row of a query, read in its own short transaction. */
  <T> java.util.List<T> list(String doing, String query, RowMapper<T> mapper, Object... params) {
    return tx(doing, c -> {
      java.util.List<T> rows = new java.util.ArrayList<>();
      try (PreparedStatement ps = prepare(c, query, params); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(mapper.map(rs));
        }
      }
      return rows;
    });
  }

  /** A transaction that changes something cached answers depend on. */
  <T> T write(String doing, Work<T> work) {
    T result = tx(doing, work);
    changed.run();
    return result;
  }

  static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    bind(ps, params);
    return ps;
  }

  /** Sets a statement's parameters from Java values: null, Long, Integer, or anything as text. */
  static void bind(PreparedStatement ps, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object p = params[i];
      if (p == null) {
        ps.setObject(i + 1, null); // untyped: PostgreSQL takes it for a BIGINT column too
      } else if (p instanceof Long l) {
        ps.setLong(i + 1, l);
      } else if (p instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else {
        ps.setString(i + 1, p.toString());
      }
    }
  }

  static long insertReturningId(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql + " RETURNING id", params); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static int update(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, params)) {
      return ps.executeUpdate();
    }
  }

  static Optional<Long> longValue(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
    }
  }

  /** A nullable BIGINT column. */
  static Long nullableLong(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }
}
