package dev.tally.ledger;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Money is integer micro-dollars everywhere inside Tally; these convert at the edges. */
public final class Money {
  public static final long MICROS_PER_DOLLAR = 1_000_000L;

  private Money() {}

  public static BigDecimal dollars(long micros) {
    return BigDecimal.valueOf(micros, 6);
  }

  /** Rounds half-up to whole micro-dollars. */
  public static long micros(BigDecimal dollars) {
    return dollars.movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValueExact();
  }

  /** "$1,234.57": two decimals for people; amounts under a cent show as "$0.00". */
  public static String format(long micros) {
    BigDecimal d = dollars(micros).setScale(2, RoundingMode.HALF_UP);
    return (d.signum() < 0 ? "-$" : "$") + String.format("%,.2f", d.abs());
  }
}
