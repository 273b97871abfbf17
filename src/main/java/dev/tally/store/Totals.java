package dev.tally.store;

import dev.tally.ledger.Tokens;

/**
 * Sums over a set of events.
 *
 * @param costMicros Tally's computed cost ("calculate" mode)
 * @param reportedCostMicros the sources' own cost where they reported one ("display" mode)
 * @param autoCostMicros the source's cost where reported, else Tally's ("auto" mode)
 * @param unpricedEvents events of models missing from the price table (counted at $0)
 * @param firstMs earliest event time, UTC epoch ms (Long.MAX_VALUE when empty)
 * @param lastMs latest event time (Long.MIN_VALUE when empty)
 */
public record Totals(
    long events,
    Tokens tokens,
    long costMicros,
    long reportedCostMicros,
    long reportedEvents,
    long autoCostMicros,
    long unpricedEvents,
    long firstMs,
    long lastMs) {

  public static final Totals EMPTY =
      new Totals(0, Tokens.ZERO, 0, 0, 0, 0, 0, Long.MAX_VALUE, Long.MIN_VALUE);

  public Totals plus(Totals o) {
    return new Totals(events + o.events, tokens.plus(o.tokens), costMicros + o.costMicros,
        reportedCostMicros + o.reportedCostMicros, reportedEvents + o.reportedEvents,
        autoCostMicros + o.autoCostMicros, unpricedEvents + o.unpricedEvents,
        Math.min(firstMs, o.firstMs), Math.max(lastMs, o.lastMs));
  }

  public boolean isEmpty() {
    return events == 0;
  }
}
