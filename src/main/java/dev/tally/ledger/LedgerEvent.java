package dev.tally.ledger;

/**
 * A usage event as the ledger keeps it: the event, its normalized model id and the cost computed
 * at ingest.
 */
public record LedgerEvent(UsageEvent event, String modelId, Cost cost) {

  /** The cost "auto" mode shows: the source's own figure when it reported one, else Tally's. */
  public long autoCostMicros() {
    return event.reportedCostMicros() != null ? event.reportedCostMicros() : cost.micros();
  }
}
