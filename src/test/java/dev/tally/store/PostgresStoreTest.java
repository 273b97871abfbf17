package dev.tally.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store contract against a real PostgreSQL (embedded binaries, started once for the class). */
class PostgresStoreTest extends StoreContract {
  static EmbeddedPostgres postgres;
  static int databases;

  @BeforeAll
  static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
  }

  @Override
  Store openStore() throws Exception {
    String db = "tally_" + (++databases);
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + db);
    }
    return PostgresStore.open(postgres.getJdbcUrl("postgres", db), "postgres", "postgres");
  }

  @Test
  void theTagsMigrationKeepsAnOlderLedgersEventsAndRollups() throws Exception {
    String db = "tally_old_" + (++databases);
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + db);
    }
    String url = postgres.getJdbcUrl("postgres", db);
    OldLedger.create(url, "postgres", "postgres", "postgresql");
    try (Store migrated = PostgresStore.open(url, "postgres", "postgres")) {
      OldLedger.check(migrated);
    }
  }
}
