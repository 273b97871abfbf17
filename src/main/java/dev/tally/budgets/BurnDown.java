package dev.tally.budgets;

import dev.tally.ledger.Money;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Where a budget is heading in its period: the spend so far divided by the time elapsed gives a
 * daily run-rate; at that rate the budget reaches 100% on a date inside the period, or not at all
 * ("on track"). Computed on the server so every surface says the same.
 *
 * @param status {@code reached} (already at or over 100%), {@code projected} (reaches 100% on
 *     {@code date}), {@code under} (stays under 100% this period) or {@code none} (a total budget)
 * @param date the UTC day the budget reaches 100% at the current pace, when {@code projected}
 * @param dailyRateMicros spend per day so far this period
 * @param projectedMicros the spend at the period's end at that rate (the spend so far for total budgets)
 * @param text the sentence the dashboard shows
 */
public record BurnDown(String status, LocalDate date, long dailyRateMicros, long projectedMicros, String text) {
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH);
  /** The shortest elapsed time a rate is taken over, so the first minutes of a period do not project wildly. */
  static final Duration MIN_ELAPSED = Duration.ofHours(1);

  /** @param periodStart null for a total budget; @param periodEnd null for a total budget */
  public static BurnDown of(long spentMicros, long limitMicros, Instant periodStart, Instant periodEnd, Instant now) {
    if (periodStart == null || periodEnd == null) {
      return new BurnDown("none", null, 0, spentMicros, spentMicros >= limitMicros ? "reached 100%" : "a total budget: no period to project over");
    }
    double elapsedDays = Math.max(Duration.between(periodStart, now).toMillis(), MIN_ELAPSED.toMillis()) / 86_400_000.0;
    double rate = spentMicros / elapsedDays;
    double remainingDays = Math.max(0, Duration.between(now, periodEnd).toMillis()) / 86_400_000.0;
    long projected = Math.round(spentMicros + rate * remainingDays);
    long daily = Math.round(rate);
    if (spentMicros >= limitMicros) {
      return new BurnDown("reached", null, daily, projected, "reached 100% (" + Money.format(spentMicros) + " of "
          + Money.format(limitMicros) + ")");
    }
    if (rate > 0) {
      Instant reach = now.plusMillis(Math.round((limitMicros - spentMicros) / rate * 86_400_000.0));
      if (reach.isBefore(periodEnd)) {
        LocalDate day = reach.atZone(ZoneOffset.UTC).toLocalDate();
        return new BurnDown("projected", day, daily, projected, "projected to reach 100% on " + DAY.format(day));
      }
    }
    return new BurnDown("under", null, daily, projected, "on track: " + Money.format(projected) + " of "
        + Money.format(limitMicros) + " projected by the end of the period");
  }
}
