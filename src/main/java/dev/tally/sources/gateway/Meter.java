package dev.tally.sources.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.ledger.Tokens;

/**
 * Reads a response's usage as it passes: from a whole JSON body, or event by event from a stream.
 * Rules from shared/reference/gateway.md: Anthropic counts in {@code message_delta} are cumulative
 * (the last value wins, absent fields fall back to {@code message_start}); OpenAI's prompt tokens
 * include cached ones, which are taken out so the kinds stay disjoint; reasoning is a subset of output.
 */
final class Meter {
  enum Api { MESSAGES, CHAT, RESPONSES, EMBEDDINGS, OTHER }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Api api;
  private final boolean stripUsageChunk;
  String id;
  String model;
  private long input;
  private long output;
  private long cacheWrite5m;
  private long cacheWrite1h;
  private long cacheRead;
  private long reasoning;
  private long webSearches;
  Long reportedCostMicros;
  /** Characters generated so far, for an estimate when the stream ends before its usage. */
  private long streamedChars;
  private boolean usageSeen;
  private boolean finalUsageSeen;
  private boolean ended;

  /** @param stripUsageChunk drop OpenAI's usage-only chunk: the gateway asked for it, the client did not */
  Meter(Api api, boolean stripUsageChunk) {
    this.api = api;
    this.stripUsageChunk = stripUsageChunk;
  }

  Api api() {
    return api;
  }

  /** A whole (non-streamed) response body. */
  void onBody(JsonNode body) {
    switch (api) {
      case MESSAGES -> {
        readMessage(body);
        finalUsageSeen = usageSeen;
      }
      case CHAT, EMBEDDINGS -> {
        readChatHead(body);
        readOpenAiUsage(body.path("usage"), "prompt_tokens", "completion_tokens");
        finalUsageSeen = usageSeen;
      }
      case RESPONSES -> {
        readResponse(body);
        finalUsageSeen = usageSeen;
      }
      case OTHER -> { }
    }
  }

  /** One streamed event; false when the client must not see it. */
  boolean onEvent(Sse.Event e) {
    if ("[DONE]".equals(e.data())) {
      ended = true;
    }
    if (e.data() == null || e.data().isEmpty() || e.data().equals("[DONE]") || api == Api.OTHER) {
      return true;
    }
    if (api == Api.MESSAGES && "content_block_delta".equals(e.name())) {
      streamedChars += deltaChars(e.data()); // most of a stream: counted without building a tree
      return true;
    }
    JsonNode d;
    try {
      d = JSON.readTree(e.data());
    } catch (Exception notJson) {
      return true; // not ours to judge: relay it as it is
    }
    String type = d.path("type").asText(e.name() == null ? "" : e.name());
    switch (api) {
      case MESSAGES -> {
        switch (type) {
          case "message_start" -> readMessage(d.path("message"));
          case "message_delta" -> {
            readAnthropicUsage(d.path("usage"));
            finalUsageSeen = true;
          }
          case "message_stop" -> ended = true;
          case "content_block_delta" -> streamedChars += deltaChars(e.data()); // an event without its name line
          default -> { }
        }
      }
      case CHAT -> {
        readChatHead(d);
        for (JsonNode choice : d.path("choices")) {
          streamedChars += choice.path("delta").path("content").asText("").length()
              + choice.path("delta").path("reasoning").asText("").length();
        }
        JsonNode usage = d.path("usage");
        if (usage.isObject()) {
          readOpenAiUsage(usage, "prompt_tokens", "completion_tokens");
          finalUsageSeen = true;
          return !(stripUsageChunk && d.path("choices").isArray() && d.path("choices").isEmpty());
        }
      }
      case RESPONSES -> {
        if (type.equals("response.output_text.delta") || type.equals("response.reasoning_text.delta")
            || type.equals("response.function_call_arguments.delta")) {
          streamedChars += d.path("delta").asText("").length();
        } else if (d.has("response")) {
          readResponse(d.path("response"));
          if (type.equals("response.completed") || type.equals("response.incomplete") || type.equals("response.failed")) {
            finalUsageSeen = usageSeen || finalUsageSeen;
            ended = true;
          }
        }
      }
      default -> { }
    }
    return true;
  }

  /** The characters of a {@code content_block_delta}'s text, thinking or partial JSON. */
  private static long deltaChars(String data) {
    long chars = 0;
    try (com.fasterxml.jackson.core.JsonParser p = JSON.getFactory().createParser(data)) {
      for (com.fasterxml.jackson.core.JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
          String field = p.currentName();
          if ("text".equals(field) || "thinking".equals(field) || "partial_json".equals(field)) {
            chars += p.getTextLength();
          }
        }
      }
    } catch (java.io.IOException notJson) {
      // relayed as it is; nothing to count
    }
    return chars;
  }

  private void readMessage(JsonNode message) {
    if (message.hasNonNull("id")) {
      id = message.get("id").asText();
    }
    if (message.hasNonNull("model")) {
      model = message.get("model").asText();
    }
    readAnthropicUsage(message.path("usage"));
  }

  private void readAnthropicUsage(JsonNode u) {
    if (!u.isObject()) {
      return;
    }
    usageSeen = true;
    input = u.path("input_tokens").asLong(input);
    output = u.path("output_tokens").asLong(output);
    cacheRead = u.path("cache_read_input_tokens").asLong(cacheRead);
    if (u.has("cache_creation_input_tokens")) {
      long writes = u.path("cache_creation_input_tokens").asLong(0);
      JsonNode split = u.path("cache_creation");
      if (split.isObject()) {
        cacheWrite1h = split.path("ephemeral_1h_input_tokens").asLong(0);
        cacheWrite5m = split.path("ephemeral_5m_input_tokens").asLong(writes - cacheWrite1h);
      } else if (writes != cacheWrite5m + cacheWrite1h) {
        cacheWrite5m = writes - cacheWrite1h; // no breakdown: writes count as 5-minute ones
      }
    }
    reasoning = u.path("output_tokens_details").path("thinking_tokens").asLong(reasoning);
    webSearches = u.path("server_tool_use").path("web_search_requests").asLong(webSearches);
  }

  private void readChatHead(JsonNode d) {
    if (id == null && d.hasNonNull("id")) {
      id = d.get("id").asText();
    }
    if (model == null && d.hasNonNull("model")) {
      model = d.get("model").asText();
    }
  }

  private void readResponse(JsonNode r) {
    if (r.hasNonNull("id")) {
      id = r.get("id").asText();
    }
    if (r.hasNonNull("model")) {
      model = r.get("model").asText();
    }
    readOpenAiUsage(r.path("usage"), "input_tokens", "output_tokens");
  }

  private void readOpenAiUsage(JsonNode u, String inputField, String outputField) {
    if (!u.isObject()) {
      return;
    }
    usageSeen = true;
    JsonNode in = u.has("prompt_tokens_details") ? u.path("prompt_tokens_details") : u.path("input_tokens_details");
    JsonNode out = u.has("completion_tokens_details") ? u.path("completion_tokens_details") : u.path("output_tokens_details");
    cacheRead = in.path("cached_tokens").asLong(0);
    cacheWrite5m = in.path("cache_write_tokens").asLong(0);
    input = Math.max(0, u.path(inputField).asLong(0) - cacheRead - cacheWrite5m);
    output = u.path(outputField).asLong(0);
    reasoning = Math.min(output, out.path("reasoning_tokens").asLong(0));
    if (u.hasNonNull("cost") && u.get("cost").isNumber()) {
      // OpenRouter: credits, 1 credit = 1 USD
      reportedCostMicros = u.get("cost").decimalValue().movePointRight(6).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
    }
  }

  /** True once the response's final usage was read; else {@link #tokens} is the best estimate. */
  boolean complete() {
    return finalUsageSeen;
  }

  /** True at the stream's last event (Anthropic message_stop, OpenAI [DONE], a terminal Responses event). */
  boolean ended() {
    return ended;
  }

  boolean anyUsage() {
    return usageSeen || streamedChars > 0;
  }

  /**
   * The tokens used. When the stream stopped before its final usage (the client left, the
   * connection broke), output is estimated from the characters relayed so far (about four per token).
   */
  Tokens tokens() {
    long out = output;
    if (!finalUsageSeen) {
      out = Math.max(out, (streamedChars + 3) / 4);
    }
    return new Tokens(input, out, cacheWrite5m, cacheWrite1h, cacheRead, Math.min(reasoning, out), webSearches);
  }
}
