package dev.tally.sources.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.directory.Directory;
import dev.tally.ledger.LedgerEvent;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tokens;
import dev.tally.pricing.PriceTable;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import dev.tally.store.UsageQuery;
import dev.tally.surfaces.http.Server;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients, installed from npm by {@code bench/clients.sh} (the official Anthropic and OpenAI
 * SDKs, the Claude Code CLI, the Codex CLI), call the gateway on a real server, which forwards to
 * {@link FakeProvider} on loopback. Each client must get its answer as it would from the provider,
 * and the ledger must hold exactly the usage the provider reported, one event per request.
 * Without the install (no npm, no network) the tests are skipped and say why.
 */
class RealClientsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  FakeProvider provider;
  Store store;
  Server server;
  String base;
  String admin;
  String key;
  long keyId;
  final HttpClient http = HttpClient.newHttpClient();
  final ByteArrayOutputStream logs = new ByteArrayOutputStream();

  /** Where bench/clients.sh installed the clients, or null when it has not. */
  static Path clients() {
    String configured = System.getenv("TALLY_CLIENTS_DIR");
    Path d = configured != null && !configured.isBlank() ? Path.of(configured)
        : Path.of(System.getenv().getOrDefault("HOME", System.getProperty("user.home")), ".cache", "tally-test-clients");
    return Files.isRegularFile(d.resolve("installed")) ? d : null;
  }

  static Path installed() {
    Path d = clients();
    assumeTrue(d != null, "real clients not installed: run bench/clients.sh (needs npm and the npm registry); "
        + "`./tally test` does it when npm is available");
    return d;
  }

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
    JsonNode created = api("POST", "/api/v1/keys", Map.of("name", "dev laptop", "email", "dev@corp.com"));
    key = created.path("secret").asText();
    keyId = created.path("id").asLong();
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

  /** The ledger's gateway events, by request id, once {@code count} of them have drained from the spool. */
  Map<String, LedgerEvent> recorded(int count) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    List<LedgerEvent> events;
    do {
      events = gatewayEvents();
      if (events.size() >= count) {
        Thread.sleep(200); // and no more than that
        events = gatewayEvents();
        break;
      }
      Thread.sleep(20);
    } while (System.currentTimeMillis() < deadline);
    Map<String, LedgerEvent> byId = new LinkedHashMap<>();
    for (LedgerEvent e : events) {
      assertThat(byId.put(e.event().requestId(), e)).as("two events for request " + e.event().requestId()).isNull();
    }
    return byId;
  }

  List<LedgerEvent> gatewayEvents() {
    return store.events(new UsageQuery(null, null, List.of(), Map.of(), false)).stream()
        .filter(e -> e.event().source() == Source.GATEWAY).toList();
  }

  /** Every recorded event carries exactly the usage the provider reported for its request. */
  void assertLedgerEqualsUpstream(Map<String, LedgerEvent> events) {
    for (LedgerEvent e : events.values()) {
      String id = e.event().requestId();
      assertThat(provider.reported).as("the provider answered request " + id).containsKey(id);
      assertThat(e.event().tokens()).as("tokens of " + id).isEqualTo(provider.reported.get(id));
      assertThat(e.event().identity()).isEqualTo("key:" + keyId);
    }
  }

  record Run(int exit, String out, String err) {}

  /** Runs a client to completion (killing it after {@code seconds}); stdout and stderr are kept. */
  Run run(ProcessBuilder pb, int seconds) throws Exception {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(devNull()));
    Process p = pb.start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor();
      throw new AssertionError(pb.command() + " did not finish in " + seconds + " s\nstdout: " + Files.readString(out)
          + "\nstderr: " + Files.readString(err) + "\nupstream saw: " + seenPaths());
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  static java.io.File devNull() {
    return new java.io.File("/dev/null");
  }

  String seenPaths() {
    return provider.seen.stream().map(s -> s.method() + " " + s.path()).collect(Collectors.joining(", "));
  }

  static String node() {
    return "node";
  }

  // ------------------------------------------------------------------ SDKs

  @Test
  void theOfficialSdksGetTheirAnswersAndTheLedgerHoldsExactlyTheUpstreamsUsage() throws Exception {
    Path clients = installed();
    Path script = Path.of("src/test/node/sdk-calls.mjs").toAbsolutePath();
    Run r = run(new ProcessBuilder(node(), script.toString(), clients.toString(), base, key), 120);
    assertThat(r.exit()).as(r.err()).isZero();
    List<JsonNode> calls = new ArrayList<>();
    for (String line : r.out().split("\n")) {
      if (!line.isBlank()) {
        calls.add(JSON.readTree(line));
      }
    }
    assertThat(calls).hasSize(14);
    for (JsonNode c : calls) {
      assertThat(c.path("ok").asBoolean()).as(c.toString()).isTrue();
    }
    Map<String, JsonNode> byName = calls.stream().collect(Collectors.toMap(c -> c.path("call").asText(), c -> c));

    // what each client saw is what the provider sent
    for (String name : List.of("anthropic.messages.create", "anthropic.beta.messages.create (Bearer)")) {
      assertThat(byName.get(name).path("text").asText()).as(name).isEqualTo("Done.");
    }
    for (String name : List.of("anthropic.messages.stream", "anthropic.messages.create stream:true", "anthropic.beta.messages.stream")) {
      assertThat(byName.get(name).path("text").asText()).as(name).isEqualTo("word 0 word 1 word 2 ");
    }
    assertThat(byName.get("anthropic.messages.create stream:true").path("types").toString())
        .startsWith("[\"message_start\"").endsWith("\"message_stop\"]"); // the SDK hides pings
    assertThat(byName.get("anthropic.messages.countTokens").path("inputTokens").asLong()).isPositive();
    assertThat(byName.get("anthropic.models.list").path("ids").toString()).contains("claude-sonnet-4-5-20250929");
    assertThat(byName.get("openai.chat.completions.create").path("text").asText()).isEqualTo("Hello");
    JsonNode chatStream = byName.get("openai.chat.completions.create stream:true");
    assertThat(chatStream.path("text").asText()).isEqualTo("Hello");
    // the client did not ask for usage: the gateway did, upstream, and kept that chunk from the client
    assertThat(chatStream.path("usageChunks").asInt()).isZero();
    assertThat(chatStream.path("emptyChoices").asInt()).isZero();
    assertThat(byName.get("openai.chat.completions.stream (include_usage)").path("usage").path("prompt_tokens").asLong()).isPositive();
    assertThat(byName.get("openai.responses.create stream:true").path("text").asText()).isEqualTo("Patched");
    assertThat(byName.get("openai.responses.create stream:true").path("types").toString()).endsWith("\"response.completed\"]");
    assertThat(byName.get("openai.responses.create").path("text").asText()).isEqualTo("Patched");
    assertThat(byName.get("openai.embeddings.create").path("dimensions").asInt()).isEqualTo(2);
    assertThat(byName.get("openai.models.list").path("ids").toString()).contains("gpt-4.1-mini");

    // the beta calls reached the provider with their beta header (SDK 1.x no longer adds ?beta=true to the
    // path, older ones and Claude Code do: the Claude Code test covers that), with the org's key only
    assertThat(provider.seen.stream().filter(s -> s.path().startsWith("/v1/messages") && s.header("anthropic-beta") != null)
        .map(s -> s.header("anthropic-beta"))).as(seenPaths())
        .containsExactlyInAnyOrder("interleaved-thinking-2025-05-14", "context-1m-2025-08-07");
    for (FakeProvider.Seen s : provider.seen) {
      assertThat(s.headers().toString()).doesNotContain(key);
    }

    // one ledger event per metered call, under the id the client saw, with the provider's usage
    List<JsonNode> metered = calls.stream().filter(c -> c.path("metered").asBoolean()).toList();
    Map<String, LedgerEvent> events = recorded(metered.size());
    assertThat(events.keySet()).containsExactlyInAnyOrderElementsOf(metered.stream().map(c -> c.path("requestId").asText()).toList());
    assertLedgerEqualsUpstream(events);
    for (JsonNode c : metered) {
      LedgerEvent e = events.get(c.path("requestId").asText());
      assertThat(e.event().tool()).as(c.path("call").asText())
          .isEqualTo(c.path("call").asText().startsWith("anthropic") ? "anthropic-sdk" : "openai-sdk");
      if (c.path("usage").isObject()) {
        assertThat(clientUsage(c.path("usage"))).as("usage the client saw in " + c.path("call").asText()).isEqualTo(e.event().tokens());
      }
    }
  }

  // ------------------------------------------------------------------ command-line agents

  /** A clean environment for a CLI: only what it is told here, so the developer's own keys and config never leak in. */
  ProcessBuilder cli(Path work, String... command) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(Files.createDirectories(work).toFile());
    Map<String, String> env = pb.environment();
    String path = env.getOrDefault("PATH", "/usr/bin:/bin");
    env.clear();
    env.put("PATH", path);
    env.put("HOME", Files.createDirectories(dir.resolve("home")).toString());
    env.put("TMPDIR", Files.createDirectories(dir.resolve("tmp")).toString());
    env.put("LANG", "C.UTF-8");
    return pb;
  }

  static Path claudeBinary(Path clients) {
    Path bin = clients.resolve("node_modules/@anthropic-ai/claude-code/bin/claude.exe");
    Path nativeBin = clients.resolve("node_modules/@anthropic-ai/claude-code-linux-x64/claude");
    return Files.isExecutable(nativeBin) ? nativeBin : bin; // the native package when the postinstall did not copy it
  }

  @Test
  void claudeCodeRunsThroughTheGatewayAndItsTranscriptMergesWithTheGatewaysEvents() throws Exception {
    Map<String, List<JsonNode>> transcript = claudeCode("say hi");
    assertThat(transcript).hasSize(1);
  }

  @Test
  void aClaudeCodeToolLoopIsTwoRequestsEachRecordedOnce() throws Exception {
    Map<String, List<JsonNode>> transcript = claudeCode(FakeProvider.TOOL_PROMPT);
    // the first answer streamed a text block and a tool_use (its input in input_json_delta fragments);
    // Claude Code ran the tool and sent its result back in a second request
    assertThat(transcript).hasSize(2);
    FakeProvider.Seen second = provider.seen.stream().filter(s -> s.path().startsWith("/v1/messages?")).toList().get(1);
    JsonNode last = second.body().path("messages").get(second.body().path("messages").size() - 1);
    assertThat(last.toString()).contains("\"tool_result\"").contains("toolu_01");
    JsonNode toolUse = transcript.values().stream().flatMap(List::stream)
        .flatMap(l -> java.util.stream.StreamSupport.stream(l.path("message").path("content").spliterator(), false))
        .filter(b -> b.path("type").asText().equals("tool_use")).findFirst().orElseThrow();
    assertThat(toolUse.path("name").asText()).isEqualTo("Glob");
    assertThat(toolUse.path("input").path("pattern").asText()).isEqualTo("*");
    // Claude Code wrote the first answer as one line per content block, each with the request's id and
    // usage: the reader's copies of one request, which the merge above counted once
    assertThat(transcript.values()).anySatisfy(lines -> assertThat(lines).hasSizeGreaterThan(1));
  }

  /**
   * Runs {@code claude -p PROMPT} through the gateway and checks what the provider saw, the ledger,
   * the transcript and the merge of the transcript into the ledger; returns the transcript's
   * assistant lines by request id.
   */
  Map<String, List<JsonNode>> claudeCode(String prompt) throws Exception {
    Path clients = installed();
    Path config = dir.resolve("claude-config");
    ProcessBuilder pb = cli(dir.resolve("project"), claudeBinary(clients).toString(), "-p", prompt);
    pb.environment().putAll(Map.of("ANTHROPIC_BASE_URL", base, "ANTHROPIC_AUTH_TOKEN", key,
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1", "CLAUDE_CONFIG_DIR", config.toString()));
    Run r = run(pb, 180);
    assertThat(r.exit()).as("claude -p failed\nstdout: " + r.out() + "\nstderr: " + r.err() + "\nupstream saw: " + seenPaths()).isZero();
    assertThat(r.out()).as(r.err()).contains("word 0 word 1 word 2");
    assertThat(r.out()).doesNotContain("API Error");

    // Claude Code streams from /v1/messages?beta=true; the provider got the org's key and the beta flags, never the gateway key
    List<FakeProvider.Seen> inference = provider.seen.stream().filter(s -> s.path().startsWith("/v1/messages?")).toList();
    assertThat(inference).as(seenPaths()).isNotEmpty();
    for (FakeProvider.Seen s : inference) {
      assertThat(s.path()).isEqualTo("/v1/messages?beta=true");
      assertThat(s.body().path("stream").asBoolean()).isTrue();
      assertThat(s.header("x-api-key")).isEqualTo(FakeProvider.ANTHROPIC_KEY);
      assertThat(s.header("authorization")).isNull();
      assertThat(s.header("anthropic-beta")).contains("claude-code-20250219");
    }
    for (FakeProvider.Seen s : provider.seen) {
      assertThat(s.headers().toString()).doesNotContain(key);
    }

    // every request Claude Code made is in the ledger once, with the provider's usage
    long answered = provider.reported.keySet().stream().filter(id -> id.startsWith("req_")).count();
    Map<String, LedgerEvent> events = recorded((int) answered);
    assertThat(events.keySet()).containsExactlyInAnyOrderElementsOf(provider.reported.keySet());
    assertLedgerEqualsUpstream(events);
    for (LedgerEvent e : events.values()) {
      assertThat(e.event().tool()).isEqualTo("claude-code");
      assertThat(e.event().sessionId()).isEqualTo(inference.get(0).header("x-claude-code-session-id"));
    }

    // Claude Code's own transcript names the same requests, by the provider's request-id header
    List<Path> transcripts;
    try (var files = Files.walk(config.resolve("projects"))) {
      transcripts = files.filter(f -> f.toString().endsWith(".jsonl")).toList();
    }
    assertThat(transcripts).isNotEmpty();
    Map<String, List<JsonNode>> logged = new LinkedHashMap<>();
    for (Path t : transcripts) {
      for (String line : Files.readAllLines(t)) {
        JsonNode l = JSON.readTree(line);
        if (l.path("type").asText().equals("assistant") && l.hasNonNull("requestId")) {
          logged.computeIfAbsent(l.path("requestId").asText(), id -> new ArrayList<>()).add(l);
          assertThat(l.path("sessionId").asText()).isEqualTo(events.get(l.path("requestId").asText()).event().sessionId());
        }
      }
    }
    assertThat(logged.keySet()).containsExactlyInAnyOrderElementsOf(events.keySet());
    logged.forEach((id, lines) -> assertThat(clientUsage(lines.get(lines.size() - 1).path("message").path("usage")))
        .as("usage in the transcript for " + id).isEqualTo(provider.reported.get(id)));

    // Tally's local reader on that transcript, into the same ledger: the requests merge, nothing is added
    List<dev.tally.ledger.UsageEvent> local = new ArrayList<>();
    var reader = new dev.tally.sources.logs.claude.ClaudeCodeLogs(List.of(config), null);
    for (Path t : reader.discover()) {
      reader.read(t, null, local::add);
    }
    assertThat(local).isNotEmpty();
    assertMergesWithoutNewEvents(local, events);
    assertThat(store.events(new UsageQuery(null, null, List.of(), Map.of(), false)))
        .allSatisfy(e -> assertThat(e.event().project()).as("project from the local log").isNotNull());
    return logged;
  }

  /** Local-log events of requests the gateway saw add no event and change no token count. */
  void assertMergesWithoutNewEvents(List<dev.tally.ledger.UsageEvent> local, Map<String, LedgerEvent> gateway) {
    assertThat(local.stream().map(dev.tally.ledger.UsageEvent::requestId).distinct().toList())
        .containsExactlyInAnyOrderElementsOf(gateway.keySet());
    try (var ingest = new dev.tally.ingest.Ingest(store, PriceTable.shipped()::price, "local:dev@box")) {
      var result = ingest.write(local, List.of());
      assertThat(result.inserted()).as(result.toString()).isZero();
    }
    List<LedgerEvent> all = store.events(new UsageQuery(null, null, List.of(), Map.of(), false));
    assertThat(all).hasSize(gateway.size());
    for (LedgerEvent e : all) {
      assertThat(e.event().tokens()).as(e.event().requestId()).isEqualTo(provider.reported.get(e.event().requestId()));
      assertThat(e.event().identity()).isEqualTo("key:" + keyId);
    }
  }

  @Test
  void codexExecRunsThroughTheGatewayAndItsRolloutMergesWithTheGatewaysEvents() throws Exception {
    Path clients = installed();
    Path codexHome = Files.createDirectories(dir.resolve("codex-home"));
    Files.writeString(codexHome.resolve("config.toml"), """
        model = "gpt-5-codex"
        model_provider = "tally"

        [model_providers.tally]
        name = "Tally gateway"
        base_url = "%s/v1"
        env_key = "TALLY_GATEWAY_KEY"
        wire_api = "responses"
        """.formatted(base));
    ProcessBuilder pb = cli(dir.resolve("project"), clients.resolve("node_modules/.bin/codex").toString(),
        "exec", "--skip-git-repo-check", "say hi");
    pb.environment().putAll(Map.of("CODEX_HOME", codexHome.toString(), "TALLY_GATEWAY_KEY", key));
    Run r = run(pb, 180);
    assertThat(r.exit()).as("codex exec failed\nstdout: " + r.out() + "\nstderr: " + r.err() + "\nupstream saw: " + seenPaths()).isZero();
    assertThat(r.out()).as(r.err()).contains("Patched");

    List<FakeProvider.Seen> inference = provider.seen.stream().filter(s -> s.path().equals("/v1/responses")).toList();
    assertThat(inference).as(seenPaths()).isNotEmpty();
    for (FakeProvider.Seen s : inference) {
      assertThat(s.body().path("stream").asBoolean()).isTrue();
      assertThat(s.header("authorization")).isEqualTo("Bearer " + FakeProvider.OPENAI_KEY);
    }
    for (FakeProvider.Seen s : provider.seen) {
      assertThat(s.headers().toString()).doesNotContain(key);
    }

    Map<String, LedgerEvent> events = recorded(provider.reported.size());
    assertThat(events.keySet()).containsExactlyInAnyOrderElementsOf(provider.reported.keySet());
    assertLedgerEqualsUpstream(events);
    for (LedgerEvent e : events.values()) {
      assertThat(e.event().tool()).isEqualTo("codex");
      assertThat(e.event().sessionId()).isEqualTo(inference.get(0).header("session-id"));
    }
    // Codex's "tokens used" is its own sum (input not cached + output) of what the provider reported
    long used = events.values().stream().mapToLong(e -> e.event().tokens().input() + e.event().tokens().output()).sum();
    assertThat((r.out() + r.err()).replace(",", "")).contains("tokens used\n" + used);

    // Codex's rollout names the same responses; Tally's Codex reader on it merges into the same events
    List<dev.tally.ledger.UsageEvent> local = new ArrayList<>();
    var reader = new dev.tally.sources.logs.codex.CodexLogs(List.of(codexHome));
    for (Path rollout : reader.discover()) {
      reader.read(rollout, null, local::add);
    }
    assertThat(local).isNotEmpty();
    assertMergesWithoutNewEvents(local, events);
  }

  /** The usage a client was shown, normalised the way gateway.md section 6 says. */
  static Tokens clientUsage(JsonNode u) {
    if (u.has("prompt_tokens") || u.has("input_tokens") && !u.has("cache_read_input_tokens")) { // OpenAI
      boolean chat = u.has("prompt_tokens");
      long in = u.path(chat ? "prompt_tokens" : "input_tokens").asLong();
      long cached = u.path(chat ? "prompt_tokens_details" : "input_tokens_details").path("cached_tokens").asLong(0);
      long reasoning = u.path(chat ? "completion_tokens_details" : "output_tokens_details").path("reasoning_tokens").asLong(0);
      return new Tokens(in - cached, u.path(chat ? "completion_tokens" : "output_tokens").asLong(0), 0, 0, cached, reasoning, 0);
    }
    long write1h = u.path("cache_creation").path("ephemeral_1h_input_tokens").asLong(0);
    long write5m = u.path("cache_creation").path("ephemeral_5m_input_tokens").asLong(u.path("cache_creation_input_tokens").asLong(0) - write1h);
    return new Tokens(u.path("input_tokens").asLong(), u.path("output_tokens").asLong(), write5m, write1h,
        u.path("cache_read_input_tokens").asLong(0), 0, 0);
  }

  static String text(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }
}
