package dev.tally.sources.collectors;

import dev.tally.ledger.ReportedUsage;
import dev.tally.ledger.Seat;
import java.time.Instant;
import java.util.List;

/**
 * What one collector run brought back.
 *
 * @param usage per-slice usage, ready for ingest ({@link ReportedUsage#toEvent}) or a standalone report
 * @param seats seats and subscriptions, apart from metered usage
 * @param billedMicros the provider's own billed total for the window (Anthropic cost report, OpenAI
 *     costs), null when it has none; for reconciling per-person figures, never added to them
 * @param closedUntil every bucket before this instant is final: the next run may start here
 * @param notes things a reader of the report should know (a capped range, a day not ready yet, a
 *     balance or limit)
 * @param activity per person and day, what the provider counts besides spend (lines, tabs, requests by
 *     kind); never added to the ledger's usage
 */
public record Collected(List<ReportedUsage> usage, List<Seat> seats, Long billedMicros, Instant closedUntil,
    List<String> notes, List<Activity> activity) {
  public Collected {
    usage = List.copyOf(usage);
    seats = List.copyOf(seats);
    notes = List.copyOf(notes);
    activity = List.copyOf(activity);
  }

  /** A run without activity data. */
  public Collected(List<ReportedUsage> usage, List<Seat> seats, Long billedMicros, Instant closedUntil,
      List<String> notes) {
    this(usage, seats, billedMicros, closedUntil, notes, List.of());
  }
}
