package dev.tally.ledger;

/**
 * Token counts of one model request, by kind. The kinds are disjoint and add up to the request's
 * total, except {@code reasoning}, which is an informational subset of {@code output}.
 * {@code input} is uncached input only: sources that report cached tokens inside input (OpenAI,
 * Codex, Gemini) subtract them before building this record.
 */
public record Tokens(
    long input,
    long output,
    long cacheWrite5m,
    long cacheWrite1h,
    long cacheRead,
    long reasoning,
    long webSearches) {

  public static final Tokens ZERO = new Tokens(0, 0, 0, 0, 0, 0, 0);

  public Tokens {
    if (input < 0 || output < 0 || cacheWrite5m < 0 || cacheWrite1h < 0 || cacheRead < 0
        || reasoning < 0 || webSearches < 0) {
      throw new IllegalArgumentException("token counts cannot be negative: " + this.toString(
          input, output, cacheWrite5m, cacheWrite1h, cacheRead, reasoning, webSearches));
    }
  }

  public static Tokens of(long input, long output, long cacheWrite5m, long cacheWrite1h, long cacheRead) {
    return new Tokens(input, output, cacheWrite5m, cacheWrite1h, cacheRead, 0, 0);
  }

  public long cacheWrite() {
    return cacheWrite5m + cacheWrite1h;
  }

  /** Input + output + cache writes + cache reads: ccusage's {@code totalTokens}. */
  public long total() {
    return input + output + cacheWrite5m + cacheWrite1h + cacheRead;
  }

  /** Size of the prompt the model read: what long-context price tiers are decided on. */
  public long prompt() {
    return input + cacheWrite5m + cacheWrite1h + cacheRead;
  }

  public Tokens plus(Tokens o) {
    return new Tokens(input + o.input, output + o.output, cacheWrite5m + o.cacheWrite5m,
        cacheWrite1h + o.cacheWrite1h, cacheRead + o.cacheRead, reasoning + o.reasoning,
        webSearches + o.webSearches);
  }

  /** Per-field maximum: how several copies of one request (streaming snapshots) merge. */
  public Tokens max(Tokens o) {
    return new Tokens(Math.max(input, o.input), Math.max(output, o.output),
        Math.max(cacheWrite5m, o.cacheWrite5m), Math.max(cacheWrite1h, o.cacheWrite1h),
        Math.max(cacheRead, o.cacheRead), Math.max(reasoning, o.reasoning),
        Math.max(webSearches, o.webSearches));
  }

  private String toString(long... v) {
    return java.util.Arrays.toString(v);
  }
}
