package dev.tally.surfaces.http;

import dev.tally.store.Store;
import dev.tally.store.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Polling, status and precedence again, on a real PostgreSQL. */
class PostgresCollectorsServerTest extends CollectorsServerTest {
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
  Store openStore(String name) throws Exception {
    return postgres.freshStore("collectors_" + name);
  }
}
