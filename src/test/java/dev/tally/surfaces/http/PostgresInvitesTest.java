package dev.tally.surfaces.http;

import dev.tally.store.PostgresStore;
import dev.tally.store.Store;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Invites again, on a real PostgreSQL (its V7 migration). */
class PostgresInvitesTest extends InvitesTest {
  static EmbeddedPostgres postgres;
  static int databases;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    postgres.close();
  }

  @Override
  Store openStore() throws Exception {
    String db = "invites_" + (++databases);
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + db);
    }
    return PostgresStore.open(postgres.getJdbcUrl("postgres", db), "postgres", "postgres");
  }
}
