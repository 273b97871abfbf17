package dev.tally.surfaces.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.TallyHome;
import dev.tally.directory.Directory;
import dev.tally.directory.Role;
import dev.tally.ingest.EventJson;
import dev.tally.ingest.Pricer;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import dev.tally.pricing.PriceTables;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A real server on SQLite with the gateway, seeded with 60 days of realistic usage: twelve people
 * in four teams (one joined last week), an unmapped OpenAI account, several tools, models,
 * projects and sources, gateway keys, a provider credential and budgets. Logins: admin /
 * admin-password, lead (leads "platform") / lead-password, alice (member, team "web") / alice-password.
 */
final class DashboardFixture implements AutoCloseable {
  /** Request tags as the gateway records them (from x-tally-tags and Helicone properties); some requests have none. */
  static final List<List<String>> TAGS = List.of(List.of(), List.of("feature:search"), List.of("feature:search", "env:prod"),
      List.of("env:prod"), List.of("incident-4711"));
  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant NOW = Instant.parse("2026-11-24T16:00:00Z");

  record Who(String name, String email, String team, double intensity, int firstDay) {}

  static final List<Who> PEOPLE = List.of(
      new Who("Alice Chen", "alice@acme.dev", "web", 1.0, 60),
      new Who("Bob Okafor", "bob@acme.dev", "platform", 1.6, 60),
      new Who("Carla Ruiz", "carla@acme.dev", "platform", 0.8, 60),
      new Who("Dev Patel", "dev@acme.dev", "data", 1.2, 60),
      new Who("Emma Schmidt", "emma@acme.dev", "web", 0.6, 60),
      new Who("Farid Haddad", "farid@acme.dev", "mobile", 0.9, 60),
      new Who("Grace Kim", "grace@acme.dev", "data", 2.2, 60),
      new Who("Hiro Tanaka", "hiro@acme.dev", "platform", 0.5, 45),
      new Who("Ines Moreau", "ines@acme.dev", "web", 0.7, 60),
      new Who("Jonas Berg", "jonas@acme.dev", "mobile", 0.4, 60),
      new Who("Kemi Adeyemi", "kemi@acme.dev", "data", 1.1, 60),
      new Who("Liam O'Brien", "liam@acme.dev", "platform", 1.3, 6));

  record Tool(String tool, String provider, String[] models, Source source) {}

  static final List<Tool> TOOLS = List.of(
      new Tool("claude-code", "anthropic", new String[] {"claude-sonnet-4-5", "claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5"}, Source.LOCAL_LOG),
      new Tool("codex", "openai", new String[] {"gpt-5-codex", "gpt-5", "gpt-5-mini"}, Source.LOCAL_LOG),
      new Tool("cursor", "openai", new String[] {"gpt-4.1", "claude-sonnet-4-5"}, Source.ADMIN_API),
      new Tool("gemini-cli", "google", new String[] {"gemini-2.5-pro"}, Source.LOCAL_LOG),
      new Tool("aider", "openai", new String[] {"gpt-4.1-mini", "gpt-4.1"}, Source.GATEWAY));

  static final String[] PROJECTS = {"checkout", "search-api", "mobile-app", "data-pipeline", "infra", "docs-site"};

  final Store store;
  final Server server;
  final String base;
  final String adminToken;
  /** The upstream the gateway forwards to, and a gateway key of Alice's (for live mode through the gateway). */
  final dev.tally.sources.gateway.FakeProvider upstream = new dev.tally.sources.gateway.FakeProvider();
  String aliceGatewayKey;
  final HttpClient http = HttpClient.newHttpClient();
  final List<Long> personIds = new ArrayList<>();
  long events;

  DashboardFixture(Path dir) throws Exception {
    store = SqliteStore.open(dir.resolve("tally.db"));
    // the user's price overrides: an internal model, and Gemini 2.5 Pro at a negotiated rate
    TallyHome home = new TallyHome(dir.resolve("data"), dir.resolve("config"));
    Files.createDirectories(dir.resolve("config"));
    Files.writeString(PriceTables.overridesFile(home), """
        {"version": "acme-1", "models": {
          "gemini-2.5-pro": {"provider": "google", "input": "1.00", "output": "8.00", "cacheRead": "0.25"},
          "acme-coder-1": {"provider": "acme", "input": "0.40", "output": "1.60"}}}
        """);
    Pricer pricer = PriceTables.load(home)::price;
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    server = new Server(store, pricer, clock, 4).withGateway(dir.resolve("gateway"), null, true)
        .withPriceTable(() -> PriceTables.load(home));
    server.directory().ensureAdmin("admin-password");
    adminToken = server.directory().createToken("seed", Directory.Scope.ADMIN, null).secret();
    base = "http://127.0.0.1:" + server.start("127.0.0.1", 0);
    seed();
  }

  JsonNode call(String method, String path, Object body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + adminToken)
        .timeout(Duration.ofSeconds(60));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
    }
    return r.body().isBlank() ? null : JSON.readTree(r.body());
  }

  private void seed() throws Exception {
    for (Who w : PEOPLE) {
      ObjectNode p = JSON.createObjectNode().put("name", w.name()).put("team", w.team());
      p.putArray("emails").add(w.email());
      personIds.add(call("POST", "/api/v1/people", p).get("id").asLong());
    }
    server.directory().createUser("lead", "lead-password", Role.LEAD, personIds.get(1), Set.of("platform"));
    server.directory().createUser("alice", "alice-password", Role.MEMBER, personIds.get(0), Set.of());

    // gateway keys (their usage comes through the gateway source below) and a provider credential
    List<String> keyIds = new ArrayList<>();
    for (String[] k : new String[][] {{"alice-laptop", "alice@acme.dev", "checkout"}, {"bob-laptop", "bob@acme.dev", "infra"},
        {"grace-notebook", "grace@acme.dev", "data-pipeline"}}) {
      ObjectNode spec = JSON.createObjectNode().put("name", k[0]).put("email", k[1]).put("project", k[2]);
      JsonNode created = call("POST", "/api/v1/keys", spec);
      keyIds.add(created.get("id").asText());
      if (aliceGatewayKey == null) {
        aliceGatewayKey = created.get("secret").asText();
      }
    }
    ObjectNode ci = JSON.createObjectNode().put("name", "ci-runner-checkout").put("team", "web").put("project", "checkout").put("rpm", 120);
    ci.putArray("tags").add("ci");
    call("POST", "/api/v1/keys", ci);
    call("POST", "/api/v1/providers", JSON.createObjectNode().put("name", "anthropic").put("provider", "anthropic")
        .put("baseUrl", upstream.anthropicBase()).put("key", dev.tally.sources.gateway.FakeProvider.ANTHROPIC_KEY));
    call("POST", "/api/v1/providers", JSON.createObjectNode().put("name", "openai").put("provider", "openai")
        .put("key", "sk-proj-demo-key-not-real-9Lm4"));
    call("POST", "/api/v1/budgets", JSON.createObjectNode().put("scope", "team").put("target", "platform").put("period", "monthly")
        .put("usd", "1500").put("hard", false));
    call("POST", "/api/v1/budgets", JSON.createObjectNode().put("scope", "person").put("target", Long.toString(personIds.get(6)))
        .put("period", "monthly").put("usd", "36").put("hard", true));
    call("POST", "/api/v1/budgets", JSON.createObjectNode().put("scope", "org").put("period", "monthly").put("usd", "5000"));

    // provider admin-API collectors: Anthropic's polls fine, OpenAI's key was revoked after its last good run
    store.collectors().recordSuccess("anthropic", NOW.minus(Duration.ofMinutes(12)), NOW.minus(Duration.ofHours(1)));
    store.collectors().recordSuccess("openai", NOW.minus(Duration.ofHours(3)), NOW.minus(Duration.ofHours(4)));
    store.collectors().recordFailure("openai", NOW.minus(Duration.ofMinutes(14)), "401 Unauthorized: the admin key was revoked");

    Random rnd = new Random(42);
    List<UsageEvent> batch = new ArrayList<>();
    for (int day = 59; day >= 0; day--) {
      Instant midnight = NOW.truncatedTo(java.time.temporal.ChronoUnit.DAYS).minus(Duration.ofDays(day));
      int weekday = midnight.atZone(ZoneOffset.UTC).getDayOfWeek().getValue();
      for (int i = 0; i < PEOPLE.size(); i++) {
        Who w = PEOPLE.get(i);
        if (day >= w.firstDay() || (weekday >= 6 && rnd.nextDouble() < 0.8) || rnd.nextDouble() < 0.08) {
          continue;
        }
        // ramps up over the 60 days so the current period is busier than the previous one
        double growth = 0.7 + 0.6 * (59 - day) / 59.0;
        int requests = (int) Math.round(w.intensity() * growth * (14 + rnd.nextInt(36)));
        String session = "s-" + i + "-" + day + "-" + rnd.nextInt(1000);
        for (int r = 0; r < requests; r++) {
          Tool t = TOOLS.get(Math.floorMod(i + (rnd.nextDouble() < 0.7 ? 0 : rnd.nextInt(TOOLS.size())), TOOLS.size()));
          String model = t.models()[rnd.nextInt(t.models().length)];
          Instant ts = midnight.plus(Duration.ofMinutes(8 * 60 + rnd.nextInt(10 * 60))).plusSeconds(rnd.nextInt(60));
          if (day == 0 && ts.isAfter(NOW)) {
            ts = NOW.minusSeconds(60 + rnd.nextInt(6 * 3600));
          }
          boolean gateway = t.source() == Source.GATEWAY && i % 4 == 0;
          String key = i == 0 ? keyIds.get(0) : i == 1 ? keyIds.get(1) : i == 6 ? keyIds.get(2) : null;
          Source source = key != null && rnd.nextDouble() < 0.3 ? Source.GATEWAY : gateway ? Source.GATEWAY : t.source();
          long input = 400 + rnd.nextInt(6000);
          long output = 150 + rnd.nextInt(2500);
          long cacheRead = t.provider().equals("anthropic") ? 20_000 + rnd.nextInt(120_000) : rnd.nextInt(20_000);
          long cacheWrite = t.provider().equals("anthropic") ? rnd.nextInt(12_000) : 0;
          String id = "seed-" + i + "-" + day + "-" + r;
          batch.add(new UsageEvent(t.provider() + ":req:" + id, ts, source, t.provider(), model, t.tool(), "email:" + w.email(),
              source == Source.GATEWAY ? key : null, PROJECTS[Math.floorMod(i + rnd.nextInt(2), PROJECTS.length)], session, id,
              "msg_" + id, false, Tokens.of(input, output, cacheWrite, 0, cacheRead), null)
              .withTags(TAGS.get(Math.floorMod(r + i, TAGS.size()))));
        }
      }
      // an OpenAI account nobody has claimed yet
      if (day % 3 == 0) {
        String id = "unmapped-" + day;
        batch.add(new UsageEvent("openai:req:" + id, midnight.plus(Duration.ofHours(11)), Source.ADMIN_API, "openai", "gpt-4.1",
            "openai-api", "openai-user:user_9f2KQ", null, "search-api", null, id, null, false,
            Tokens.of(3_000, 900, 0, 0, 0), null));
      }
    }
    // Alice is in a Claude Code session right now: an active 5-hour block with a burn rate
    for (int m = 0; m < 12; m++) {
      String id = "active-" + m;
      batch.add(new UsageEvent("anthropic:req:" + id, NOW.minus(Duration.ofMinutes(130 - m * 10)), Source.LOCAL_LOG, "anthropic",
          "claude-sonnet-4-5", "claude-code", "email:alice@acme.dev", null, "checkout", "s-active", id, "msg_" + id, false,
          Tokens.of(2_000 + m * 100, 900, 4_000, 0, 60_000), null));
    }
    for (int from = 0; from < batch.size(); from += 5_000) {
      ObjectNode body = JSON.createObjectNode();
      ArrayNode arr = body.putArray("events");
      batch.subList(from, Math.min(from + 5_000, batch.size())).forEach(e -> arr.add(EventJson.toJson(e)));
      call("POST", "/api/v1/events", body);
    }
    events = batch.size();
  }

  /** Runs the seeded server until killed, to look at the dashboard by hand: prints its URL and an admin token. */
  public static void main(String[] args) throws Exception {
    DashboardFixture f = new DashboardFixture(Files.createTempDirectory("tally-dashboard"));
    System.out.println(f.base + " " + f.adminToken + " events=" + f.events);
    Thread.sleep(Long.MAX_VALUE);
  }

  @Override
  public void close() {
    server.close();
    store.close();
    upstream.close();
  }
}
