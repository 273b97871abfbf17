package dev.tally.ledger;

/**
 * A usage event as the ledger keeps it: the event, its normalized model id and the cost computed
 * at ingest.
 */
public record LedgerEvent(UsageEvent event, String modelId, Cost cost) {

  /**
   * The cost "auto" mode shows: the request's own cost when the source reported one, else Tally's;
   * a share of a session figure (Claude Code's cost-state) only for models Tally has no price for.
   */
  public long autoCostMicros() {
    Long reported = event.reportedCostMicros();
    if (reported != null && (!event.reportedCostIsShare() || !cost.priced())) {
      return reported;
    }
    return cost.micros();
  }
}
