package dev.tally.budgets;

import dev.tally.ledger.Money;
import dev.tally.store.Dimension;
import dev.tally.store.GatewayStore;
import dev.tally.store.GatewayStore.BudgetRow;
import dev.tally.store.Store;
import dev.tally.store.UsageQuery;
import dev.tally.store.UsageRow;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Spending caps for a key, a person, a team or the organisation, per day, week, month or in total.
 * Spend is read from the ledger (so it includes every source and every replica) and refreshed
 * every few seconds; between refreshes this replica adds what it just metered. When the database
 * is down the last known counters keep being enforced.
 */
public final class Budgets {
  /** Percentages of a budget that raise an alert once per period. */
  static final int[] THRESHOLDS = {50, 80, 100};
  static final long REFRESH_MS = 10_000;

  /** Who a request counts against. */
  public record Scopes(long keyId, Long personId, String team) {}

  /** What a budget looks like to an admin, with its current period's spend. */
  public record Status(BudgetRow budget, long spentMicros, long periodStartMs, Instant resetsAt) {}

  private final GatewayStore store;
  private final Store ledger;
  private final Clock clock;
  private final Consumer<String> alerts;
  private volatile List<BudgetRow> budgets = List.of();
  private volatile long budgetsLoadedMs = -1;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final dev.tally.keys.Refresher budgetReload = new dev.tally.keys.Refresher("tally-budgets-reload");

  private static final class Counter {
    final long periodStart;
    volatile long fromLedger;
    final AtomicLong local = new AtomicLong();
    volatile long refreshedMs;

    Counter(long periodStart) {
      this.periodStart = periodStart;
    }

    long spent() {
      return fromLedger + local.get();
    }
  }

  /** @param alerts told (as a sentence) whenever a budget crosses 50, 80 or 100% in a period */
  public Budgets(GatewayStore store, Store ledger, Clock clock, Consumer<String> alerts) {
    this.store = store;
    this.ledger = ledger;
    this.clock = clock;
    this.alerts = alerts;
  }

  public BudgetRow put(String scope, String target, Period period, long limitMicros, boolean hard) {
    String s = scope.toLowerCase(Locale.ROOT);
    if (!Set.of("key", "person", "team", "org").contains(s)) {
      throw new IllegalArgumentException("unknown budget scope '" + scope + "' (expected key, person, team or org)");
    }
    if (limitMicros <= 0) {
      throw new IllegalArgumentException("a budget must be more than $0");
    }
    String t = s.equals("org") ? "*" : target == null || target.isBlank() ? null : target.trim();
    if (t == null) {
      throw new IllegalArgumentException("a " + s + " budget needs a target (the " + s + "'s id or name)");
    }
    long id = store.putBudget(s, t, period.wireName(), limitMicros, hard, clock.millis());
    budgetsLoadedMs = -1;
    counters.keySet().removeIf(k -> k.startsWith(id + "@"));
    return store.budgets().stream().filter(b -> b.id() == id).findFirst().orElseThrow();
  }

  public boolean remove(long id) {
    budgetsLoadedMs = -1;
    return store.removeBudget(id);
  }

  public List<Status> list() {
    List<Status> result = new ArrayList<>();
    Instant now = clock.instant();
    for (BudgetRow b : store.budgets()) {
      Counter c = counter(b, now);
      result.add(new Status(b, c.spent(), c.periodStart, Period.parse(b.period()).end(now)));
    }
    return result;
  }

  /**
   * The first hard budget this request would exceed, as a sentence with when it resets, or null.
   * {@code failOpen} decides for a budget whose spend cannot be read at all (database down, never read).
   */
  public Exceeded exceeded(Scopes scopes, boolean failOpen) {
    Instant now = clock.instant();
    for (BudgetRow b : applicable(scopes)) {
      if (!b.hard()) {
        continue;
      }
      Counter c;
      try {
        c = counter(b, now);
      } catch (RuntimeException unreadable) {
        if (failOpen) {
          continue;
        }
        return new Exceeded(b, -1, null, "the budget service cannot read spend right now (database unavailable)");
      }
      if (c.spent() >= b.limitMicros()) {
        Instant reset = Period.parse(b.period()).end(now);
        return new Exceeded(b, c.spent(), reset, describe(b) + " reached: " + Money.format(c.spent()) + " spent of "
            + Money.format(b.limitMicros()) + (reset == null ? " (a total budget; an admin can raise it)" : "; resets " + reset));
      }
    }
    return null;
  }

  /** A refused request's reason. {@code resetsAt} is null for total budgets. */
  public record Exceeded(BudgetRow budget, long spentMicros, Instant resetsAt, String message) {}

  /**
   * Adds a metered request's cost to every budget it counts against, and raises alerts. The cost
   * is only worked out when some budget applies.
   */
  public void spent(Scopes scopes, java.util.function.LongSupplier cost) {
    List<BudgetRow> counted = applicable(scopes);
    if (counted.isEmpty()) {
      return;
    }
    long micros = cost.getAsLong();
    if (micros <= 0) {
      return;
    }
    Instant now = clock.instant();
    for (BudgetRow b : counted) {
      Counter c;
      try {
        c = counter(b, now);
      } catch (RuntimeException unreadable) {
        continue;
      }
      long before = c.spent();
      c.local.addAndGet(micros);
      long after = before + micros;
      for (int t : THRESHOLDS) {
        long line = b.limitMicros() * t / 100;
        if (before < line && after >= line) {
          alert(b, c.periodStart, t, after);
        }
      }
    }
  }

  private void alert(BudgetRow b, long periodStart, int threshold, long spent) {
    Thread.ofVirtual().start(() -> {
      try {
        if (store.recordAlert(b.id(), periodStart, threshold, spent, clock.millis())) {
          alerts.accept(describe(b) + " at " + threshold + "%: " + Money.format(spent) + " of " + Money.format(b.limitMicros()));
        }
      } catch (RuntimeException e) {
        alerts.accept(describe(b) + " at " + threshold + "% (alert not saved: database unavailable)");
      }
    });
  }

  static String describe(BudgetRow b) {
    String who = switch (b.scope()) {
      case "key" -> "key " + b.target();
      case "person" -> "person " + b.target();
      case "team" -> "team '" + b.target() + "'";
      default -> "organisation";
    };
    return "the " + b.period() + " budget of " + who + " (" + Money.format(b.limitMicros()) + ")";
  }

  private List<BudgetRow> applicable(Scopes s) {
    long now = clock.millis();
    if (budgetsLoadedMs < 0) {
      try {
        budgets = store.budgets();
        budgetsLoadedMs = now;
      } catch (RuntimeException e) {
        // database down before budgets were ever read: none to enforce yet
      }
    } else if (now - budgetsLoadedMs > REFRESH_MS / 5) {
      budgetReload.trigger(() -> {
        budgets = store.budgets();
        budgetsLoadedMs = now;
      });
    }
    List<BudgetRow> result = new ArrayList<>();
    for (BudgetRow b : budgets) {
      boolean applies = switch (b.scope()) {
        case "key" -> b.target().equals(Long.toString(s.keyId()));
        case "person" -> s.personId() != null && b.target().equals(Long.toString(s.personId()));
        case "team" -> s.team() != null && b.target().equalsIgnoreCase(s.team());
        default -> true;
      };
      if (applies) {
        result.add(b);
      }
    }
    return result;
  }

  /**
   * The budget's counter for the current period: read from the ledger when new (the request waits),
   * refreshed in the background when stale (the request goes on with the last known figure).
   */
  private Counter counter(BudgetRow b, Instant now) {
    long start = Period.parse(b.period()).start(now);
    String key = b.id() + "@" + start;
    Counter c = counters.get(key);
    if (c == null) {
      Counter fresh = new Counter(start);
      fresh.fromLedger = ledgerSpend(b, start); // throws while the database is down: nothing known
      fresh.refreshedMs = now.toEpochMilli();
      c = counters.merge(key, fresh, (old, neu) -> old);
    } else if (now.toEpochMilli() - c.refreshedMs > REFRESH_MS) {
      Counter stale = c;
      stale.refreshedMs = now.toEpochMilli(); // one refresh at a time
      Thread.ofVirtual().start(() -> {
        try {
          long fromLedger = ledgerSpend(b, start);
          // what this replica metered since is now in the ledger too (or soon: the spool drains in ms)
          stale.local.set(0);
          stale.fromLedger = fromLedger;
        } catch (RuntimeException e) {
          // database down: keep counting on from the last known figure
        }
      });
    }
    return c;
  }

  private long ledgerSpend(BudgetRow b, long startMs) {
    Map<Dimension, Set<String>> filter = switch (b.scope()) {
      case "key" -> Map.of(Dimension.KEY, Set.of(b.target()));
      case "person" -> Map.of(Dimension.PERSON, Set.of("person:" + b.target()));
      case "team" -> Map.of(Dimension.TEAM, Set.of(b.target()));
      default -> Map.of();
    };
    long total = 0;
    for (UsageRow r : ledger.usage(new UsageQuery(startMs == 0 ? null : Instant.ofEpochMilli(startMs), null, List.of(), filter, false))) {
      total += r.totals().autoCostMicros();
    }
    return total;
  }
}
