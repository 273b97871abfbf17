package dev.tally.query;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * A span of local dates in a time zone, both ends inclusive; either end may be open (null).
 */
public record Range(LocalDate since, LocalDate until, ZoneId zone) {

  public static Range all(ZoneId zone) {
    return new Range(null, null, zone);
  }

  /** The last {@code days} days, today included. */
  public static Range lastDays(int days, LocalDate today, ZoneId zone) {
    if (days < 1) {
      throw new IllegalArgumentException("--days must be at least 1, got " + days);
    }
    return new Range(today.minusDays(days - 1L), null, zone);
  }

  public Instant fromInstant() {
    return since == null ? null : since.atStartOfDay(zone).toInstant();
  }

  public Instant toInstant() {
    return until == null ? null : until.plusDays(1).atStartOfDay(zone).toInstant();
  }
}
