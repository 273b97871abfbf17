package dev.tally.query;

import dev.tally.ledger.LedgerEvent;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import dev.tally.store.Dimension;
import dev.tally.store.Store;
import dev.tally.store.Totals;
import dev.tally.store.UsageQuery;
import dev.tally.store.UsageRow;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneOffsetTransitionRule;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The one read path of every surface: periods, sessions, billing blocks and leaderboards, from the
 * hourly rollups (raw events only where a time zone's offset is not a whole hour). Surfaces format
 * what comes back; they never add up tokens or money themselves.
 */
public final class UsageQueries {
  private static final long HOUR_MS = 3_600_000L;

  /** A named group with its totals and, optionally, its totals broken down by another dimension. */
  public record Group(String key, Totals totals, List<Group> breakdown) {
    public Group {
      breakdown = List.copyOf(breakdown);
    }
  }

  /**
   * Rows of a report, their grand total and the models in them that have no price (those events
   * count $0 and every report that includes them says so).
   */
  public record Report(List<Group> rows, Totals totals, List<String> unpricedModels) {}

  /** One session: where it ran, when, and its totals by model. */
  public record Session(String sessionId, String project, String tool, Totals totals, List<Group> models) {}

  public enum Period { DAY, WEEK, MONTH }

  private final Store store;
  private final Clock clock;
  private final CostMode mode;

  public UsageQueries(Store store, Clock clock, CostMode mode) {
    this.store = Objects.requireNonNull(store);
    this.clock = Objects.requireNonNull(clock);
    this.mode = Objects.requireNonNull(mode);
  }

  public CostMode mode() {
    return mode;
  }

  public Clock clock() {
    return clock;
  }

  // ---------------------------------------------------------------- reports

  /**
   * Usage per day, week or month in the range's time zone, each period broken down by {@code by}
   * (usually the model). Rows come oldest first.
   */
  public Report periods(Period period, Range range, Filter filter, Dimension by, DayOfWeek weekStart) {
    List<Bucket> buckets = buckets(range, filter, by == Dimension.MODEL ? List.of(Dimension.MODEL)
        : List.of(by, Dimension.MODEL), true);
    Map<String, Map<String, Totals>> byPeriod = new TreeMap<>();
    for (Bucket b : buckets) {
      LocalDate date = Instant.ofEpochMilli(b.timeMs).atZone(range.zone()).toLocalDate();
      String label = switch (period) {
        case DAY -> date.toString();
        case WEEK -> date.with(TemporalAdjusters.previousOrSame(weekStart)).toString();
        case MONTH -> date.toString().substring(0, 7);
      };
      byPeriod.computeIfAbsent(label, k -> new HashMap<>()).merge(b.keys.get(0), b.totals, Totals::plus);
    }
    List<Group> rows = new ArrayList<>();
    byPeriod.forEach((label, parts) -> rows.add(group(label, parts)));
    return new Report(rows, sum(rows), unpriced(buckets));
  }

  /** Usage per session, most expensive first (by the report's cost mode). */
  public List<Session> sessions(Range range, Filter filter) {
    List<Bucket> buckets = buckets(range, filter,
        List.of(Dimension.SESSION, Dimension.PROJECT, Dimension.TOOL, Dimension.MODEL));
    Map<String, Map<String, Totals>> models = new LinkedHashMap<>();
    Map<String, String[]> where = new HashMap<>();
    for (Bucket b : buckets) {
      String session = b.keys.get(0);
      models.computeIfAbsent(session, k -> new HashMap<>()).merge(b.keys.get(3), b.totals, Totals::plus);
      where.putIfAbsent(session, new String[] {b.keys.get(1), b.keys.get(2)});
    }
    List<Session> sessions = new ArrayList<>();
    models.forEach((id, parts) -> {
      Group g = group(id, parts);
      String[] w = where.get(id);
      sessions.add(new Session(id, w[0], w[1], g.totals(), g.breakdown()));
    });
    sessions.sort(Comparator.comparingLong((Session s) -> mode.cost(s.totals())).reversed()
        .thenComparing(s -> -s.totals().lastMs()));
    return sessions;
  }

  /** Ranked identities with one sub-row per tool. */
  public Report leaderboard(Range range, Filter filter, Comparator<Totals> order) {
    List<Bucket> buckets = buckets(range, filter,
        List.of(Dimension.IDENTITY, Dimension.TOOL, Dimension.MODEL), true);
    Map<String, Map<String, Totals>> people = new HashMap<>();
    for (Bucket b : buckets) {
      people.computeIfAbsent(b.keys.get(0), k -> new HashMap<>()).merge(b.keys.get(1), b.totals, Totals::plus);
    }
    List<Group> rows = new ArrayList<>();
    people.forEach((who, tools) -> rows.add(group(who, tools, order)));
    rows.sort(Comparator.comparing(Group::totals, order).thenComparing(Group::key));
    return new Report(rows, sum(rows), unpriced(buckets));
  }

  /** A row of a grouped table: its keys and its totals per day (in the range's zone, oldest first). */
  public record Row(List<String> keys, java.util.SortedMap<LocalDate, Totals> daily) {
    /** Totals of the days in [from, to] (either end may be null: open). */
    public Totals between(LocalDate from, LocalDate to) {
      Totals t = Totals.EMPTY;
      for (var e : daily.entrySet()) {
        if ((from == null || !e.getKey().isBefore(from)) && (to == null || !e.getKey().isAfter(to))) {
          t = t.plus(e.getValue());
        }
      }
      return t;
    }
  }

  /** Totals grouped by any dimensions, per day in the range's zone (for series and period comparisons). */
  public List<Row> table(Range range, Filter filter, List<Dimension> groupBy) {
    Map<List<String>, java.util.SortedMap<LocalDate, Totals>> rows = new LinkedHashMap<>();
    for (Bucket b : buckets(range, filter, groupBy, true)) {
      LocalDate day = Instant.ofEpochMilli(b.timeMs).atZone(range.zone()).toLocalDate();
      rows.computeIfAbsent(b.keys, k -> new TreeMap<>()).merge(day, b.totals, Totals::plus);
    }
    List<Row> result = new ArrayList<>();
    rows.forEach((k, days) -> result.add(new Row(k, days)));
    return result;
  }

  /** Models in the range that have no price (their requests count $0 unless a cost was logged). */
  public List<String> unpricedModels(Range range, Filter filter) {
    return unpriced(buckets(range, filter, List.of(Dimension.MODEL), true));
  }

  /** Sort orders for leaderboards and session lists: highest first. */
  public Comparator<Totals> order(String sort) {
    return switch (sort == null ? "cost" : sort) {
      case "requests" -> Comparator.comparingLong(Totals::events).reversed();
      case "tokens" -> Comparator.comparingLong((Totals t) -> t.tokens().total()).reversed();
      case "cost" -> Comparator.comparingLong(mode::cost).reversed();
      default -> throw new IllegalArgumentException(
          "unknown sort '" + sort + "' (expected requests, tokens or cost)");
    };
  }

  // ---------------------------------------------------------------- blocks

  /**
   * Billing blocks as Claude's subscription windows are commonly approximated (ccusage): a block
   * starts at its first request's time floored to the hour and lasts {@code length}; a request
   * more than {@code length} after the block start, or after the previous request, opens the next
   * block (with a gap block between when the pause was longer than {@code length}).
   */
  public List<Block> blocks(Range range, Filter filter, Duration length) {
    List<Bucket> buckets = new ArrayList<>(buckets(range, filter, List.of(Dimension.MODEL)));
    buckets.sort(Comparator.comparingLong((Bucket b) -> b.first).thenComparing(b -> b.keys.get(0)));
    long len = length.toMillis();
    List<Block> blocks = new ArrayList<>();
    BlockBuilder current = null;
    for (int i = 0; i < buckets.size(); i++) {
      Bucket b = buckets.get(i);
      if (current != null && b.first - current.start <= len && b.last - current.start > len) {
        // Only an hour bucket that starts exactly at the block's end straddles it: split it.
        List<Bucket> split = rawBuckets(b, range, filter);
        buckets.remove(i);
        buckets.addAll(i, split);
        b = buckets.get(i);
      }
      if (current == null) {
        current = new BlockBuilder(floorHour(b.first), len);
      } else if (b.first - current.start > len || b.first - current.last > len) {
        blocks.add(current.build(clock.instant()));
        if (b.first - current.last > len) {
          blocks.add(Block.gap(Instant.ofEpochMilli(current.last + len), Instant.ofEpochMilli(b.first)));
        }
        current = new BlockBuilder(floorHour(b.first), len);
      }
      current.add(b);
    }
    if (current != null) {
      blocks.add(current.build(clock.instant()));
    }
    return blocks;
  }

  private List<Bucket> rawBuckets(Bucket hour, Range range, Filter filter) {
    long h = floorHour(hour.first);
    Map<Dimension, java.util.Set<String>> f = new HashMap<>(filter.values());
    f.put(Dimension.MODEL, java.util.Set.of(hour.keys.get(0)));
    List<Bucket> result = new ArrayList<>();
    for (LedgerEvent e : store.events(new UsageQuery(Instant.ofEpochMilli(h), Instant.ofEpochMilli(h + HOUR_MS),
        List.of(), f, false))) {
      result.add(new Bucket(e.event().timestamp().toEpochMilli(), List.of(hour.keys.get(0)), totalsOf(e)));
    }
    return result;
  }

  private static long floorHour(long ms) {
    return Math.floorDiv(ms, HOUR_MS) * HOUR_MS;
  }

  private final class BlockBuilder {
    final long start;
    final long len;
    long last = Long.MIN_VALUE;
    Totals totals = Totals.EMPTY;
    final TreeSet<String> models = new TreeSet<>();

    BlockBuilder(long start, long len) {
      this.start = start;
      this.len = len;
    }

    void add(Bucket b) {
      totals = totals.plus(b.totals);
      last = Math.max(last, b.last);
      models.add(b.keys.get(0));
    }

    Block build(Instant now) {
      return Block.of(Instant.ofEpochMilli(start), Duration.ofMillis(len), totals, List.copyOf(models), now, mode);
    }
  }

  // ---------------------------------------------------------------- buckets

  /** Aggregated rows at hour granularity (or per event in time zones with non-whole-hour offsets). */
  private record Bucket(long timeMs, List<String> keys, Totals totals, long first, long last) {
    Bucket(long timeMs, List<String> keys, Totals totals) {
      this(timeMs, keys, totals, totals.firstMs(), totals.lastMs());
    }
  }

  private List<Bucket> buckets(Range range, Filter filter, List<Dimension> dims) {
    return buckets(range, filter, dims, false);
  }

  /**
   * @param daysEnough true when only the day of each bucket matters: in UTC the daily rollup,
   *     which has no sessions and far fewer rows, then answers
   */
  private List<Bucket> buckets(Range range, Filter filter, List<Dimension> dims, boolean daysEnough) {
    boolean utc = range.zone().getRules().isFixedOffset() && range.zone().getRules().getOffset(Instant.EPOCH).getTotalSeconds() == 0;
    UsageQuery q = new UsageQuery(range.fromInstant(), range.toInstant(), dims, filter.values(), true,
        daysEnough && utc && !dims.contains(Dimension.SESSION));
    List<Bucket> result = new ArrayList<>();
    if (wholeHourOffsets(range.zone())) {
      for (UsageRow r : store.usage(q)) {
        result.add(new Bucket(r.hourMs(), r.keys(), r.totals()));
      }
      return result;
    }
    Map<Dimension, Function<UsageEvent, String>> getters = Map.of(
        Dimension.IDENTITY, UsageEvent::identity, Dimension.KEY, UsageEvent::keyId,
        Dimension.PROVIDER, UsageEvent::provider, Dimension.MODEL, UsageEvent::model,
        Dimension.TOOL, UsageEvent::tool, Dimension.PROJECT, UsageEvent::project,
        Dimension.SESSION, UsageEvent::sessionId, Dimension.SOURCE, e -> e.source().wireName());
    int tagAt = dims.indexOf(Dimension.TAG);
    for (LedgerEvent e : store.events(q)) {
      List<String> keys = new ArrayList<>(dims.size());
      for (Dimension d : dims) {
        String v = d == Dimension.MODEL_ID ? e.modelId() : d == Dimension.TAG ? "" : getters.get(d).apply(e.event());
        keys.add(v == null ? "" : v);
      }
      List<String> tags = e.event().tags();
      if (tagAt < 0 || tags.isEmpty()) {
        result.add(new Bucket(e.event().timestamp().toEpochMilli(), keys, totalsOf(e)));
        continue;
      }
      for (String tag : tags) { // as the store does: one bucket per tag
        List<String> tagged = new ArrayList<>(keys);
        tagged.set(tagAt, tag);
        result.add(new Bucket(e.event().timestamp().toEpochMilli(), tagged, totalsOf(e)));
      }
    }
    return result;
  }

  static Totals totalsOf(LedgerEvent e) {
    Tokens t = e.event().tokens();
    long ts = e.event().timestamp().toEpochMilli();
    Long reported = e.event().reportedCostMicros();
    return new Totals(1, t, e.cost().micros(), reported == null ? 0 : reported, reported == null ? 0 : 1,
        e.autoCostMicros(), e.cost().priced() ? 0 : 1, ts, ts);
  }

  /** Hourly UTC rollups answer any zone whose offsets are whole hours (nearly all of them). */
  static boolean wholeHourOffsets(ZoneId zone) {
    ZoneRules rules = zone.getRules();
    if (rules.isFixedOffset()) {
      return whole(rules.getOffset(Instant.EPOCH));
    }
    for (ZoneOffsetTransition t : rules.getTransitions()) {
      if (t.getDateTimeBefore().getYear() >= 1990 && (!whole(t.getOffsetAfter()) || !whole(t.getOffsetBefore()))) {
        return false;
      }
    }
    for (ZoneOffsetTransitionRule r : rules.getTransitionRules()) {
      if (!whole(r.getOffsetAfter()) || !whole(r.getOffsetBefore())) {
        return false;
      }
    }
    return whole(rules.getOffset(Instant.now()));
  }

  private static boolean whole(ZoneOffset o) {
    return o.getTotalSeconds() % 3600 == 0;
  }

  private Group group(String key, Map<String, Totals> parts) {
    return group(key, parts, Comparator.comparingLong(mode::cost).reversed());
  }

  private static Group group(String key, Map<String, Totals> parts, Comparator<Totals> order) {
    List<Group> breakdown = new ArrayList<>();
    Totals total = Totals.EMPTY;
    for (Map.Entry<String, Totals> p : parts.entrySet()) {
      breakdown.add(new Group(p.getKey(), p.getValue(), List.of()));
      total = total.plus(p.getValue());
    }
    breakdown.sort(Comparator.comparing(Group::totals, order).thenComparing(Group::key));
    return new Group(key, total, breakdown);
  }

  private static Totals sum(List<Group> rows) {
    Totals t = Totals.EMPTY;
    for (Group g : rows) {
      t = t.plus(g.totals());
    }
    return t;
  }

  private static List<String> unpriced(List<Bucket> buckets) {
    TreeSet<String> models = new TreeSet<>();
    for (Bucket b : buckets) {
      if (b.totals.unpricedEvents() > 0) {
        models.add(b.keys.get(b.keys.size() - 1));
      }
    }
    return List.copyOf(models);
  }
}
