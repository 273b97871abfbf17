package dev.tally.budgets;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;

/** A budget's calendar period, in UTC: the spend counts from the period's start and resets at its end. */
public enum Period {
  DAILY, WEEKLY, MONTHLY, TOTAL;

  public static Period parse(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "daily", "day", "d" -> DAILY;
      case "weekly", "week", "w" -> WEEKLY;
      case "monthly", "month", "mo", "m" -> MONTHLY;
      case "total", "ever", "once" -> TOTAL;
      default -> throw new IllegalArgumentException("unknown budget period '" + s + "' (expected daily, weekly, monthly or total)");
    };
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Start of the period holding {@code now} (epoch ms); 0 for a total budget. */
  public long start(Instant now) {
    LocalDate day = now.atZone(ZoneOffset.UTC).toLocalDate();
    LocalDate first = switch (this) {
      case DAILY -> day;
      case WEEKLY -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case MONTHLY -> day.withDayOfMonth(1);
      case TOTAL -> null;
    };
    return first == null ? 0 : first.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }

  /** When the period holding {@code now} ends; null for a total budget, which never resets. */
  public Instant end(Instant now) {
    LocalDate start = Instant.ofEpochMilli(start(now)).atZone(ZoneOffset.UTC).toLocalDate();
    LocalDate next = switch (this) {
      case DAILY -> start.plusDays(1);
      case WEEKLY -> start.plusWeeks(1);
      case MONTHLY -> start.plusMonths(1);
      case TOTAL -> null;
    };
    return next == null ? null : next.atStartOfDay(ZoneOffset.UTC).toInstant();
  }
}
