package dev.tally.store;

import dev.tally.ledger.ReportedUsage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the provider collectors keep between runs of {@code tally serve}: per provider the watermark
 * and the last outcome, the seats, and the admin-API buckets as reported (for reconciliation).
 */
public interface CollectorStore {

  /** One provider's watermark and last outcome; times are null when it never happened. */
  record StateRow(String provider, Instant watermark, Instant lastRun, Instant lastSuccess, Instant lastFailure,
      String lastError) {}

  /** A seat as last listed by its provider. */
  record SeatRow(String provider, String identity, String plan, Long costMicros, Long cycleSpendMicros,
      Instant lastActivity, Instant seen) {}

  /** Per UTC day and provider: what the admin API reported, what the ledger metered per request
   * (gateway, OTLP events, local logs) and what the admin-API rows add to the totals. Costs are
   * micro-dollars: reported is the provider's own figure where it gave one, the others Tally's. */
  record ProviderDay(String day, String provider, long reportedTokens, long reportedCostMicros, long meteredTokens,
      long meteredCostMicros, long countedTokens, long countedCostMicros) {
    /** Reported − metered: positive when the provider saw usage the ledger did not meter. */
    public long differenceTokens() {
      return reportedTokens - meteredTokens;
    }
  }

  Optional<StateRow> state(String provider);

  /** Every provider that ever ran, by name. */
  List<StateRow> states();

  /** A successful run: the watermark moves to {@code watermark} (never back), the error stays for the record. */
  void recordSuccess(String provider, Instant at, Instant watermark);

  void recordFailure(String provider, Instant at, String error);

  /** Replaces the provider's seats with these (a seat no longer listed is gone). */
  void replaceSeats(String provider, List<SeatRow> seats);

  List<SeatRow> seats();

  /** Stores report rows; a row with the same provider and slice key replaces the earlier copy. */
  void putReported(List<ReportedUsage> rows);

  /** Stored report rows of the provider whose UTC day starts in [from, to). */
  List<ReportedUsage> reported(String provider, Instant from, Instant to);

  /** Reported against metered per provider and UTC day, for the days in [from, to) with report rows. */
  List<ProviderDay> reconcile(Instant from, Instant to);
}
