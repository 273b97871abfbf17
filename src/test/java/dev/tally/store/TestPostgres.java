package dev.tally.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;

/** A real PostgreSQL for tests (zonky's embedded binaries), handing out a fresh database per store. */
public final class TestPostgres implements AutoCloseable {
  private final EmbeddedPostgres postgres;
  private int databases;

  private TestPostgres(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  public static TestPostgres start() throws Exception {
    return new TestPostgres(EmbeddedPostgres.builder().start());
  }

  /** The JDBC URL of a new, empty database named {@code prefix_N}. */
  public synchronized String freshDatabase(String prefix) throws Exception {
    String db = prefix + "_" + (++databases);
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + db);
    }
    return postgres.getJdbcUrl("postgres", db);
  }

  /** A store on a new, empty database. */
  public Store freshStore(String prefix) throws Exception {
    return PostgresStore.open(freshDatabase(prefix), "postgres", "postgres");
  }

  @Override
  public void close() throws Exception {
    postgres.close();
  }
}
