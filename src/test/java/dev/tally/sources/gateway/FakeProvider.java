package dev.tally.sources.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tally.ledger.Tokens;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for Anthropic's and OpenAI's APIs on loopback, answering in the shapes of
 * shared/reference/gateway.md (streamed and not). Each answer's usage differs (it grows with a
 * counter), and the fake remembers, per request id, the usage it reported, normalised the way the
 * cheat sheet in gateway.md section 6 says: so a test compares the ledger with what the provider said.
 *
 * <p>Models with special behaviour: {@code fail-429}, {@code fail-500}, {@code fail-529} answer with
 * that error; {@code slow-*} streams many small deltas 20 ms apart; {@code hang-*} answers after 5 s;
 * {@code reset-*} breaks the connection in the middle of its stream.
 */
public final class FakeProvider implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  public static final String ANTHROPIC_KEY = "sk-ant-admin-fake-0000000000009a7f";
  public static final String OPENAI_KEY = "sk-proj-fake-000000000000000000b2c4";

  /** What a request looked like when it reached the provider. */
  public record Seen(String method, String path, Map<String, List<String>> headers, JsonNode body) {
    public String header(String name) {
      for (var e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  private final HttpServer server;
  private final AtomicInteger counter = new AtomicInteger();
  public final List<Seen> seen = new CopyOnWriteArrayList<>();
  /** Request id → the usage reported for it, as ledger tokens. */
  public final Map<String, Tokens> reported = new ConcurrentHashMap<>();

  public FakeProvider() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::handle);
    server.start();
  }

  public String anthropicBase() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public String openAiBase() {
    return anthropicBase() + "/v1";
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] raw = ex.getRequestBody().readAllBytes();
      JsonNode body = raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw);
      String path = ex.getRequestURI().getPath();
      seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().toString(), Map.copyOf(ex.getRequestHeaders()), body));
      boolean anthropic = path.startsWith("/v1/messages") || ex.getRequestHeaders().containsKey("anthropic-version");
      String key = anthropic ? ex.getRequestHeaders().getFirst("x-api-key")
          : String.valueOf(ex.getRequestHeaders().getFirst("Authorization")).replace("Bearer ", "");
      if (!(anthropic ? ANTHROPIC_KEY : OPENAI_KEY).equals(key)) {
        error(ex, anthropic, 401, "authentication_error", "invalid x-api-key");
        return;
      }
      String model = body.path("model").asText("");
      if (model.startsWith("fail-")) {
        int status = Integer.parseInt(model.substring(5));
        if (status == 429) {
          ex.getResponseHeaders().add("retry-after", "7");
        }
        error(ex, anthropic, status, status == 429 ? "rate_limit_error" : status == 529 ? "overloaded_error" : "api_error",
            "upstream says " + status);
        return;
      }
      if (model.startsWith("hang-")) {
        sleep(5_000);
      }
      int n = counter.incrementAndGet();
      switch (path) {
        case "/v1/messages" -> messages(ex, body, n);
        case "/v1/messages/count_tokens" -> json(ex, 200, JSON.createObjectNode().put("input_tokens", 40 + n));
        case "/v1/models" -> json(ex, 200, anthropic
            ? JSON.readTree("{\"data\":[{\"type\":\"model\",\"id\":\"claude-sonnet-4-5-20250929\",\"display_name\":\"Claude Sonnet 4.5\"}],\"has_more\":false}")
            : JSON.readTree("{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4.1-mini\",\"object\":\"model\",\"created\":1744316542,\"owned_by\":\"system\"}]}"));
        case "/v1/chat/completions" -> chat(ex, body, n);
        case "/v1/responses" -> responses(ex, body, n);
        case "/v1/embeddings" -> embeddings(ex, body, n);
        default -> error(ex, anthropic, 404, "not_found_error", "no route " + path);
      }
    }
  }

  // ------------------------------------------------------------------ Anthropic

  private void messages(HttpExchange ex, JsonNode req, int n) throws IOException {
    String requestId = "req_011C" + n;
    ex.getResponseHeaders().add("request-id", requestId);
    long input = 10 + n;
    long write5m = 2048 + n;
    long write1h = n % 2 == 0 ? 512 : 0;
    long read = 18000 + 3L * n;
    long output = 40 + 7L * n;
    String model = req.path("model").asText();
    String id = "msg_01" + n;
    reported.put(requestId, new Tokens(input, output, write5m, write1h, read, 0, 0));
    String usage = "{\"input_tokens\":" + input + ",\"cache_creation_input_tokens\":" + (write5m + write1h)
        + ",\"cache_read_input_tokens\":" + read + ",\"cache_creation\":{\"ephemeral_5m_input_tokens\":" + write5m
        + ",\"ephemeral_1h_input_tokens\":" + write1h + "},\"output_tokens\":%d,\"service_tier\":\"standard\"}";
    if (!req.path("stream").asBoolean(false)) {
      json(ex, 200, JSON.readTree("{\"id\":\"" + id + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model
          + "\",\"content\":[{\"type\":\"text\",\"text\":\"Done.\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":"
          + usage.formatted(output) + "}"));
      return;
    }
    OutputStream out = startStream(ex);
    event(out, "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"" + id + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\""
        + model + "\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":" + usage.formatted(1) + "}}");
    event(out, "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
    event(out, "ping", "{\"type\": \"ping\"}");
    int deltas = model.startsWith("slow-") ? 200 : 3;
    for (int i = 0; i < deltas; i++) {
      if (model.startsWith("reset-") && i == 2) {
        throw new IllegalStateException("connection reset on purpose"); // the server drops the connection
      }
      event(out, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"word " + i + " \"}}");
      if (model.startsWith("slow-")) {
        sleep(20);
      }
    }
    event(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
    boolean tool = wantsTool(req);
    if (tool) {
      event(out, "content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_01"
          + n + "\",\"name\":\"Glob\",\"input\":{}}}");
      event(out, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"pattern\\\": \"}}");
      event(out, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"*\\\"}\"}}");
      event(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}");
    }
    event(out, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + (tool ? "tool_use" : "end_turn")
        + "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + output + "}}");
    event(out, "message_stop", "{\"type\":\"message_stop\"}");
  }

  /**
   * A streamed answer also calls the {@code Glob} tool when the conversation asks for {@value #TOOL_PROMPT}
   * and holds no tool result yet: so an agent such as Claude Code runs a tool loop
   * (two requests, a tool_use block with {@code input_json_delta}s).
   */
  static final String TOOL_PROMPT = "list the files with Glob";

  private static boolean wantsTool(JsonNode req) {
    // Claude Code 2.1 also sends role "system" messages mid-conversation: look at every message
    if (!req.path("messages").isArray() || !req.toString().contains(TOOL_PROMPT)) {
      return false;
    }
    for (JsonNode message : req.path("messages")) {
      for (JsonNode block : message.path("content")) {
        if (block.path("type").asText().equals("tool_result")) {
          return false;
        }
      }
    }
    return true;
  }

  // ------------------------------------------------------------------ OpenAI

  private void chat(HttpExchange ex, JsonNode req, int n) throws IOException {
    String id = "chatcmpl-" + n;
    ex.getResponseHeaders().add("x-request-id", "req_oai_" + n);
    long prompt = 1310 + n;
    long cached = 1152;
    long completion = 7 + n;
    long reasoning = n % 3;
    reported.put(id, new Tokens(prompt - cached, completion, 0, 0, cached, reasoning, 0));
    String usage = "{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion + ",\"total_tokens\":" + (prompt + completion)
        + ",\"prompt_tokens_details\":{\"cached_tokens\":" + cached + ",\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":"
        + reasoning + ",\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}";
    String model = req.path("model").asText();
    if (!req.path("stream").asBoolean(false)) {
      json(ex, 200, JSON.readTree("{\"id\":\"" + id + "\",\"object\":\"chat.completion\",\"created\":1760000000,\"model\":\"" + model
          + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello\"},\"finish_reason\":\"stop\"}],\"usage\":" + usage + "}"));
      return;
    }
    boolean withUsage = req.path("stream_options").path("include_usage").asBoolean(false);
    String nul = withUsage ? ",\"usage\":null" : "";
    OutputStream out = startStream(ex);
    String head = "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":1760000000,\"model\":\"" + model + "\",";
    data(out, head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]" + nul + "}");
    data(out, head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}]" + nul + "}");
    data(out, head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]" + nul + "}");
    if (withUsage) {
      data(out, head + "\"choices\":[],\"usage\":" + usage + "}");
    }
    data(out, "[DONE]");
  }

  private void responses(HttpExchange ex, JsonNode req, int n) throws IOException {
    String id = "resp_" + n;
    long input = 9120 + n;
    long cached = 8064;
    long output = 412 + n;
    long reasoning = 256;
    reported.put(id, new Tokens(input - cached, output, 0, 0, cached, reasoning, 0));
    String model = req.path("model").asText();
    String usage = "{\"input_tokens\":" + input + ",\"input_tokens_details\":{\"cached_tokens\":" + cached + "},\"output_tokens\":" + output
        + ",\"output_tokens_details\":{\"reasoning_tokens\":" + reasoning + "},\"total_tokens\":" + (input + output) + "}";
    String done = "{\"id\":\"" + id + "\",\"object\":\"response\",\"created_at\":1760000000,\"status\":\"completed\",\"model\":\"" + model
        + "\",\"output\":[{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"status\":\"completed\",\"content\":[{\"type\":\"output_text\",\"text\":\"Patched\",\"annotations\":[]}]}],\"usage\":" + usage + "}";
    if (!req.path("stream").asBoolean(false)) {
      json(ex, 200, JSON.readTree(done));
      return;
    }
    OutputStream out = startStream(ex);
    event(out, "response.created", "{\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"" + id
        + "\",\"object\":\"response\",\"created_at\":1760000000,\"status\":\"in_progress\",\"model\":\"" + model + "\",\"output\":[],\"usage\":null}}");
    event(out, "response.in_progress", "{\"type\":\"response.in_progress\",\"sequence_number\":1,\"response\":{\"id\":\"" + id
        + "\",\"object\":\"response\",\"created_at\":1760000000,\"status\":\"in_progress\",\"model\":\"" + model + "\",\"output\":[],\"usage\":null}}");
    event(out, "response.output_item.added", "{\"type\":\"response.output_item.added\",\"sequence_number\":2,\"output_index\":0,\"item\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"status\":\"in_progress\",\"content\":[]}}");
    event(out, "response.content_part.added", "{\"type\":\"response.content_part.added\",\"sequence_number\":3,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"output_text\",\"text\":\"\",\"annotations\":[]}}");
    event(out, "response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"sequence_number\":4,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"Patched\",\"logprobs\":[]}");
    event(out, "response.output_text.done", "{\"type\":\"response.output_text.done\",\"sequence_number\":5,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"text\":\"Patched\",\"logprobs\":[]}");
    // clients such as Codex build the answer from the finished items, not from the deltas
    event(out, "response.content_part.done", "{\"type\":\"response.content_part.done\",\"sequence_number\":6,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"output_text\",\"text\":\"Patched\",\"annotations\":[]}}");
    event(out, "response.output_item.done", "{\"type\":\"response.output_item.done\",\"sequence_number\":7,\"output_index\":0,\"item\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"status\":\"completed\",\"content\":[{\"type\":\"output_text\",\"text\":\"Patched\",\"annotations\":[]}]}}");
    event(out, "response.completed", "{\"type\":\"response.completed\",\"sequence_number\":8,\"response\":" + done + "}");
  }

  private void embeddings(HttpExchange ex, JsonNode req, int n) throws IOException {
    long prompt = 8 + n;
    String requestId = "req_emb_" + n;
    ex.getResponseHeaders().add("x-request-id", requestId);
    reported.put(requestId, new Tokens(prompt, 0, 0, 0, 0, 0, 0));
    json(ex, 200, JSON.readTree("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,0.2]}],\"model\":\""
        + req.path("model").asText() + "\",\"usage\":{\"prompt_tokens\":" + prompt + ",\"total_tokens\":" + prompt + "}}"));
  }

  // ------------------------------------------------------------------ wire helpers

  private static void error(HttpExchange ex, boolean anthropic, int status, String type, String message) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    if (anthropic) {
      body.put("type", "error").putObject("error").put("type", type).put("message", message);
      body.put("request_id", "req_err");
      ex.getResponseHeaders().add("request-id", "req_err");
    } else {
      body.putObject("error").put("message", message).put("type", type).putNull("param").putNull("code");
    }
    json(ex, status, body);
  }

  private static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().add("content-type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  private static OutputStream startStream(HttpExchange ex) throws IOException {
    ex.getResponseHeaders().add("content-type", "text/event-stream; charset=utf-8");
    ex.getResponseHeaders().add("cache-control", "no-cache");
    ex.sendResponseHeaders(200, 0);
    return ex.getResponseBody();
  }

  private static void event(OutputStream out, String name, String data) throws IOException {
    out.write(("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static void data(OutputStream out, String data) throws IOException {
    out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
