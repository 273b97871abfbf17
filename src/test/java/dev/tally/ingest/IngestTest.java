package dev.tally.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.ledger.Cost;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import dev.tally.sources.logs.FileCursor;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import dev.tally.store.Totals;
import dev.tally.store.UsageQuery;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestTest {
  /** 1 µ$ per token; "unknown-*" models are unpriced. */
  static final Pricer PRICER = (provider, model, t) -> model.startsWith("unknown")
      ? Cost.unpriced("v1") : new Cost(t.total(), "v1", model);

  @TempDir Path dir;
  Store store;
  Ingest ingest;

  @BeforeEach
  void open() {
    store = SqliteStore.open(dir.resolve("t.db"));
    ingest = new Ingest(store, PRICER, "local:dev@box");
  }

  @AfterEach
  void close() {
    ingest.close();
    store.close();
  }

  static UsageEvent claude(String requestId, String messageId, String time, Tokens t, boolean sidechain) {
    String key = requestId != null ? "anthropic:req:" + requestId : "anthropic:msg:" + messageId;
    return new UsageEvent(key, Instant.parse(time), Source.LOCAL_LOG, "anthropic", "claude-sonnet-4-5",
        "claude-code", null, null, "app", "s1", requestId, messageId, sidechain, t, null);
  }

  Totals totals() {
    var rows = store.usage(new UsageQuery(null, null, List.of(), Map.of(), false));
    return rows.isEmpty() ? Totals.EMPTY : rows.get(0).totals();
  }

  @Test
  void streamingSnapshotsOfOneRequestCountOnceWithTheFinalOutput() {
    var partial = claude("req_1", "msg_1", "2026-11-20T09:14:15Z", Tokens.of(6, 9, 0, 1045, 18240), false);
    var fin = claude("req_1", "msg_1", "2026-11-20T09:14:18Z", Tokens.of(6, 387, 0, 1045, 18240), false);
    var r = ingest.write(List.of(partial, fin), List.of());
    assertThat(r).isEqualTo(new Ingest.Result(2, 1, 0, 1));
    assertThat(totals().events()).isEqualTo(1);
    assertThat(totals().tokens()).isEqualTo(Tokens.of(6, 387, 0, 1045, 18240));
    // the first copy's time is kept for bucketing
    assertThat(totals().firstMs()).isEqualTo(Instant.parse("2026-11-20T09:14:15Z").toEpochMilli());
  }

  @Test
  void copiesSplitOverBatchesMergeTheSameWayAndReReadingChangesNothing() {
    var partial = claude("req_1", "msg_1", "2026-11-20T09:14:15Z", Tokens.of(6, 9, 0, 1045, 18240), false);
    var fin = claude("req_1", "msg_1", "2026-11-20T09:14:18Z", Tokens.of(6, 387, 0, 1045, 18240), false);
    assertThat(ingest.write(List.of(partial), List.of()).inserted()).isEqualTo(1);
    assertThat(ingest.write(List.of(fin), List.of()).updated()).isEqualTo(1);
    assertThat(ingest.write(List.of(partial, fin), List.of()).duplicates()).isEqualTo(2);
    assertThat(totals().events()).isEqualTo(1);
    assertThat(totals().tokens().output()).isEqualTo(387);
    assertThat(totals().costMicros()).isEqualTo(Tokens.of(6, 387, 0, 1045, 18240).total());
  }

  @Test
  void aSidechainReplayWithTheSameMessageIdButAnotherRequestIdIsADuplicate() {
    var main = claude("req_1", "msg_1", "2026-11-20T09:00:00Z", Tokens.of(10, 100, 0, 0, 5000), false);
    var replay = claude("req_2", "msg_1", "2026-11-20T09:05:00Z", Tokens.of(10, 100, 0, 0, 5000), true);
    ingest.write(List.of(main), List.of());
    ingest.write(List.of(replay), List.of());
    assertThat(totals().events()).isEqualTo(1);
    assertThat(store.findByDedupKeys(List.of("anthropic:req:1", "anthropic:req:req_1"))).containsOnlyKeys("anthropic:req:req_1");
  }

  @Test
  void aRequestWithoutRequestIdMatchesTheSameMessageSeenWithOne() {
    var viaGatewayLog = claude(null, "msg_9", "2026-11-20T09:00:00Z", Tokens.of(1, 2, 0, 0, 3), false);
    var direct = claude("req_9", "msg_9", "2026-11-20T09:00:00Z", Tokens.of(1, 2, 0, 0, 3), false);
    ingest.write(List.of(direct, viaGatewayLog), List.of());
    ingest.write(List.of(viaGatewayLog), List.of());
    assertThat(totals().events()).isEqualTo(1);
  }

  @Test
  void theGatewaysCountsWinOverTheLocalLogsAndTheLogKeepsItsProject() {
    var log = claude("req_1", "msg_1", "2026-11-20T09:00:00Z", Tokens.of(10, 90, 0, 0, 0), false).withTags(List.of("laptop"));
    var gw = new UsageEvent("anthropic:req:req_1", Instant.parse("2026-11-20T09:00:01Z"), Source.GATEWAY,
        "anthropic", "claude-sonnet-4-5", null, "key:tk_1", "tk_1", null, null, "req_1", "msg_1", false,
        Tokens.of(10, 100, 0, 0, 0), null).withTags(List.of("team:web", "ci"));
    ingest.write(List.of(log), List.of());
    ingest.write(List.of(gw), List.of());
    var stored = store.findByDedupKeys(List.of("anthropic:req:req_1")).get("anthropic:req:req_1").event();
    assertThat(stored.source()).isEqualTo(Source.GATEWAY);
    assertThat(stored.tokens().output()).isEqualTo(100);
    assertThat(stored.identity()).isEqualTo("key:tk_1");
    assertThat(stored.project()).isEqualTo("app");
    assertThat(stored.sessionId()).isEqualTo("s1");
    assertThat(stored.tags()).as("both copies' tags").containsExactly("ci", "laptop", "team:web");
    // a later re-read of the log changes nothing
    assertThat(ingest.write(List.of(log), List.of()).duplicates()).isEqualTo(1);
    assertThat(totals().tokens().output()).isEqualTo(100);
  }

  @Test
  void unknownModelsArePricedAtZeroAndCountedAsUnpriced() {
    var e = new UsageEvent("x:1", Instant.parse("2026-11-20T09:00:00Z"), Source.LOCAL_LOG, "acme",
        "unknown-model-7", "codex", null, null, null, null, null, null, false, Tokens.of(5, 5, 0, 0, 0), 420L);
    ingest.write(List.of(e), List.of());
    assertThat(totals().costMicros()).isZero();
    assertThat(totals().unpricedEvents()).isEqualTo(1);
    assertThat(totals().autoCostMicros()).isEqualTo(420);
    assertThat(totals().reportedCostMicros()).isEqualTo(420);
  }

  @Test
  void eventsWithoutIdentityGetTheDefaultOne() {
    ingest.write(List.of(claude("req_1", "msg_1", "2026-11-20T09:00:00Z", Tokens.of(1, 1, 0, 0, 0), false)), List.of());
    assertThat(store.findByDedupKeys(List.of("anthropic:req:req_1")).get("anthropic:req:req_1").event().identity())
        .isEqualTo("local:dev@box");
  }

  @Test
  void theBackgroundWriterStoresEverythingQueuedWithItsCursors() {
    List<UsageEvent> events = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      events.add(claude("req_" + i, "msg_" + i, "2026-11-20T09:00:00Z", Tokens.of(1, 1, 0, 0, 0), false));
    }
    for (int i = 0; i < events.size(); i += 5000) {
      FileCursor c = new FileCursor("/f" + i, "claude", "k", i, i, i, null, i, 0);
      ingest.accept(events.subList(i, i + 5000), List.of(c));
    }
    ingest.flush();
    assertThat(totals().events()).isEqualTo(20_000);
    assertThat(store.cursors()).hasSize(4);
    assertThat(ingest.total().inserted()).isEqualTo(20_000);
  }

  @Test
  void batchesWaitForAStoreStillBeingOpenedAndAreAllWrittenOnceItIsThere() {
    var opening = new java.util.concurrent.CompletableFuture<Store>();
    try (Ingest early = new Ingest(opening, PRICER, "local:dev@box")) {
      for (int i = 0; i < 6; i++) { // more batches than the queue holds: the last ones wait for the store
        var e = claude("req_" + i, "msg_" + i, "2026-11-20T09:00:00Z", Tokens.of(1, 2, 0, 0, 0), false);
        var c = new FileCursor("/f" + i, "claude", "k", i, i, i, null, i, 0);
        if (i == 4) {
          opening.complete(store);
        }
        early.accept(List.of(e), List.of(c));
      }
      early.flush();
      assertThat(early.total().inserted()).isEqualTo(6);
    }
    assertThat(totals().events()).isEqualTo(6);
    assertThat(store.cursors()).hasSize(6);
  }

  @Test
  void aStoreThatCannotBeOpenedFailsTheFlushWithItsOwnError() {
    var opening = new java.util.concurrent.CompletableFuture<Store>();
    opening.completeExceptionally(new dev.tally.store.StoreException("opening /nowhere/t.db", new java.io.IOException("Not a directory")));
    assertThatThrownBy(() -> {
      try (Ingest early = new Ingest(opening, PRICER, null)) {
        early.accept(List.of(claude("req_1", "msg_1", "2026-11-20T09:00:00Z", Tokens.of(1, 2, 0, 0, 0), false)), List.of());
        early.flush();
      }
    }).isInstanceOf(dev.tally.store.StoreException.class).hasMessageContaining("opening /nowhere/t.db")
        .satisfies(e -> assertThat(e.getSuppressed()).isEmpty());
  }

  @Test
  void repricingRewritesCostsAndTheRollupsFollow() {
    ingest.write(List.of(claude("req_1", "msg_1", "2026-11-20T09:00:00Z", Tokens.of(10, 20, 0, 0, 0), false),
        claude("req_2", "msg_2", "2026-11-22T09:00:00Z", Tokens.of(1, 2, 0, 0, 0), false)), List.of());
    Pricer doubled = (p, m, t) -> new Cost(2 * t.total(), "v2", m);
    try (Ingest again = new Ingest(store, doubled, null)) {
      var r = again.reprice(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"));
      assertThat(r.updated()).isEqualTo(2);
    }
    assertThat(totals().costMicros()).isEqualTo(2 * 33);
    assertThat(totals().events()).isEqualTo(2);
  }

  @Test
  void autoModeUsesASessionShareOnlyForUnpricedModelsButARequestsOwnCostAlways() {
    var share = claude("req_1", "msg_1", "2026-11-20T09:00:00Z", Tokens.of(10, 10, 0, 0, 0), false)
        .withReportedCost(999L, true);
    var own = claude("req_2", "msg_2", "2026-11-20T09:00:00Z", Tokens.of(10, 10, 0, 0, 0), false)
        .withReportedCost(555L, false);
    ingest.write(List.of(share, own), List.of());
    // priced at 1 µ$/token: the share is ignored (20), the request's own cost is used (555)
    assertThat(totals().autoCostMicros()).isEqualTo(20 + 555);
    assertThat(totals().costMicros()).isEqualTo(40);
    assertThat(totals().reportedCostMicros()).isEqualTo(999 + 555);
  }

  @Test
  void telemetryCountsWinButTheTranscriptsOneHourCacheSplitIsKept() {
    var log = claude("req_7", "msg_7", "2026-11-20T09:00:00Z", Tokens.of(5, 100, 0, 3000, 9000), false);
    var otel = new UsageEvent("anthropic:req:req_7", Instant.parse("2026-11-20T09:00:00Z"), Source.OTEL, "anthropic",
        "claude-sonnet-4-5", "claude-code", "email:dev@x.com", null, null, "s1", "req_7", null, false,
        Tokens.of(5, 120, 3000, 0, 9000), 42L);
    ingest.write(List.of(log), List.of());
    ingest.write(List.of(otel), List.of());
    var stored = store.findByDedupKeys(List.of("anthropic:req:req_7")).get("anthropic:req:req_7").event();
    assertThat(stored.tokens()).isEqualTo(Tokens.of(5, 120, 0, 3000, 9000));
    assertThat(stored.source()).isEqualTo(Source.OTEL);
    assertThat(stored.project()).isEqualTo("app");
  }
}
