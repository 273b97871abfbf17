package dev.tally.query;

import dev.tally.ledger.Cost;
import dev.tally.ledger.ReportedUsage;
import dev.tally.query.UsageQueries.Group;
import dev.tally.query.UsageQueries.Report;
import dev.tally.store.Totals;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The leaderboard of standalone mode: ranked identities with one sub-row per tool, straight from
 * what the providers' admin APIs reported (no ledger on disk). Same shape as
 * {@link UsageQueries#leaderboard}, so both print alike.
 *
 * <p>A row's requests are the provider's request count (0 where it gives none, as Anthropic's
 * usage report). Its cost is the provider's own figure when it reported one (Cursor, OpenRouter,
 * Claude Code estimates), else the tokens priced by {@code price}.
 */
public final class ReportedBoard {
  private ReportedBoard() {}

  public static Report leaderboard(List<ReportedUsage> rows, Function<ReportedUsage, Cost> price, Range range,
      Comparator<Totals> order) {
    Instant from = range.fromInstant();
    Instant to = range.toInstant();
    Map<String, Map<String, Totals>> people = new HashMap<>();
    TreeSet<String> unpriced = new TreeSet<>();
    for (ReportedUsage r : rows) {
      if ((from != null && r.start().isBefore(from)) || (to != null && !r.start().isBefore(to))) {
        continue;
      }
      Totals t = totals(r, price.apply(r));
      if (t.unpricedEvents() > 0) {
        unpriced.add(r.model());
      }
      people.computeIfAbsent(r.identity(), k -> new HashMap<>()).merge(r.tool(), t, Totals::plus);
    }
    List<Group> groups = new ArrayList<>();
    people.forEach((who, tools) -> {
      List<Group> breakdown = new ArrayList<>();
      Totals total = Totals.EMPTY;
      for (Map.Entry<String, Totals> e : tools.entrySet()) {
        breakdown.add(new Group(e.getKey(), e.getValue(), List.of()));
        total = total.plus(e.getValue());
      }
      breakdown.sort(Comparator.comparing(Group::totals, order).thenComparing(Group::key));
      groups.add(new Group(who, total, breakdown));
    });
    groups.sort(Comparator.comparing(Group::totals, order).thenComparing(Group::key));
    Totals sum = Totals.EMPTY;
    for (Group g : groups) {
      sum = sum.plus(g.totals());
    }
    return new Report(groups, sum, List.copyOf(unpriced));
  }

  /** The days of the range as instants, for asking the providers: [since, until + 1 day) or up to now. */
  public static Instant[] window(Range range, Instant now) {
    Instant from = range.fromInstant() != null ? range.fromInstant()
        : LocalDate.ofInstant(now, range.zone()).minusDays(29).atStartOfDay(range.zone()).toInstant();
    Instant to = range.toInstant() != null && range.toInstant().isBefore(now) ? range.toInstant() : now;
    return new Instant[] {from, to};
  }

  /** The local leaderboard's orders (highest first), for rows that have no store behind them. */
  public static Comparator<Totals> order(String sort, CostMode mode) {
    return switch (sort == null ? "cost" : sort) {
      case "requests" -> Comparator.comparingLong(Totals::events).reversed();
      case "tokens" -> Comparator.comparingLong((Totals t) -> t.tokens().total()).reversed();
      case "cost" -> Comparator.comparingLong(mode::cost).reversed();
      default -> throw new IllegalArgumentException("unknown sort '" + sort + "' (expected requests, tokens or cost)");
    };
  }

  private static Totals totals(ReportedUsage r, Cost cost) {
    Long reported = r.reportedCostMicros();
    long auto = reported != null ? reported : cost.micros();
    boolean unpriced = !cost.priced() && reported == null && r.tokens().total() > 0;
    long ms = r.start().toEpochMilli();
    return new Totals(r.requests(), r.tokens(), cost.micros(), reported == null ? 0 : reported,
        reported == null ? 0 : r.requests(), auto, unpriced ? Math.max(1, r.requests()) : 0, ms, ms);
  }
}
