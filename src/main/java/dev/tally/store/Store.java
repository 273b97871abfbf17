package dev.tally.store;

import dev.tally.ledger.LedgerEvent;
import dev.tally.sources.logs.CursorStore;
import dev.tally.sources.logs.FileCursor;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The ledger's storage: raw events, hourly and daily rollups kept in step with them, and file
 * cursors. Ingest is its only writer; the query layer its only reader. One contract, one test suite
 * for every implementation.
 */
public interface Store extends CursorStore, AutoCloseable {

  /** A new event ({@code before} null), a new version of a stored one, or its removal ({@code after} null). */
  record Change(LedgerEvent before, LedgerEvent after) {}

  /** Stored events whose dedup key is one of {@code dedupKeys}, by dedup key. */
  Map<String, LedgerEvent> findByDedupKeys(Collection<String> dedupKeys);

  /** Stored events whose message key ({@code provider:messageId}) is one of these, by message key. */
  Map<String, LedgerEvent> findByMessageKeys(Collection<String> messageKeys);

  /**
   * Writes the changes and the cursors in one transaction and moves the rollups by the difference
   * (a changed event's old version is taken out, its new version put in).
   */
  void apply(List<Change> changes, List<FileCursor> cursors);

  /** Aggregated usage from the rollups. */
  List<UsageRow> usage(UsageQuery query);

  /** Raw events in [from, to), oldest first, matching the filters of {@code query}. */
  List<LedgerEvent> events(UsageQuery query);

  /** Deletes raw events older than {@code before}; rollups stay. Returns how many were deleted. */
  int deleteEventsBefore(Instant before);

  /** Number of raw events stored. */
  long eventCount();

  /** True when no raw event was ever stored (cheaper than {@link #eventCount}). */
  boolean isEmpty();

  /**
   * Records aggregate telemetry points; a point seen before (a retried export) changes nothing, a
   * cumulative point counts only its increase over the series' previous point (or all of it after a
   * reset). Returns how many new points were kept.
   */
  int recordMetricPoints(List<dev.tally.ledger.MetricPoint> points);

  /** Telemetry counters against per-request events, per UTC day, identity, model and token kind. */
  List<Reconciliation> reconcile(Instant from, Instant to);

  /** People, teams, identities, users and tokens, in the same database. */
  DirectoryStore directory();

  /** True when no other process writes this ledger (embedded SQLite); false for a shared PostgreSQL. */
  boolean soleWriter();

  /** True when {@link #writing} transactions run side by side (PostgreSQL). */
  default boolean parallelWrites() {
    return false;
  }

  /**
   * Runs an ingest's lookups and {@link #apply} as one transaction on a writer of its own where the
   * store has several; a clash with another one throws a {@link StoreException#retryable()} error.
   */
  default <T> T writing(java.util.function.Supplier<T> work) {
    return work.get();
  }

  /** Provider credentials, gateway keys and budgets. */
  GatewayStore gateway();

  /** Admin-API collectors' watermarks and status, seats, and report rows as the providers gave them. */
  CollectorStore collectors();

  @Override
  void close();

  static String messageKey(String provider, String messageId) {
    return messageId == null ? null : provider + ":" + messageId;
  }
}
