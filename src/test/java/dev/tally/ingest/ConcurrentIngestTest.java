package dev.tally.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.ledger.Cost;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import dev.tally.store.Dimension;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import dev.tally.store.TestPostgres;
import dev.tally.store.UsageQuery;
import dev.tally.store.UsageRow;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL runs ingest batches side by side. Copies of the same requests (by request id, and by
 * message id) spread over batches that four threads write at once must end up exactly as when the
 * same batches are written one after the other on SQLite: every request once, with the same merged
 * tokens, and rollups (hour, day, month) that add up to the same figures.
 */
class ConcurrentIngestTest {
  static final Pricer PRICER = (provider, model, t) -> new Cost(t.total(), "v1", model);
  static TestPostgres postgres;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    postgres = TestPostgres.start();
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
  }

  /** 2,000 requests, each seen one to three times (a third of the copies by message id only), in 40 batches. */
  static List<List<UsageEvent>> batches(long seed) {
    Random rnd = new Random(seed);
    List<UsageEvent> copies = new ArrayList<>();
    Instant start = Instant.parse("2026-10-30T22:00:00Z"); // the batches span a month's end
    for (int i = 0; i < 2_000; i++) {
      Instant at = start.plusSeconds(i * 97L);
      int n = 1 + rnd.nextInt(3);
      for (int c = 0; c < n; c++) {
        boolean byMessage = c > 0 && rnd.nextInt(3) == 0;
        String key = byMessage ? "anthropic:msg:m" + i : "anthropic:req:r" + i;
        copies.add(new UsageEvent(key, at, Source.GATEWAY, "anthropic", "model-" + i % 3, "claude-code",
            "email:dev" + i % 7 + "@example.com", null, "p" + i % 2, "s" + i / 50, byMessage ? null : "r" + i, "m" + i,
            false, Tokens.of(10 + rnd.nextInt(5), rnd.nextInt(400), 0, 0, rnd.nextInt(1000)), null));
      }
    }
    Collections.shuffle(copies, rnd);
    List<List<UsageEvent>> batches = new ArrayList<>();
    for (int i = 0; i < copies.size(); i += copies.size() / 40 + 1) {
      batches.add(copies.subList(i, Math.min(copies.size(), i + copies.size() / 40 + 1)));
    }
    return batches;
  }

  static List<String> figures(Store store, List<Dimension> groupBy, boolean hourly) {
    List<String> rows = new ArrayList<>();
    for (UsageRow r : store.usage(new UsageQuery(null, null, groupBy, Map.of(), hourly))) {
      rows.add(r.hourMs() + " " + r.keys() + " " + r.totals());
    }
    rows.sort(Comparator.naturalOrder());
    return rows;
  }

  static Map<String, String> requests(Store store) {
    Map<String, String> byMessage = new java.util.TreeMap<>();
    for (var le : store.events(new UsageQuery(null, null, List.of(), Map.of(), false))) {
      byMessage.put(le.event().messageId(), le.event().tokens() + " " + le.cost());
    }
    return byMessage;
  }

  @Test
  void batchesWrittenSideBySideEndAsWhenWrittenOneByOne() throws Exception {
    List<List<UsageEvent>> batches = batches(7);
    try (Store sqlite = SqliteStore.open(dir.resolve("one-by-one.db")); Ingest alone = new Ingest(sqlite, PRICER, null)) {
      batches.forEach(b -> alone.write(b, List.of()));
      try (Store pg = postgres.freshStore("side_by_side"); Ingest together = new Ingest(pg, PRICER, null)) {
        assertThat(pg.parallelWrites()).isTrue();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (List<UsageEvent> b : batches) {
          done.add(pool.submit(() -> together.write(b, List.of())));
        }
        for (Future<?> f : done) {
          f.get();
        }
        pool.shutdown();

        assertThat(pg.eventCount()).isEqualTo(2_000).isEqualTo(sqlite.eventCount());
        assertThat(figures(pg, List.of(), false)).isEqualTo(figures(sqlite, List.of(), false));
        // by session (the hourly rollup), by person and model per hour, and over the month's end
        assertThat(figures(pg, List.of(Dimension.SESSION), false)).isEqualTo(figures(sqlite, List.of(Dimension.SESSION), false));
        assertThat(figures(pg, List.of(Dimension.MODEL, Dimension.PERSON), true))
            .isEqualTo(figures(sqlite, List.of(Dimension.MODEL, Dimension.PERSON), true));
        UsageQuery november = new UsageQuery(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"),
            List.of(Dimension.MODEL), Map.of(), false);
        assertThat(pg.usage(november).toString()).isEqualTo(sqlite.usage(november).toString());
        // each request once, with the same merged tokens (which copy's key it keeps depends on arrival)
        assertThat(requests(pg)).hasSize(2_000).isEqualTo(requests(sqlite));
      }
    }
  }
}
