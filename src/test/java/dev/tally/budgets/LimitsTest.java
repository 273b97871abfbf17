package dev.tally.budgets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rate limits on one replica, and across two replicas sharing a database. */
class LimitsTest {
  @TempDir Path dir;
  Store store;
  final Clock clock = Clock.fixed(Instant.parse("2026-12-01T10:00:05Z"), ZoneOffset.UTC);

  @BeforeEach
  void open() {
    store = SqliteStore.open(dir.resolve("tally.db"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void requestsPerMinuteHoldOnOneReplica() {
    Limits limits = new Limits(clock, null);
    for (int i = 0; i < 3; i++) {
      assertThat(limits.acquire(1, 3, null, null)).isNull();
      limits.release(1, 10);
    }
    assertThat(limits.acquire(1, 3, null, null)).isEqualTo("requests-per-minute limit of 3 reached");
    assertThat(limits.acquire(2, 3, null, null)).as("another key has its own window").isNull();
  }

  @Test
  void limitsHoldAcrossReplicas() {
    try (Limits a = new Limits(clock, store.gateway()); Limits b = new Limits(clock, store.gateway())) {
      // rpm 5 over two replicas: three on a, then b (having heard from a) admits only two more
      for (int i = 0; i < 3; i++) {
        assertThat(a.acquire(1, 5, null, null)).isNull();
        a.release(1, 100);
      }
      a.exchange();
      b.exchange();
      assertThat(b.acquire(1, 5, null, null)).isNull();
      assertThat(b.acquire(1, 5, null, null)).isNull();
      assertThat(b.acquire(1, 5, null, null)).isEqualTo("requests-per-minute limit of 5 reached");
      b.exchange();
      a.exchange();
      assertThat(a.acquire(1, 5, null, null)).as("a now counts b's two").isEqualTo("requests-per-minute limit of 5 reached");
    }
  }

  @Test
  void tokensAndConcurrencyHoldAcrossReplicas() {
    try (Limits a = new Limits(clock, store.gateway()); Limits b = new Limits(clock, store.gateway())) {
      assertThat(a.acquire(1, null, 1000, 2)).isNull();
      a.release(1, 900);
      assertThat(a.acquire(1, null, 1000, 2)).as("still in flight on a").isNull();
      a.exchange();
      b.exchange();
      assertThat(b.acquire(1, null, 1000, 2)).as("a's in-flight request and b's make two").isNull();
      assertThat(b.acquire(1, null, 1000, 2)).isEqualTo("concurrent-requests limit of 2 reached");
      b.release(1, 200);
      assertThat(b.acquire(1, null, 1000, 2)).startsWith("tokens-per-minute limit of 1000 reached (1100 used");
    }
  }
}
