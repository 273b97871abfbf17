package dev.tally.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store contract against a real PostgreSQL (embedded binaries, started once for the class). */
class PostgresStoreTest extends StoreContract {
  static TestPostgres postgres;

  @BeforeAll
  static void start() throws Exception {
    postgres = TestPostgres.start();
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
  }

  @Override
  Store openStore() throws Exception {
    return postgres.freshStore("tally");
  }

  @Test
  void theTagsMigrationKeepsAnOlderLedgersEventsAndRollups() throws Exception {
    String url = postgres.freshDatabase("tally_old");
    OldLedger.create(url, "postgres", "postgres", "postgresql");
    try (Store migrated = PostgresStore.open(url, "postgres", "postgres")) {
      OldLedger.check(migrated);
    }
  }
}
