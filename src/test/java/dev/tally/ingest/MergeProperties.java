package dev.tally.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.ledger.Source;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import dev.tally.store.Dimension;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import dev.tally.store.UsageQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * However copies of requests arrive (order, batches), the ledger ends up with the per-key maximum
 * of the tokens and the union of the tags.
 */
class MergeProperties {

  record Copy(int request, Tokens tokens, int minute, Set<String> tags) {}

  @Provide
  Arbitrary<List<Copy>> copies() {
    Arbitrary<Long> n = Arbitraries.longs().between(0, 50_000);
    Arbitrary<Tokens> tokens = Combinators.combine(n, n, n, n, n).as(Tokens::of);
    Arbitrary<Set<String>> tags = Arbitraries.of("a", "b", "team:web").set().ofMaxSize(3);
    return Combinators.combine(Arbitraries.integers().between(0, 9), tokens, Arbitraries.integers().between(0, 600), tags)
        .as(Copy::new).list().ofMinSize(1).ofMaxSize(40);
  }

  @Property(tries = 60)
  void dedupIsOrderAndBatchIndependent(@ForAll("copies") List<Copy> copies, @ForAll long seed) throws Exception {
    Path dir = Files.createTempDirectory("tally-merge");
    try (Store store = SqliteStore.open(dir.resolve("t.db")); Ingest ingest = new Ingest(store, IngestTest.PRICER, null)) {
      List<UsageEvent> events = new ArrayList<>();
      for (Copy c : copies) {
        events.add(new UsageEvent("anthropic:req:r" + c.request(), Instant.parse("2026-11-20T00:00:00Z").plusSeconds(60L * c.minute()),
            Source.LOCAL_LOG, "anthropic", "m", "claude-code", null, null, null, null, "r" + c.request(), "msg" + c.request(),
            false, c.tokens(), null).withTags(c.tags()));
      }
      Collections.shuffle(events, new Random(seed));
      Random cut = new Random(seed + 1);
      for (int i = 0; i < events.size(); ) {
        int size = 1 + cut.nextInt(7);
        ingest.write(events.subList(i, Math.min(events.size(), i + size)), List.of());
        i += size;
      }

      Map<Integer, Tokens> expected = new HashMap<>();
      for (Copy c : copies) {
        expected.merge(c.request(), c.tokens(), Tokens::max);
      }
      Tokens expectedTotal = expected.values().stream().reduce(Tokens.ZERO, Tokens::plus);
      Map<Integer, Set<String>> expectedTags = new HashMap<>();
      for (Copy c : copies) {
        expectedTags.computeIfAbsent(c.request(), k -> new TreeSet<>()).addAll(c.tags());
      }
      var t = store.usage(new UsageQuery(null, null, List.of(), Map.of(), false)).get(0).totals();
      assertThat(t.events()).isEqualTo(expected.size());
      assertThat(t.tokens()).isEqualTo(expectedTotal);
      assertThat(t.costMicros()).isEqualTo(expectedTotal.total());
      var hourly = store.usage(new UsageQuery(null, null, List.of(), Map.of(), true));
      assertThat(hourly.stream().mapToLong(r -> r.totals().events()).sum()).isEqualTo(expected.size());

      expectedTags.forEach((request, tags) -> assertThat(store.findByDedupKeys(List.of("anthropic:req:r" + request))
          .get("anthropic:req:r" + request).event().tags()).containsExactlyElementsOf(tags));
      Map<String, Long> requestsPerTag = new TreeMap<>();
      expectedTags.values().forEach(tags -> (tags.isEmpty() ? Set.of("") : tags).forEach(tag -> requestsPerTag.merge(tag, 1L, Long::sum)));
      Map<String, Long> got = new TreeMap<>();
      store.usage(new UsageQuery(null, null, List.of(Dimension.TAG), Map.of(), false))
          .forEach(r -> got.put(r.keys().get(0), r.totals().events()));
      assertThat(got).isEqualTo(requestsPerTag);
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
