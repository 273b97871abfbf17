package dev.tally.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A read of aggregated usage.
 *
 * @param from inclusive start (UTC); null = from the beginning
 * @param to exclusive end; null = up to now
 * @param groupBy dimensions each returned row is keyed by, in this order
 * @param filters only events whose dimension value is in the given set ("" = unknown)
 * @param hourly true to key rows by UTC hour as well (for time zones and series)
 * @param daily with {@code hourly}: UTC days are enough (the smaller daily rollup answers)
 */
public record UsageQuery(
    Instant from,
    Instant to,
    List<Dimension> groupBy,
    Map<Dimension, Set<String>> filters,
    boolean hourly,
    boolean daily) {

  public UsageQuery(Instant from, Instant to, List<Dimension> groupBy, Map<Dimension, Set<String>> filters, boolean hourly) {
    this(from, to, groupBy, filters, hourly, false);
  }

  public UsageQuery {
    groupBy = List.copyOf(groupBy);
    filters = Map.copyOf(filters);
    Objects.requireNonNull(groupBy);
  }
}
