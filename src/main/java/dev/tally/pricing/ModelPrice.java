package dev.tally.pricing;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * One model of a price table.
 *
 * @param key the table key; what a cost records as "priced as"
 * @param provider the LiteLLM provider the price belongs to (anthropic, openai, gemini, bedrock,
 *     ...), or null when a user override does not say
 * @param aliases other exact names of the same model (dated ids, provider-prefixed ids)
 * @param rates the declared prices; {@code input} and {@code output} are required
 * @param longContext optional long-context tier, or null
 * @param note optional free text shown by {@code tally prices show} (source, known data problems)
 */
public record ModelPrice(
    String key,
    String provider,
    List<String> aliases,
    Rates rates,
    LongContext longContext,
    String note) {

  /** Default cache-write (5-minute) price when none is declared: 1.25 × input, as ccusage. */
  public static final BigDecimal DEFAULT_CACHE_WRITE_5M_FACTOR = new BigDecimal("1.25");
  /** Default cache-write (1-hour) price when none is declared: 2 × input. */
  public static final BigDecimal DEFAULT_CACHE_WRITE_1H_FACTOR = new BigDecimal("2");
  /** Default cache-read price when none is declared: 0.1 × input, as ccusage. */
  public static final BigDecimal DEFAULT_CACHE_READ_FACTOR = new BigDecimal("0.1");

  public ModelPrice {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(rates, "rates");
    if (key.isBlank()) {
      throw new IllegalArgumentException("model key must not be blank");
    }
    if (rates.input() == null || rates.output() == null) {
      throw new IllegalArgumentException(
          "model '" + key + "' needs both an input and an output price (USD per million tokens)");
    }
    aliases = aliases == null ? List.of() : List.copyOf(aliases);
  }

  public static ModelPrice of(String key, String provider, Rates rates) {
    return new ModelPrice(key, provider, List.of(), rates, null, null);
  }

  /**
   * Every price of the model with the defaults filled in: cache write 5m = 1.25 × input, cache
   * write 1h = 2 × input, cache read = 0.1 × input (ccusage's defaults), web search = 0.
   */
  public Rates effectiveRates() {
    return fill(rates, rates.input(), rates.output(), BigDecimal.ZERO);
  }

  /**
   * The long-context prices with defaults filled in, or null when the model has no tier. A missing
   * tier input or output falls back to the base price; missing cache prices are derived from the
   * tier's input with the same factors as the base; web search is never tiered.
   */
  public Rates effectiveLongContextRates() {
    if (longContext == null) {
      return null;
    }
    Rates t = longContext.rates();
    return fill(t, t.input() != null ? t.input() : rates.input(),
        t.output() != null ? t.output() : rates.output(), effectiveRates().webSearch());
  }

  private static Rates fill(Rates r, BigDecimal input, BigDecimal output, BigDecimal webDefault) {
    return new Rates(
        input,
        output,
        r.cacheWrite5m() != null ? r.cacheWrite5m() : input.multiply(DEFAULT_CACHE_WRITE_5M_FACTOR),
        r.cacheWrite1h() != null ? r.cacheWrite1h() : input.multiply(DEFAULT_CACHE_WRITE_1H_FACTOR),
        r.cacheRead() != null ? r.cacheRead() : input.multiply(DEFAULT_CACHE_READ_FACTOR),
        r.webSearch() != null ? r.webSearch() : webDefault);
  }

  ModelPrice withAliases(List<String> newAliases) {
    return new ModelPrice(key, provider, newAliases, rates, longContext, note);
  }

  ModelPrice withProvider(String newProvider) {
    return new ModelPrice(key, newProvider, aliases, rates, longContext, note);
  }
}
