package dev.tally.pricing;

import java.math.BigDecimal;

/**
 * Prices of the token kinds of one model, as a price file declares them. Token prices are in
 * <b>USD per million tokens</b>, which is the same number as micro-dollars per token; {@code
 * webSearch} is in USD per search request. A {@code null} field means "not declared": the
 * effective price then follows the defaults described on {@link ModelPrice#effectiveRates()}.
 */
public record Rates(
    BigDecimal input,
    BigDecimal output,
    BigDecimal cacheWrite5m,
    BigDecimal cacheWrite1h,
    BigDecimal cacheRead,
    BigDecimal webSearch) {

  /** Token-price field names in file order, as used in price files and in messages. */
  static final java.util.List<String> FIELDS =
      java.util.List.of("input", "output", "cacheWrite5m", "cacheWrite1h", "cacheRead", "webSearch");

  public Rates {
    input = canonical(input);
    output = canonical(output);
    cacheWrite5m = canonical(cacheWrite5m);
    cacheWrite1h = canonical(cacheWrite1h);
    cacheRead = canonical(cacheRead);
    webSearch = canonical(webSearch);
    check("input", input);
    check("output", output);
    check("cacheWrite5m", cacheWrite5m);
    check("cacheWrite1h", cacheWrite1h);
    check("cacheRead", cacheRead);
    check("webSearch", webSearch);
  }

  /** Shorthand for tests and overrides: input and output only, everything else left to defaults. */
  public static Rates of(String input, String output) {
    return new Rates(new BigDecimal(input), new BigDecimal(output), null, null, null, null);
  }

  /** The field named as in {@link #FIELDS}. */
  BigDecimal get(String field) {
    return switch (field) {
      case "input" -> input;
      case "output" -> output;
      case "cacheWrite5m" -> cacheWrite5m;
      case "cacheWrite1h" -> cacheWrite1h;
      case "cacheRead" -> cacheRead;
      case "webSearch" -> webSearch;
      default -> throw new IllegalArgumentException("unknown price field: " + field);
    };
  }

  /** One representation per value ("3", not "3.000000"), so equal prices are equal records. */
  private static BigDecimal canonical(BigDecimal v) {
    if (v == null) {
      return null;
    }
    BigDecimal s = v.stripTrailingZeros();
    return s.scale() < 0 ? s.setScale(0) : s;
  }

  private static void check(String name, BigDecimal v) {
    if (v != null && v.signum() < 0) {
      throw new IllegalArgumentException(name + " price cannot be negative: " + v.toPlainString());
    }
  }
}
