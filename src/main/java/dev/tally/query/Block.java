package dev.tally.query;

import dev.tally.store.Totals;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A 5-hour billing block (or a gap between two).
 *
 * @param actualEnd the last request in the block (null for gaps)
 * @param active true while the block's window is open and its last request is recent
 * @param burn tokens per minute and cost per hour between the first and last request; only for
 *     the active block, null otherwise (and when all requests share one instant)
 * @param projection the block's totals at its end if the burn rate holds; active block only
 */
public record Block(
    Instant start,
    Instant end,
    Instant actualEnd,
    boolean gap,
    boolean active,
    Totals totals,
    List<String> models,
    Burn burn,
    Projection projection) {

  /** @param tokensPerMinuteIo input + output tokens per minute (what burn-rate indicators use) */
  public record Burn(double tokensPerMinute, double tokensPerMinuteIo, long costMicrosPerHour) {}

  public record Projection(long totalTokens, long costMicros, long remainingMinutes) {}

  static Block gap(Instant start, Instant end) {
    return new Block(start, end, null, true, false, Totals.EMPTY, List.of(), null, null);
  }

  static Block of(Instant start, Duration length, Totals totals, List<String> models, Instant now, CostMode mode) {
    Instant end = start.plus(length);
    Instant last = Instant.ofEpochMilli(totals.lastMs());
    boolean active = Duration.between(last, now).compareTo(length) < 0 && now.isBefore(end);
    Burn burn = null;
    Projection projection = null;
    long minutesTimes1000 = totals.lastMs() - totals.firstMs(); // ms
    if (active && minutesTimes1000 > 0) {
      double minutes = minutesTimes1000 / 60_000.0;
      long cost = mode.cost(totals);
      burn = new Burn(totals.tokens().total() / minutes,
          (totals.tokens().input() + totals.tokens().output()) / minutes,
          Math.round(cost / minutes * 60));
      long remaining = Math.max(0, Duration.between(now, end).toMinutes());
      projection = new Projection(
          Math.round(totals.tokens().total() + burn.tokensPerMinute() * remaining),
          Math.round(cost + burn.costMicrosPerHour() / 60.0 * remaining),
          remaining);
    }
    return new Block(start, end, last, false, active, totals, models, burn, projection);
  }
}
