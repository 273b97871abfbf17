package dev.tally.ledger;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads ISO-8601 UTC instants such as {@code 2026-11-20T09:14:09.123Z}, the form every log line
 * and ingested event carries, without {@link Instant#parse}'s general machinery (a map and a
 * context per call: a tenth of the ingest path's garbage). Other forms go to {@link Instant#parse}.
 */
public final class Instants {
  private Instants() {}

  /** @throws DateTimeParseException when {@code s} is not an instant */
  public static Instant parse(String s) {
    int n = s.length();
    if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
        || s.charAt(13) != ':' || s.charAt(16) != ':') {
      return Instant.parse(s);
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    int nanos = 0;
    if (n > 20) {
      int fraction = n - 21; // digits between the '.' and the 'Z'
      if (s.charAt(19) != '.' || fraction < 1 || fraction > 9) {
        return Instant.parse(s);
      }
      nanos = digits(s, 20, fraction);
      for (int i = fraction; i < 9 && nanos > 0; i++) {
        nanos *= 10;
      }
    }
    if ((year | month | day | hour | minute | second | nanos) < 0 || month < 1 || month > 12 || day < 1 || day > 28 && day > lengthOf(month, year)
        || hour > 23 || minute > 59 || second > 59) {
      return Instant.parse(s); // out of range (or a digit missing): let the JDK explain
    }
    long days = java.time.LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
  }

  /** The number in {@code count} decimal digits at {@code from}, or -1 when one is not a digit. */
  private static int digits(String s, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      int d = s.charAt(i) - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  private static int lengthOf(int month, int year) {
    return java.time.Month.of(month).length(java.time.Year.isLeap(year));
  }
}
