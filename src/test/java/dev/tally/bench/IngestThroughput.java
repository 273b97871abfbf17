package dev.tally.bench;

import dev.tally.ingest.Ingest;
import dev.tally.ledger.Cost;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Prints how fast ingest writes events into SQLite: {@code java -cp ... IngestThroughput [events]}. */
public final class IngestThroughput {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
    Path dir = Files.createTempDirectory("tally-ingest-bench");
    try (Store store = SqliteStore.open(dir.resolve("t.db"));
        Ingest ingest = new Ingest(store, (p, m, t) -> new Cost(t.total(), "v", m), "local:me")) {
      List<UsageEvent> batch = new ArrayList<>();
      long t0 = System.nanoTime();
      Instant base = Instant.parse("2026-09-01T00:00:00Z");
      for (int i = 0; i < n; i++) {
        batch.add(new UsageEvent("anthropic:req:req_" + i, base.plusSeconds(i * 17L), Source.LOCAL_LOG, "anthropic",
            i % 3 == 0 ? "claude-opus-4-1-20250805" : "claude-sonnet-4-5-20250929", "claude-code", null, null,
            "project-" + (i % 200), "session-" + (i / 40), "req_" + i, "msg_" + i, false,
            Tokens.of(5, 400, 200, 1000, 30_000), null));
        if (batch.size() == 5000) {
          ingest.accept(batch, List.of());
          batch = new ArrayList<>();
        }
      }
      ingest.accept(batch, List.of());
      ingest.flush();
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("ingested %,d events in %.2f s: %,.0f events/s (%s)%n", n, s, n / s, ingest.total());
    }
  }
}
