package dev.tally.sources.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.directory.Directory;
import dev.tally.ledger.LedgerEvent;
import dev.tally.ledger.Source;
import dev.tally.pricing.PriceTable;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import dev.tally.store.UsageQuery;
import dev.tally.surfaces.http.Server;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway on a real server and SQLite, in front of a fake provider, called over real HTTP. */
class GatewayTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  FakeProvider provider;
  Store store;
  Server server;
  String base;
  String admin;
  String aliceKey;
  long aliceKeyId;
  final HttpClient http = HttpClient.newHttpClient();
  final ByteArrayOutputStream logs = new ByteArrayOutputStream();

  @BeforeEach
  void start() throws Exception {
    provider = new FakeProvider();
    store = SqliteStore.open(dir.resolve("tally.db"));
    server = new Server(store, PriceTable.shipped()::price, Clock.systemUTC(), 4, new java.io.PrintStream(logs, true))
        .withGateway(dir, null, true);
    admin = server.directory().createToken("ops", Directory.Scope.ADMIN, null).secret();
    base = "http://127.0.0.1:" + server.start("127.0.0.1", 0);
    api("POST", "/api/v1/providers", Map.of("provider", "anthropic", "baseUrl", provider.anthropicBase(), "key", FakeProvider.ANTHROPIC_KEY));
    api("POST", "/api/v1/providers", Map.of("provider", "openai", "baseUrl", provider.openAiBase(), "key", FakeProvider.OPENAI_KEY));
    JsonNode key = api("POST", "/api/v1/keys", Map.of("name", "alice laptop", "email", "alice@corp.com", "team", "web"));
    aliceKey = key.path("secret").asText();
    aliceKeyId = key.path("id").asLong();
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
    provider.close();
  }

  JsonNode api(String method, String path, Object body) throws Exception {
    var r = http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + admin)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isLessThan(300);
    return r.body().isEmpty() ? null : JSON.readTree(r.body());
  }

  HttpResponse<String> anthropic(String key, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/messages?beta=true"))
        .header("anthropic-version", "2023-06-01").header("anthropic-beta", "interleaved-thinking-2025-05-14,context-1m-2025-08-07")
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("x-api-key", key);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> openai(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + aliceKey)
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The ledger's gateway events, once the spool has drained {@code count} of them. */
  List<LedgerEvent> recorded(int count) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    List<LedgerEvent> events;
    do {
      events = store.events(new UsageQuery(null, null, List.of(), Map.of(), false)).stream()
          .filter(e -> e.event().source() == Source.GATEWAY).toList();
      if (events.size() >= count) {
        return events;
      }
      Thread.sleep(20);
    } while (System.currentTimeMillis() < deadline);
    throw new AssertionError("only " + events.size() + " of " + count + " events reached the ledger");
  }

  @Test
  void recordsExactlyTheUsageTheProviderReportedStreamedOrNot() throws Exception {
    String ask = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,%s\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    HttpResponse<String> plain = anthropic(aliceKey, ask.formatted(""), "x-claude-code-session-id", "sess-1", "User-Agent", "claude-cli/2.1.3 (external, cli)");
    HttpResponse<String> streamed = anthropic(aliceKey, ask.formatted("\"stream\":true,"), "x-tally-project", "billing");
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(plain.body()).path("content").get(0).path("text").asText()).isEqualTo("Done.");
    assertThat(streamed.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
    assertThat(streamed.body()).contains("event: message_start").contains("event: ping").contains("event: message_stop");

    assertThat(openai("/v1/chat/completions", "{\"model\":\"gpt-4.1-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode()).isEqualTo(200);
    HttpResponse<String> chatStream = openai("/v1/chat/completions",
        "{\"model\":\"gpt-4.1-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(openai("/v1/responses", "{\"model\":\"gpt-5-codex\",\"stream\":true,\"input\":\"hi\"}").body()).contains("response.completed");
    assertThat(openai("/v1/responses", "{\"model\":\"gpt-5-codex\",\"input\":\"hi\"}").statusCode()).isEqualTo(200);
    assertThat(openai("/v1/embeddings", "{\"model\":\"text-embedding-3-small\",\"input\":\"hi\"}").statusCode()).isEqualTo(200);

    // the client did not ask for usage in its stream: the gateway asked upstream, and hid the extra chunk
    assertThat(chatStream.body()).contains("Hello").contains("[DONE]").doesNotContain("\"usage\":{").doesNotContain("\"choices\":[]");
    FakeProvider.Seen upstreamChat = provider.seen.stream().filter(s -> s.path().equals("/v1/chat/completions")
        && s.body().path("stream").asBoolean()).findFirst().orElseThrow();
    assertThat(upstreamChat.body().path("stream_options").path("include_usage").asBoolean()).isTrue();

    List<LedgerEvent> events = recorded(7);
    assertThat(events).hasSize(7);
    for (LedgerEvent e : events) {
      assertThat(provider.reported).containsKey(e.event().requestId());
      assertThat(e.event().tokens()).as(e.event().requestId()).isEqualTo(provider.reported.get(e.event().requestId()));
      assertThat(e.event().identity()).isEqualTo("key:" + aliceKeyId);
      assertThat(e.cost().priced()).as(e.event().model()).isTrue();
    }
    LedgerEvent first = events.stream().filter(e -> "sess-1".equals(e.event().sessionId())).findFirst().orElseThrow();
    assertThat(first.event().tool()).isEqualTo("claude-code");
    assertThat(first.event().messageId()).startsWith("msg_01");
    assertThat(events.stream().filter(e -> "billing".equals(e.event().project())).count()).isEqualTo(1);
    assertThat(server.directory().person(store.directory().personOf("key:" + aliceKeyId).orElseThrow()).orElseThrow().team()).isEqualTo("web");
  }

  @Test
  void codexsSessionHeaderNamesTheSession() throws Exception {
    // Codex 0.17x sends "session-id" (and "originator: codex_exec"), not "session_id"
    var r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/responses")).header("Authorization", "Bearer " + aliceKey)
        .header("originator", "codex_exec").header("session-id", "01a23388-7163-7ae1-ac18-6e144e23816c")
        .header("User-Agent", "codex_exec/0.171.0 (Debian 12.0.0; x86_64) unknown (codex_exec; 0.171.0)")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-5-codex\",\"stream\":true,\"input\":\"hi\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.body()).contains("response.completed");
    LedgerEvent e = recorded(1).get(0);
    assertThat(e.event().sessionId()).isEqualTo("01a23388-7163-7ae1-ac18-6e144e23816c");
    assertThat(e.event().tool()).isEqualTo("codex");
  }

  @Test
  void forwardsProviderHeadersButNeverTheGatewayKey() throws Exception {
    HttpResponse<String> answer = anthropic(aliceKey, "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1,\"messages\":[]}");
    assertThat(answer.headers().allValues("date")).as("the provider's Date, not a second one of the gateway's").hasSize(1);
    assertThat(answer.headers().firstValue("request-id")).isPresent();
    assertThat(answer.headers().firstValueAsLong("content-length"))
        .hasValue(answer.body().getBytes(StandardCharsets.UTF_8).length);
    http.send(HttpRequest.newBuilder(URI.create(base + "/v1/messages/count_tokens?beta=true")).header("Authorization", "Bearer " + aliceKey)
        .header("anthropic-version", "2023-06-01").POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-sonnet-4-5\",\"messages\":[]}")).build(),
        HttpResponse.BodyHandlers.ofString());
    var models = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).header("Authorization", "Bearer " + aliceKey).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(JSON.readTree(models.body()).path("object").asText()).isEqualTo("list");

    assertThat(provider.seen).hasSize(3);
    FakeProvider.Seen messages = provider.seen.get(0);
    assertThat(messages.path()).isEqualTo("/v1/messages?beta=true");
    assertThat(messages.header("anthropic-beta")).isEqualTo("interleaved-thinking-2025-05-14,context-1m-2025-08-07");
    assertThat(messages.header("x-api-key")).isEqualTo(FakeProvider.ANTHROPIC_KEY);
    assertThat(provider.seen.get(1).path()).isEqualTo("/v1/messages/count_tokens?beta=true");
    for (FakeProvider.Seen s : provider.seen) {
      assertThat(s.headers().toString()).doesNotContain(aliceKey);
    }
  }

  @Test
  void refusesUnknownAndRevokedKeysInTheProvidersOwnFormat() throws Exception {
    HttpResponse<String> unknown = anthropic("sk-tly-not-a-real-key", "{\"model\":\"claude-sonnet-4-5\"}");
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(unknown.body()).path("error").path("type").asText()).isEqualTo("authentication_error");

    api("POST", "/api/v1/keys/" + aliceKeyId + "/revoke", null);
    HttpResponse<String> revoked = openai("/v1/chat/completions", "{\"model\":\"gpt-4.1-mini\",\"messages\":[]}");
    assertThat(revoked.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(revoked.body()).path("error").path("code").asText()).isEqualTo("invalid_api_key");
    assertThat(provider.seen).isEmpty();
  }

  @Test
  void passesUpstreamErrorsThroughUnchanged() throws Exception {
    for (String status : List.of("429", "500", "529")) {
      HttpResponse<String> r = anthropic(aliceKey, "{\"model\":\"fail-" + status + "\",\"max_tokens\":1,\"messages\":[]}");
      assertThat(r.statusCode()).isEqualTo(Integer.parseInt(status));
      assertThat(JSON.readTree(r.body()).path("error").path("message").asText()).isEqualTo("upstream says " + status);
      if (status.equals("429")) {
        assertThat(r.headers().firstValue("retry-after")).hasValue("7");
      }
    }
    // the access log line follows the answer: the client can have it first
    long deadline = System.currentTimeMillis() + 5_000;
    while (!logs.toString(StandardCharsets.UTF_8).contains("\"status\":529") && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(logs.toString(StandardCharsets.UTF_8)).contains("\"status\":529");
  }

  @Test
  void aSpentBudgetRefusesWith429SayingWhichBudgetAndWhenItResets() throws Exception {
    api("POST", "/api/v1/budgets", Map.of("scope", "key", "target", Long.toString(aliceKeyId), "period", "daily", "usd", "0.01"));
    String ask = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[]}";
    assertThat(anthropic(aliceKey, ask).statusCode()).isEqualTo(200); // ~$0.0138: over the cap afterwards
    recorded(1);
    HttpResponse<String> refused = anthropic(aliceKey, ask);
    assertThat(refused.statusCode()).isEqualTo(429);
    JsonNode error = JSON.readTree(refused.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("budget_exceeded");
    assertThat(error.path("message").asText()).contains("daily budget of key " + aliceKeyId).contains("$0.01").contains("resets");
    assertThat(Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, 86_400L);
    assertThat(provider.seen).hasSize(1);

    HttpResponse<String> openAiStyle = openai("/v1/chat/completions", "{\"model\":\"gpt-4.1-mini\",\"messages\":[]}");
    assertThat(openAiStyle.statusCode()).isEqualTo(429);
    assertThat(JSON.readTree(openAiStyle.body()).path("error").path("code").asText()).isEqualTo("budget_exceeded");
    JsonNode budgets = api("GET", "/api/v1/budgets", null);
    assertThat(budgets.get(0).path("spent").decimalValue()).isGreaterThanOrEqualTo(new java.math.BigDecimal("0.01"));
  }

  @Test
  void aClientThatLeavesMidStreamStillHasItsTokensRecorded() throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/messages")).header("x-api-key", aliceKey)
        .header("anthropic-version", "2023-06-01")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"slow-claude\",\"max_tokens\":900,\"stream\":true,\"messages\":[]}")).build();
    HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    byte[] buf = new byte[4096];
    int got = 0;
    try (InputStream in = r.body()) {
      while (got < 1500) {
        got += in.read(buf);
      }
    } // leaves after a few deltas of 200
    LedgerEvent e = recorded(1).get(0);
    String requestId = e.event().requestId();
    assertThat(e.event().tokens().input()).isEqualTo(provider.reported.get(requestId).input());
    assertThat(e.event().tokens().cacheRead()).isEqualTo(provider.reported.get(requestId).cacheRead());
    assertThat(e.event().tokens().output()).isPositive().isLessThan(provider.reported.get(requestId).output() + 400);
  }

  @Test
  void providerKeysAreStoredEncryptedAndNeverShown() throws Exception {
    JsonNode list = api("GET", "/api/v1/providers", null);
    assertThat(list.toString()).doesNotContain(FakeProvider.ANTHROPIC_KEY).contains("…9a7f");
    JsonNode keys = api("GET", "/api/v1/keys", null);
    assertThat(keys.toString()).doesNotContain(aliceKey).contains(aliceKey.substring(0, 11) + "…");
    anthropic(aliceKey, "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1,\"messages\":[]}");
    recorded(1);
    server.close();
    // nothing on disk or in the logs holds a secret in clear: database, spool, key file, access log
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertThat(content).as(f.toString()).doesNotContain(FakeProvider.ANTHROPIC_KEY).doesNotContain(aliceKey);
      }
    }
    assertThat(logs.toString(StandardCharsets.UTF_8)).doesNotContain(FakeProvider.ANTHROPIC_KEY).doesNotContain(aliceKey).contains("/v1/messages");
  }

  @Test
  void aNamedProviderIsReachedUnderItsNameAndRecordedAsItself() throws Exception {
    api("POST", "/api/v1/providers", Map.of("provider", "openrouter", "baseUrl", provider.openAiBase(), "key", FakeProvider.OPENAI_KEY));
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/openrouter/v1/chat/completions"))
        .header("Authorization", "Bearer " + aliceKey).POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"anthropic/claude-sonnet-4.5\",\"stream\":true,\"messages\":[]}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    // OpenRouter always reports usage: the gateway neither asks for it nor hides it
    assertThat(provider.seen.get(0).body().has("stream_options")).isFalse();
    LedgerEvent e = recorded(1).get(0);
    assertThat(e.event().provider()).isEqualTo("openrouter");
    assertThat(e.cost().priced()).as("priced through the provider prefix").isTrue();
  }

  @Test
  void aRotatedKeyStopsWorkingAndItsSuccessorKeepsThePerson() throws Exception {
    String ask = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1,\"messages\":[]}";
    assertThat(anthropic(aliceKey, ask).statusCode()).isEqualTo(200);
    JsonNode fresh = api("POST", "/api/v1/keys/" + aliceKeyId + "/rotate", null);
    assertThat(anthropic(aliceKey, ask).statusCode()).isEqualTo(401);
    assertThat(anthropic(fresh.path("secret").asText(), ask).statusCode()).isEqualTo(200);
    List<LedgerEvent> events = recorded(2);
    assertThat(events).extracting(e -> e.event().identity()).containsExactlyInAnyOrder("key:" + aliceKeyId, "key:" + fresh.path("id").asLong());
    assertThat(store.directory().personOf("key:" + fresh.path("id").asLong())).isEqualTo(store.directory().personOf("key:" + aliceKeyId));
    assertThat(fresh.path("name").asText()).isEqualTo("alice laptop");
  }

  @Test
  void allowedModelsAndRequestLimitsAreEnforcedPerKey() throws Exception {
    JsonNode ci = api("POST", "/api/v1/keys", Map.of("name", "ci runner", "project", "payments", "allowedModels", List.of("claude-haiku-*"), "rpm", 2));
    String key = ci.path("secret").asText();
    HttpResponse<String> denied = anthropic(key, "{\"model\":\"claude-opus-4-1\",\"max_tokens\":1,\"messages\":[]}");
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(denied.body()).path("error").path("message").asText()).contains("claude-opus-4-1").contains("claude-haiku-*");
    String haiku = "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":1,\"messages\":[]}";
    assertThat(anthropic(key, haiku).statusCode()).isEqualTo(200);
    assertThat(anthropic(key, haiku).statusCode()).isEqualTo(200);
    HttpResponse<String> limited = anthropic(key, haiku);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(JSON.readTree(limited.body()).path("error").path("message").asText()).contains("requests-per-minute limit of 2");
    assertThat(limited.headers().firstValue("retry-after")).isPresent();
    assertThat(recorded(2)).allSatisfy(e -> assertThat(e.event().project()).isEqualTo("payments"));
  }

  @Test
  void requestsAreTaggedByTheirKeyAndHeadersAndTheUsageApiGroupsAndFiltersByTag() throws Exception {
    JsonNode bob = api("POST", "/api/v1/keys", Map.of("name", "bob ci", "email", "bob@corp.com", "team", "api",
        "tags", List.of("team:api", "ci")));
    String bobKey = bob.path("secret").asText();
    String ask = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[]}";
    assertThat(anthropic(bobKey, ask, "x-tally-tags", "feature-x, ci", "Helicone-Property-Env", "prod",
        "Helicone-Property-Project", "payments", "Helicone-User-Id", "u-42").statusCode()).isEqualTo(200);
    assertThat(anthropic(bobKey, ask).statusCode()).isEqualTo(200);
    assertThat(anthropic(aliceKey, ask, "x-tally-tags", "feature-x").statusCode()).isEqualTo(200);
    assertThat(anthropic(aliceKey, ask).statusCode()).isEqualTo(200);

    List<LedgerEvent> events = recorded(4);
    LedgerEvent helicone = events.stream().filter(e -> e.event().tags().contains("env:prod")).findFirst().orElseThrow();
    assertThat(helicone.event().tags()).containsExactly("ci", "env:prod", "feature-x", "team:api", "user:u-42");
    assertThat(helicone.event().project()).isEqualTo("payments");
    assertThat(helicone.event().identity()).as("the person stays the key's owner").isEqualTo("key:" + bob.path("id").asLong());
    assertThat(events).extracting(e -> e.event().tags()).containsExactlyInAnyOrder(helicone.event().tags(),
        List.of("ci", "team:api"), List.of("feature-x"), List.of());
    for (FakeProvider.Seen seen : provider.seen) {
      assertThat(seen.headers().keySet()).as("tagging headers stay at the gateway")
          .noneMatch(h -> h.toLowerCase(java.util.Locale.ROOT).startsWith("x-tally-") || h.toLowerCase(java.util.Locale.ROOT).startsWith("helicone-"));
    }

    // what the provider reported for the requests having a tag, and what Tally priced them at
    java.util.function.Function<String, long[]> expected = tag -> {
      long[] sum = new long[4];
      for (LedgerEvent e : events) {
        if (tag.isEmpty() ? e.event().tags().isEmpty() : e.event().tags().contains(tag)) {
          var reported = provider.reported.get(e.event().requestId());
          sum[0]++;
          sum[1] += reported.input();
          sum[2] += reported.output();
          sum[3] += e.autoCostMicros();
        }
      }
      return sum;
    };
    JsonNode byTag = api("GET", "/api/v1/usage?range=7d&groupBy=tag", null).path("rows");
    Map<String, JsonNode> rows = new java.util.TreeMap<>();
    byTag.forEach(r -> rows.put(r.path("tag").asText(), r));
    assertThat(rows).containsOnlyKeys("", "ci", "env:prod", "feature-x", "team:api", "user:u-42");
    for (String tag : rows.keySet()) {
      JsonNode row = rows.get(tag);
      long[] want = expected.apply(tag);
      assertThat(row.path("requests").asLong()).as(tag).isEqualTo(want[0]);
      assertThat(row.path("inputTokens").asLong()).as(tag).isEqualTo(want[1]);
      assertThat(row.path("outputTokens").asLong()).as(tag).isEqualTo(want[2]);
      assertThat(row.path("cost").decimalValue()).as(tag).isEqualByComparingTo(dev.tally.ledger.Money.dollars(want[3]));
    }
    assertThat(rows.get("ci").path("requests").asLong()).isEqualTo(2);
    assertThat(rows.get("feature-x").path("requests").asLong()).isEqualTo(2);
    assertThat(rows.get("").path("requests").asLong()).isEqualTo(1);

    // requests with any of the tags, grouped by key: bob's Helicone-tagged one and alice's feature-x one
    JsonNode filtered = api("GET", "/api/v1/usage?range=7d&groupBy=key&filter.tag=feature-x&filter.tag=env:prod", null).path("rows");
    long[] featureX = expected.apply("feature-x");
    assertThat(filtered).hasSize(2);
    long requests = 0;
    long input = 0;
    java.math.BigDecimal cost = java.math.BigDecimal.ZERO;
    for (JsonNode r : filtered) {
      requests += r.path("requests").asLong();
      input += r.path("inputTokens").asLong();
      cost = cost.add(r.path("cost").decimalValue());
    }
    assertThat(requests).isEqualTo(2);
    assertThat(input).isEqualTo(featureX[1]);
    assertThat(cost).isEqualByComparingTo(dev.tally.ledger.Money.dollars(featureX[3]));
    JsonNode aliceOnly = api("GET", "/api/v1/usage?range=7d&groupBy=tag&filter.tag=feature-x&filter.key=" + aliceKeyId, null).path("rows");
    assertThat(aliceOnly).singleElement().satisfies(r -> {
      assertThat(r.path("tag").asText()).isEqualTo("feature-x");
      assertThat(r.path("requests").asLong()).isEqualTo(1);
    });
  }
}
