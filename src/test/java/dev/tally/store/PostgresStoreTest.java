package dev.tally.store;

import static org.assertj.core.api.Assertions.assertThat;

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

  @Test
  void aRequestStoredTwiceByARaceKeepsCountingAndNewCopiesMergeIntoTheFirstRow() throws Exception {
    String url = postgres.freshDatabase("tally_race");
    org.flywaydb.core.Flyway.configure().dataSource(url, "postgres", "postgres").locations("classpath:db/migration/postgresql")
        .target("9").load().migrate();
    try (var c = java.sql.DriverManager.getConnection(url, "postgres", "postgres"); var st = c.createStatement()) {
      for (String key : new String[] {"anthropic:msg:m1", "anthropic:req:r1"}) { // two replicas, one request
        st.execute("INSERT INTO events (dedup_key, message_key, ts_ms, source, provider, model, model_id, identity,"
            + " message_id, sidechain, input_tokens, output_tokens, cache_write_5m, cache_write_1h, cache_read,"
            + " reasoning_tokens, web_searches, cost_micros, price_version) VALUES ('" + key + "', 'anthropic:m1',"
            + " 1795597260000, 'gateway', 'anthropic', 'm', 'm', 'email:dev@example.com', 'm1', 0, 10, 20, 0, 0, 0, 0, 0,"
            + " 30, 'test')");
      }
    }
    try (Store store = PostgresStore.open(url, "postgres", "postgres");
        var ingest = new dev.tally.ingest.Ingest(store, (provider, model, t) -> new dev.tally.ledger.Cost(t.total(), "v1", model), null)) {
      assertThat(store.eventCount()).isEqualTo(2);
      assertThat(store.findByMessageKeys(java.util.List.of("anthropic:m1"))).hasSize(1);
      // a new copy by message id, and one of the row that gave up its message key: both merge, none fails
      java.util.function.Function<String, dev.tally.ledger.UsageEvent> copy = key -> new dev.tally.ledger.UsageEvent(key,
          java.time.Instant.ofEpochMilli(1795597260000L), dev.tally.ledger.Source.LOCAL_LOG, "anthropic", "m", "claude-code",
          "email:dev@example.com", null, "app", "s1", null, "m1", false, dev.tally.ledger.Tokens.of(10, 25, 0, 0, 0), null);
      ingest.write(java.util.List.of(copy.apply("anthropic:msg:m1")), java.util.List.of());
      ingest.write(java.util.List.of(copy.apply("anthropic:req:r1")), java.util.List.of());
      assertThat(store.eventCount()).isEqualTo(2);
      assertThat(store.findByMessageKeys(java.util.List.of("anthropic:m1"))).hasSize(1);
    }
  }
}
