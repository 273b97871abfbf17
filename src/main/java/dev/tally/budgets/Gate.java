package dev.tally.budgets;

import dev.tally.directory.Directory;
import dev.tally.directory.Person;
import dev.tally.ingest.Pricer;
import dev.tally.keys.GatewayKeys;
import dev.tally.ledger.Tags;
import dev.tally.ledger.UsageEvent;
import dev.tally.sources.gateway.Caller;
import dev.tally.sources.gateway.Gatekeeper;
import dev.tally.store.GatewayStore;
import dev.tally.store.GatewayStore.KeyRow;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The gateway's gatekeeper: a valid key, an allowed model, its rate limits, then every budget it counts against. */
public final class Gate implements Gatekeeper, AutoCloseable {
  private final GatewayKeys keys;
  private final Budgets budgets;
  private final Directory directory;
  private final Pricer pricer;
  private final Clock clock;
  private final boolean failOpen;
  private final Limits limits;
  private final Map<Long, Team> teams = new ConcurrentHashMap<>();
  private final dev.tally.keys.Refresher teamRefresh = new dev.tally.keys.Refresher("tally-team-refresh");

  private record Team(String name, long readMs) {}

  /** What the gate keeps about an admitted request. */
  private record Ticket(KeyRow key, Budgets.Scopes scopes) {}

  /**
   * @param failOpen when a budget's spend cannot be read (database down, never read before): allow (true) or refuse
   * @param replicas the database shared with other gateway replicas, whose rate-limit counts add to
   *     this one's; null when this process is the only gateway
   */
  public Gate(GatewayKeys keys, Budgets budgets, Directory directory, Pricer pricer, Clock clock, boolean failOpen,
      GatewayStore replicas) {
    this.keys = keys;
    this.budgets = budgets;
    this.directory = directory;
    this.pricer = pricer;
    this.clock = clock;
    this.failOpen = failOpen;
    this.limits = new Limits(clock, replicas);
  }

  @Override
  public Optional<Caller> authenticate(String secret) {
    return keys.authenticate(secret).map(k -> new Caller(k.id(), k.name(), k.project(),
        new Ticket(k, new Budgets.Scopes(k.id(), k.personId(), team(k.personId()))),
        Tags.split(k.tags())));
  }

  @Override
  public Refusal admit(Caller caller, String model) {
    Ticket t = (Ticket) caller.ticket();
    KeyRow k = t.key();
    if (model != null && k.allowedModels() != null
        && Arrays.stream(k.allowedModels().split(",")).noneMatch(m -> matches(m.trim(), model))) {
      return new Refusal(403, "permission_error", "model '" + model + "' is not allowed for gateway key '" + k.name()
          + "' (allowed: " + k.allowedModels() + ")", null);
    }
    String limited = limits.acquire(k.id(), k.rpm(), k.tpm(), k.concurrency());
    if (limited != null) {
      long wait = Limits.isConcurrency(limited) ? 1 : limits.secondsToNextMinute();
      return new Refusal(429, "rate_limit_error", "gateway key '" + k.name() + "': " + limited + "; retry in " + wait + " s", wait);
    }
    Budgets.Exceeded over = budgets.exceeded(t.scopes(), failOpen);
    if (over != null) {
      limits.release(k.id(), 0);
      if (over.spentMicros() < 0) {
        return new Refusal(503, "api_error", over.message(), 30L);
      }
      Long wait = over.resetsAt() == null ? null : Math.max(1, Duration.between(clock.instant(), over.resetsAt()).toSeconds());
      return new Refusal(429, "budget_exceeded", "Tally: " + over.message(), wait);
    }
    return null;
  }

  /** An allowed-models entry: an exact name, or a prefix ending in {@code *}. */
  private static boolean matches(String allowed, String model) {
    return allowed.endsWith("*") ? model.startsWith(allowed.substring(0, allowed.length() - 1)) : allowed.equals(model);
  }

  @Override
  public void finished(Caller caller, UsageEvent usage) {
    Ticket t = (Ticket) caller.ticket();
    limits.release(t.key().id(), usage == null ? 0 : usage.tokens().total());
    if (usage != null) {
      budgets.spent(t.scopes(), () -> {
        var cost = pricer.price(usage.provider(), usage.model(), usage.tokens());
        return cost.priced() ? cost.micros() : usage.reportedCostMicros() == null ? 0 : usage.reportedCostMicros();
      });
    }
  }

  private String team(Long personId) {
    if (personId == null) {
      return null;
    }
    long now = clock.millis();
    Team cached = teams.get(personId);
    if (cached == null) {
      try {
        cached = new Team(directory.person(personId).map(Person::team).orElse(null), now);
        teams.put(personId, cached);
      } catch (RuntimeException databaseDown) {
        return null;
      }
    } else if (now - cached.readMs() > 10_000) {
      teamRefresh.trigger(() -> teams.put(personId, new Team(directory.person(personId).map(Person::team).orElse(null), now)));
    }
    return cached.name();
  }

  @Override
  public void close() {
    limits.close();
  }
}
