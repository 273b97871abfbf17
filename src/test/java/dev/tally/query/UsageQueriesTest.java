package dev.tally.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.ingest.Ingest;
import dev.tally.ingest.Pricer;
import dev.tally.ledger.Cost;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import dev.tally.store.Dimension;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reports over the 13 messages of the shared Claude Code fixture (fixtures/README.md 1.2), priced
 * with the fixture's price table, against the README's expected blocks and daily totals.
 */
class UsageQueriesTest {
  /** Fixture prices, USD per million tokens: input, output, write 5m, write 1h, read. */
  static final Map<String, double[]> PRICES = Map.of(
      "claude-sonnet-4-5-20250929", new double[] {3, 15, 3.75, 6, 0.30},
      "claude-opus-4-1-20250805", new double[] {15, 75, 18.75, 30, 1.5},
      "claude-haiku-4-5-20251001", new double[] {1, 5, 1.25, 2, 0.1});

  static final Pricer FIXTURE_PRICES = (provider, model, t) -> {
    double[] p = PRICES.get(model);
    if (p == null) {
      return Cost.unpriced("fixture");
    }
    BigDecimal micros = BigDecimal.valueOf(t.input()).multiply(BigDecimal.valueOf(p[0]))
        .add(BigDecimal.valueOf(t.output()).multiply(BigDecimal.valueOf(p[1])))
        .add(BigDecimal.valueOf(t.cacheWrite5m()).multiply(BigDecimal.valueOf(p[2])))
        .add(BigDecimal.valueOf(t.cacheWrite1h()).multiply(BigDecimal.valueOf(p[3])))
        .add(BigDecimal.valueOf(t.cacheRead()).multiply(BigDecimal.valueOf(p[4])));
    return new Cost(micros.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact(), "fixture", model);
  };

  record Msg(String time, String model, long in, long out, long w5, long w1, long read) {}

  static final String S = "claude-sonnet-4-5-20250929";
  static final String O = "claude-opus-4-1-20250805";
  static final String H = "claude-haiku-4-5-20251001";
  static final List<Msg> FIXTURE = List.of(
      new Msg("09:14:09.512", S, 4, 312, 0, 18240, 0),
      new Msg("09:14:18", S, 6, 387, 0, 1045, 18240),
      new Msg("09:20:44", S, 3, 1124, 410, 1900, 19285),
      new Msg("09:41:30", O, 10, 845, 0, 24880, 0),
      new Msg("09:45:02", O, 8, 2206, 0, 3512, 24880),
      new Msg("09:50:12", H, 1220, 506, 9870, 0, 0),
      new Msg("09:51:03", H, 640, 1388, 2145, 0, 9870),
      new Msg("10:02:40", O, 12, 978, 0, 2904, 28392),
      new Msg("11:31:20", S, 25, 640, 6400, 0, 21595),
      new Msg("11:52:30.660", S, 7, 2930, 0, 1210, 27995),
      new Msg("15:05:11", H, 18, 402, 15030, 0, 0),
      new Msg("15:40:00", S, 9, 1776, 0, 31450, 0),
      new Msg("16:30:05.399", O, 11, 3015, 0, 33120, 0));

  @TempDir Path dir;
  Store store;

  @BeforeEach
  void load() {
    store = SqliteStore.open(dir.resolve("t.db"));
    List<UsageEvent> events = new ArrayList<>();
    int i = 0;
    for (Msg m : FIXTURE) {
      i++;
      events.add(new UsageEvent("anthropic:req:" + i, Instant.parse("2026-11-20T" + m.time() + "Z"), Source.LOCAL_LOG,
          "anthropic", m.model(), "claude-code", null, null, "app", "7f3a2c1e", "req" + i, "msg" + i, false,
          Tokens.of(m.in(), m.out(), m.w5(), m.w1(), m.read()), null));
    }
    try (Ingest ingest = new Ingest(store, FIXTURE_PRICES, "local:dev")) {
      ingest.write(events, List.of());
    }
  }

  @AfterEach
  void close() {
    store.close();
  }

  UsageQueries queries(String now) {
    return new UsageQueries(store, Clock.fixed(Instant.parse(now), ZoneOffset.UTC), CostMode.AUTO);
  }

  @Test
  void dailyTotalsPerModelMatchTheFixture() {
    var report = queries("2026-11-23T00:00:00Z").periods(UsageQueries.Period.DAY, Range.all(ZoneOffset.UTC),
        Filter.NONE, Dimension.MODEL, DayOfWeek.MONDAY);
    assertThat(report.rows()).singleElement().satisfies(day -> {
      assertThat(day.key()).isEqualTo("2026-11-20");
      assertThat(day.totals().events()).isEqualTo(13);
      assertThat(day.totals().tokens().total()).isEqualTo(320_855);
      assertThat(day.breakdown()).extracting(UsageQueries.Group::key).containsExactly(O, S, H); // by cost
      var sonnet = day.breakdown().get(1).totals();
      assertThat(sonnet.tokens().output()).isEqualTo(7_169);
      assertThat(sonnet.tokens().cacheWrite()).isEqualTo(60_655);
      assertThat(sonnet.costMicros()).isBetween(482_439L - 3, 482_439L + 3); // 6 requests, each rounded once
    });
    // 3.07189325 USD, rounded once per request: within half a micro-dollar per request
    assertThat(report.totals().costMicros()).isBetween(3_071_893L - 7, 3_071_893L + 7);
  }

  @Test
  void theDayBoundaryFollowsTheTimeZone() {
    var q = queries("2026-11-23T00:00:00Z");
    // UTC+08:00: 16:30Z is already the 21st
    var report = q.periods(UsageQueries.Period.DAY, Range.all(ZoneId.of("Asia/Shanghai")), Filter.NONE,
        Dimension.MODEL, DayOfWeek.MONDAY);
    assertThat(report.rows()).extracting(UsageQueries.Group::key).containsExactly("2026-11-20", "2026-11-21");
    assertThat(report.rows().get(1).totals().events()).isEqualTo(1); // 16:30Z is 00:30 on the 21st
  }

  @Test
  void zonesWithHalfHourOffsetsAreAnsweredFromRawEvents() {
    var q = queries("2026-11-23T00:00:00Z");
    // India is UTC+05:30: 09:14Z is 14:44 local, 16:30Z is 22:00 local: one day either way
    var report = q.periods(UsageQueries.Period.DAY, new Range(LocalDate.of(2026, 11, 20), LocalDate.of(2026, 11, 20),
        ZoneId.of("Asia/Kolkata")), Filter.NONE, Dimension.MODEL, DayOfWeek.MONDAY);
    assertThat(UsageQueries.wholeHourOffsets(ZoneId.of("Asia/Kolkata"))).isFalse();
    assertThat(report.totals().events()).isEqualTo(13);
    assertThat(report.totals().tokens().total()).isEqualTo(320_855);
  }

  @Test
  void tablesByTagAgreeInWholeAndHalfHourZones() {
    // the same requests again, now tagged: ingest merges the copies, keeping the union of the tags
    List<UsageEvent> tagged = new ArrayList<>();
    for (var e : store.events(new dev.tally.store.UsageQuery(null, null, List.of(), Map.of(), false))) {
      int i = Integer.parseInt(e.event().dedupKey().substring("anthropic:req:".length()));
      List<String> tags = new ArrayList<>();
      if (i % 2 == 0) {
        tags.add("even");
      }
      if (i % 3 == 0) {
        tags.add("three");
      }
      tagged.add(e.event().withTags(tags));
    }
    try (Ingest ingest = new Ingest(store, FIXTURE_PRICES, "local:dev")) {
      ingest.write(tagged, List.of());
    }
    var q = queries("2026-11-23T00:00:00Z");
    for (ZoneId zone : List.of(ZoneOffset.UTC, ZoneId.of("Asia/Kolkata"))) { // rollups, then raw events
      Map<String, Long> requests = new java.util.TreeMap<>();
      for (UsageQueries.Row row : q.table(Range.all(zone), Filter.NONE, List.of(Dimension.TAG))) {
        requests.merge(row.keys().get(0), row.between(null, null).events(), Long::sum);
      }
      assertThat(requests).as(zone.getId()).containsExactly(Map.entry("", 5L), Map.entry("even", 6L), Map.entry("three", 4L));
      var three = q.table(Range.all(zone), Filter.NONE.and(Dimension.TAG, java.util.Set.of("three")), List.of(Dimension.MODEL));
      assertThat(three.stream().mapToLong(r -> r.between(null, null).events()).sum()).as(zone.getId()).isEqualTo(4);
    }
  }

  @Test
  void blocksMatchTheFixture() {
    List<Block> blocks = queries("2026-11-23T00:00:00Z").blocks(Range.all(ZoneOffset.UTC), Filter.NONE, Duration.ofHours(5));
    assertThat(blocks).hasSize(2);
    Block b1 = blocks.get(0);
    assertThat(b1.start()).isEqualTo(Instant.parse("2026-11-20T09:00:00Z"));
    assertThat(b1.end()).isEqualTo(Instant.parse("2026-11-20T14:00:00Z"));
    assertThat(b1.actualEnd()).isEqualTo(Instant.parse("2026-11-20T11:52:30.660Z"));
    assertThat(b1.totals().events()).isEqualTo(10);
    assertThat(b1.totals().tokens().input()).isEqualTo(1_935);
    assertThat(b1.totals().tokens().output()).isEqualTo(11_316);
    assertThat(b1.totals().tokens().cacheWrite()).isEqualTo(72_516);
    assertThat(b1.totals().tokens().cacheRead()).isEqualTo(150_257);
    assertThat(b1.totals().tokens().total()).isEqualTo(236_024);
    assertThat(b1.totals().costMicros()).isBetween(1_615_821L - 5, 1_615_821L + 5);
    assertThat(b1.active()).isFalse();
    assertThat(b1.burn()).isNull();
    Block b2 = blocks.get(1);
    assertThat(b2.start()).isEqualTo(Instant.parse("2026-11-20T15:00:00Z"));
    assertThat(b2.totals().events()).isEqualTo(3);
    assertThat(b2.totals().tokens().total()).isEqualTo(84_831);
    assertThat(b2.totals().costMicros()).isBetween(1_456_072L - 3, 1_456_073L + 3);
  }

  @Test
  void theActiveBlockHasABurnRateAndAProjection() {
    // now = 17:00Z: block 2 (15:00-20:00) is active, 3 h left
    Block b2 = queries("2026-11-20T17:00:00Z").blocks(Range.all(ZoneOffset.UTC), Filter.NONE, Duration.ofHours(5)).get(1);
    assertThat(b2.active()).isTrue();
    // fixture README: 84.905 min, 999.13 tokens/min, 61.61 io tokens/min, $1.028965/h
    // (this copy of the fixture has whole-second times at the block start, hence the tolerance)
    assertThat(b2.burn().tokensPerMinute()).isCloseTo(999.13, org.assertj.core.data.Offset.offset(0.05));
    assertThat(b2.burn().tokensPerMinuteIo()).isCloseTo(61.61, org.assertj.core.data.Offset.offset(0.01));
    assertThat(b2.burn().costMicrosPerHour()).isBetween(1_028_900L, 1_029_000L);
    assertThat(b2.projection().remainingMinutes()).isEqualTo(180);
    assertThat(b2.projection().totalTokens()).isEqualTo(Math.round(84_831 + b2.burn().tokensPerMinute() * 180));
  }

  @Test
  void aPauseLongerThanTheBlockInsertsAGap() {
    var q = queries("2026-11-23T00:00:00Z");
    List<Block> blocks = q.blocks(Range.all(ZoneOffset.UTC), Filter.NONE, Duration.ofHours(2));
    // 2 h blocks: 09:00-11:00 (8 requests), 11:00-13:00 (2), gap, 15:00-17:00 (3)
    assertThat(blocks).extracting(Block::gap).containsExactly(false, false, true, false);
    assertThat(blocks.get(2).start()).isEqualTo(Instant.parse("2026-11-20T13:52:30.660Z"));
    assertThat(blocks).filteredOn(b -> !b.gap()).extracting(b -> b.totals().events()).containsExactly(8L, 2L, 3L);
  }

  @Test
  void leaderboardRanksIdentitiesWithToolSubRows() {
    var q = queries("2026-11-23T00:00:00Z");
    var report = q.leaderboard(Range.all(ZoneOffset.UTC), Filter.NONE, q.order("requests"));
    assertThat(report.rows()).singleElement().satisfies(g -> {
      assertThat(g.key()).isEqualTo("local:dev");
      assertThat(g.breakdown()).extracting(UsageQueries.Group::key).containsExactly("claude-code");
    });
  }
}
