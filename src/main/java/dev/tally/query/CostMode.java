package dev.tally.query;

import dev.tally.store.Totals;
import java.util.Locale;

/**
 * Which cost a report shows, as ccusage has them. All three are computed at ingest and stored; a
 * mode only chooses between them.
 */
public enum CostMode {
  /** The source's own cost where it reported one, else Tally's computed cost. */
  AUTO,
  /** Always Tally's cost from token counts and the price table. */
  CALCULATE,
  /** Only costs the sources reported; $0 where they reported none. */
  DISPLAY;

  public long cost(Totals t) {
    return switch (this) {
      case AUTO -> t.autoCostMicros();
      case CALCULATE -> t.costMicros();
      case DISPLAY -> t.reportedCostMicros();
    };
  }

  public static CostMode parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown cost mode '" + s + "' (expected auto, calculate or display)");
    }
  }
}
