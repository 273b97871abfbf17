package dev.tally.sources.collectors;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Tolerant reads of provider JSON: providers add fields and leave optional ones out, so a missing
 * field and {@code null} mean the same, and counters default to 0.
 */
public final class Fields {
  private Fields() {}

  /** The text of {@code field}, or null when it is missing, null or empty. */
  public static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    if (v.isMissingNode() || v.isNull()) {
      return null;
    }
    String s = v.asText();
    return s.isEmpty() ? null : s;
  }

  /** A counter: 0 when missing or null; never negative (a provider glitch must not break a record). */
  public static long count(JsonNode n, String field) {
    JsonNode v = n.path(field);
    if (v.isNumber()) {
      return Math.max(0, v.asLong());
    }
    if (v.isTextual()) {
      try {
        return Math.max(0, new BigDecimal(v.asText().trim()).longValue());
      } catch (NumberFormatException e) {
        return 0;
      }
    }
    return 0;
  }

  /** A decimal given as a JSON number or a numeric string; null when missing or unreadable. */
  public static BigDecimal decimal(JsonNode v) {
    if (v == null || v.isMissingNode() || v.isNull()) {
      return null;
    }
    try {
      // decimalValue keeps the digits a double would lose; a string is parsed as written.
      return v.isNumber() ? new BigDecimal(v.asText()) : new BigDecimal(v.asText().trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Micro-dollars from an amount in cents (Anthropic, Cursor). */
  public static Long microsFromCents(BigDecimal cents) {
    return cents == null ? null : dev.tally.ledger.Money.micros(cents.movePointLeft(2));
  }

  /** Micro-dollars from an amount in dollars (OpenAI, OpenRouter). */
  public static Long microsFromDollars(BigDecimal dollars) {
    return dollars == null ? null : dev.tally.ledger.Money.micros(dollars);
  }

  /** The canonical email identity: email matching is case-insensitive and exact. */
  public static String emailIdentity(String email) {
    return "email:" + email.trim().toLowerCase(Locale.ROOT);
  }

  public static boolean looksLikeEmail(String s) {
    return s != null && s.indexOf('@') > 0 && s.indexOf('@') < s.length() - 1 && s.indexOf(' ') < 0;
  }

  public static Instant startOfDay(Instant t) {
    return t.truncatedTo(ChronoUnit.DAYS);
  }

  /** UTC days that overlap [from, to), oldest first. */
  public static List<LocalDate> days(Instant from, Instant to) {
    List<LocalDate> days = new ArrayList<>();
    LocalDate d = LocalDate.ofInstant(from, ZoneOffset.UTC);
    while (d.atStartOfDay(ZoneOffset.UTC).toInstant().isBefore(to)) {
      days.add(d);
      d = d.plusDays(1);
    }
    return days;
  }

  /** The end of the UTC day {@code t} falls in ({@code t} itself at midnight): report ends are exclusive
   * and a bucket is only returned when it ends before them, so today's open bucket needs this. */
  public static Instant endOfDay(Instant t) {
    Instant start = startOfDay(t);
    return start.equals(t) ? t : start.plus(java.time.Duration.ofDays(1));
  }

  public static Instant atStart(LocalDate d) {
    return d.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  public static Instant earlier(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  public static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
