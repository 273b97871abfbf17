package dev.tally.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.ingest.Ingest;
import dev.tally.ledger.Cost;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Blocks computed from hourly rollups equal blocks computed request by request with the plain
 * algorithm (ccusage's), for any request times, including ones exactly on a block's end.
 */
class BlockProperties {
  static final long HOUR = 3_600_000L;
  static final long BASE = Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();

  @Provide
  Arbitrary<List<Long>> times() {
    // minutes over three days, with a bias to whole hours so block edges are hit exactly
    Arbitrary<Long> minute = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Arbitraries.longs().between(0, 3 * 24 * 60)),
        net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(0, 72).map(h -> h * 60)));
    return minute.list().ofMinSize(1).ofMaxSize(60);
  }

  /** The reference: one request at a time. Returns [start, requests] per non-gap block. */
  static List<long[]> reference(List<Long> times, long len) {
    List<Long> sorted = times.stream().sorted().toList();
    List<long[]> blocks = new ArrayList<>();
    long start = -1;
    long last = -1;
    long count = 0;
    for (long t : sorted) {
      if (start < 0 || t - start > len || t - last > len) {
        if (start >= 0) {
          blocks.add(new long[] {start, count});
        }
        start = Math.floorDiv(t, HOUR) * HOUR;
        count = 0;
      }
      last = t;
      count++;
    }
    blocks.add(new long[] {start, count});
    return blocks;
  }

  @Property(tries = 80)
  void rollupBlocksMatchTheRequestByRequestAlgorithm(@ForAll("times") List<Long> minutes) throws Exception {
    Path dir = Files.createTempDirectory("blocks-prop");
    try (Store store = SqliteStore.open(dir.resolve("t.db"));
        Ingest ingest = new Ingest(store, (p, m, t) -> new Cost(t.total(), "v", m), "local:me")) {
      List<UsageEvent> events = new ArrayList<>();
      List<Long> times = new ArrayList<>();
      for (int i = 0; i < minutes.size(); i++) {
        long t = BASE + minutes.get(i) * 60_000L;
        times.add(t);
        events.add(new UsageEvent("anthropic:req:" + i, Instant.ofEpochMilli(t), Source.LOCAL_LOG, "anthropic",
            "claude-sonnet-4-5", "claude-code", null, null, "p", "s", null, null, false, Tokens.of(1, 1, 0, 0, 0), null));
      }
      ingest.write(events, List.of());
      var q = new UsageQueries(store, Clock.fixed(Instant.parse("2027-01-01T00:00:00Z"), ZoneOffset.UTC), CostMode.AUTO);
      List<Block> blocks = q.blocks(Range.all(ZoneOffset.UTC), Filter.NONE, Duration.ofHours(5)).stream()
          .filter(b -> !b.gap()).toList();
      List<long[]> expected = reference(times, 5 * HOUR);
      assertThat(blocks).hasSameSizeAs(expected);
      for (int i = 0; i < blocks.size(); i++) {
        assertThat(blocks.get(i).start().toEpochMilli()).isEqualTo(expected.get(i)[0]);
        assertThat(blocks.get(i).totals().events()).isEqualTo(expected.get(i)[1]);
      }
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
