package dev.tally.surfaces.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.directory.Directory;
import dev.tally.directory.Person;
import dev.tally.directory.Principal;
import dev.tally.directory.Role;
import dev.tally.ingest.EventJson;
import dev.tally.ingest.Ingest;
import dev.tally.ingest.Pricer;
import dev.tally.ledger.Money;
import dev.tally.ledger.UsageEvent;
import dev.tally.query.CostMode;
import dev.tally.query.Filter;
import dev.tally.query.Range;
import dev.tally.query.UsageQueries;
import dev.tally.store.Dimension;
import dev.tally.store.Store;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.zip.GZIPInputStream;

/**
 * Tally's HTTP API: health and metrics, the ingest API, the query API every surface uses, and the
 * directory. Every {@code /api} route checks who is asking ({@link Principal}) and what their role
 * lets them see. Errors have one JSON shape: {@code {"error": "...", "status": N}}.
 */
public final class Server implements AutoCloseable {
  /** Most events one ingest request may carry. */
  public static final int MAX_BATCH = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PRINCIPAL = "tally.principal";

  private final Store store;
  private final Directory directory;
  private final Ingest ingest;
  private final Clock clock;
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Semaphore ingestSlots;
  private final Counter accepted;
  private final Counter rejected;
  private final Timer requests;
  private final Sessions sessions;
  private final java.util.concurrent.ConcurrentHashMap<String, Boolean> agentIdentities = new java.util.concurrent.ConcurrentHashMap<>();
  private final Log log;
  private Javalin app;
  private GatewayApi gateway;
  private Map<String, Long> seatPrices = Map.of();
  private WebUi web;
  private boolean gatewayOnly;
  private final Pricer pricer;
  private CollectorPolling collectors;
  private java.util.function.Supplier<dev.tally.pricing.PriceTable> prices = dev.tally.pricing.PriceTable::shipped;

  public Server(Store store, Pricer pricer, Clock clock, int concurrentIngests) {
    this(store, pricer, clock, concurrentIngests, null);
  }

  /** @param accessLog where to write one JSON line per request, or null for none */
  public Server(Store store, Pricer pricer, Clock clock, int concurrentIngests, java.io.PrintStream accessLog) {
    this.store = store;
    this.clock = clock;
    this.directory = new Directory(store.directory(), clock);
    this.ingest = new Ingest(store, pricer, null);
    this.pricer = pricer;
    this.ingestSlots = new Semaphore(concurrentIngests);
    this.accepted = Counter.builder("tally_ingest_events").tag("result", "accepted").register(metrics);
    this.rejected = Counter.builder("tally_ingest_events").tag("result", "rejected").register(metrics);
    this.requests = Timer.builder("tally_http_requests").register(metrics);
    this.sessions = new Sessions(clock);
    this.log = new Log(accessLog, clock);
  }

  public Directory directory() {
    return directory;
  }

  /** The price table {@code GET /api/v1/prices} lists (by default the shipped one), read when asked. */
  public Server withPriceTable(java.util.function.Supplier<dev.tally.pricing.PriceTable> prices) {
    this.prices = prices;
    return this;
  }

  /**
   * Adds the metering gateway (provider-compatible routes and its admin API) to this server.
   *
   * @param dataDir where the gateway's spool and master key file live
   * @param masterKey {@code TALLY_MASTER_KEY}, or null for the key file
   * @param failOpen with the database down and a budget never read: serve (true) or refuse
   */
  public Server withGateway(java.nio.file.Path dataDir, String masterKey, boolean failOpen) {
    return withGateway(dataDir, masterKey, failOpen, java.time.Duration.ofMinutes(10));
  }

  /** @param upstreamTimeout how long to wait for a provider's response headers (a provider may think for minutes) */
  public Server withGateway(java.nio.file.Path dataDir, String masterKey, boolean failOpen, java.time.Duration upstreamTimeout) {
    gateway = new GatewayApi(store, directory, pricer, ingest, clock,
        new GatewayApi.Options(dataDir, masterKey, failOpen, upstreamTimeout), log, metrics);
    return this;
  }

  /**
   * Polls the provider admin APIs whose keys {@code env} holds (see {@link
   * dev.tally.sources.collectors.Collectors#fromEnv}) every {@code every} (zero: only when asked,
   * {@code POST /api/v1/collectors/run}). {@code TALLY_GATEWAY_PROVIDER_KEYS} (comma-separated
   * provider key ids, e.g. {@code apikey_01…,key_Zq8…}) names the keys the gateway forwards with,
   * so their report rows reconcile against the gateway's events exactly.
   */
  public Server withCollectors(Map<String, String> env, java.time.Duration every) {
    return withCollectors(env, every, dev.tally.sources.collectors.ApiClient.Sleeper.REAL,
        dev.tally.sources.collectors.ApiClient.Policy.DEFAULT);
  }

  /** @param sleeper how retries wait (tests record instead of sleeping) */
  public Server withCollectors(Map<String, String> env, java.time.Duration every,
      dev.tally.sources.collectors.ApiClient.Sleeper sleeper, dev.tally.sources.collectors.ApiClient.Policy policy) {
    var setup = dev.tally.sources.collectors.Collectors.fromEnv(env, clock, sleeper, policy);
    java.util.Set<String> gatewayKeys = new java.util.HashSet<>();
    for (String k : env.getOrDefault("TALLY_GATEWAY_PROVIDER_KEYS", "").split(",")) {
      if (!k.isBlank()) {
        gatewayKeys.add(k.trim());
      }
    }
    var writer = new dev.tally.ingest.ReportedIngest(store, ingest,
        identity -> store.directory().personOf(identity).map(id -> "person:" + id).orElse(identity), gatewayKeys);
    collectors = new CollectorPolling(setup, store, writer, directory, clock, every);
    seatPrices = seatPrices(env.getOrDefault("TALLY_SEAT_PRICES", ""));
    return this;
  }

  /** {@code TALLY_SEAT_PRICES}: "cursor=40,github=19,anthropic=30", USD per seat and month. */
  static Map<String, Long> seatPrices(String spec) {
    Map<String, Long> prices = new java.util.HashMap<>();
    for (String part : spec.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      String[] kv = part.split("=", 2);
      try {
        prices.put(kv[0].trim().toLowerCase(Locale.ROOT), Money.micros(new java.math.BigDecimal(kv[1].trim())));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("TALLY_SEAT_PRICES: expected provider=USD pairs like cursor=40,github=19, got '" + part + "'");
      }
    }
    return prices;
  }

  /** Runs every configured collector now; false when none is configured. */
  public boolean collectNow() {
    if (collectors == null) {
      return false;
    }
    collectors.runNow();
    return true;
  }

  /** Serves only the gateway and health routes: a replica in front of a shared PostgreSQL. */
  public Server gatewayOnly() {
    if (gateway == null) {
      throw new IllegalStateException("gatewayOnly() needs withGateway(...) first");
    }
    gatewayOnly = true;
    return this;
  }

  /** Runs the dashboard's first queries in the background, so its first visitor finds them warm. */
  public void warmUpDashboard() {
    if (web != null) {
      Thread.ofVirtual().name("tally-dashboard-warm-up").start(() -> {
        try {
          long t0 = System.nanoTime();
          web.warmUp();
          log.write(log.line("info", "dashboard queries warmed up").put("ms", (System.nanoTime() - t0) / 1_000_000));
        } catch (RuntimeException e) {
          log.write(log.line("warn", "dashboard warm-up failed").put("error", e.getClass().getSimpleName()));
        }
      });
    }
  }

  /** One access log line and one timing per request. */
  private void logRequest(String method, String path, int status, long nanos, Principal who) {
    requests.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    ObjectNode line = log.line("info", "request").put("method", method).put("path", path)
        .put("status", status).put("ms", nanos / 1_000_000);
    if (who != null) {
      line.put("who", who.name());
    }
    log.write(line);
  }

  /** Starts on {@code port} (0 = any free port) and returns the port. */
  public int start(String host, int port) {
    app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.concurrency.useVirtualThreads = true;
      config.http.maxRequestSize = 64L * 1024 * 1024;
      if (gateway != null) {
        // the provider routes run in front of Javalin, which nests itself inside this handler
        config.jetty.modifyServer(server -> server.setHandler(gateway.proxyRoutes(
            (method, path, status, nanos) -> logRequest(method, path, status, nanos, null))));
      }
      config.routes.before(ctx -> ctx.attribute("tally.start", System.nanoTime()));
      config.routes.after(ctx -> {
        Long start = ctx.attribute("tally.start");
        if (start != null) {
          Principal who = ctx.attribute(PRINCIPAL);
          logRequest(ctx.method().name(), ctx.path(), ctx.statusCode(), System.nanoTime() - start, who);
        }
      });
      config.routes.get("/healthz", ctx -> ctx.result("ok"));
      config.routes.get("/readyz", this::ready);
      config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(metrics.scrape()));
      config.routes.exception(ApiError.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
      config.routes.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
      config.routes.exception(Exception.class, (e, ctx) -> error(ctx, 500, "internal error: " + e.getClass().getSimpleName()));
      if (gatewayOnly) {
        return;
      }
      config.routes.before("/api/*", this::authenticate);
      config.routes.post("/api/v1/events", this::ingestEvents);
      config.routes.before("/v1/logs", this::authenticate);
      config.routes.before("/v1/metrics", this::authenticate);
      config.routes.post("/v1/logs", this::otlpLogs);
      config.routes.post("/v1/metrics", this::otlpMetrics);
      config.routes.get("/api/v1/reconciliation", this::reconciliation);
      config.routes.get("/api/v1/collectors", this::collectorStatus);
      config.routes.post("/api/v1/collectors/run", this::runCollectors);
      config.routes.get("/api/v1/seats", this::seats);
      config.routes.get("/api/v1/prices", this::prices);
      config.routes.get("/api/v1/usage", this::usage);
      config.routes.get("/api/v1/me", ctx -> ctx.json(me(principal(ctx))));
      config.routes.post("/api/v1/login", this::login);
      config.routes.post("/api/v1/logout", this::logout);
      config.routes.get("/api/v1/people", ctx -> ctx.json(people(requireAdmin(ctx))));
      config.routes.post("/api/v1/people", this::addPerson);
      config.routes.post("/api/v1/people/{id}/identities", this::mapIdentity);
      config.routes.post("/api/v1/people/merge", this::merge);
      config.routes.delete("/api/v1/identities/{identity}", this::unmapIdentity);
      config.routes.post("/api/v1/tokens", this::createToken);
      config.routes.get("/api/v1/tokens", this::listTokens);
      config.routes.delete("/api/v1/tokens/{id}", this::revokeToken);
      config.routes.post("/api/v1/users", this::createUser);
      config.routes.post("/api/v1/invites", this::invite);
      config.routes.get("/api/v1/invites", this::listInvites);
      config.routes.delete("/api/v1/invites/{id}", this::revokeInvite);
      config.routes.post("/api/v1/invites/check", this::checkInvite);
      config.routes.post("/api/v1/invites/accept", this::acceptInvite);
      config.staticFiles.add(files -> {
        files.hostedPath = "/";
        files.directory = "/web";
        files.location = io.javalin.http.staticfiles.Location.CLASSPATH;
        files.headers = Map.of("Cache-Control", "no-cache");
      });
      config.staticFiles.enableWebjars();
      web = new WebUi(store, directory, clock, sessions, gateway != null ? gateway.keyNames() : null);
      web.routes(config.routes);
      if (gateway != null) {
        gateway.adminRoutes(config.routes);
      }
    });
    app.start(host, port);
    if (collectors != null && !gatewayOnly) {
      collectors.start();
    }
    for (var connector : app.jettyServer().server().getConnectors()) {
      if (connector instanceof org.eclipse.jetty.server.AbstractConnector c) {
        c.setIdleTimeout(10 * 60_000L); // a provider may think for minutes before its first byte
      }
    }
    return app.port();
  }

  /** Stops taking requests, then writes what was accepted. */
  @Override
  public void close() {
    if (web != null) {
      web.close();
    }
    if (app != null) {
      app.stop();
    }
    if (collectors != null) {
      collectors.close();
    }
    if (gateway != null) {
      gateway.close();
    }
    ingest.close();
  }

  // ---------------------------------------------------------------- auth

  static final class ApiError extends RuntimeException {
    final int status;

    ApiError(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private static void error(Context ctx, int status, String message) {
    ObjectNode body = JSON.createObjectNode().put("error", message).put("status", status);
    ctx.status(status).contentType("application/json").result(body.toString());
  }

  /** The API routes anyone may call: signing in, and opening or accepting an invite (its token is the credential). */
  private static final Set<String> PUBLIC = Set.of("/api/v1/login", "/api/v1/invites/check", "/api/v1/invites/accept");

  private void authenticate(Context ctx) {
    if (PUBLIC.contains(ctx.path())) {
      return;
    }
    String cookie = ctx.cookie(Sessions.COOKIE);
    if (cookie != null && ctx.header("Authorization") == null) {
      Sessions.Session session = sessions.find(cookie).orElseThrow(() -> new ApiError(401, "session expired: sign in again"));
      // a cookie is sent by the browser on its own: changes must also carry the session's CSRF token
      boolean change = !ctx.method().name().equals("GET") && !ctx.method().name().equals("HEAD");
      if (change && !session.csrf().equals(ctx.header("X-CSRF-Token"))) {
        throw new ApiError(403, "missing or wrong X-CSRF-Token header");
      }
      ctx.attribute(PRINCIPAL, directory.userPrincipal(session.username())
          .orElseThrow(() -> new ApiError(401, "user no longer exists")));
      return;
    }
    String auth = ctx.header("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
      String[] userPass = new String(java.util.Base64.getDecoder().decode(auth.substring(6).trim()),
          java.nio.charset.StandardCharsets.UTF_8).split(":", 2);
      Principal user = userPass.length == 2 ? directory.login(userPass[0], userPass[1]).orElse(null) : null;
      if (user == null) {
        throw new ApiError(401, "wrong user name or password");
      }
      ctx.attribute(PRINCIPAL, user);
      return;
    }
    String token = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : ctx.header("x-api-key");
    Principal p = token == null ? null : directory.authenticate(token).orElse(null);
    if (p == null) {
      throw new ApiError(401, token == null ? "missing credentials: send Authorization: Bearer <token>" : "unknown or revoked token");
    }
    ctx.attribute(PRINCIPAL, p);
  }

  private void login(Context ctx) {
    JsonNode b = body(ctx);
    String username = b.path("username").asText("");
    Principal p = directory.login(username, b.path("password").asText("")).orElseThrow(
        () -> new ApiError(401, "wrong user name or password"));
    signIn(ctx, username, p);
  }

  /** Starts a browser session: the cookie, and the CSRF token in the answer. */
  private void signIn(Context ctx, String username, Principal p) {
    Sessions.Session s = sessions.create(username);
    boolean secure = "https".equals(ctx.scheme()) || "https".equals(ctx.header("X-Forwarded-Proto"));
    ctx.header("Set-Cookie", Sessions.COOKIE + "=" + s.id() + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
        + Sessions.LIFETIME.toSeconds() + (secure ? "; Secure" : ""));
    ctx.json(JSON.createObjectNode().put("user", p.name()).put("role", p.role().wireName()).put("csrfToken", s.csrf()));
  }

  private void logout(Context ctx) {
    String cookie = ctx.cookie(Sessions.COOKIE);
    if (cookie != null) {
      sessions.remove(cookie);
    }
    ctx.header("Set-Cookie", Sessions.COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    ctx.status(204);
  }

  static Principal principal(Context ctx) {
    return ctx.attribute(PRINCIPAL);
  }

  static Principal requireAdmin(Context ctx) {
    Principal p = principal(ctx);
    if (!p.isAdmin()) {
      throw new ApiError(403, "admins only");
    }
    return p;
  }

  static Principal requireReader(Context ctx) {
    Principal p = principal(ctx);
    if (p.ingestOnly()) {
      throw new ApiError(403, "an agent token can only send events");
    }
    return p;
  }

  private void ready(Context ctx) {
    try {
      store.isEmpty();
      ctx.result("ready");
    } catch (RuntimeException e) {
      error(ctx, 503, "database unavailable");
    }
  }

  // ---------------------------------------------------------------- ingest

  private static Principal requireSender(Context ctx, String what) {
    Principal p = principal(ctx);
    if (!p.isAdmin() && !p.ingestOnly()) {
      throw new ApiError(403, "only agent and admin tokens may send " + what);
    }
    return p;
  }

  /** The identity an agent token's events are recorded under (mapped to its person), or null. */
  private static String agentIdentity(Principal p) {
    return p.ingestOnly() ? "agent:" + p.name().substring("token:".length()) + ":person:" + p.personId() : null;
  }

  /**
   * Writes events from {@code p}: an agent token's are recorded for its own person whatever they
   * claim; others keep their identity, with new email identities given a person.
   */
  private Ingest.Result record(Principal p, List<UsageEvent> events) {
    String agentIdentity = agentIdentity(p);
    List<UsageEvent> owned = new ArrayList<>(events.size());
    for (UsageEvent e : events) {
      owned.add(e.withIdentity(agentIdentity != null ? agentIdentity : Directory.normalize(e.identity())));
    }
    Ingest.Result r = ingest.write(owned, List.of()); // one at a time, or side by side where the store can
    if (agentIdentity != null) {
      agentIdentities.computeIfAbsent(agentIdentity, k -> {
        directory.mapIdentity(k, p.personId());
        return Boolean.TRUE;
      });
    } else {
      owned.stream().map(UsageEvent::identity).distinct().forEach(directory::adoptIdentity);
    }
    return r;
  }

  private void ingestEvents(Context ctx) throws IOException {
    Principal p = requireSender(ctx, "events");
    EventJson.Batch batch;
    try (InputStream in = unzipped(ctx)) {
      batch = EventJson.readBatch(in, MAX_BATCH);
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, e.getMessage());
    } catch (EventJson.TooMany e) {
      throw new ApiError(413, "too many events in one batch: " + e.size + " (at most " + MAX_BATCH + ")");
    } catch (IOException e) {
      throw new ApiError(400, "body is not valid JSON: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
    List<UsageEvent> events = batch.events();
    ArrayNode rejects = JSON.createArrayNode();
    batch.rejects().forEach(r -> rejects.addObject().put("index", r.index()).put("reason", r.reason()));
    if (!ingestSlots.tryAcquire()) {
      ctx.header("Retry-After", "1");
      throw new ApiError(429, "busy writing other batches: retry in a second");
    }
    Ingest.Result r;
    try {
      r = record(p, events);
    } finally {
      ingestSlots.release();
    }
    accepted.increment(r.inserted() + r.updated());
    rejected.increment(rejects.size());
    ObjectNode answer = JSON.createObjectNode();
    answer.put("accepted", r.inserted() + r.updated());
    answer.put("duplicates", r.duplicates());
    answer.set("rejected", rejects);
    ctx.status(rejects.isEmpty() ? 200 : 207).contentType("application/json").result(answer.toString());
  }

  // ---------------------------------------------------------------- OTLP

  private byte[] rawBody(Context ctx) throws IOException {
    try (InputStream in = unzipped(ctx)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new ApiError(400, "cannot read the body: " + e.getMessage());
    }
  }

  /** The request's body as sent, unzipped when it says it is gzip. */
  private static InputStream unzipped(Context ctx) {
    try {
      return "gzip".equalsIgnoreCase(ctx.header("Content-Encoding")) ? new GZIPInputStream(ctx.bodyInputStream(), 1 << 16)
          : ctx.bodyInputStream();
    } catch (IOException e) {
      throw new ApiError(400, "cannot read the body: " + e.getMessage());
    }
  }

  private static boolean jsonContent(Context ctx) {
    String type = ctx.contentType();
    return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json");
  }

  /** OTLP/HTTP logs: Claude Code's api_request events become usage events of the token's person. */
  private void otlpLogs(Context ctx) throws IOException {
    Principal p = requireSender(ctx, "telemetry");
    boolean json = jsonContent(ctx);
    List<UsageEvent> events;
    try {
      events = dev.tally.sources.otel.OtlpLogs.events(dev.tally.sources.otel.OtlpLogs.parse(rawBody(ctx), json));
    } catch (dev.tally.sources.otel.OtlpLogs.BadPayload e) {
      throw new ApiError(400, e.getMessage());
    }
    record(p, events);
    accepted.increment(events.size());
    var answer = io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse.getDefaultInstance();
    if (json) {
      ctx.contentType("application/json").result("{}");
    } else {
      ctx.contentType("application/x-protobuf").result(answer.toByteArray());
    }
  }

  /**
   * OTLP/HTTP metrics: Claude Code's token and cost counters are kept as telemetry points and
   * compared with the per-request ledger ({@code GET /api/v1/reconciliation}); they never add to it.
   */
  private void otlpMetrics(Context ctx) throws IOException {
    Principal p = requireSender(ctx, "telemetry");
    boolean json = jsonContent(ctx);
    List<dev.tally.ledger.MetricPoint> points;
    try {
      points = dev.tally.sources.otel.OtlpMetrics.points(dev.tally.sources.otel.OtlpMetrics.parse(rawBody(ctx), json),
          agentIdentity(p));
    } catch (dev.tally.sources.otel.OtlpLogs.BadPayload e) {
      throw new ApiError(400, e.getMessage());
    }
    store.recordMetricPoints(points);
    if (json) {
      ctx.contentType("application/json").result("{}");
    } else {
      ctx.contentType("application/x-protobuf").result(new byte[0]);
    }
  }

  private void reconciliation(Context ctx) {
    requireAdmin(ctx);
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    int days = ctx.queryParamAsClass("days", Integer.class).getOrDefault(30);
    ArrayNode rows = JSON.createArrayNode();
    for (dev.tally.store.Reconciliation r : store.reconcile(today.minusDays(days - 1L).atStartOfDay(ZoneOffset.UTC).toInstant(),
        today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant())) {
      rows.addObject().put("day", r.day()).put("identity", r.identity()).put("model", r.model()).put("kind", r.kind())
          .put("reported", r.reported()).put("seen", r.seen()).put("remainder", r.remainder());
    }
    ObjectNode answer = JSON.createObjectNode().put("source", "otel-metrics");
    answer.set("rows", rows);
    // admin-API reports against metered traffic, per provider and UTC day (README, "Provider admin APIs")
    ArrayNode providers = answer.putArray("providers");
    for (var d : store.collectors().reconcile(today.minusDays(days - 1L).atStartOfDay(ZoneOffset.UTC).toInstant(),
        today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant())) {
      providers.addObject().put("day", d.day()).put("provider", d.provider())
          .put("reportedTokens", d.reportedTokens()).put("meteredTokens", d.meteredTokens())
          .put("differenceTokens", d.differenceTokens()).put("countedTokens", d.countedTokens())
          .put("reportedCost", Money.dollars(d.reportedCostMicros())).put("meteredCost", Money.dollars(d.meteredCostMicros()))
          .put("countedCost", Money.dollars(d.countedCostMicros()));
    }
    ctx.contentType("application/json").result(answer.toString());
  }

  // ---------------------------------------------------------------- collectors

  private static String time(java.time.Instant t) {
    return t == null ? null : t.toString();
  }

  private ObjectNode collectorsJson() {
    ObjectNode answer = JSON.createObjectNode();
    java.util.Map<String, dev.tally.store.CollectorStore.StateRow> states = new java.util.TreeMap<>();
    store.collectors().states().forEach(st -> states.put(st.provider(), st));
    List<String> enabled = collectors == null ? List.of() : collectors.providers();
    enabled.forEach(p -> states.putIfAbsent(p, new dev.tally.store.CollectorStore.StateRow(p, null, null, null, null, null)));
    answer.put("every", collectors == null ? null : collectors.every().toString());
    ArrayNode arr = answer.putArray("collectors");
    states.values().forEach(st -> {
      boolean on = enabled.contains(st.provider());
      ObjectNode n = arr.addObject().put("provider", st.provider()).put("enabled", on)
          .put("watermark", time(st.watermark())).put("lastRun", time(st.lastRun()))
          .put("lastSuccess", time(st.lastSuccess())).put("lastFailure", time(st.lastFailure()))
          .put("lastError", st.lastError())
          .put("nextRun", on ? time(collectors.nextRun()) : null);
      // the last run failed when its failure is newer than its last success (a tie: the success came after)
      n.put("ok", st.lastFailure() == null || st.lastSuccess() != null && !st.lastSuccess().isBefore(st.lastFailure()));
      ArrayNode notes = n.putArray("notes");
      if (on) {
        collectors.notes(st.provider()).forEach(notes::add);
      }
    });
    ArrayNode skipped = answer.putArray("skipped");
    if (collectors != null) {
      collectors.skipped().forEach(skipped::add);
    }
    return answer;
  }

  private void collectorStatus(Context ctx) {
    requireAdmin(ctx);
    ctx.contentType("application/json").result(collectorsJson().toString());
  }

  private void runCollectors(Context ctx) {
    requireAdmin(ctx);
    if (collectors == null) {
      throw new ApiError(409, "no provider admin key is configured on the server (ANTHROPIC_ADMIN_API_KEY, OPENAI_ADMIN_KEY, ...)");
    }
    ObjectNode answer = JSON.createObjectNode();
    ArrayNode runs = answer.putArray("runs");
    for (CollectorPolling.Outcome o : collectors.runNow()) {
      runs.addObject().put("provider", o.provider()).put("ok", o.ok()).put("error", o.error()).put("rows", o.rows())
          .put("seats", o.seats()).put("activity", o.activity());
    }
    answer.setAll(collectorsJson());
    ctx.contentType("application/json").result(answer.toString());
  }

  /** The model prices the server computes costs with, each with the layer it comes from (as {@code tally prices list --json}). */
  private void prices(Context ctx) {
    requireAdmin(ctx);
    dev.tally.pricing.PriceTable table = prices.get();
    Map<String, dev.tally.pricing.PriceLayer> layers = table.layers();
    ObjectNode answer = JSON.createObjectNode().put("priceVersion", table.version())
        .put("unit", "USD per million tokens; webSearch in USD per request");
    ArrayNode arr = answer.putArray("models");
    for (dev.tally.pricing.ModelPrice m : table.models()) {
      ObjectNode o = arr.addObject().put("key", m.key()).put("provider", m.provider())
          .put("layer", layers.get(m.key()).label());
      ArrayNode aliases = o.putArray("aliases");
      m.aliases().forEach(aliases::add);
      o.set("rates", ratesJson(m.effectiveRates()));
      if (m.longContext() != null) {
        ObjectNode t = o.putObject("longContext").put("threshold", m.longContext().threshold());
        t.set("rates", ratesJson(m.effectiveLongContextRates()));
      }
    }
    ctx.contentType("application/json").result(answer.toString());
  }

  private static ObjectNode ratesJson(dev.tally.pricing.Rates r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("input", r.input()).put("output", r.output()).put("cacheWrite5m", r.cacheWrite5m())
        .put("cacheWrite1h", r.cacheWrite1h()).put("cacheRead", r.cacheRead()).put("webSearch", r.webSearch());
    return n;
  }

  private void seats(Context ctx) {
    requireAdmin(ctx);
    ArrayNode arr = JSON.createArrayNode();
    for (var seat : store.collectors().seats()) {
      ObjectNode n = arr.addObject().put("provider", seat.provider()).put("identity", seat.identity())
          .put("plan", seat.plan()).put("lastActivity", time(seat.lastActivity())).put("seen", time(seat.seen()));
      n.put("active", seat.lastActivity() != null && seat.lastActivity().isAfter(clock.instant().minus(java.time.Duration.ofDays(30))));
      Long cost = seat.costMicros() != null ? seat.costMicros() : seatPrices.get(seat.provider());
      if (cost != null) {
        n.put("cost", Money.dollars(cost)); // per month
      }
      if (seat.cycleSpendMicros() != null) {
        n.put("cycleSpend", Money.dollars(seat.cycleSpendMicros()));
      }
    }
    ctx.contentType("application/json").result(arr.toString());
  }

  // ---------------------------------------------------------------- queries

  /** What a usage request asks for: its range, filters (already limited to what the caller may see) and cost mode. */
  record UsageRequest(Range range, LocalDate today, ZoneId zone, Filter filter, CostMode mode) {
    LocalDate end() {
      return range.until() != null ? range.until() : today;
    }
  }

  /** Reads range, tz, filter.DIM and mode the way {@code GET /api/v1/usage} takes them. */
  static UsageRequest usageRequest(Context ctx, Clock clock) {
    Principal p = requireReader(ctx);
    ZoneId zone = ctx.queryParam("tz") == null || ctx.queryParam("tz").isBlank() ? ZoneOffset.UTC : ZoneId.of(ctx.queryParam("tz"));
    LocalDate today = LocalDate.now(clock.withZone(zone));
    String range = ctx.queryParamAsClass("range", String.class).getOrDefault("30d");
    Range r = switch (range) {
      case "24h" -> Range.lastDays(1, today, zone);
      case "7d" -> Range.lastDays(7, today, zone);
      case "14d" -> Range.lastDays(14, today, zone);
      case "30d" -> Range.lastDays(30, today, zone);
      case "90d" -> Range.lastDays(90, today, zone);
      case "custom" -> new Range(LocalDate.parse(required(ctx, "from")), LocalDate.parse(required(ctx, "to")), zone);
      default -> throw new ApiError(400, "range must be 24h, 7d, 14d, 30d, 90d or custom (with from and to)");
    };
    Filter filter = Filter.NONE;
    for (Map.Entry<String, List<String>> q : ctx.queryParamMap().entrySet()) {
      if (q.getKey().startsWith("filter.")) {
        filter = filter.and(dimension(q.getKey().substring(7)), Set.copyOf(q.getValue()));
      }
    }
    CostMode mode = CostMode.parse(ctx.queryParamAsClass("mode", String.class).getOrDefault("auto"));
    return new UsageRequest(r, today, zone, scope(p, filter), mode);
  }

  private void usage(Context ctx) {
    UsageRequest req = usageRequest(ctx, clock);
    Range r = req.range();
    ZoneId zone = req.zone();
    LocalDate today = req.today();
    Filter filter = req.filter();
    CostMode mode = req.mode();
    List<Dimension> groupBy = new ArrayList<>();
    for (String g : ctx.queryParamAsClass("groupBy", String.class).getOrDefault("person").split(",")) {
      groupBy.add(dimension(g));
    }
    UsageQueries queries = new UsageQueries(store, clock, mode);
    int top = ctx.queryParamAsClass("top", Integer.class).getOrDefault(Integer.MAX_VALUE);
    boolean series = ctx.queryParamAsClass("series", Boolean.class).getOrDefault(true); // false: rows without dailyCost (smaller)
    ObjectNode answer = JSON.createObjectNode();
    answer.put("from", r.since().toString()).put("to", (r.until() != null ? r.until() : today).toString())
        .put("timezone", zone.getId());
    ArrayNode rows = answer.putArray("rows");
    // one read covers this period and the one just before it, for the change against it
    LocalDate end = r.until() != null ? r.until() : today;
    long days = java.time.temporal.ChronoUnit.DAYS.between(r.since(), end) + 1;
    LocalDate previousStart = r.since().minusDays(days);
    List<UsageQueries.Row> table = queries.table(new Range(previousStart, end, zone), filter, groupBy);
    record Line(UsageQueries.Row row, dev.tally.store.Totals now, long before) {}
    List<Line> lines = new ArrayList<>();
    for (UsageQueries.Row row : table) {
      dev.tally.store.Totals now = row.between(r.since(), end);
      if (!now.isEmpty()) {
        lines.add(new Line(row, now, mode.cost(row.between(previousStart, r.since().minusDays(1)))));
      }
    }
    lines.sort(java.util.Comparator.comparingLong((Line l) -> mode.cost(l.now())).reversed());
    for (Line line : lines.subList(0, Math.min(top, lines.size()))) {
      ObjectNode n = rows.addObject();
      for (int i = 0; i < groupBy.size(); i++) {
        n.put(groupBy.get(i).name().toLowerCase(Locale.ROOT), line.row().keys().get(i));
      }
      putTotals(n, line.now(), mode);
      n.put("previousCost", Money.dollars(line.before()));
      if (line.before() > 0) {
        n.put("costChange", (double) (mode.cost(line.now()) - line.before()) / line.before());
      } else {
        n.putNull("costChange");
      }
      if (!series) {
        continue;
      }
      ObjectNode spark = n.putObject("dailyCost");
      line.row().daily().forEach((day, t) -> {
        if (!day.isBefore(r.since())) {
          spark.put(day.toString(), Money.dollars(mode.cost(t)));
        }
      });
    }
    ctx.contentType("application/json").result(answer.toString());
  }

  /** What a role may see: members their own person, leads their teams. */
  static Filter scope(Principal p, Filter filter) {
    if (p.isAdmin()) {
      return filter;
    }
    if (p.role() == Role.LEAD) {
      if (p.teams().isEmpty()) {
        throw new ApiError(403, "this team lead leads no team yet");
      }
      return filter.restrict(Dimension.TEAM, p.teams());
    }
    if (p.personId() == null) {
      throw new ApiError(403, "this account is not linked to a person");
    }
    return filter.restrict(Dimension.PERSON, Set.of("person:" + p.personId()));
  }

  private static void putTotals(ObjectNode n, dev.tally.store.Totals t, CostMode mode) {
    var k = t.tokens();
    n.put("requests", t.events());
    n.put("inputTokens", k.input());
    n.put("outputTokens", k.output());
    n.put("cacheWriteTokens", k.cacheWrite());
    n.put("cacheReadTokens", k.cacheRead());
    n.put("totalTokens", k.total());
    long promptTokens = k.input() + k.cacheWrite() + k.cacheRead();
    n.put("cacheHitRatio", promptTokens == 0 ? 0 : (double) k.cacheRead() / promptTokens);
    n.put("cost", Money.dollars(mode.cost(t)));
    n.put("unpricedRequests", t.unpricedEvents());
  }

  static Dimension dimension(String name) {
    String n = name.trim().toUpperCase(Locale.ROOT);
    try {
      return Dimension.valueOf(n.equals("TAGS") ? "TAG" : n); // filter.tags reads as naturally as filter.tag
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "cannot group or filter by '" + name + "' (person, team, identity, key, provider, model, tool,"
          + " project, tag, session, source)");
    }
  }

  static String required(Context ctx, String param) {
    String v = ctx.queryParam(param);
    if (v == null || v.isBlank()) {
      throw new ApiError(400, param + " is required");
    }
    return v;
  }

  // ---------------------------------------------------------------- directory

  private ObjectNode me(Principal p) {
    ObjectNode n = JSON.createObjectNode().put("name", p.name()).put("role", p.role().wireName()).put("agent", p.ingestOnly());
    if (p.personId() != null) {
      n.put("person", "person:" + p.personId());
    }
    return n;
  }

  private ArrayNode people(Principal admin) {
    ArrayNode arr = JSON.createArrayNode();
    for (Person person : directory.people()) {
      arr.add(personJson(person));
    }
    return arr;
  }

  private static ObjectNode personJson(Person person) {
    ObjectNode n = JSON.createObjectNode().put("id", person.id()).put("key", person.key()).put("name", person.name());
    n.put("team", person.team());
    ArrayNode ids = n.putArray("identities");
    person.identities().forEach(ids::add);
    return n;
  }

  static JsonNode body(Context ctx) {
    try {
      JsonNode n = JSON.readTree(ctx.body());
      if (n == null || !n.isObject()) {
        throw new ApiError(400, "expected a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new ApiError(400, "body is not valid JSON");
    }
  }

  private void addPerson(Context ctx) {
    requireAdmin(ctx);
    JsonNode b = body(ctx);
    List<String> emails = new ArrayList<>();
    b.path("emails").forEach(e -> emails.add(e.asText()));
    String name = b.path("name").asText(emails.isEmpty() ? "" : emails.get(0));
    if (name.isBlank()) {
      throw new ApiError(400, "name (or at least one email) is required");
    }
    ctx.status(201).json(personJson(directory.addPerson(name, emails, b.path("team").asText(null))));
  }

  private void mapIdentity(Context ctx) {
    requireAdmin(ctx);
    long id = Long.parseLong(ctx.pathParam("id"));
    String identity = body(ctx).path("identity").asText("");
    if (identity.isBlank()) {
      throw new ApiError(400, "identity is required, e.g. \"email:dev@example.com\" or \"openai-user:user_abc\"");
    }
    directory.mapIdentity(identity, id);
    ctx.json(personJson(directory.person(id).orElseThrow()));
  }

  private void merge(Context ctx) {
    requireAdmin(ctx);
    JsonNode b = body(ctx);
    directory.merge(b.path("from").asLong(), b.path("into").asLong());
    ctx.json(personJson(directory.person(b.path("into").asLong()).orElseThrow()));
  }

  private void unmapIdentity(Context ctx) {
    requireAdmin(ctx);
    directory.unmapIdentity(ctx.pathParam("identity"));
    ctx.status(204);
  }

  private void createToken(Context ctx) {
    requireAdmin(ctx);
    JsonNode b = body(ctx);
    Directory.Scope scope = Directory.Scope.parse(b.path("scope").asText("agent"));
    Long person = b.hasNonNull("person") ? b.get("person").asLong() : null;
    Directory.NewToken t = directory.createToken(b.path("name").asText("token"), scope, person);
    ctx.status(201).json(JSON.createObjectNode().put("id", t.id()).put("token", t.secret())
        .put("note", "shown once: store it now"));
  }

  private void listTokens(Context ctx) {
    requireAdmin(ctx);
    ArrayNode arr = JSON.createArrayNode();
    directory.tokens().forEach(t -> {
      ObjectNode n = arr.addObject().put("id", t.id()).put("prefix", t.prefix() + "…").put("name", t.name())
          .put("scope", t.scope()).put("revoked", t.revokedMs() != null);
      if (t.personId() != null) {
        n.put("person", "person:" + t.personId());
      }
    });
    ctx.json(arr);
  }

  private void revokeToken(Context ctx) {
    requireAdmin(ctx);
    directory.revokeToken(Long.parseLong(ctx.pathParam("id")));
    ctx.status(204);
  }

  private void createUser(Context ctx) {
    requireAdmin(ctx);
    JsonNode b = body(ctx);
    Set<String> leads = new java.util.HashSet<>();
    b.path("leadOf").forEach(t -> leads.add(t.asText()));
    long id = directory.createUser(b.path("username").asText(), b.path("password").asText(),
        Role.parse(b.path("role").asText("member")), b.hasNonNull("person") ? b.get("person").asLong() : null, leads);
    ctx.status(201).json(JSON.createObjectNode().put("id", id));
  }

  // ---------------------------------------------------------------- invites

  /**
   * An admin invites someone to sign in: a person (an existing one by id, or a new one from name and
   * email), a role and a lead's teams. Answers the one-time token once; the link is {@code /#/invite/TOKEN}
   * (a fragment: browsers never send it to a server, so it stays out of access logs).
   */
  private void invite(Context ctx) {
    Principal admin = requireAdmin(ctx);
    JsonNode b = body(ctx);
    Role role = Role.parse(b.path("role").asText("member"));
    Long personId = b.hasNonNull("person") ? b.get("person").asLong() : null;
    String email = b.path("email").asText("").trim();
    String username = b.path("username").asText(personId == null ? email : "").trim();
    if (!username.isEmpty() && directory.userPrincipal(username).isPresent()) {
      throw new ApiError(400, "user '" + username + "' exists already");
    }
    if (personId == null && (b.hasNonNull("name") || !email.isEmpty())) {
      String name = b.path("name").asText(email).trim();
      if (name.isEmpty()) {
        throw new ApiError(400, "a new person needs a name or an email");
      }
      personId = directory.addPerson(name, email.isEmpty() ? List.of() : List.of(email), b.path("team").asText(null)).id();
    }
    if (username.isEmpty() && personId != null) {
      username = directory.person(personId).orElseThrow().identities().stream().filter(i -> i.startsWith("email:"))
          .map(i -> i.substring(6)).findFirst().orElse("");
    }
    if (username.isEmpty()) {
      throw new ApiError(400, "username is required (it defaults to the person's email, and this person has none)");
    }
    Set<String> leads = new java.util.TreeSet<>();
    b.path("leadOf").forEach(t -> {
      if (!t.asText().isBlank()) {
        leads.add(t.asText().trim());
      }
    });
    Directory.NewInvite invite = directory.invite(username, role, personId, leads, admin.name());
    ObjectNode answer = inviteJson(directory.openInvite(invite.token()));
    answer.put("token", invite.token()).put("path", "/#/invite/" + invite.token()).put("note", "shown once: send the link now");
    ctx.status(201).json(answer);
  }

  private ObjectNode inviteJson(dev.tally.store.DirectoryStore.InviteRow i) {
    ObjectNode n = JSON.createObjectNode().put("id", i.id()).put("username", i.username()).put("role", i.role())
        .put("status", directory.status(i).wireName()).put("invitedBy", i.createdBy())
        .put("created", time(java.time.Instant.ofEpochMilli(i.createdMs())))
        .put("expires", time(java.time.Instant.ofEpochMilli(i.expiresMs())));
    if (i.personId() != null) {
      n.put("person", "person:" + i.personId());
      directory.person(i.personId()).ifPresent(p -> n.put("name", p.name()));
    }
    ArrayNode teams = n.putArray("leadOf");
    i.leadOf().forEach(teams::add);
    return n;
  }

  /** Invites, newest first; {@code ?status=pending} for the ones still open. */
  private void listInvites(Context ctx) {
    requireAdmin(ctx);
    String status = ctx.queryParam("status");
    ArrayNode arr = JSON.createArrayNode();
    for (var i : directory.invites()) {
      if (status == null || directory.status(i).wireName().equals(status)) {
        arr.add(inviteJson(i));
      }
    }
    ctx.json(arr);
  }

  private void revokeInvite(Context ctx) {
    requireAdmin(ctx);
    directory.revokeInvite(Long.parseLong(ctx.pathParam("id")));
    ctx.status(204);
  }

  /** Whom an invite is for (for the set-your-password page), or 404 (unknown) or 410 (used, expired, revoked). */
  private void checkInvite(Context ctx) {
    var invite = openInvite(() -> directory.openInvite(body(ctx).path("token").asText("")));
    ObjectNode n = JSON.createObjectNode().put("username", invite.username()).put("role", invite.role())
        .put("expires", time(java.time.Instant.ofEpochMilli(invite.expiresMs())));
    if (invite.personId() != null) {
      directory.person(invite.personId()).ifPresent(p -> n.put("name", p.name()));
    }
    ctx.json(n);
  }

  /** Sets the invitee's password, uses the invite up and signs them in. */
  private void acceptInvite(Context ctx) {
    JsonNode b = body(ctx);
    String token = b.path("token").asText("");
    String password = b.path("password").asText("");
    // a dead link says so first; a password too short then gets Passwords' 400
    String username = openInvite(() -> directory.acceptInvite(token, password));
    Principal p = directory.userPrincipal(username).orElseThrow();
    signIn(ctx, username, p);
  }

  private static <T> T openInvite(java.util.function.Supplier<T> open) {
    try {
      return open.get();
    } catch (Directory.InviteUnusable e) {
      throw new ApiError(e.status() == null ? 404 : 410, e.getMessage());
    }
  }
}
