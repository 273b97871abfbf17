package dev.tally.pricing;

import java.util.Objects;

/**
 * Long-context prices of a model: once the prompt of a request ({@link
 * dev.tally.ledger.Tokens#prompt()}: input + cache writes + cache reads) is <b>over</b> {@code
 * threshold} tokens, every token of that request is billed at these rates.
 *
 * @param threshold prompt size in tokens above which the tier applies (e.g. 200,000)
 * @param rates tier prices; undeclared fields follow {@link ModelPrice#effectiveLongContextRates()}
 */
public record LongContext(long threshold, Rates rates) {

  public LongContext {
    Objects.requireNonNull(rates, "rates");
    if (threshold <= 0) {
      throw new IllegalArgumentException("long-context threshold must be positive: " + threshold);
    }
    if (rates.webSearch() != null) {
      throw new IllegalArgumentException("webSearch is not tiered; declare it on the model only");
    }
  }
}
