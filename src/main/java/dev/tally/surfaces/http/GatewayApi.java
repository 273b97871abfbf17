package dev.tally.surfaces.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.budgets.Budgets;
import dev.tally.budgets.BurnDown;
import dev.tally.query.CostMode;
import dev.tally.query.Filter;
import dev.tally.query.Range;
import dev.tally.query.UsageQueries;
import dev.tally.store.Dimension;
import dev.tally.budgets.Gate;
import dev.tally.budgets.Period;
import dev.tally.directory.Directory;
import dev.tally.directory.Principal;
import dev.tally.ingest.Ingest;
import dev.tally.ingest.Pricer;
import dev.tally.ingest.Spool;
import dev.tally.ingest.SpoolDrain;
import dev.tally.keys.GatewayKeys;
import dev.tally.keys.ProviderCredentials;
import dev.tally.keys.Vault;
import dev.tally.ledger.Money;
import dev.tally.sources.gateway.Proxy;
import dev.tally.store.GatewayStore.KeyRow;
import dev.tally.store.Store;
import io.javalin.config.RoutesConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The metering gateway's HTTP side: the provider-compatible routes developers' tools call, and the
 * admin API for provider credentials, gateway keys and budgets. Every finished request's usage is
 * appended to a spool before it counts as recorded, and drained into the ledger in batches.
 */
final class GatewayApi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param dataDir where the spool and the master key file live
   * @param masterKey {@code TALLY_MASTER_KEY}, or null to use (or create) the key file
   * @param failOpen with the database down and a budget never read: serve (true) or refuse
   * @param upstreamTimeout how long to wait for a provider's response headers
   */
  record Options(Path dataDir, String masterKey, boolean failOpen, java.time.Duration upstreamTimeout) {}

  private final ProviderCredentials credentials;
  private final GatewayKeys keys;
  private final Budgets budgets;
  private final Spool spool;
  private final SpoolDrain drain;
  private final Proxy proxy;
  private final Gate gate;
  private final Store store;
  private final Clock clock;

  GatewayApi(Store store, Directory directory, Pricer pricer, Ingest ingest, Clock clock, Options options, Log log,
      PrometheusMeterRegistry metrics) {
    this.store = store;
    this.clock = clock;
    Vault vault = Vault.open(options.masterKey(), options.dataDir().resolve("master.key"));
    this.credentials = new ProviderCredentials(store.gateway(), vault, clock);
    this.keys = new GatewayKeys(store.gateway(), store.directory(), directory, clock);
    this.budgets = new Budgets(store.gateway(), store, clock, alert -> log.write(log.line("warn", "budget alert").put("alert", alert)));
    this.spool = new Spool(options.dataDir().resolve("gateway-spool"));
    this.drain = new SpoolDrain(spool, ingest, message -> log.write(log.line("warn", message)));
    Gauge.builder("tally_gateway_spool_bytes", drain, SpoolDrain::backlogBytes)
        .description("Usage records waiting to be written to the store").register(metrics);
    Proxy.Observer observer = (provider, status, streamed, nanos) -> Timer.builder("tally_gateway_requests")
        .tag("provider", provider).tag("status", Integer.toString(status)).tag("stream", Boolean.toString(streamed))
        .register(metrics).record(nanos, TimeUnit.NANOSECONDS);
    // on a shared PostgreSQL other replicas (`tally gateway`) may serve the same keys: share the rate-limit counts
    this.gate = new Gate(keys, budgets, directory, pricer, clock, options.failOpen(),
        store.soleWriter() ? null : store.gateway());
    this.proxy = new Proxy(gate, credentials::upstream, spool::append, clock, observer, options.upstreamTimeout());
  }

  /** Gateway key names by the id usage events carry ("12" -> "alice-laptop"), read when asked. */
  java.util.function.Supplier<java.util.Map<String, String>> keyNames() {
    return () -> {
      java.util.Map<String, String> names = new java.util.HashMap<>();
      keys.list().forEach(k -> names.put(Long.toString(k.id()), k.name()));
      return names;
    };
  }

  /** The provider-compatible routes tools call, as a Jetty handler Javalin nests itself inside. */
  GatewayRoutes proxyRoutes(GatewayRoutes.Finished finished) {
    return new GatewayRoutes(proxy, finished);
  }

  /** The admin API for provider keys, gateway keys and budgets. */
  void adminRoutes(RoutesConfig routes) {
    routes.get("/api/v1/providers", ctx -> ctx.json(providers(Server.requireAdmin(ctx))));
    routes.post("/api/v1/providers", ctx -> {
      Server.requireAdmin(ctx);
      JsonNode b = Server.body(ctx);
      var c = credentials.add(b.path("name").asText(null), b.path("provider").asText(""), b.path("baseUrl").asText(null),
          b.path("key").asText(null));
      ctx.status(201).json(providerJson(c));
    });
    routes.delete("/api/v1/providers/{name}", ctx -> {
      Server.requireAdmin(ctx);
      if (!credentials.remove(ctx.pathParam("name"))) {
        throw new Server.ApiError(404, "no provider named '" + ctx.pathParam("name") + "'");
      }
      ctx.status(204);
    });
    routes.get("/api/v1/keys", ctx -> ctx.json(keys(Server.principal(ctx))));
    routes.post("/api/v1/keys", ctx -> {
      Server.requireAdmin(ctx);
      ctx.status(201).json(created(keys.create(spec(Server.body(ctx)))));
    });
    routes.post("/api/v1/keys/{id}/revoke", ctx -> {
      Server.requireAdmin(ctx);
      keys.revoke(Long.parseLong(ctx.pathParam("id")));
      ctx.status(204);
    });
    routes.post("/api/v1/keys/{id}/rotate", ctx -> {
      Server.requireAdmin(ctx);
      ctx.status(201).json(created(keys.rotate(Long.parseLong(ctx.pathParam("id")))));
    });
    routes.get("/api/v1/budgets", ctx -> ctx.json(budgets(Server.requireAdmin(ctx))));
    routes.post("/api/v1/budgets", ctx -> {
      Server.requireAdmin(ctx);
      JsonNode b = Server.body(ctx);
      var row = budgets.put(b.path("scope").asText(""), b.path("target").asText(null), Period.parse(b.path("period").asText("monthly")),
          Money.micros(new BigDecimal(b.path("usd").asText("0"))), b.path("hard").asBoolean(true));
      ctx.status(201).json(JSON.createObjectNode().put("id", row.id()));
    });
    routes.delete("/api/v1/budgets/{id}", ctx -> {
      Server.requireAdmin(ctx);
      if (!budgets.remove(Long.parseLong(ctx.pathParam("id")))) {
        throw new Server.ApiError(404, "no budget " + ctx.pathParam("id"));
      }
      ctx.status(204);
    });
  }

  private ArrayNode providers(Principal admin) {
    ArrayNode arr = JSON.createArrayNode();
    credentials.list().forEach(c -> arr.add(providerJson(c)));
    return arr;
  }

  private static ObjectNode providerJson(ProviderCredentials.Credential c) {
    return JSON.createObjectNode().put("id", c.id()).put("name", c.name()).put("provider", c.provider())
        .put("baseUrl", c.baseUrl()).put("key", "…" + c.last4()).put("created", Instant.ofEpochMilli(c.createdMs()).toString());
  }

  private static GatewayKeys.Spec spec(JsonNode b) {
    return new GatewayKeys.Spec(b.path("name").asText(null), b.path("email").asText(null), b.path("team").asText(null),
        b.path("project").asText(null), strings(b.path("tags")), strings(b.path("allowedModels")),
        b.hasNonNull("rpm") ? b.get("rpm").asInt() : null, b.hasNonNull("tpm") ? b.get("tpm").asInt() : null,
        b.hasNonNull("concurrency") ? b.get("concurrency").asInt() : null,
        b.hasNonNull("expires") ? Instant.parse(b.get("expires").asText()).toEpochMilli() : null);
  }

  private static List<String> strings(JsonNode n) {
    List<String> list = new ArrayList<>();
    if (n.isTextual()) {
      for (String s : n.asText().split(",")) {
        list.add(s);
      }
    } else {
      n.forEach(v -> list.add(v.asText()));
    }
    return list;
  }

  private ObjectNode created(GatewayKeys.Created c) {
    return keyJson(c.key()).put("secret", c.secret()).put("note", "shown once: store it now");
  }

  /** Admins see every key; anyone else only their own person's. */
  private ArrayNode keys(Principal who) {
    if (who.ingestOnly()) {
      throw new Server.ApiError(403, "an agent token can only send events");
    }
    ArrayNode arr = JSON.createArrayNode();
    for (KeyRow k : keys.list()) {
      if (who.isAdmin() || (who.personId() != null && who.personId().equals(k.personId()))) {
        arr.add(keyJson(k));
      }
    }
    return arr;
  }

  private static ObjectNode keyJson(KeyRow k) {
    ObjectNode n = JSON.createObjectNode().put("id", k.id()).put("name", k.name()).put("prefix", k.prefix() + "…")
        .put("created", Instant.ofEpochMilli(k.createdMs()).toString()).put("revoked", k.revokedMs() != null);
    if (k.personId() != null) {
      n.put("person", "person:" + k.personId());
    }
    putIfSet(n, "project", k.project());
    putIfSet(n, "tags", k.tags());
    putIfSet(n, "allowedModels", k.allowedModels());
    if (k.rpm() != null) {
      n.put("rpm", k.rpm());
    }
    if (k.tpm() != null) {
      n.put("tpm", k.tpm());
    }
    if (k.concurrency() != null) {
      n.put("concurrency", k.concurrency());
    }
    if (k.expiresMs() != null) {
      n.put("expires", Instant.ofEpochMilli(k.expiresMs()).toString());
    }
    if (k.lastUsedMs() != null) {
      n.put("lastUsed", Instant.ofEpochMilli(k.lastUsedMs()).toString());
    }
    if (k.rotatedFrom() != null) {
      n.put("rotatedFrom", k.rotatedFrom());
    }
    return n;
  }

  private static void putIfSet(ObjectNode n, String field, String value) {
    if (value != null) {
      n.put(field, value);
    }
  }

  /** Budgets with their period's spend, a per-day burn-down and where they are heading (see {@link BurnDown}). */
  private ArrayNode budgets(Principal admin) {
    ArrayNode arr = JSON.createArrayNode();
    java.time.Instant now = clock.instant();
    java.time.LocalDate today = now.atZone(java.time.ZoneOffset.UTC).toLocalDate();
    UsageQueries queries = new UsageQueries(store, clock, CostMode.AUTO);
    for (Budgets.Status s : budgets.list()) {
      ObjectNode n = arr.addObject().put("id", s.budget().id()).put("scope", s.budget().scope())
          .put("target", s.budget().target()).put("period", s.budget().period())
          .put("limit", Money.dollars(s.budget().limitMicros())).put("spent", Money.dollars(s.spentMicros()))
          .put("hard", s.budget().hard());
      if (s.resetsAt() != null) {
        n.put("resets", s.resetsAt().toString());
      }
      java.time.Instant start = s.periodStartMs() == 0 ? null : java.time.Instant.ofEpochMilli(s.periodStartMs());
      BurnDown burn = BurnDown.of(s.spentMicros(), s.budget().limitMicros(), start, s.resetsAt(), now);
      ObjectNode p = n.putObject("projection").put("status", burn.status())
          .put("date", burn.date() == null ? null : burn.date().toString())
          .put("dailyRate", Money.dollars(burn.dailyRateMicros())).put("projectedSpend", Money.dollars(burn.projectedMicros()))
          .put("text", burn.text());
      if (start == null) {
        continue;
      }
      // spend per UTC day since the period started, for the burn-down chart
      java.time.LocalDate first = start.atZone(java.time.ZoneOffset.UTC).toLocalDate();
      java.time.LocalDate last = s.resetsAt().atZone(java.time.ZoneOffset.UTC).toLocalDate().minusDays(1);
      n.put("periodStart", first.toString()).put("periodEnd", last.toString());
      Filter filter = switch (s.budget().scope()) {
        case "key" -> Filter.NONE.and(Dimension.KEY, java.util.Set.of(s.budget().target()));
        case "person" -> Filter.NONE.and(Dimension.PERSON, java.util.Set.of("person:" + s.budget().target()));
        case "team" -> Filter.NONE.and(Dimension.TEAM, java.util.Set.of(s.budget().target()));
        default -> Filter.NONE;
      };
      java.util.Map<java.time.LocalDate, Long> perDay = new java.util.TreeMap<>();
      for (UsageQueries.Row row : queries.table(new Range(first, today, java.time.ZoneOffset.UTC), filter, List.of(Dimension.PROVIDER))) {
        row.daily().forEach((day, t) -> perDay.merge(day, CostMode.AUTO.cost(t), Long::sum));
      }
      ArrayNode days = n.putArray("days");
      long cumulative = 0;
      for (java.time.LocalDate d = first; !d.isAfter(today) && !d.isAfter(last); d = d.plusDays(1)) {
        cumulative += perDay.getOrDefault(d, 0L);
        days.addObject().put("day", d.toString()).put("cumulative", Money.dollars(cumulative));
      }
    }
    return arr;
  }

  /** Writes what the spool holds; keys' last-used times too. */
  @Override
  public void close() {
    proxy.close();
    gate.close();
    drain.close();
    try {
      keys.flushLastUsed();
    } catch (RuntimeException e) {
      // database down: last-used times are a convenience
    }
  }
}
