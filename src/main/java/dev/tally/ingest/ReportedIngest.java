package dev.tally.ingest;

import dev.tally.ledger.ReportedUsage;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import dev.tally.store.Dimension;
import dev.tally.store.Store;
import dev.tally.store.UsageQuery;
import dev.tally.store.UsageRow;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Writes admin-API report rows so that they never count traffic the ledger already metered per
 * request (shared/design.md, "aggregate sources"; README, "Provider admin APIs").
 *
 * <p>The rows are kept as reported (for the reconciliation report); the ledger gets, per slice, an
 * admin-api event holding only its part of what the report adds beyond metering. For one provider
 * and UTC day:
 *
 * <ol>
 *   <li>metered = tokens of that provider and day from the gateway, OTLP events and local logs;
 *       reported = tokens of the report rows; both per person (identities resolved through the
 *       directory; an unmapped identity is its own person);
 *   <li>a person's excess = max(0, reported − metered) for that person;
 *   <li>the provider/day remainder = max(0, reported − metered) over everyone: traffic through a
 *       provider key the gateway holds is reported under the key's creator but metered under the
 *       people who sent it; it cancels out here;
 *   <li>each row keeps the share (its person's excess ÷ its person's reported) × min(1, remainder ÷
 *       Σ excess) of its tokens and reported cost. A row with no tokens (Copilot interactions,
 *       seats' activity) is kept whole.
 * </ol>
 *
 * The admin-api tokens of the provider and day then add up to the remainder (up to rounding).
 *
 * <p>When the provider keys the gateway forwards with are declared ({@code gatewayKeys}), the
 * report rows of those keys and the gateway's events form one more "person" of their own, so the
 * remainder is attributed exactly: the key's rows keep only what the gateway did not meter, and
 * people's own rows are compared with their own non-gateway events. Days are
 * worked out again on every run for the rows fetched and for the last {@code recheck} days, so
 * metered events that arrive after the report (an agent that was offline) still take its place.
 */
public final class ReportedIngest {
  /** Later than any report day; still in epoch-millisecond range. */
  private static final Instant END_OF_TIME = Instant.parse("9999-01-01T00:00:00Z");

  private final Store store;
  private final Ingest ingest;
  private final Function<String, String> personOf;
  private final Set<String> gatewayKeys;
  /** Stands for the gateway's shared provider keys; no identity looks like this. */
  private static final String GATEWAY_POOL = "\u0000gateway";

  /** @param personOf an identity's person key ({@code person:<id>}), or the identity itself when unmapped */
  public ReportedIngest(Store store, Ingest ingest, Function<String, String> personOf) {
    this(store, ingest, personOf, Set.of());
  }

  /** @param gatewayKeys the provider's ids of the keys the gateway forwards requests with */
  public ReportedIngest(Store store, Ingest ingest, Function<String, String> personOf, Set<String> gatewayKeys) {
    this.store = Objects.requireNonNull(store);
    this.ingest = Objects.requireNonNull(ingest);
    this.personOf = Objects.requireNonNull(personOf);
    this.gatewayKeys = Set.copyOf(gatewayKeys);
  }

  private boolean throughGateway(ReportedUsage r) {
    return r.keyId() != null && gatewayKeys.contains(r.keyId());
  }

  /**
   * Stores {@code rows} (all of {@code provider}) as reported and brings the ledger's admin-api
   * events of their days, and of every stored day since {@code recheckFrom}, to the remainder.
   */
  public synchronized Ingest.Result write(String provider, List<ReportedUsage> rows, Instant recheckFrom) {
    store.collectors().putReported(rows);
    Instant from = recheckFrom.truncatedTo(ChronoUnit.DAYS);
    for (ReportedUsage r : rows) {
      Instant day = r.start().truncatedTo(ChronoUnit.DAYS);
      from = day.isBefore(from) ? day : from;
    }
    Map<Instant, List<ReportedUsage>> byDay = new TreeMap<>();
    for (ReportedUsage r : store.collectors().reported(provider, from, END_OF_TIME)) {
      byDay.computeIfAbsent(r.start().truncatedTo(ChronoUnit.DAYS), d -> new ArrayList<>()).add(r);
    }
    List<UsageEvent> keep = new ArrayList<>();
    List<String> remove = new ArrayList<>();
    byDay.forEach((day, dayRows) -> day(provider, day, dayRows, keep, remove));
    return ingest.replace(keep, remove);
  }

  private void day(String provider, Instant day, List<ReportedUsage> rows, List<UsageEvent> keep, List<String> remove) {
    boolean pooled = rows.stream().anyMatch(this::throughGateway);
    Map<String, Long> metered = new HashMap<>();
    for (UsageRow u : store.usage(new UsageQuery(day, day.plus(Duration.ofDays(1)), List.of(Dimension.PERSON, Dimension.SOURCE),
        Map.of(Dimension.PROVIDER, Set.of(provider)), false))) {
      String source = u.keys().get(1);
      if (!Source.ADMIN_API.wireName().equals(source)) {
        String who = pooled && Source.GATEWAY.wireName().equals(source) ? GATEWAY_POOL : u.keys().get(0);
        metered.merge(who, u.totals().tokens().total(), Long::sum);
      }
    }
    Map<String, Long> reported = new HashMap<>();
    Map<ReportedUsage, String> owner = new HashMap<>();
    for (ReportedUsage r : rows) {
      String person = throughGateway(r) ? GATEWAY_POOL : personOf.apply(r.identity());
      owner.put(r, person);
      reported.merge(person, r.tokens().total(), Long::sum);
    }
    long totalReported = reported.values().stream().mapToLong(Long::longValue).sum();
    long totalMetered = metered.values().stream().mapToLong(Long::longValue).sum();
    Map<String, Long> excess = new HashMap<>();
    reported.forEach((person, r) -> excess.put(person, Math.max(0, r - metered.getOrDefault(person, 0L))));
    long sumExcess = excess.values().stream().mapToLong(Long::longValue).sum();
    long remainder = Math.max(0, totalReported - totalMetered);
    double cap = sumExcess == 0 ? 0 : Math.min(1.0, (double) remainder / sumExcess);
    for (ReportedUsage r : rows) {
      String person = owner.get(r);
      long personReported = reported.get(person);
      double share = r.tokens().total() == 0 || personReported == 0 ? 1.0
          : (double) excess.get(person) / personReported * cap;
      UsageEvent e = r.toEvent();
      if (share <= 0) {
        remove.add(e.dedupKey());
      } else if (share >= 1) {
        keep.add(e);
      } else {
        Long cost = r.reportedCostMicros() == null ? null : Math.round(r.reportedCostMicros() * share);
        keep.add(e.withTokens(scale(r.tokens(), share)).withReportedCost(cost, false));
      }
    }
  }

  private static Tokens scale(Tokens t, double share) {
    return new Tokens(Math.round(t.input() * share), Math.round(t.output() * share), Math.round(t.cacheWrite5m() * share),
        Math.round(t.cacheWrite1h() * share), Math.round(t.cacheRead() * share), Math.round(t.reasoning() * share),
        Math.round(t.webSearches() * share));
  }
}
