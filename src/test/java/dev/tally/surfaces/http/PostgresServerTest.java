package dev.tally.surfaces.http;

import dev.tally.store.Store;
import dev.tally.store.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The whole HTTP API again, on a real PostgreSQL. */
class PostgresServerTest extends ServerTest {
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
    return postgres.freshStore("server");
  }
}
