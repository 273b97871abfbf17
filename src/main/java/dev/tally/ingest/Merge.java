package dev.tally.ingest;

import dev.tally.ledger.Tags;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;

/**
 * How two sightings of one request become one event (shared/design.md, "Identity of a request").
 *
 * <ul>
 *   <li>Same source (streaming snapshots, resumed sessions, re-reads): per-field maximum of the
 *       tokens, the earliest time, a non-sidechain copy wins.
 *   <li>Different sources: token counts of the more exact source (gateway &gt; OTLP &gt; local log);
 *       descriptive fields filled from whichever has them, the more exact source first.
 *   <li>Either way the tags are the union of both copies' (the gateway knows the key's and the
 *       headers' tags, a pushed event may carry others).
 * </ul>
 *
 * The stored event's dedup key is kept, so later copies keep finding it.
 */
final class Merge {
  private Merge() {}

  static UsageEvent merge(UsageEvent stored, UsageEvent incoming) {
    if (stored.source() == incoming.source()) {
      return sameSource(stored, incoming);
    }
    boolean incomingWins = incoming.source().moreExactThan(stored.source());
    UsageEvent primary = incomingWins ? incoming : stored;
    UsageEvent other = incomingWins ? stored : incoming;
    return new UsageEvent(
        stored.dedupKey(),
        primary.timestamp(),
        primary.source(),
        primary.provider(),
        primary.model(),
        first(primary.tool(), other.tool()),
        first(primary.identity(), other.identity()),
        first(primary.keyId(), other.keyId()),
        // the local log knows the project and session best
        first(other.source() == dev.tally.ledger.Source.LOCAL_LOG ? other.project() : primary.project(),
            first(primary.project(), other.project())),
        first(primary.sessionId(), other.sessionId()),
        first(primary.requestId(), other.requestId()),
        first(primary.messageId(), other.messageId()),
        primary.sidechain() && other.sidechain(),
        keepCacheSplit(primary.tokens(), other.tokens()),
        max(primary.reportedCostMicros(), other.reportedCostMicros()),
        shareFlag(primary, other),
        Tags.union(primary.tags(), other.tags()));
  }

  private static UsageEvent sameSource(UsageEvent a, UsageEvent b) {
    // Prefer the main-chain copy's descriptive fields (sidechain replays copy parent messages).
    UsageEvent primary = a.sidechain() && !b.sidechain() ? b : a;
    UsageEvent other = primary == a ? b : a;
    Tokens tokens = a.tokens().max(b.tokens());
    return new UsageEvent(
        a.dedupKey(),
        a.timestamp().isAfter(b.timestamp()) ? b.timestamp() : a.timestamp(),
        a.source(),
        primary.provider(),
        primary.model(),
        first(primary.tool(), other.tool()),
        first(primary.identity(), other.identity()),
        first(primary.keyId(), other.keyId()),
        first(primary.project(), other.project()),
        first(primary.sessionId(), other.sessionId()),
        first(primary.requestId(), other.requestId()),
        first(primary.messageId(), other.messageId()),
        a.sidechain() && b.sidechain(),
        tokens,
        max(a.reportedCostMicros(), b.reportedCostMicros()),
        shareFlag(a, b),
        Tags.union(a.tags(), b.tags()));
  }

  /**
   * OTLP reports cache writes without their 5m/1h split; when the other copy has the split for the
   * same total, keep it, so the 1-hour writes stay priced as such.
   */
  private static Tokens keepCacheSplit(Tokens exact, Tokens other) {
    if (exact.cacheWrite1h() == 0 && other.cacheWrite1h() > 0 && exact.cacheWrite() == other.cacheWrite()) {
      return new Tokens(exact.input(), exact.output(), other.cacheWrite5m(), other.cacheWrite1h(), exact.cacheRead(),
          Math.max(exact.reasoning(), other.reasoning()), Math.max(exact.webSearches(), other.webSearches()));
    }
    return exact;
  }

  /** The kind of the reported cost that {@link #max} keeps. */
  private static boolean shareFlag(UsageEvent a, UsageEvent b) {
    if (a.reportedCostMicros() == null) {
      return b.reportedCostIsShare();
    }
    if (b.reportedCostMicros() == null || a.reportedCostMicros() >= b.reportedCostMicros()) {
      return a.reportedCostIsShare();
    }
    return b.reportedCostIsShare();
  }

  private static String first(String a, String b) {
    return a != null ? a : b;
  }

  private static Long max(Long a, Long b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : Math.max(a, b);
  }
}
