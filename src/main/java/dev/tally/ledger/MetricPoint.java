package dev.tally.ledger;

/**
 * One data point of an aggregate counter (Claude Code's {@code claude_code.token.usage} or {@code
 * claude_code.cost.usage}), as the OTLP receiver read it.
 *
 * @param series what makes the counter one time series (resource, metric and attributes)
 * @param kind input, output, cacheRead, cacheCreation, or costMicros
 * @param value the increase (delta temporality) or the running total (cumulative)
 */
public record MetricPoint(
    String series, long startMs, long endMs, String identity, String sessionId, String model, String kind,
    long value, boolean cumulative) {}
