package dev.tally.pricing;

import dev.tally.ledger.Tokens;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The effective prices of one model, ready for the per-event hot path: defaults filled in once,
 * web search converted to micro-dollars. Immutable and thread-safe.
 *
 * <p>The tier is decided per request: when {@code tokens.prompt()} is over the threshold, every
 * token kind of the request is billed at the tier rate. This is how Anthropic and Google document
 * their long-context prices, and differs from ccusage, which splits each token kind at 200k and
 * bills only the part above the line at the higher rate.
 */
final class CostFormula {

  private static final BigDecimal MICROS_PER_DOLLAR = BigDecimal.valueOf(1_000_000L);

  private final Rates base;
  private final BigDecimal webSearchMicros;
  private final long threshold;
  private final Rates tier;

  CostFormula(ModelPrice price) {
    this.base = price.effectiveRates();
    this.webSearchMicros = base.webSearch().multiply(MICROS_PER_DOLLAR);
    this.tier = price.effectiveLongContextRates();
    this.threshold = price.longContext() == null ? Long.MAX_VALUE : price.longContext().threshold();
  }

  /** True when this request is billed at the long-context rates. */
  boolean usesLongContext(Tokens t) {
    return tier != null && t.prompt() > threshold;
  }

  /** The exact cost in micro-dollars, before rounding. */
  BigDecimal exactMicros(Tokens t) {
    Rates r = usesLongContext(t) ? tier : base;
    BigDecimal sum = BigDecimal.ZERO;
    sum = add(sum, t.input(), r.input());
    sum = add(sum, t.cacheWrite5m(), r.cacheWrite5m());
    sum = add(sum, t.cacheWrite1h(), r.cacheWrite1h());
    sum = add(sum, t.cacheRead(), r.cacheRead());
    // Reasoning is a subset of output and already inside it: it is never billed again.
    sum = add(sum, t.output(), r.output());
    sum = add(sum, t.webSearches(), webSearchMicros);
    return sum;
  }

  /** The cost in whole micro-dollars, rounded half-up once per request. */
  long micros(Tokens t) {
    return exactMicros(t).setScale(0, RoundingMode.HALF_UP).longValueExact();
  }

  private static BigDecimal add(BigDecimal sum, long count, BigDecimal microsPerUnit) {
    return count == 0 ? sum : sum.add(microsPerUnit.multiply(BigDecimal.valueOf(count)));
  }
}
