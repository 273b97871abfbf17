package dev.tally.surfaces.cli;

import dev.tally.ledger.Money;
import java.util.Locale;

/** Numbers for people: 1.5M, 620.3K, $95.00, 1,234. */
final class Format {
  private Format() {}

  /** Compact token counts: 950, 12.3K, 1.5M, 2.1B. */
  static String tokens(long n) {
    long abs = Math.abs(n);
    if (abs < 1_000) {
      return Long.toString(n);
    }
    if (abs < 999_950) {
      return compact(n / 1_000.0, "K");
    }
    if (abs < 999_950_000) {
      return compact(n / 1_000_000.0, "M");
    }
    return compact(n / 1_000_000_000.0, "B");
  }

  private static String compact(double v, String unit) {
    return String.format(Locale.ROOT, "%.1f%s", v, unit);
  }

  /** "a, b, c +2": the first three names, then how many more. */
  static String firstThree(java.util.List<String> names) {
    if (names.size() <= 3) {
      return String.join(", ", names);
    }
    return String.join(", ", names.subList(0, 3)) + " +" + (names.size() - 3);
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String money(long micros) {
    return Money.format(micros);
  }
}
