package dev.tally.surfaces.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.directory.Directory;
import dev.tally.directory.Role;
import dev.tally.ingest.EventJson;
import dev.tally.ledger.Cost;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API on a real server (port 0) with a real SQLite ledger, called as clients call it. */
class ServerTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;
  Store store;
  Server server;
  String base;
  String admin;
  final HttpClient http = HttpClient.newHttpClient();

  Store openStore() throws Exception {
    return SqliteStore.open(dir.resolve("tally.db"));
  }

  @BeforeEach
  void start() throws Exception {
    store = openStore();
    server = new Server(store, (p, m, t) -> new Cost(t.total(), "test", m), CLOCK, 4);
    server.directory().ensureAdmin("admin-password");
    admin = server.directory().createToken("ops", Directory.Scope.ADMIN, null).secret();
    base = "http://127.0.0.1:" + server.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  record Answer(int status, JsonNode body) {}

  Answer call(String method, String path, String auth, Object body, boolean gzip) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (auth != null) {
      b.header("Authorization", auth.contains(":") ? "Basic " + Base64.getEncoder().encodeToString(auth.getBytes(StandardCharsets.UTF_8))
          : "Bearer " + auth);
    }
    byte[] bytes = body == null ? new byte[0] : JSON.writeValueAsBytes(body);
    if (gzip) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      try (GZIPOutputStream z = new GZIPOutputStream(buf)) {
        z.write(bytes);
      }
      bytes = buf.toByteArray();
      b.header("Content-Encoding", "gzip");
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode parsed = r.body().isBlank() ? null : r.body().startsWith("{") || r.body().startsWith("[") ? JSON.readTree(r.body()) : null;
    return new Answer(r.statusCode(), parsed);
  }

  Answer call(String method, String path, String auth, Object body) throws Exception {
    return call(method, path, auth, body, false);
  }

  static ObjectNode batch(UsageEvent... events) {
    ObjectNode b = JSON.createObjectNode();
    ArrayNode arr = b.putArray("events");
    for (UsageEvent e : events) {
      arr.add(EventJson.toJson(e));
    }
    return b;
  }

  static UsageEvent event(String id, String identity, long output) {
    return new UsageEvent("anthropic:req:" + id, Instant.parse("2026-11-23T10:00:00Z"), Source.LOCAL_LOG, "anthropic",
        "claude-sonnet-4-5", "claude-code", identity, null, "app", "s1", id, "msg_" + id, false, Tokens.of(10, output, 0, 0, 0), null);
  }

  long personId(String name, String email, String team) throws Exception {
    ObjectNode p = JSON.createObjectNode().put("name", name).put("team", team);
    p.putArray("emails").add(email);
    Answer a = call("POST", "/api/v1/people", admin, p);
    assertThat(a.status()).isEqualTo(201);
    return a.body().get("id").asLong();
  }

  String agentToken(long person) {
    return server.directory().createToken("laptop-" + person, Directory.Scope.AGENT, person).secret();
  }

  double cost(JsonNode usage, String field, String value) {
    for (JsonNode r : usage.get("rows")) {
      if (r.get(field).asText().equals(value)) {
        return r.get("cost").asDouble();
      }
    }
    return 0;
  }

  @Test
  void anAdminWithoutAPersonIsNotSomebody() throws Exception {
    JsonNode me = call("GET", "/api/v1/me", "admin:admin-password", null).body();
    assertThat(me.get("role").asText()).isEqualTo("admin");
    assertThat(me.has("person")).isFalse();
  }

  @Test
  void healthAndReadinessAnswerWithoutCredentialsButTheApiDoesNot() throws Exception {
    assertThat(call("GET", "/healthz", null, null).status()).isEqualTo(200);
    assertThat(call("GET", "/readyz", null, null).status()).isEqualTo(200);
    Answer a = call("GET", "/api/v1/usage", null, null);
    assertThat(a.status()).isEqualTo(401);
    assertThat(a.body().get("error").asText()).contains("missing credentials");
    assertThat(call("GET", "/api/v1/usage", "tly_nope", null).status()).isEqualTo(401);
  }

  @Test
  void theSameBatchTwiceIsStoredOnceAndGzipIsAccepted() throws Exception {
    ObjectNode b = batch(event("r1", "email:dev@x.com", 100), event("r2", "email:dev@x.com", 50));
    Answer first = call("POST", "/api/v1/events", admin, b, true);
    assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(200);
    assertThat(first.body().get("accepted").asLong()).isEqualTo(2);
    Answer again = call("POST", "/api/v1/events", admin, b);
    assertThat(again.body().get("accepted").asLong()).isZero();
    assertThat(again.body().get("duplicates").asLong()).isEqualTo(2);
    assertThat(store.eventCount()).isEqualTo(2);
  }

  @Test
  void badItemsAreRejectedWithAReasonAndTheRestIsStored() throws Exception {
    ObjectNode b = batch(event("ok1", "email:dev@x.com", 1));
    ((ArrayNode) b.get("events")).addObject().put("dedupKey", "x").put("timestamp", "yesterday");
    ObjectNode negative = EventJson.toJson(event("neg", null, 1));
    ((ObjectNode) negative.get("tokens")).put("output", -5);
    ((ArrayNode) b.get("events")).add(negative);
    Answer a = call("POST", "/api/v1/events", admin, b);
    assertThat(a.status()).isEqualTo(207);
    assertThat(a.body().get("accepted").asLong()).isEqualTo(1);
    assertThat(a.body().get("rejected")).hasSize(2);
    assertThat(a.body().get("rejected").get(0).get("index").asInt()).isEqualTo(1);
    assertThat(a.body().get("rejected").get(0).get("reason").asText()).contains("timestamp 'yesterday'");
    assertThat(a.body().get("rejected").get(1).get("reason").asText()).contains("tokens.output");
  }

  @Test
  void malformedAndOversizedBodiesAreRefusedWithTheReason() throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/api/v1/events")).header("Authorization", "Bearer " + admin)
        .POST(HttpRequest.BodyPublishers.ofString("{\"events\": [")).build();
    HttpResponse<String> bad = http.send(r, HttpResponse.BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("not valid JSON");
    UsageEvent[] many = new UsageEvent[Server.MAX_BATCH + 1];
    for (int i = 0; i < many.length; i++) {
      many[i] = event("m" + i, null, 1);
    }
    Answer big = call("POST", "/api/v1/events", admin, batch(many), true);
    assertThat(big.status()).isEqualTo(413);
    assertThat(big.body().get("error").asText()).contains("10001").contains("10000");
    assertThat(store.eventCount()).isZero();
  }

  @Test
  void anAgentTokenWritesOnlyForItsOwnPersonAndCannotRead() throws Exception {
    long alice = personId("Alice", "alice@x.com", "web");
    long bob = personId("Bob", "bob@x.com", "api");
    String aliceAgent = agentToken(alice);
    // the agent claims to be Bob: it is recorded as Alice
    assertThat(call("POST", "/api/v1/events", aliceAgent, batch(event("a1", "email:bob@x.com", 100))).status()).isEqualTo(200);
    Answer usage = call("GET", "/api/v1/usage?range=7d&groupBy=person", admin, null);
    assertThat(cost(usage.body(), "person", "person:" + alice)).isEqualTo(110e-6);
    assertThat(cost(usage.body(), "person", "person:" + bob)).isZero();
    assertThat(call("GET", "/api/v1/usage", aliceAgent, null).status()).isEqualTo(403);
    assertThat(call("GET", "/api/v1/people", aliceAgent, null).status()).isEqualTo(403);
  }

  @Test
  void membersSeeOnlyThemselvesAndLeadsOnlyTheirTeams() throws Exception {
    long alice = personId("Alice", "alice@x.com", "web");
    long bob = personId("Bob", "bob@x.com", "api");
    call("POST", "/api/v1/events", admin, batch(event("a", "email:alice@x.com", 100), event("b", "email:BOB@x.com", 200)));
    server.directory().createUser("alice", "alice-password", Role.MEMBER, alice, Set.of());
    server.directory().createUser("lead-api", "lead-password", Role.LEAD, null, Set.of("api"));

    JsonNode mine = call("GET", "/api/v1/usage?range=7d&groupBy=person", "alice:alice-password", null).body();
    assertThat(mine.get("rows")).hasSize(1);
    assertThat(mine.get("rows").get(0).get("person").asText()).isEqualTo("person:" + alice);
    // asking for Bob explicitly still gives nothing
    JsonNode sneaky = call("GET", "/api/v1/usage?range=7d&groupBy=person&filter.person=person:" + bob, "alice:alice-password", null).body();
    assertThat(sneaky.get("rows")).isEmpty();

    JsonNode team = call("GET", "/api/v1/usage?range=7d&groupBy=team,person", "lead-api:lead-password", null).body();
    assertThat(team.get("rows")).hasSize(1);
    assertThat(team.get("rows").get(0).get("person").asText()).isEqualTo("person:" + bob);
    assertThat(call("GET", "/api/v1/people", "lead-api:lead-password", null).status()).isEqualTo(403);
    assertThat(call("GET", "/api/v1/usage", "alice:wrong-password", null).status()).isEqualTo(401);
  }

  @Test
  void mappingAnIdentityLaterReattributesHistoryWithoutRewritingEvents() throws Exception {
    call("POST", "/api/v1/events", admin, batch(event("o1", "openai-user:user_42", 100)));
    JsonNode before = call("GET", "/api/v1/usage?range=7d&groupBy=person", admin, null).body();
    assertThat(before.get("rows").get(0).get("person").asText()).isEqualTo("openai-user:user_42");
    long carol = personId("Carol", "carol@x.com", "web");
    ObjectNode map = JSON.createObjectNode().put("identity", "openai-user:user_42");
    assertThat(call("POST", "/api/v1/people/" + carol + "/identities", admin, map).status()).isEqualTo(200);
    JsonNode after = call("GET", "/api/v1/usage?range=7d&groupBy=person,team", admin, null).body();
    assertThat(after.get("rows").get(0).get("person").asText()).isEqualTo("person:" + carol);
    assertThat(after.get("rows").get(0).get("team").asText()).isEqualTo("web");
    // splitting it off again shows the raw identity
    call("DELETE", "/api/v1/identities/openai-user:user_42", admin, null);
    JsonNode split = call("GET", "/api/v1/usage?range=7d&groupBy=person", admin, null).body();
    assertThat(split.get("rows").get(0).get("person").asText()).isEqualTo("openai-user:user_42");
  }

  @Test
  void emailsMergeCaseInsensitivelyIntoOnePerson() throws Exception {
    long dana = personId("Dana", "dana@x.com", null);
    ObjectNode p = JSON.createObjectNode().put("name", "Dana W.");
    p.putArray("emails").add("DANA@X.COM").add("dana@home.net");
    Answer a = call("POST", "/api/v1/people", admin, p);
    assertThat(a.body().get("id").asLong()).isEqualTo(dana);
    assertThat(a.body().get("identities")).extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("email:dana@x.com", "email:dana@home.net");
  }

  @Test
  void aRevokedTokenStopsWorkingAtOnce() throws Exception {
    long erin = personId("Erin", "erin@x.com", null);
    Directory.NewToken t = server.directory().createToken("ci", Directory.Scope.AGENT, erin);
    assertThat(call("POST", "/api/v1/events", t.secret(), batch(event("e1", null, 1))).status()).isEqualTo(200);
    assertThat(call("DELETE", "/api/v1/tokens/" + t.id(), admin, null).status()).isEqualTo(204);
    assertThat(call("POST", "/api/v1/events", t.secret(), batch(event("e2", null, 1))).status()).isEqualTo(401);
    JsonNode list = call("GET", "/api/v1/tokens", admin, null).body();
    assertThat(list.toString()).doesNotContain(t.secret());
  }

  @Test
  void metricsCountAcceptedEvents() throws Exception {
    call("POST", "/api/v1/events", admin, batch(event("x1", null, 1), event("x2", null, 1)));
    HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(m.body()).contains("tally_ingest_events_total{result=\"accepted\"} 2.0");
  }

  HttpResponse<byte[]> otlp(String token, byte[] body, String type) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + "/v1/logs")).header("Authorization", "Bearer " + token)
        .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void claudeCodeTelemetryLandsOnTheTokensPersonAndMergesWithTheTranscriptsCopy() throws Exception {
    long devId = personId("Dev", "dev@example.com", "web");
    String agent = agentToken(devId);
    var payload = dev.tally.sources.otel.OtlpLogsTest.claudeCodePayload();
    assertThat(otlp(agent, payload.toByteArray(), "application/x-protobuf").statusCode()).isEqualTo(200);
    // the same payload as JSON again: nothing new
    String json = com.google.protobuf.util.JsonFormat.printer().print(payload);
    assertThat(otlp(agent, json.getBytes(StandardCharsets.UTF_8), "application/json").statusCode()).isEqualTo(200);
    // and the same request from the local transcript: still one request
    UsageEvent fromLog = new UsageEvent("anthropic:req:req_011444941e38286446691b5b9b4768b1fa9",
        Instant.parse("2026-11-23T17:46:27.366Z"), Source.LOCAL_LOG, "anthropic", "claude-sonnet-4-5", "claude-code", null, null,
        "api", "57a3d6dd", "req_011444941e38286446691b5b9b4768b1fa9", "msg_010d", false, Tokens.of(211, 1276, 2288, 0, 18535), null);
    call("POST", "/api/v1/events", agent, batch(fromLog));
    JsonNode usage = call("GET", "/api/v1/usage?range=7d&groupBy=person,model", admin, null).body();
    assertThat(usage.get("rows")).hasSize(2);
    for (JsonNode r : usage.get("rows")) {
      assertThat(r.get("person").asText()).isEqualTo("person:" + devId);
      assertThat(r.get("requests").asLong()).isEqualTo(1);
    }
    assertThat(otlp(agent, "not protobuf".getBytes(StandardCharsets.UTF_8), "application/x-protobuf").statusCode()).isEqualTo(400);
    assertThat(otlp("tly_wrong", payload.toByteArray(), "application/x-protobuf").statusCode()).isEqualTo(401);
  }

  @Test
  void everyRouteChecksWhoIsAsking() throws Exception {
    long alice = personId("Alice", "alice@x.com", "web");
    server.directory().createUser("alice", "alice-password", Role.MEMBER, alice, Set.of());
    server.directory().createUser("lead", "lead-password", Role.LEAD, null, Set.of("web"));
    String agent = agentToken(alice);
    String reader = server.directory().createToken("dash", Directory.Scope.READ, alice).secret();
    ObjectNode person = JSON.createObjectNode().put("name", "X");
    ObjectNode identity = JSON.createObjectNode().put("identity", "email:z@x.com");
    ObjectNode merge = JSON.createObjectNode().put("from", alice).put("into", alice);
    ObjectNode token = JSON.createObjectNode().put("name", "t").put("scope", "agent").put("person", alice);
    ObjectNode user = JSON.createObjectNode().put("username", "u").put("password", "password-1").put("role", "member");
    record Route(String method, String path, Object body) {}
    List<Route> adminOnly = List.of(new Route("GET", "/api/v1/people", null), new Route("POST", "/api/v1/people", person),
        new Route("POST", "/api/v1/people/" + alice + "/identities", identity), new Route("POST", "/api/v1/people/merge", merge),
        new Route("DELETE", "/api/v1/identities/email:alice@x.com", null), new Route("POST", "/api/v1/tokens", token),
        new Route("GET", "/api/v1/tokens", null), new Route("DELETE", "/api/v1/tokens/1", null),
        new Route("POST", "/api/v1/users", user));
    for (String who : List.of(agent, reader, "alice:alice-password", "lead:lead-password")) {
      for (Route r : adminOnly) {
        assertThat(call(r.method(), r.path(), who, r.body()).status()).as(r.method() + " " + r.path() + " as " + who).isEqualTo(403);
      }
      assertThat(call("GET", "/api/v1/people", null, null).status()).isEqualTo(401);
    }
    // reading usage: everyone but agents; sending events: agents and admins only
    for (String who : List.of(reader, "alice:alice-password", "lead:lead-password", admin)) {
      assertThat(call("GET", "/api/v1/usage", who, null).status()).as("usage as " + who).isEqualTo(200);
    }
    assertThat(call("GET", "/api/v1/usage", agent, null).status()).isEqualTo(403);
    for (String who : List.of(reader, "alice:alice-password", "lead:lead-password")) {
      assertThat(call("POST", "/api/v1/events", who, batch(event("z", null, 1))).status()).as("events as " + who).isEqualTo(403);
      assertThat(otlp(who.contains(":") ? reader : who, new byte[0], "application/x-protobuf").statusCode()).isEqualTo(403);
    }
  }

  @Test
  void eachRowComparesWithThePreviousPeriod() throws Exception {
    UsageEvent lastWeek = new UsageEvent("anthropic:req:old", Instant.parse("2026-11-14T10:00:00Z"), Source.LOCAL_LOG,
        "anthropic", "claude-sonnet-4-5", "claude-code", "email:dev@x.com", null, "app", "s0", "old", null, false,
        Tokens.of(10, 90, 0, 0, 0), null);
    call("POST", "/api/v1/events", admin, batch(lastWeek, event("new", "email:dev@x.com", 190)));
    JsonNode row = call("GET", "/api/v1/usage?range=7d&groupBy=model", admin, null).body().get("rows").get(0);
    assertThat(row.get("cost").asDouble()).isEqualTo(200e-6);
    assertThat(row.get("previousCost").asDouble()).isEqualTo(100e-6);
    assertThat(row.get("costChange").asDouble()).isEqualTo(1.0);
  }

  @Test
  void aBrowserSessionIsAnHttpOnlyCookieAndChangesNeedTheCsrfToken() throws Exception {
    HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/login"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"admin-password\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(login.statusCode()).isEqualTo(200);
    String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    String csrf = JSON.readTree(login.body()).get("csrfToken").asText();
    HttpRequest.Builder read = HttpRequest.newBuilder(URI.create(base + "/api/v1/people")).header("Cookie", cookie);
    assertThat(http.send(read.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    String body = "{\"name\":\"Fay\",\"emails\":[\"fay@x.com\"]}";
    HttpResponse<String> noCsrf = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/people")).header("Cookie", cookie)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(noCsrf.statusCode()).isEqualTo(403);
    assertThat(noCsrf.body()).contains("X-CSRF-Token");
    HttpResponse<String> withCsrf = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/people")).header("Cookie", cookie)
        .header("X-CSRF-Token", csrf).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(withCsrf.statusCode()).isEqualTo(201);
    assertThat(call("POST", "/api/v1/login", null, JSON.createObjectNode().put("username", "admin").put("password", "nope")).status())
        .isEqualTo(401);
  }

  static io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest tokenCounter(long start, long end, long value,
      boolean cumulative) {
    var point = io.opentelemetry.proto.metrics.v1.NumberDataPoint.newBuilder()
        .setStartTimeUnixNano(start * 1_000_000).setTimeUnixNano(end * 1_000_000).setAsDouble(value)
        .addAttributes(dev.tally.sources.otel.OtlpLogsTest.kv("type", "output"))
        .addAttributes(dev.tally.sources.otel.OtlpLogsTest.kv("model", "claude-sonnet-4-5"))
        .addAttributes(dev.tally.sources.otel.OtlpLogsTest.kv("session.id", "s9"));
    var metric = io.opentelemetry.proto.metrics.v1.Metric.newBuilder().setName("claude_code.token.usage").setUnit("tokens")
        .setSum(io.opentelemetry.proto.metrics.v1.Sum.newBuilder().setIsMonotonic(true)
            .setAggregationTemporality(cumulative
                ? io.opentelemetry.proto.metrics.v1.AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
                : io.opentelemetry.proto.metrics.v1.AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
            .addDataPoints(point));
    return io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(io.opentelemetry.proto.metrics.v1.ResourceMetrics.newBuilder()
            .addScopeMetrics(io.opentelemetry.proto.metrics.v1.ScopeMetrics.newBuilder().addMetrics(metric))).build();
  }

  @Test
  void tokenCountersAreReconciledAgainstRequestsNotAddedToThem() throws Exception {
    long devId = personId("Dev", "dev@example.com", "web");
    String agent = agentToken(devId);
    long t0 = Instant.parse("2026-11-23T10:00:00Z").toEpochMilli();
    for (var payload : List.of(tokenCounter(t0, t0 + 60_000, 100, true), tokenCounter(t0, t0 + 120_000, 250, true),
        tokenCounter(t0, t0 + 60_000, 100, true))) { // the last one is a retried export
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/metrics")).header("Authorization", "Bearer " + agent)
          .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(payload.toByteArray())).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).isEqualTo(200);
    }
    // the requests themselves were seen for 200 of the 250 output tokens
    call("POST", "/api/v1/events", agent, batch(event("m1", null, 120), event("m2", null, 80)));
    JsonNode rows = call("GET", "/api/v1/reconciliation?days=7", admin, null).body().get("rows");
    assertThat(rows).singleElement().satisfies(r -> {
      assertThat(r.get("kind").asText()).isEqualTo("output");
      assertThat(r.get("reported").asLong()).isEqualTo(250);
      assertThat(r.get("seen").asLong()).isEqualTo(200);
      assertThat(r.get("remainder").asLong()).isEqualTo(50);
    });
    // the ledger itself only holds the requests
    JsonNode usage = call("GET", "/api/v1/usage?range=7d&groupBy=person", admin, null).body();
    assertThat(usage.get("rows").get(0).get("outputTokens").asLong()).isEqualTo(200);
    assertThat(call("GET", "/api/v1/reconciliation", agent, null).status()).isEqualTo(403);
  }
}
