package dev.tally.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tags;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire form of a usage event (ingest API, agent spool):
 *
 * <pre>{"dedupKey", "timestamp" (ISO-8601 UTC), "source", "provider", "model", "tool", "identity", "keyId",
 *  "project", "sessionId", "requestId", "messageId", "sidechain",
 *  "tokens": {"input", "output", "cacheWrite5m", "cacheWrite1h", "cacheRead", "reasoning", "webSearches"},
 *  "reportedCostMicros", "reportedCostIsShare", "tags": ["team:web", "feature-x"]}</pre>
 *
 * {@code tags} is optional; a tag must be a string without commas (see {@link Tags}).
 */
public final class EventJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private EventJson() {}

  /** A field that is missing or wrong, named. */
  public static final class InvalidEvent extends Exception {
    public InvalidEvent(String reason) {
      super(reason, null, false, false);
    }
  }

  public static ObjectNode toJson(UsageEvent e) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("dedupKey", e.dedupKey());
    n.put("timestamp", e.timestamp().toString());
    n.put("source", e.source().wireName());
    n.put("provider", e.provider());
    n.put("model", e.model());
    putOptional(n, "tool", e.tool());
    putOptional(n, "identity", e.identity());
    putOptional(n, "keyId", e.keyId());
    putOptional(n, "project", e.project());
    putOptional(n, "sessionId", e.sessionId());
    putOptional(n, "requestId", e.requestId());
    putOptional(n, "messageId", e.messageId());
    if (e.sidechain()) {
      n.put("sidechain", true);
    }
    ObjectNode t = n.putObject("tokens");
    Tokens k = e.tokens();
    t.put("input", k.input());
    t.put("output", k.output());
    t.put("cacheWrite5m", k.cacheWrite5m());
    t.put("cacheWrite1h", k.cacheWrite1h());
    t.put("cacheRead", k.cacheRead());
    t.put("reasoning", k.reasoning());
    t.put("webSearches", k.webSearches());
    if (e.reportedCostMicros() != null) {
      n.put("reportedCostMicros", e.reportedCostMicros());
      n.put("reportedCostIsShare", e.reportedCostIsShare());
    }
    if (!e.tags().isEmpty()) {
      e.tags().forEach(n.putArray("tags")::add);
    }
    return n;
  }

  public static UsageEvent fromJson(JsonNode n) throws InvalidEvent {
    if (n == null || !n.isObject()) {
      throw new InvalidEvent("an event must be a JSON object");
    }
    String key = required(n, "dedupKey");
    Instant ts;
    try {
      ts = Instant.parse(required(n, "timestamp"));
    } catch (DateTimeParseException e) {
      throw new InvalidEvent("timestamp '" + n.path("timestamp").asText() + "' is not an ISO-8601 instant such as 2026-11-20T09:14:09Z");
    }
    Source source;
    try {
      source = Source.fromWireName(required(n, "source"));
    } catch (IllegalArgumentException e) {
      throw new InvalidEvent(e.getMessage());
    }
    JsonNode t = n.path("tokens");
    if (!t.isObject()) {
      throw new InvalidEvent("tokens is missing (an object with input, output, cacheWrite5m, cacheWrite1h, cacheRead)");
    }
    Tokens tokens = new Tokens(count(t, "input"), count(t, "output"), count(t, "cacheWrite5m"), count(t, "cacheWrite1h"),
        count(t, "cacheRead"), count(t, "reasoning"), count(t, "webSearches"));
    Long reported = null;
    if (n.hasNonNull("reportedCostMicros")) {
      if (!n.get("reportedCostMicros").canConvertToLong() || n.get("reportedCostMicros").asLong() < 0) {
        throw new InvalidEvent("reportedCostMicros must be a whole number of micro-dollars >= 0");
      }
      reported = n.get("reportedCostMicros").asLong();
    }
    return new UsageEvent(key, ts, source, required(n, "provider"), required(n, "model"), optional(n, "tool"),
        optional(n, "identity"), optional(n, "keyId"), optional(n, "project"), optional(n, "sessionId"),
        optional(n, "requestId"), optional(n, "messageId"), n.path("sidechain").asBoolean(false), tokens, reported,
        n.path("reportedCostIsShare").asBoolean(false), tags(n.get("tags")));
  }

  private static List<String> tags(JsonNode v) throws InvalidEvent {
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw new InvalidEvent("tags must be an array of strings, not " + v);
    }
    List<String> tags = new ArrayList<>();
    for (JsonNode t : v) {
      if (!t.isTextual() || t.asText().contains(",")) {
        throw new InvalidEvent("each tag must be a string without commas, not " + t);
      }
      tags.add(t.asText());
    }
    return Tags.of(tags);
  }

  private static String required(JsonNode n, String field) throws InvalidEvent {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new InvalidEvent(field + " is missing or empty");
    }
    return v.asText();
  }

  private static String optional(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
  }

  private static long count(JsonNode t, String field) throws InvalidEvent {
    JsonNode v = t.get(field);
    if (v == null || v.isNull()) {
      return 0;
    }
    if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
      throw new InvalidEvent("tokens." + field + " must be a whole number >= 0, not " + v);
    }
    return v.asLong();
  }

  private static void putOptional(ObjectNode n, String field, String value) {
    if (value != null) {
      n.put(field, value);
    }
  }
}
