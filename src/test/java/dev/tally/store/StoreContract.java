package dev.tally.store;

import static dev.tally.store.Events.event;
import static dev.tally.store.Events.priced;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.ledger.LedgerEvent;
import dev.tally.ledger.Tokens;
import dev.tally.sources.logs.FileCursor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The behaviour every store implementation must have; each implementation extends this. */
abstract class StoreContract {
  Store store;

  abstract Store openStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = openStore();
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static UsageQuery all(List<Dimension> groupBy) {
    return new UsageQuery(null, null, groupBy, Map.of(), false);
  }

  @Test
  void storedEventsAddUpInTheRollupsByModel() {
    LedgerEvent a = priced(event("k1", "2026-11-20T09:14:09Z", "sonnet", Tokens.of(10, 100, 5, 6, 1000)));
    LedgerEvent b = priced(event("k2", "2026-11-20T10:00:00Z", "sonnet", Tokens.of(1, 2, 0, 0, 3)));
    LedgerEvent c = priced(event("k3", "2026-11-21T23:59:59Z", "opus", Tokens.of(7, 8, 0, 0, 0)));
    store.apply(List.of(new Store.Change(null, a), new Store.Change(null, b), new Store.Change(null, c)), List.of());

    List<UsageRow> rows = store.usage(all(List.of(Dimension.MODEL)));
    assertThat(rows).hasSize(2);
    Totals sonnet = rows.stream().filter(r -> r.keys().equals(List.of("sonnet"))).findFirst().orElseThrow().totals();
    assertThat(sonnet.events()).isEqualTo(2);
    assertThat(sonnet.tokens()).isEqualTo(Tokens.of(11, 102, 5, 6, 1003));
    assertThat(sonnet.costMicros()).isEqualTo(1121 + 6);
    assertThat(sonnet.firstMs()).isEqualTo(Instant.parse("2026-11-20T09:14:09Z").toEpochMilli());
    assertThat(sonnet.lastMs()).isEqualTo(Instant.parse("2026-11-20T10:00:00Z").toEpochMilli());
    assertThat(store.eventCount()).isEqualTo(3);
  }

  @Test
  void aWriteOfMoreRowsThanOneJdbcBatchIsStoredWholeWithItsRollups() {
    int n = Sql.Batch.ROWS * 3 + 7; // the rows of the last, partial batch count too
    List<Store.Change> changes = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) { // one model per event: as many hourly, daily and monthly rows
      changes.add(new Store.Change(null, priced(event("k" + i, "2026-11-20T09:00:00Z", "m" + i, Tokens.of(i, 1, 0, 0, 0)))));
    }
    store.apply(changes, List.of());

    assertThat(store.eventCount()).isEqualTo(n);
    List<UsageRow> rows = store.usage(all(List.of(Dimension.MODEL)));
    assertThat(rows).hasSize(n);
    assertThat(rows.stream().mapToLong(r -> r.totals().tokens().input()).sum()).isEqualTo((long) n * (n - 1) / 2);
  }

  @Test
  void hourlyRowsAreUtcHoursAndDayAlignedRangesAgreeWithHourlyOnes() {
    store.apply(List.of(
        new Store.Change(null, priced(event("k1", "2026-11-20T09:14:09Z", "m", Tokens.of(1, 1, 0, 0, 0)))),
        new Store.Change(null, priced(event("k2", "2026-11-20T09:59:59Z", "m", Tokens.of(1, 1, 0, 0, 0)))),
        new Store.Change(null, priced(event("k3", "2026-11-20T10:00:00Z", "m", Tokens.of(1, 1, 0, 0, 0))))), List.of());

    List<UsageRow> hours = store.usage(new UsageQuery(null, null, List.of(), Map.of(), true));
    assertThat(hours).extracting(UsageRow::hourMs).containsExactlyInAnyOrder(
        Instant.parse("2026-11-20T09:00:00Z").toEpochMilli(), Instant.parse("2026-11-20T10:00:00Z").toEpochMilli());

    Instant day = Instant.parse("2026-11-20T00:00:00Z");
    UsageQuery byDay = new UsageQuery(day, day.plusSeconds(86_400), List.of(), Map.of(), false);
    UsageQuery byHour = new UsageQuery(day.plusSeconds(9 * 3600), day.plusSeconds(10 * 3600), List.of(), Map.of(), false);
    assertThat(store.usage(byDay).get(0).totals().events()).isEqualTo(3);
    assertThat(store.usage(byHour).get(0).totals().events()).isEqualTo(2);
  }

  @Test
  void aChangedEventMovesTheRollupsByTheDifference() {
    LedgerEvent partial = priced(event("k1", "2026-11-20T09:14:09Z", "sonnet", Tokens.of(6, 9, 0, 1045, 18240)));
    store.apply(List.of(new Store.Change(null, partial)), List.of());
    LedgerEvent fin = priced(event("k1", "2026-11-20T09:14:09Z", "sonnet", Tokens.of(6, 387, 0, 1045, 18240)));
    store.apply(List.of(new Store.Change(partial, fin)), List.of());

    Totals t = store.usage(all(List.of())).get(0).totals();
    assertThat(t.events()).isEqualTo(1);
    assertThat(t.tokens().output()).isEqualTo(387);
    assertThat(t.costMicros()).isEqualTo(fin.cost().micros());
    assertThat(store.findByDedupKeys(List.of("k1")).get("k1").event().tokens().output()).isEqualTo(387);
  }

  @Test
  void anEventMovedToAnotherHourLeavesNoTraceInTheOldOne() {
    LedgerEvent late = priced(event("k1", "2026-11-20T11:30:00Z", "m", Tokens.of(1, 1, 0, 0, 0)));
    store.apply(List.of(new Store.Change(null, late)), List.of());
    LedgerEvent early = priced(event("k1", "2026-11-20T09:30:00Z", "m", Tokens.of(1, 1, 0, 0, 0)));
    store.apply(List.of(new Store.Change(late, early)), List.of());

    List<UsageRow> hours = store.usage(new UsageQuery(null, null, List.of(), Map.of(), true));
    assertThat(hours).extracting(UsageRow::hourMs)
        .containsExactly(Instant.parse("2026-11-20T09:00:00Z").toEpochMilli());
  }

  @Test
  void filtersSelectByDimensionAndUnknownIsTheEmptyString() {
    var withProject = event("k1", "2026-11-20T09:00:00Z", "m", Tokens.of(1, 0, 0, 0, 0));
    var noProject = new dev.tally.ledger.UsageEvent("k2", Instant.parse("2026-11-20T09:00:00Z"),
        dev.tally.ledger.Source.LOCAL_LOG, "anthropic", "m", "codex", null, null, null, null, null, null,
        false, Tokens.of(2, 0, 0, 0, 0), null);
    store.apply(List.of(new Store.Change(null, priced(withProject)), new Store.Change(null, priced(noProject))), List.of());

    UsageQuery unknownProject = new UsageQuery(null, null, List.of(Dimension.TOOL),
        Map.of(Dimension.PROJECT, Set.of("")), false);
    assertThat(store.usage(unknownProject)).singleElement()
        .satisfies(r -> assertThat(r.keys()).containsExactly("codex"));
    assertThat(store.events(unknownProject)).singleElement()
        .satisfies(e -> assertThat(e.event().dedupKey()).isEqualTo("k2"));
  }

  @Test
  void cursorsAreSavedWithTheEventsAndReplaced() {
    FileCursor c1 = new FileCursor("/logs/a.jsonl", "claude", "ino:1", 100, 5, 100, null, 3, 1);
    store.apply(List.of(new Store.Change(null, priced(event("k1", "2026-11-20T09:00:00Z", "m", Tokens.ZERO)))), List.of(c1));
    FileCursor c2 = new FileCursor("/logs/a.jsonl", "claude", "ino:1", 250, 9, 250, "{\"x\":1}", 7, 1);
    store.apply(List.of(), List.of(c2));
    assertThat(store.cursors()).containsExactly(Map.entry("/logs/a.jsonl", c2));
  }

  @Test
  void aFailedBatchWritesNeitherEventsNorCursors() {
    LedgerEvent e = priced(event("k1", "2026-11-20T09:00:00Z", "m", Tokens.of(1, 0, 0, 0, 0)));
    store.apply(List.of(new Store.Change(null, e)), List.of());
    FileCursor c = new FileCursor("/logs/a.jsonl", "claude", "ino:1", 100, 5, 100, null, 3, 0);
    LedgerEvent other = priced(event("k2", "2026-11-20T09:00:00Z", "m", Tokens.of(1, 0, 0, 0, 0)));
    // inserting k1 again violates the unique dedup key: the whole batch must roll back
    assertThatThrownBy(() -> store.apply(
        List.of(new Store.Change(null, other), new Store.Change(null, e)), List.of(c)))
        .isInstanceOf(StoreException.class);
    assertThat(store.eventCount()).isEqualTo(1);
    assertThat(store.cursors()).isEmpty();
    assertThat(store.usage(all(List.of())).get(0).totals().events()).isEqualTo(1);
  }

  @Test
  void retentionDeletesRawEventsButKeepsTheRollups() {
    store.apply(List.of(
        new Store.Change(null, priced(event("old", "2026-01-01T00:00:00Z", "m", Tokens.of(5, 0, 0, 0, 0)))),
        new Store.Change(null, priced(event("new", "2026-11-01T00:00:00Z", "m", Tokens.of(7, 0, 0, 0, 0))))), List.of());
    assertThat(store.deleteEventsBefore(Instant.parse("2026-06-01T00:00:00Z"))).isEqualTo(1);
    assertThat(store.eventCount()).isEqualTo(1);
    assertThat(store.usage(all(List.of())).get(0).totals().tokens().input()).isEqualTo(12);
  }

  @Test
  void findsStoredEventsByMessageKey() {
    var e = new dev.tally.ledger.UsageEvent("anthropic:req:r1", Instant.parse("2026-11-20T09:00:00Z"),
        dev.tally.ledger.Source.LOCAL_LOG, "anthropic", "m", "claude-code", null, null, null, "s", "r1",
        "msg_1", false, Tokens.of(1, 0, 0, 0, 0), 1234L);
    store.apply(List.of(new Store.Change(null, priced(e))), List.of());
    Map<String, LedgerEvent> found = store.findByMessageKeys(List.of("anthropic:msg_1", "anthropic:msg_2"));
    assertThat(found).containsOnlyKeys("anthropic:msg_1");
    assertThat(found.get("anthropic:msg_1").event()).isEqualTo(e);
  }

  @Test
  void theDirectoryMapsIdentitiesMergesAndSplitsPeople() {
    DirectoryStore d = store.directory();
    long alice = d.createPerson("Alice", "web");
    long alias = d.createPerson("Alice (old laptop)", null);
    d.mapIdentity("email:alice@x.com", alice);
    d.mapIdentity("local:alice@laptop", alias);
    d.mergePeople(alias, alice);
    assertThat(d.identitiesOf(alice)).containsExactly("email:alice@x.com", "local:alice@laptop");
    assertThat(d.person(alias)).isEmpty();
    assertThat(d.person(alice).orElseThrow().team()).isEqualTo("web");
    d.unmapIdentity("local:alice@laptop");
    assertThat(d.personOf("local:alice@laptop")).isEmpty();
    assertThat(d.teamId("web")).isEqualTo(d.teamId("web"));
  }

  @Test
  void personAndTeamAreAJoinAtQueryTime() {
    store.apply(List.of(new Store.Change(null, priced(event("k1", "2026-11-20T09:00:00Z", "m", Tokens.of(1, 0, 0, 0, 0))))), List.of());
    UsageQuery byPerson = new UsageQuery(null, null, List.of(Dimension.PERSON, Dimension.TEAM), Map.of(), false);
    assertThat(store.usage(byPerson).get(0).keys()).containsExactly("email:dev@example.com", "");
    long dev = store.directory().createPerson("Dev", "api");
    store.directory().mapIdentity("email:dev@example.com", dev);
    assertThat(store.usage(byPerson).get(0).keys()).containsExactly("person:" + dev, "api");
    UsageQuery onlyApi = new UsageQuery(null, null, List.of(), Map.of(Dimension.TEAM, Set.of("api")), false);
    assertThat(store.usage(onlyApi)).hasSize(1);
    UsageQuery onlyWeb = new UsageQuery(null, null, List.of(), Map.of(Dimension.TEAM, Set.of("web")), false);
    assertThat(store.usage(onlyWeb)).isEmpty();
  }

  @Test
  void tokensAreFoundByTheirHashAndRevoked() {
    long id = store.directory().createToken("tly_abcd", "hash-1", "ci", "agent", null, 1000);
    assertThat(store.directory().tokenBySecretHash("hash-1").orElseThrow().revokedMs()).isNull();
    store.directory().revokeToken(id, 2000);
    assertThat(store.directory().tokenBySecretHash("hash-1").orElseThrow().revokedMs()).isEqualTo(2000L);
    assertThat(store.directory().tokenBySecretHash("hash-2")).isEmpty();
  }

  @Test
  void cumulativeCountersCountIncreasesAndRestartAfterAReset() {
    String series = "claude_code.token.usage|type=output";
    long day = Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();
    List<dev.tally.ledger.MetricPoint> points = List.of(
        new dev.tally.ledger.MetricPoint(series, day, day + 60_000, "email:a@x.com", "s", "m", "output", 100, true),
        new dev.tally.ledger.MetricPoint(series, day, day + 120_000, "email:a@x.com", "s", "m", "output", 250, true),
        new dev.tally.ledger.MetricPoint(series, day, day + 120_000, "email:a@x.com", "s", "m", "output", 250, true), // retry
        new dev.tally.ledger.MetricPoint(series, day + 200_000, day + 260_000, "email:a@x.com", "s", "m", "output", 40, true)); // new process
    assertThat(store.recordMetricPoints(points)).isEqualTo(3);
    var rows = store.reconcile(Instant.ofEpochMilli(day), Instant.ofEpochMilli(day + 86_400_000));
    assertThat(rows).singleElement().satisfies(r -> assertThat(r.reported()).isEqualTo(290));
  }

  @Test
  void gatewayKeysCredentialsAndBudgetsRoundTrip() {
    GatewayStore g = store.gateway();
    long cred = g.addCredential("anthropic", "anthropic", "https://api.anthropic.com", "v1:sealed", "9a7f", 1000);
    assertThat(g.credentials()).singleElement().satisfies(c -> {
      assertThat(c.id()).isEqualTo(cred);
      assertThat(c.secretEnc()).isEqualTo("v1:sealed");
      assertThat(c.last4()).isEqualTo("9a7f");
    });
    long person = store.directory().createPerson("Alice", "web");
    long key = g.createKey(new GatewayStore.NewKey("alice", "sk-tly-abcd", "hash-a", person, "billing", "a,b", "claude-*",
        60, null, 2, null, null), 2000);
    GatewayStore.KeyRow row = g.keyBySecretHash("hash-a").orElseThrow();
    assertThat(row.id()).isEqualTo(key);
    assertThat(row.personId()).isEqualTo(person);
    assertThat(row.rpm()).isEqualTo(60);
    assertThat(row.tpm()).isNull();
    assertThat(row.concurrency()).isEqualTo(2);
    g.touchKeys(Map.of(key, 3000L));
    assertThat(g.key(key).orElseThrow().lastUsedMs()).isEqualTo(3000L);
    g.revokeKey(key, 4000);
    assertThat(g.revokedKeyIds()).containsExactly(key);

    long budget = g.putBudget("team", "web", "monthly", 500_000_000, true, 5000);
    assertThat(g.putBudget("team", "web", "monthly", 700_000_000, false, 6000)).as("replaced, not added").isEqualTo(budget);
    assertThat(g.budgets()).singleElement().satisfies(b -> {
      assertThat(b.limitMicros()).isEqualTo(700_000_000);
      assertThat(b.hard()).isFalse();
    });
    assertThat(g.recordAlert(budget, 0, 50, 350_000_000, 7000)).isTrue();
    assertThat(g.recordAlert(budget, 0, 50, 360_000_000, 8000)).as("once per period and threshold").isFalse();
    assertThat(g.removeBudget(budget)).isTrue();
    assertThat(g.removeCredential("anthropic")).isTrue();
    assertThat(g.credentials()).isEmpty();
  }

  @Test
  void replicasSeeEachOthersRateLimitCounts() {
    GatewayStore g = store.gateway();
    long minute = 29_000_000;
    g.shareLimits("a", minute, List.of(new GatewayStore.LimitCounts(7, minute, 4, 1000, 2)), 10_000, 7_000);
    g.shareLimits("c", minute - 1, List.of(new GatewayStore.LimitCounts(7, minute - 1, 50, 9000, 1)), 5_000, 2_000);

    // b sees a's counts for this minute and a's in-flight requests; c's last minute and c's stale
    // in-flight (not heard from since 5 s) do not count
    var seen = g.shareLimits("b", minute, List.of(new GatewayStore.LimitCounts(7, minute, 1, 10, 1)), 10_500, 7_500);
    assertThat(seen).containsOnlyKeys(7L);
    assertThat(seen.get(7L)).isEqualTo(new GatewayStore.LimitCounts(7, minute, 4, 1000, 2));

    // a publishes again: its row is replaced, and it sees b's
    var seenByA = g.shareLimits("a", minute, List.of(new GatewayStore.LimitCounts(7, minute, 6, 1500, 0)), 11_000, 8_000);
    assertThat(seenByA.get(7L)).isEqualTo(new GatewayStore.LimitCounts(7, minute, 1, 10, 1));
    assertThat(g.shareLimits("b", minute, List.of(), 11_100, 8_100).get(7L).requests()).isEqualTo(6);
  }

  @Test
  void aRemovedEventLeavesTheRollupsAsIfItNeverWas() {
    LedgerEvent a = priced(event("k1", "2026-11-20T09:00:00Z", "m", Tokens.of(5, 5, 0, 0, 0)));
    LedgerEvent b = priced(event("k2", "2026-11-20T09:30:00Z", "m", Tokens.of(1, 1, 0, 0, 0)));
    store.apply(List.of(new Store.Change(null, a), new Store.Change(null, b)), List.of());
    store.apply(List.of(new Store.Change(a, null)), List.of());

    assertThat(store.findByDedupKeys(List.of("k1", "k2"))).containsOnlyKeys("k2");
    assertThat(store.usage(all(List.of())).get(0).totals().events()).isEqualTo(1);
    assertThat(store.usage(all(List.of())).get(0).totals().tokens()).isEqualTo(Tokens.of(1, 1, 0, 0, 0));
  }

  @Test
  void collectorStateKeepsTheWatermarkAndTheLastOutcome() {
    CollectorStore c = store.collectors();
    Instant t1 = Instant.parse("2026-09-04T12:00:00Z");
    Instant day = Instant.parse("2026-09-04T00:00:00Z");
    assertThat(c.state("anthropic")).isEmpty();
    c.recordSuccess("anthropic", t1, day);
    c.recordFailure("anthropic", t1.plusSeconds(900), "anthropic: GET /v1/organizations/users answered HTTP 500");
    c.recordSuccess("anthropic", t1.plusSeconds(1800), day.minusSeconds(86_400)); // never moves back
    c.recordFailure("cursor", t1, "cursor: down");

    CollectorStore.StateRow a = c.state("anthropic").orElseThrow();
    assertThat(a.watermark()).isEqualTo(day);
    assertThat(a.lastSuccess()).isEqualTo(t1.plusSeconds(1800));
    assertThat(a.lastRun()).isEqualTo(t1.plusSeconds(1800));
    assertThat(a.lastFailure()).isEqualTo(t1.plusSeconds(900));
    assertThat(a.lastError()).contains("HTTP 500");
    assertThat(c.states()).extracting(CollectorStore.StateRow::provider).containsExactly("anthropic", "cursor");
    assertThat(c.state("cursor").orElseThrow().watermark()).isNull();
    assertThat(c.state("cursor").orElseThrow().lastSuccess()).isNull();
  }

  @Test
  void seatsOfAProviderAreReplacedAsAWhole() {
    CollectorStore c = store.collectors();
    Instant seen = Instant.parse("2026-09-04T12:00:00Z");
    Instant active = Instant.parse("2026-09-03T17:42:10Z");
    c.replaceSeats("github", List.of(new CollectorStore.SeatRow("github", "github:alice", "business", 19_000_000L, null, active, seen),
        new CollectorStore.SeatRow("github", "github:sam", null, null, null, null, seen)));
    c.replaceSeats("cursor", List.of(new CollectorStore.SeatRow("cursor", "email:a@x.com", "member", null, 62_105_000L, null, seen)));
    c.replaceSeats("github", List.of(new CollectorStore.SeatRow("github", "github:alice", "business", 19_000_000L, null, active, seen)));

    assertThat(c.seats()).extracting(CollectorStore.SeatRow::identity).containsExactly("email:a@x.com", "github:alice");
    assertThat(c.seats().get(1)).isEqualTo(new CollectorStore.SeatRow("github", "github:alice", "business", 19_000_000L, null, active, seen));
  }

  @Test
  void reportRowsAreReplacedBySliceAndReconciledAgainstMeteredUsage() {
    CollectorStore c = store.collectors();
    Instant d1 = Instant.parse("2026-11-20T00:00:00Z");
    dev.tally.ledger.ReportedUsage open = new dev.tally.ledger.ReportedUsage(d1, d1.plusSeconds(86_400), "anthropic",
        "anthropic-api", "email:dev@example.com", "apikey_1", "m", 0, Tokens.of(10, 10, 0, 0, 0), null, "slice-1");
    c.putReported(List.of(open));
    dev.tally.ledger.ReportedUsage closed = new dev.tally.ledger.ReportedUsage(d1, d1.plusSeconds(86_400), "anthropic",
        "anthropic-api", "email:dev@example.com", "apikey_1", "m", 3, Tokens.of(100, 50, 0, 0, 0), 1234L, "slice-1");
    c.putReported(List.of(closed));
    store.apply(List.of(new Store.Change(null, priced(event("k1", "2026-11-20T09:00:00Z", "m", Tokens.of(60, 40, 0, 0, 0))))), List.of());

    assertThat(c.reported("anthropic", d1, d1.plusSeconds(86_400))).containsExactly(closed);
    assertThat(c.reported("openai", d1, d1.plusSeconds(86_400))).isEmpty();
    assertThat(c.reconcile(d1, d1.plusSeconds(2 * 86_400))).containsExactly(
        new CollectorStore.ProviderDay("2026-11-20", "anthropic", 150, 1234, 100, 100, 0, 0));
    assertThat(c.reconcile(d1, d1.plusSeconds(2 * 86_400)).get(0).differenceTokens()).isEqualTo(50);
  }

  @Test
  void rangesOverWholeMonthsAgreeWithTheEventsInThem() {
    java.util.Random rnd = new java.util.Random(7);
    List<Store.Change> changes = new ArrayList<>();
    List<LedgerEvent> all = new ArrayList<>();
    Instant start = Instant.parse("2026-08-20T00:00:00Z");
    for (int i = 0; i < 400; i++) {
      Instant ts = start.plusSeconds(rnd.nextInt(120 * 86_400));
      LedgerEvent e = priced(event("m" + i, ts.toString(), i % 3 == 0 ? "opus" : "sonnet",
          Tokens.of(rnd.nextInt(100), rnd.nextInt(100), 0, 0, rnd.nextInt(1000))));
      changes.add(new Store.Change(null, e));
      all.add(e);
    }
    store.apply(changes, List.of());
    store.apply(List.of(new Store.Change(all.get(0), null)), List.of()); // a removal moves the months too
    all.remove(0);
    checkRanges(all);
    // late writes into days and months already read (and kept): the next reads have them
    List<Store.Change> late = new ArrayList<>(List.of(new Store.Change(all.remove(5), null)));
    for (String day : new String[] {"2026-08-31", "2026-09-20", "2026-10-10", "2026-11-30"}) {
      LedgerEvent e = priced(event("late-" + day, day + "T12:00:00Z", "opus", Tokens.of(1_000_000, 0, 0, 0, 0)));
      late.add(new Store.Change(null, e));
      all.add(e);
    }
    store.apply(late, List.of());
    checkRanges(all);
  }

  private void checkRanges(List<LedgerEvent> all) {
    for (String[] range : new String[][] {{"2026-09-15", "2026-12-10"}, {"2026-09-01", "2026-11-01"},
        {"2026-08-31", "2026-10-02"}, {"2026-10-03", "2026-10-29"}}) {
      Instant from = Instant.parse(range[0] + "T00:00:00Z");
      Instant to = Instant.parse(range[1] + "T00:00:00Z");
      Map<String, Long> expected = new java.util.TreeMap<>();
      for (LedgerEvent e : all) {
        if (!e.event().timestamp().isBefore(from) && e.event().timestamp().isBefore(to)) {
          expected.merge(e.event().model(), e.event().tokens().total(), Long::sum);
        }
      }
      Map<String, Long> got = new java.util.TreeMap<>();
      for (UsageRow r : store.usage(new UsageQuery(from, to, List.of(Dimension.MODEL), Map.of(), false))) {
        got.put(r.keys().get(0), r.totals().tokens().total());
      }
      assertThat(got).as(range[0] + " to " + range[1]).isEqualTo(expected);
    }
  }

  @Test
  void dayKeyedReadsSeeLateWritesToAnyDay() {
    LedgerEvent d1 = priced(event("d1", "2026-11-01T10:00:00Z", "m", Tokens.of(1, 0, 0, 0, 0)));
    LedgerEvent d2 = priced(event("d2", "2026-11-02T10:00:00Z", "m", Tokens.of(10, 0, 0, 0, 0)));
    LedgerEvent d3 = priced(event("d3", "2026-11-03T10:00:00Z", "m", Tokens.of(100, 0, 0, 0, 0)));
    store.apply(List.of(new Store.Change(null, d1), new Store.Change(null, d2), new Store.Change(null, d3)), List.of());
    UsageQuery byDay = new UsageQuery(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-11-04T00:00:00Z"),
        List.of(Dimension.MODEL), Map.of(), true, true);
    assertThat(inputByDay(byDay)).containsExactly(Map.entry("2026-11-01", 1L), Map.entry("2026-11-02", 10L), Map.entry("2026-11-03", 100L));

    // a late event for day 2 and a removal on day 1: the next read has both, the untouched day 3 as before
    store.apply(List.of(new Store.Change(null, priced(event("late", "2026-11-02T23:00:00Z", "m", Tokens.of(5, 0, 0, 0, 0)))),
        new Store.Change(d1, null)), List.of());
    assertThat(inputByDay(byDay)).containsExactly(Map.entry("2026-11-02", 15L), Map.entry("2026-11-03", 100L));
    UsageQuery wider = new UsageQuery(Instant.parse("2026-10-31T00:00:00Z"), Instant.parse("2026-11-05T00:00:00Z"),
        List.of(Dimension.MODEL), Map.of(), true, true);
    assertThat(inputByDay(wider)).containsExactly(Map.entry("2026-11-02", 15L), Map.entry("2026-11-03", 100L));
  }

  private static LedgerEvent tagged(String key, String time, long input, String... tags) {
    return priced(event(key, time, "m", Tokens.of(input, 0, 0, 0, 0)).withTags(List.of(tags)));
  }

  /** Input tokens and requests per key of a one-dimension read. */
  private Map<String, List<Long>> inputAndRequestsBy(UsageQuery q) {
    Map<String, List<Long>> got = new java.util.TreeMap<>();
    for (UsageRow r : store.usage(q)) {
      got.merge(r.keys().get(0), List.of(r.totals().tokens().input(), r.totals().events()),
          (a, b) -> List.of(a.get(0) + b.get(0), a.get(1) + b.get(1)));
    }
    return got;
  }

  @Test
  void groupingByTagCountsARequestUnderEachOfItsTagsAndOnceInTheTotal() {
    store.apply(List.of(
        new Store.Change(null, tagged("k1", "2026-11-20T09:00:00Z", 1, "team:web", "feature-x")),
        new Store.Change(null, tagged("k2", "2026-11-20T10:00:00Z", 10, "feature-x")),
        new Store.Change(null, tagged("k3", "2026-11-21T09:00:00Z", 100))), List.of());

    assertThat(inputAndRequestsBy(all(List.of(Dimension.TAG)))).containsExactly(
        Map.entry("", List.of(100L, 1L)), Map.entry("feature-x", List.of(11L, 2L)), Map.entry("team:web", List.of(1L, 1L)));
    assertThat(store.usage(all(List.of())).get(0).totals().events()).isEqualTo(3);
    assertThat(store.usage(all(List.of())).get(0).totals().tokens().input()).isEqualTo(111);
    // hourly and day-keyed reads split the same way (rollup_hour, rollup_day and the per-day cache)
    UsageQuery hourly = new UsageQuery(null, null, List.of(Dimension.TAG), Map.of(), true);
    assertThat(store.usage(hourly)).filteredOn(r -> r.keys().equals(List.of("feature-x")))
        .extracting(UsageRow::hourMs).containsExactlyInAnyOrder(
            Instant.parse("2026-11-20T09:00:00Z").toEpochMilli(), Instant.parse("2026-11-20T10:00:00Z").toEpochMilli());
    UsageQuery byDay = new UsageQuery(Instant.parse("2026-11-20T00:00:00Z"), Instant.parse("2026-11-22T00:00:00Z"),
        List.of(Dimension.TAG, Dimension.MODEL), Map.of(), true, true);
    assertThat(inputAndRequestsBy(byDay)).containsExactly(
        Map.entry("", List.of(100L, 1L)), Map.entry("feature-x", List.of(11L, 2L)), Map.entry("team:web", List.of(1L, 1L)));
    // months and days at its edges: a range over whole months reads rollup_month
    UsageQuery months = new UsageQuery(Instant.parse("2026-10-15T00:00:00Z"), Instant.parse("2027-01-10T00:00:00Z"),
        List.of(Dimension.TAG), Map.of(), false);
    assertThat(inputAndRequestsBy(months)).containsEntry("feature-x", List.of(11L, 2L)).hasSize(3);
  }

  @Test
  void filteringByTagsKeepsRequestsWithAnyOfThemWholeTagsOnly() {
    store.apply(List.of(
        new Store.Change(null, tagged("k1", "2026-11-20T09:00:00Z", 1, "team:web", "feature-x")),
        new Store.Change(null, tagged("k2", "2026-11-20T10:00:00Z", 10, "feature-x")),
        new Store.Change(null, tagged("k3", "2026-11-20T11:00:00Z", 100, "team:api")),
        new Store.Change(null, tagged("k4", "2026-11-20T12:00:00Z", 1000, "feature-xl", "Team:web")),
        new Store.Change(null, tagged("k5", "2026-11-20T13:00:00Z", 10000))), List.of());

    UsageQuery webOrApi = new UsageQuery(null, null, List.of(), Map.of(Dimension.TAG, Set.of("team:web", "team:api")), false);
    assertThat(store.usage(webOrApi).get(0).totals().tokens().input()).isEqualTo(101);
    assertThat(store.events(webOrApi)).extracting(e -> e.event().dedupKey()).containsExactly("k1", "k3");
    UsageQuery featureX = new UsageQuery(null, null, List.of(), Map.of(Dimension.TAG, Set.of("feature-x")), false);
    assertThat(store.usage(featureX).get(0).totals().tokens().input()).as("not feature-xl").isEqualTo(11);
    UsageQuery untagged = new UsageQuery(null, null, List.of(Dimension.TOOL), Map.of(Dimension.TAG, Set.of("")), false);
    assertThat(store.usage(untagged)).singleElement().satisfies(r -> assertThat(r.totals().tokens().input()).isEqualTo(10000));
    // a filter selects requests; grouping then shows every tag they have
    UsageQuery webByTag = new UsageQuery(null, null, List.of(Dimension.TAG), Map.of(Dimension.TAG, Set.of("team:web")), false);
    assertThat(inputAndRequestsBy(webByTag)).containsExactly(
        Map.entry("feature-x", List.of(1L, 1L)), Map.entry("team:web", List.of(1L, 1L)));
    // a role's scope narrows by person; a tag filter inside it stays a tag filter
    UsageQuery scoped = new UsageQuery(null, null, List.of(Dimension.PERSON),
        new dev.tally.query.Filter(Map.of(Dimension.TAG, Set.of("feature-x")))
            .restrict(Dimension.PERSON, Set.of("email:dev@example.com")).values(), false);
    assertThat(store.usage(scoped)).singleElement().satisfies(r -> assertThat(r.totals().tokens().input()).isEqualTo(11));
  }

  @Test
  void tagsSurviveAMergeAndTheRollupsMoveToTheNewTagSet() {
    LedgerEvent fromGateway = tagged("k1", "2026-11-20T09:00:00Z", 5, "team:web", "ci");
    store.apply(List.of(new Store.Change(null, fromGateway)), List.of());
    assertThat(store.findByDedupKeys(List.of("k1")).get("k1").event().tags()).containsExactly("ci", "team:web");
    // the same request from a second source, its tags unioned by ingest's merge
    LedgerEvent merged = tagged("k1", "2026-11-20T09:00:00Z", 7, "ci", "feature-x", "team:web");
    store.apply(List.of(new Store.Change(fromGateway, merged)), List.of());

    assertThat(store.findByDedupKeys(List.of("k1")).get("k1").event()).isEqualTo(merged.event());
    assertThat(inputAndRequestsBy(all(List.of(Dimension.TAG)))).containsExactly(
        Map.entry("ci", List.of(7L, 1L)), Map.entry("feature-x", List.of(7L, 1L)), Map.entry("team:web", List.of(7L, 1L)));
    assertThat(store.usage(new UsageQuery(null, null, List.of(Dimension.TAG), Map.of(), true)))
        .as("no row of the old tag set is left").hasSize(3);
  }

  private Map<String, Long> inputByDay(UsageQuery q) {
    Map<String, Long> byDay = new java.util.TreeMap<>();
    for (UsageRow r : store.usage(q)) {
      byDay.merge(Instant.ofEpochMilli(r.hourMs()).toString().substring(0, 10), r.totals().tokens().input(), Long::sum);
    }
    return byDay;
  }

  // ---------------------------------------------------------------- batches through ingest

  private static final dev.tally.ingest.Pricer ONE_PER_TOKEN =
      (provider, model, t) -> new dev.tally.ledger.Cost(t.total(), "test", model);

  private static dev.tally.ledger.UsageEvent request(String key, String messageId, dev.tally.ledger.Source source,
      String time, Tokens tokens) {
    return new dev.tally.ledger.UsageEvent(key, Instant.parse(time), source, "anthropic", "m", "claude-code",
        "email:dev@example.com", null, "app", "s1", null, messageId, false, tokens, null);
  }

  private Totals total() {
    return store.usage(all(List.of())).get(0).totals();
  }

  private long hourlyEvents() {
    return store.usage(new UsageQuery(null, null, List.of(), Map.of(), true)).stream()
        .mapToLong(r -> r.totals().events()).sum();
  }

  @Test
  void aBatchWithTheSameRequestTwiceStoresItOnceWithTheLargerCounts() {
    try (dev.tally.ingest.Ingest ingest = new dev.tally.ingest.Ingest(store, ONE_PER_TOKEN, null)) {
      var r = ingest.write(List.of(
          request("k1", null, dev.tally.ledger.Source.LOCAL_LOG, "2026-11-20T09:00:00Z", Tokens.of(5, 10, 0, 0, 0)),
          request("k2", null, dev.tally.ledger.Source.LOCAL_LOG, "2026-11-20T09:00:01Z", Tokens.of(1, 1, 0, 0, 0)),
          request("k1", null, dev.tally.ledger.Source.LOCAL_LOG, "2026-11-20T09:00:00Z", Tokens.of(5, 70, 0, 0, 0))),
          List.of());
      assertThat(r).isEqualTo(new dev.tally.ingest.Ingest.Result(3, 2, 0, 1));
    }
    assertThat(store.eventCount()).isEqualTo(2);
    assertThat(store.findByDedupKeys(List.of("k1")).get("k1").event().tokens().output()).isEqualTo(70);
    assertThat(total().events()).isEqualTo(2);
    assertThat(total().tokens()).isEqualTo(Tokens.of(6, 71, 0, 0, 0));
    assertThat(hourlyEvents()).isEqualTo(2);
  }

  @Test
  void aBatchMixingNewAndStoredEventsAddsTheNewOnesAndMovesTheChangedOnes() {
    dev.tally.ingest.Ingest first = new dev.tally.ingest.Ingest(store, ONE_PER_TOKEN, null);
    // first with the ingest that wrote the stored events (on an empty SQLite it knows every key
    // itself), then with a fresh one that has to ask the store
    for (String month : new String[] {"11", "10"}) {
      String p = "m" + month + ":";
      first.write(List.of(
          request(p + "k1", null, dev.tally.ledger.Source.LOCAL_LOG, "2026-" + month + "-20T09:00:00Z", Tokens.of(1, 1, 0, 0, 0)),
          request(p + "k2", null, dev.tally.ledger.Source.LOCAL_LOG, "2026-" + month + "-20T10:00:00Z", Tokens.of(2, 2, 0, 0, 0))),
          List.of());
      dev.tally.ingest.Ingest second = month.equals("11") ? first : new dev.tally.ingest.Ingest(store, ONE_PER_TOKEN, null);
      var r = second.write(List.of(
          request(p + "k1", null, dev.tally.ledger.Source.LOCAL_LOG, "2026-" + month + "-20T09:00:00Z", Tokens.of(1, 1, 0, 0, 0)),
          request(p + "k3", null, dev.tally.ledger.Source.LOCAL_LOG, "2026-" + month + "-21T08:00:00Z", Tokens.of(3, 3, 0, 0, 0)),
          request(p + "k2", null, dev.tally.ledger.Source.LOCAL_LOG, "2026-" + month + "-20T10:00:00Z", Tokens.of(2, 9, 0, 0, 0))),
          List.of());
      assertThat(r).as(month).isEqualTo(new dev.tally.ingest.Ingest.Result(3, 1, 1, 1));
      Instant from = Instant.parse("2026-" + month + "-01T00:00:00Z");
      Totals t = store.usage(new UsageQuery(from, from.plusSeconds(28 * 86_400L), List.of(), Map.of(), false))
          .get(0).totals();
      assertThat(t.events()).isEqualTo(3);
      assertThat(t.tokens()).isEqualTo(Tokens.of(6, 13, 0, 0, 0));
      assertThat(t.costMicros()).isEqualTo(19);
      assertThat(store.findByDedupKeys(List.of(p + "k2")).get(p + "k2").event().tokens().output()).isEqualTo(9);
    }
    assertThat(store.eventCount()).isEqualTo(6);
    assertThat(hourlyEvents()).isEqualTo(6);
    first.close();
  }

  @Test
  void copiesOfARequestUnderOtherKeysMergeByMessageIdWithinABatchAndAcrossBatches() {
    var local = request("local:1", "msg_1", dev.tally.ledger.Source.LOCAL_LOG, "2026-11-20T09:00:00Z",
        Tokens.of(4, 40, 0, 0, 0));
    var gateway = request("anthropic:req:r1", "msg_1", dev.tally.ledger.Source.GATEWAY, "2026-11-20T09:00:00Z",
        Tokens.of(5, 50, 0, 0, 0));
    var other = request("local:2", "msg_2", dev.tally.ledger.Source.LOCAL_LOG, "2026-11-20T09:30:00Z",
        Tokens.of(1, 1, 0, 0, 0));
    try (dev.tally.ingest.Ingest ingest = new dev.tally.ingest.Ingest(store, ONE_PER_TOKEN, null)) {
      assertThat(ingest.write(List.of(local, other, gateway), List.of()))
          .isEqualTo(new dev.tally.ingest.Ingest.Result(3, 2, 0, 1));
    }
    assertThat(store.eventCount()).isEqualTo(2);
    assertThat(store.findByMessageKeys(List.of("anthropic:msg_1")).get("anthropic:msg_1").event().tokens().output())
        .isEqualTo(50);

    // a later batch, through an ingest that has to ask the store: one more copy of msg_1 from
    // OTLP changes nothing the gateway did not already say; a new copy of msg_2 from the gateway wins
    var otlp = request("otel:1", "msg_1", dev.tally.ledger.Source.OTEL, "2026-11-20T09:00:00Z",
        Tokens.of(5, 50, 0, 0, 0));
    var gateway2 = request("anthropic:req:r2", "msg_2", dev.tally.ledger.Source.GATEWAY, "2026-11-20T09:30:00Z",
        Tokens.of(1, 7, 0, 0, 0));
    var fresh = request("local:3", "msg_3", dev.tally.ledger.Source.LOCAL_LOG, "2026-11-20T11:00:00Z",
        Tokens.of(2, 2, 0, 0, 0));
    try (dev.tally.ingest.Ingest ingest = new dev.tally.ingest.Ingest(store, ONE_PER_TOKEN, null)) {
      assertThat(ingest.write(List.of(otlp, gateway2, fresh), List.of()))
          .isEqualTo(new dev.tally.ingest.Ingest.Result(3, 1, 1, 1));
    }
    assertThat(store.eventCount()).isEqualTo(3);
    assertThat(store.findByDedupKeys(List.of("local:2")).get("local:2").event().tokens().output()).isEqualTo(7);
    assertThat(total().events()).isEqualTo(3);
    assertThat(total().tokens()).isEqualTo(Tokens.of(8, 59, 0, 0, 0));
    assertThat(hourlyEvents()).isEqualTo(3);
  }

  @Test
  void textWithTabsBackslashesNewlinesAndNonAsciiIsStoredAsItIs() {
    String odd = "a\tb\\c\nd\re \\N é 漢 😀";
    var e = new dev.tally.ledger.UsageEvent("k\t1\\N", Instant.parse("2026-11-20T09:00:00Z"),
        dev.tally.ledger.Source.LOCAL_LOG, "anthropic", "m", "claude-code", "email:dev@example.com", null, odd,
        "\\N", null, null, false, Tokens.of(1, 1, 0, 0, 0), null);
    store.apply(List.of(new Store.Change(null, priced(e))), List.of());
    assertThat(store.findByDedupKeys(List.of("k\t1\\N")).get("k\t1\\N").event()).isEqualTo(e);
    assertThat(store.usage(all(List.of(Dimension.PROJECT)))).singleElement()
        .satisfies(r -> assertThat(r.keys()).containsExactly(odd));
    assertThat(store.usage(all(List.of(Dimension.SESSION)))).singleElement()
        .satisfies(r -> assertThat(r.keys()).containsExactly("\\N"));
  }

  @Test
  void aLargeBatchIsStoredWholeWithItsRollups() {
    List<Store.Change> changes = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      changes.add(new Store.Change(null, priced(event("k" + i,
          Instant.parse("2026-11-01T00:00:00Z").plusSeconds(i * 600L).toString(), "m" + (i % 7), Tokens.of(i, 1, 0, 0, 0)))));
    }
    store.apply(changes, List.of());
    store.apply(List.of(new Store.Change(changes.get(0).after(), null)), List.of());
    assertThat(store.eventCount()).isEqualTo(4_999);
    assertThat(total().events()).isEqualTo(4_999);
    assertThat(total().tokens().input()).isEqualTo(4_999L * 5_000 / 2);
    assertThat(hourlyEvents()).isEqualTo(4_999);
  }
}
