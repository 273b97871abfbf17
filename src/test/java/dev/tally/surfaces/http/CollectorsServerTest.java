package dev.tally.surfaces.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.directory.Directory;
import dev.tally.ingest.EventJson;
import dev.tally.ledger.Cost;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import dev.tally.sources.collectors.ApiClient;
import dev.tally.sources.collectors.FakeApi;
import dev.tally.sources.collectors.FakeTeam;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tally serve} with the five fake providers configured: polling, status and precedence. */
class CollectorsServerTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  final FakeTeam team = new FakeTeam();
  final List<Duration> waits = java.util.Collections.synchronizedList(new ArrayList<>());
  Store store;
  Server server;
  String base;
  String admin;
  final HttpClient http = HttpClient.newHttpClient();

  /** A new, empty ledger (PostgreSQL in {@link PostgresCollectorsServerTest}). */
  Store openStore(String name) throws Exception {
    return SqliteStore.open(dir.resolve(name + ".db"));
  }

  @BeforeEach
  void start() throws Exception {
    store = openStore("tally");
    startServer(team.env());
  }

  void startServer(Map<String, String> env) {
    // one micro-dollar per token: costs are easy to follow
    server = new Server(store, (p, m, t) -> new Cost(t.total(), "test", m), FakeTeam.CLOCK, 4)
        .withCollectors(env, Duration.ZERO, waits::add,
            new ApiClient.Policy(3, Duration.ofSeconds(1), Duration.ofSeconds(120), Duration.ofSeconds(10)));
    admin = server.directory().createToken("ops", Directory.Scope.ADMIN, null).secret();
    base = "http://127.0.0.1:" + server.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
    team.close();
  }

  JsonNode call(String method, String path, Object body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + admin)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    return JSON.readTree(r.body());
  }

  JsonNode poll() throws Exception {
    return call("POST", "/api/v1/collectors/run", null);
  }

  /** Ledger totals per "identity|tool" over the fixture's days, through the query API. */
  Map<String, Long> ledger() throws Exception {
    Map<String, Long> m = new HashMap<>();
    for (JsonNode r : call("GET", "/api/v1/usage?range=custom&from=2026-09-01&to=2026-09-04&groupBy=identity,tool", null).path("rows")) {
      m.merge(r.path("identity").asText() + "|" + r.path("tool").asText(), r.path("totalTokens").asLong(), Long::sum);
    }
    return m;
  }

  Map<String, JsonNode> status() throws Exception {
    Map<String, JsonNode> m = new HashMap<>();
    call("GET", "/api/v1/collectors", null).path("collectors").forEach(c -> m.put(c.path("provider").asText(), c));
    return m;
  }

  int providerRequests() {
    return team.anthropic.total() + team.openai.total() + team.cursor.total() + team.github.total() + team.openrouter.total();
  }

  void resetCounts() {
    for (FakeApi f : List.of(team.anthropic, team.openai, team.cursor, team.github, team.openrouter)) {
      f.resetCounts();
    }
  }

  @Test
  void onePollFillsTheLedgerPerPersonAndASecondAddsNothingAndAsksLess() throws Exception {
    JsonNode run = poll();

    assertThat(run.path("runs")).hasSize(5).allSatisfy(r -> assertThat(r.path("ok").asBoolean()).as(r.toString()).isTrue());
    assertThat(ledger()).isEqualTo(team.tokens);
    // Alice is one person across Anthropic, OpenAI and Cursor (emails adopted by the directory)
    long alice = team.tokens.entrySet().stream().filter(e -> e.getKey().startsWith("email:alice@example.com|"))
        .mapToLong(Map.Entry::getValue).sum();
    JsonNode people = call("GET", "/api/v1/usage?range=custom&from=2026-09-01&to=2026-09-04&groupBy=person", null).path("rows");
    String alicePerson = "person:" + server.directory().people().stream().filter(p -> p.identities().contains("email:alice@example.com"))
        .findFirst().orElseThrow().id();
    assertThat(people).anySatisfy(p -> {
      assertThat(p.path("person").asText()).isEqualTo(alicePerson);
      assertThat(p.path("totalTokens").asLong()).isEqualTo(alice);
    });
    long events = store.eventCount();
    int firstRequests = providerRequests();
    Map<String, JsonNode> status = status();
    assertThat(status.get("anthropic").path("watermark").asText()).isEqualTo("2026-09-04T00:00:00Z");
    assertThat(status.get("anthropic").path("lastSuccess").asText()).isEqualTo(FakeTeam.NOW.toString());
    assertThat(call("GET", "/api/v1/seats", null)).extracting(s -> s.path("identity").asText())
        .contains("email:alice@example.com", "email:sam@example.com", "github:alice-park", "github:sam-lee");
    resetCounts();

    poll();

    assertThat(store.eventCount()).as("re-fetched open buckets replace their events").isEqualTo(events);
    assertThat(ledger()).isEqualTo(team.tokens);
    assertThat(providerRequests()).as("watermarks: closed days are not asked for again").isLessThan(firstRequests);
    assertThat(team.anthropic.log()).filteredOn(l -> l.contains("usage_report/messages"))
        .allMatch(l -> l.contains("starting_at=2026-09-04T00:00:00Z"));
  }

  @Test
  void aProviderThatIsDownLeavesTheOthersStoredAndShowsItsError() throws Exception {
    team.cursor.down(FakeApi.Answer.status(503, "{\"error\":\"maintenance\"}"));

    JsonNode run = poll();

    assertThat(run.path("runs")).filteredOn(r -> !r.path("ok").asBoolean()).singleElement()
        .satisfies(r -> assertThat(r.path("provider").asText()).isEqualTo("cursor"));
    Map<String, Long> expected = new HashMap<>(team.tokens);
    expected.keySet().removeIf(k -> k.endsWith("|cursor"));
    assertThat(ledger()).isEqualTo(expected);
    Map<String, JsonNode> status = status();
    assertThat(status.get("cursor").path("ok").asBoolean()).isFalse();
    assertThat(status.get("cursor").path("lastError").asText()).contains("HTTP 503", "/teams/members");
    assertThat(status.get("cursor").path("watermark").isNull()).isTrue();
    assertThat(status.get("cursor").path("lastSuccess").isNull()).isTrue();
    assertThat(status.get("openai").path("ok").asBoolean()).isTrue();
    for (String key : FakeTeam.keys()) {
      assertThat(status.toString()).doesNotContain(key);
    }

    team.cursor.down(null);
    poll();

    assertThat(ledger()).isEqualTo(team.tokens);
    assertThat(status().get("cursor").path("ok").asBoolean()).isTrue();
    assertThat(status().get("cursor").path("lastError").asText()).as("kept for the record").contains("HTTP 503");
  }

  static UsageEvent gateway(String id, String identity, Instant at, long input, long output) {
    return new UsageEvent("anthropic:req:" + id, at, Source.GATEWAY, "anthropic", "claude-sonnet-4-5-20250929",
        "anthropic-api", identity, "7", null, null, id, null, false, Tokens.of(input, output, 0, 0, 0), null);
  }

  static ObjectNode batch(UsageEvent... events) {
    ObjectNode b = JSON.createObjectNode();
    ArrayNode arr = b.putArray("events");
    for (UsageEvent e : events) {
      arr.add(EventJson.toJson(e));
    }
    return b;
  }

  long anthropicOn(String day) throws Exception {
    long sum = 0;
    for (JsonNode r : call("GET", "/api/v1/usage?range=custom&from=" + day + "&to=" + day + "&groupBy=provider", null).path("rows")) {
      if (r.path("provider").asText().equals("anthropic")) {
        sum += r.path("totalTokens").asLong();
      }
    }
    return sum;
  }

  @Test
  void trafficTheGatewayMeteredIsCountedOnceAndReconciled() throws Exception {
    poll();
    long reportedD1 = anthropicOn("2026-09-01");
    assertThat(reportedD1).isEqualTo(team.tokens.get("email:alice@example.com|claude-code") - (700 + 2000 + 120) - (30 + 5)
        + team.tokens.get("email:bob@example.com|anthropic-api") + team.tokens.get("email:dana@example.com|claude-code"));

    // Bob's key traffic of day 1 (400 in, 80 out) also went through the gateway, seen per request,
    // after the report was first read: the next poll takes the report's copy out again.
    Instant d1 = Instant.parse("2026-09-01T10:00:00Z");
    call("POST", "/api/v1/events", batch(gateway("r1", "email:bob@example.com", d1, 300, 50),
        gateway("r2", "email:bob@example.com", d1.plusSeconds(60), 100, 30)));
    poll();

    assertThat(anthropicOn("2026-09-01")).as("counted once").isEqualTo(reportedD1);
    Map<String, Long> ledger = ledger();
    assertThat(ledger.get("email:bob@example.com|anthropic-api")).as("now the gateway's events alone").isEqualTo(480);
    assertThat(ledger.get("email:dana@example.com|claude-code")).isEqualTo(team.tokens.get("email:dana@example.com|claude-code"));

    // The gateway forwards with one shared key: the provider reports it under the key's creator,
    // the gateway meters it under the people who sent it. Day 3: 500 more tokens through the gateway
    // by Carol, on Alice's key as far as Anthropic knows.
    Instant d3 = Instant.parse("2026-09-03T10:00:00Z");
    long reportedD3 = anthropicOn("2026-09-03");
    call("POST", "/api/v1/events", batch(gateway("r3", "email:carol@example.com", d3, 400, 100)));
    poll();

    assertThat(anthropicOn("2026-09-03")).as("the provider/day total is the report's").isEqualTo(reportedD3);

    JsonNode providers = call("GET", "/api/v1/reconciliation?days=30", null).path("providers");
    JsonNode day1 = find(providers, "2026-09-01", "anthropic");
    assertThat(day1.path("reportedTokens").asLong()).isEqualTo(reportedD1);
    assertThat(day1.path("meteredTokens").asLong()).isEqualTo(480);
    assertThat(day1.path("differenceTokens").asLong()).isEqualTo(reportedD1 - 480);
    assertThat(day1.path("countedTokens").asLong()).isEqualTo(reportedD1 - 480);
    JsonNode day3 = find(providers, "2026-09-03", "anthropic");
    assertThat(day3.path("meteredTokens").asLong()).isEqualTo(500);
    assertThat(day3.path("countedTokens").asLong()).isBetween(reportedD3 - 500 - 2, reportedD3 - 500 + 2); // rounding per row
    assertThat(find(providers, "2026-09-02", "cursor").path("meteredTokens").asLong()).isZero();
  }

  @Test
  void declaredGatewayKeysAreReconciledAgainstTheGatewayAlone() throws Exception {
    server.close();
    Map<String, String> env = new HashMap<>(team.env());
    env.put("TALLY_GATEWAY_PROVIDER_KEYS", "apikey_alice, key_other");
    startServer(env);
    // Day 3: Anthropic reports 2820 tokens on Alice's key, which the gateway forwards with; 500 of
    // them were Carol's requests through the gateway.
    Instant d3 = Instant.parse("2026-09-03T10:00:00Z");
    call("POST", "/api/v1/events", batch(gateway("r3", "email:carol@example.com", d3, 400, 100)));

    poll();

    Map<String, Long> day3 = new HashMap<>();
    for (JsonNode r : call("GET", "/api/v1/usage?range=custom&from=2026-09-03&to=2026-09-03&groupBy=identity,provider", null).path("rows")) {
      if (r.path("provider").asText().equals("anthropic")) {
        day3.put(r.path("identity").asText(), r.path("totalTokens").asLong());
      }
    }
    assertThat(day3).containsOnly(Map.entry("email:carol@example.com", 500L),
        Map.entry("email:alice@example.com", 2820L - 500), Map.entry("anthropic-key:apikey_legacy", 100L));
  }

  static JsonNode find(JsonNode providers, String day, String provider) {
    for (JsonNode p : providers) {
      if (p.path("day").asText().equals(day) && p.path("provider").asText().equals(provider)) {
        return p;
      }
    }
    throw new AssertionError("no reconciliation row for " + provider + " on " + day + " in " + providers);
  }

  @Test
  void theSchedulerPollsOnItsOwnWhenAnIntervalIsSet() throws Exception {
    try (Store other = openStore("scheduled")) {
      Server scheduled = new Server(other, (p, m, t) -> new Cost(t.total(), "test", m), FakeTeam.CLOCK, 4)
          .withCollectors(team.env(), Duration.ofMinutes(15), waits::add,
              new ApiClient.Policy(3, Duration.ofSeconds(1), Duration.ofSeconds(120), Duration.ofSeconds(10)));
      scheduled.start("127.0.0.1", 0);
      try {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (other.collectors().states().stream().filter(s -> s.lastSuccess() != null).count() < 5
            && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(other.collectors().states()).hasSize(5).allSatisfy(s -> assertThat(s.lastSuccess()).isEqualTo(FakeTeam.NOW));
        assertThat(other.eventCount()).isPositive();
      } finally {
        scheduled.close();
      }
    }
  }
}
