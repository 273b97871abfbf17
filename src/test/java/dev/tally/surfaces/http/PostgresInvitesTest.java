package dev.tally.surfaces.http;

import dev.tally.store.Store;
import dev.tally.store.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Invites again, on a real PostgreSQL (its V7 migration). */
class PostgresInvitesTest extends InvitesTest {
  static TestPostgres postgres;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = TestPostgres.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    postgres.close();
  }

  @Override
  Store openStore() throws Exception {
    return postgres.freshStore("invites");
  }
}
