package dev.tally.store;

import java.util.List;

/**
 * One group of a {@link UsageQuery}: {@code keys} align with the query's groupBy ("" = unknown);
 * {@code hourMs} is the UTC hour (epoch ms) when the query was hourly, else 0.
 */
public record UsageRow(long hourMs, List<String> keys, Totals totals) {}
