package dev.tally.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Supplier;
import org.flywaydb.core.Flyway;

/**
 * PostgreSQL, for teams that run the server with several gateway replicas: the same schema and the
 * same store contract as SQLite. Readers share a small pool; ingest writes run on two connections at
 * once, other writes on one.
 */
public final class PostgresStore {
  /**
   * Ingest transactions that run at once, each on its own connection: the database server works on
   * one batch's rollups while it stores the next one's events (one alone keeps one core busy).
   */
  static final int INGEST_LANES = 2;

  private PostgresStore() {}

  /**
   * @param jdbcUrl e.g. {@code jdbc:postgresql://db:5432/tally}; user and password may also be in
   *     the URL's query string
   */
  public static Store open(String jdbcUrl, String user, String password) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(8 + INGEST_LANES);
    config.setPoolName("tally-postgres");
    config.addDataSourceProperty("reWriteBatchedInserts", "true"); // one multi-row INSERT per batch: ~1.6x ingest
    config.setConnectionTimeout(5_000); // a request waiting on a database that is down gives up soon
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new StoreException("connecting to " + redact(jdbcUrl), e);
    }
    Flyway.configure().dataSource(pool).locations("classpath:db/migration/postgresql").load().migrate();
    try {
      Connection writer = pool.getConnection();
      Supplier<Connection> connections = () -> {
        try {
          return pool.getConnection();
        } catch (SQLException e) {
          throw new StoreException("getting a connection", e);
        }
      };
      return new JdbcStore(writer, connections, JdbcStore.Dialect.POSTGRES, connections, INGEST_LANES) {
        @Override
        public void close() {
          try {
            super.close();
          } finally {
            pool.close();
          }
        }
      };
    } catch (SQLException e) {
      pool.close();
      throw new StoreException("opening " + redact(jdbcUrl), e);
    }
  }

  /** The URL without its query string, where a password may hide. */
  public static String redact(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q) + "?…";
  }
}
