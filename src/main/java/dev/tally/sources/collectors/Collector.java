package dev.tally.sources.collectors;

import java.time.Instant;

/**
 * Reads one provider's admin API. A collector fetches, follows pagination and maps the provider's
 * rows into ledger terms; it never prices, sums or stores (ingest and the query layer do).
 *
 * <p>Implementations are safe to call from one thread at a time; a failure is thrown as
 * {@link CollectorException} and concerns this provider only.
 */
public interface Collector {

  /** anthropic, openai, cursor, github or openrouter. */
  String provider();

  /**
   * Usage in the buckets that overlap [from, to), seats as they are now.
   *
   * @throws CollectorException when the provider cannot be read after retries
   */
  Collected collect(Instant from, Instant to);
}
