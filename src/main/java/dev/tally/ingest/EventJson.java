package dev.tally.ingest;

import dev.tally.ledger.Instants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tags;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
 * {@code tags} is optional; a tag must be a string without commas (see {@link Tags}). Events are read
 * and written token by token: a batch of 10,000 never exists as a JSON tree.
 */
public final class EventJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  private EventJson() {}

  /** A field that is missing or wrong, named. */
  public static final class InvalidEvent extends Exception {
    public InvalidEvent(String reason) {
      super(reason, null, false, false);
    }
  }

  /** Items of a batch: the events that read well, and the position and reason of each that did not. */
  public record Batch(List<UsageEvent> events, List<Reject> rejects, int size) {}

  public record Reject(int index, String reason) {}

  /** The batch is bigger than allowed; {@code size} counts every item. */
  public static final class TooMany extends Exception {
    public final int size;

    TooMany(int size) {
      super("too many events", null, false, false);
      this.size = size;
    }
  }

  /**
   * Reads {@code {"events": [...]}} from {@code in} as it arrives. A malformed item is rejected with
   * its reason and the rest still read; malformed JSON throws the parser's {@link IOException}.
   */
  public static Batch readBatch(InputStream in, int max) throws IOException, TooMany {
    List<UsageEvent> events = new ArrayList<>();
    List<Reject> rejects = new ArrayList<>();
    boolean found = false;
    int index = 0;
    try (JsonParser p = FACTORY.createParser(in)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("expected {\"events\": [...]}");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (!field.equals("events")) {
          p.skipChildren();
          continue;
        }
        if (value != JsonToken.START_ARRAY) {
          throw new IllegalArgumentException("expected {\"events\": [...]}");
        }
        found = true;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
          if (t == null) {
            throw new IOException("unexpected end of input");
          }
          if (index >= max) {
            p.skipChildren(); // only counted, so that the answer can say how many there were
            continue;
          }
          try {
            events.add(read(p));
          } catch (InvalidEvent | IllegalArgumentException e) {
            rejects.add(new Reject(index, e.getMessage()));
          }
        }
      }
      p.nextToken(); // past the end: malformed trailing input is an error, not ignored
    }
    if (!found) {
      throw new IllegalArgumentException("expected {\"events\": [...]}");
    }
    if (index > max) {
      throw new TooMany(index);
    }
    return new Batch(events, rejects, index);
  }

  /** One event from a tree (a spool line, a test). */
  public static UsageEvent fromJson(JsonNode n) throws InvalidEvent {
    try (JsonParser p = n == null ? FACTORY.createParser("null") : n.traverse()) {
      p.nextToken();
      return read(p);
    } catch (IOException e) {
      throw new InvalidEvent("unreadable event: " + e.getMessage());
    }
  }

  /** One event from a line of JSON (the spool). */
  public static UsageEvent fromJson(String line) throws InvalidEvent {
    try (JsonParser p = FACTORY.createParser(line)) {
      p.nextToken();
      return read(p);
    } catch (IOException e) {
      throw new InvalidEvent("not JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  /**
   * Reads the event that starts at the parser's current token, through its end, also when it is
   * invalid (the first problem found is thrown once the whole item was consumed).
   */
  static UsageEvent read(JsonParser p) throws IOException, InvalidEvent {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      String what = p.currentToken() == null ? "nothing" : p.getText();
      p.skipChildren();
      throw new InvalidEvent("an event must be a JSON object, not " + what);
    }
    Fields f = new Fields();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      switch (field) {
        case "dedupKey" -> f.dedupKey = text(p, v);
        case "timestamp" -> f.timestamp = text(p, v);
        case "source" -> f.source = text(p, v);
        case "provider" -> f.provider = text(p, v);
        case "model" -> f.model = text(p, v);
        case "tool" -> f.tool = text(p, v);
        case "identity" -> f.identity = text(p, v);
        case "keyId" -> f.keyId = text(p, v);
        case "project" -> f.project = text(p, v);
        case "sessionId" -> f.sessionId = text(p, v);
        case "requestId" -> f.requestId = text(p, v);
        case "messageId" -> f.messageId = text(p, v);
        case "sidechain" -> f.sidechain = v == JsonToken.VALUE_TRUE;
        case "reportedCostIsShare" -> f.reportedShare = v == JsonToken.VALUE_TRUE;
        case "reportedCostMicros" -> {
          if (v != JsonToken.VALUE_NULL) {
            if (!wholeNumber(p, v) || p.getLongValue() < 0) {
              f.problem("reportedCostMicros must be a whole number of micro-dollars >= 0");
            } else {
              f.reported = p.getLongValue();
            }
          }
        }
        case "tokens" -> {
          if (v == JsonToken.START_OBJECT) {
            f.tokens = tokens(p, f);
          } else {
            p.skipChildren();
          }
        }
        case "tags" -> f.tags = tags(p, v, f);
        default -> p.skipChildren();
      }
    }
    return f.event();
  }

  /** The fields of an event as they are read, and the first thing wrong with them. */
  private static final class Fields {
    String dedupKey;
    String timestamp;
    String source;
    String provider;
    String model;
    String tool;
    String identity;
    String keyId;
    String project;
    String sessionId;
    String requestId;
    String messageId;
    boolean sidechain;
    boolean reportedShare;
    Long reported;
    Tokens tokens;
    List<String> tags = List.of();
    String problem;

    void problem(String reason) {
      if (problem == null) {
        problem = reason;
      }
    }

    UsageEvent event() throws InvalidEvent {
      if (problem != null) {
        throw new InvalidEvent(problem);
      }
      String key = required(dedupKey, "dedupKey");
      Instant ts;
      try {
        ts = Instants.parse(required(timestamp, "timestamp"));
      } catch (DateTimeParseException e) {
        throw new InvalidEvent("timestamp '" + timestamp + "' is not an ISO-8601 instant such as 2026-11-20T09:14:09Z");
      }
      Source src;
      try {
        src = Source.fromWireName(required(source, "source"));
      } catch (IllegalArgumentException e) {
        throw new InvalidEvent(e.getMessage());
      }
      if (tokens == null) {
        throw new InvalidEvent("tokens is missing (an object with input, output, cacheWrite5m, cacheWrite1h, cacheRead)");
      }
      return new UsageEvent(key, ts, src, required(provider, "provider"), required(model, "model"), tool, identity, keyId,
          project, sessionId, requestId, messageId, sidechain, tokens, reported, reportedShare, tags);
    }

    private static String required(String value, String field) throws InvalidEvent {
      if (value == null) {
        throw new InvalidEvent(field + " is missing or empty");
      }
      return value;
    }
  }

  /** A non-blank string value, or null (a value of another kind is skipped). */
  private static String text(JsonParser p, JsonToken v) throws IOException {
    if (v != JsonToken.VALUE_STRING) {
      p.skipChildren();
      return null;
    }
    String s = p.getText();
    return s.isBlank() ? null : s;
  }

  private static boolean wholeNumber(JsonParser p, JsonToken v) throws IOException {
    if (v != JsonToken.VALUE_NUMBER_INT) {
      p.skipChildren();
      return false;
    }
    return p.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
  }

  private static Tokens tokens(JsonParser p, Fields f) throws IOException {
    long[] n = new long[7];
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      int i = switch (field) {
        case "input" -> 0;
        case "output" -> 1;
        case "cacheWrite5m" -> 2;
        case "cacheWrite1h" -> 3;
        case "cacheRead" -> 4;
        case "reasoning" -> 5;
        case "webSearches" -> 6;
        default -> -1;
      };
      if (i < 0 || v == JsonToken.VALUE_NULL) {
        p.skipChildren();
      } else if (!wholeNumber(p, v) || p.getLongValue() < 0) {
        f.problem("tokens." + field + " must be a whole number >= 0, not " + p.getText());
      } else {
        n[i] = p.getLongValue();
      }
    }
    return new Tokens(n[0], n[1], n[2], n[3], n[4], n[5], n[6]);
  }

  private static List<String> tags(JsonParser p, JsonToken v, Fields f) throws IOException {
    if (v == JsonToken.VALUE_NULL) {
      return List.of();
    }
    if (v != JsonToken.START_ARRAY) {
      f.problem("tags must be an array of strings, not " + p.getText());
      p.skipChildren();
      return List.of();
    }
    List<String> tags = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY && t != null; t = p.nextToken()) {
      if (t != JsonToken.VALUE_STRING || p.getText().contains(",")) {
        f.problem("each tag must be a string without commas, not " + p.getText());
        p.skipChildren();
      } else {
        tags.add(p.getText());
      }
    }
    return Tags.of(tags);
  }

  /** Writes one event as a JSON object. */
  public static void write(JsonGenerator g, UsageEvent e) throws IOException {
    g.writeStartObject();
    g.writeStringField("dedupKey", e.dedupKey());
    g.writeStringField("timestamp", e.timestamp().toString());
    g.writeStringField("source", e.source().wireName());
    g.writeStringField("provider", e.provider());
    g.writeStringField("model", e.model());
    writeOptional(g, "tool", e.tool());
    writeOptional(g, "identity", e.identity());
    writeOptional(g, "keyId", e.keyId());
    writeOptional(g, "project", e.project());
    writeOptional(g, "sessionId", e.sessionId());
    writeOptional(g, "requestId", e.requestId());
    writeOptional(g, "messageId", e.messageId());
    if (e.sidechain()) {
      g.writeBooleanField("sidechain", true);
    }
    Tokens k = e.tokens();
    g.writeObjectFieldStart("tokens");
    g.writeNumberField("input", k.input());
    g.writeNumberField("output", k.output());
    g.writeNumberField("cacheWrite5m", k.cacheWrite5m());
    g.writeNumberField("cacheWrite1h", k.cacheWrite1h());
    g.writeNumberField("cacheRead", k.cacheRead());
    g.writeNumberField("reasoning", k.reasoning());
    g.writeNumberField("webSearches", k.webSearches());
    g.writeEndObject();
    if (e.reportedCostMicros() != null) {
      g.writeNumberField("reportedCostMicros", e.reportedCostMicros());
      g.writeBooleanField("reportedCostIsShare", e.reportedCostIsShare());
    }
    if (!e.tags().isEmpty()) {
      g.writeArrayFieldStart("tags");
      for (String t : e.tags()) {
        g.writeString(t);
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  /** One event as a line of UTF-8 JSON, newline included (the spool's format). */
  public static byte[] line(UsageEvent e) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      write(g, e);
    } catch (IOException impossible) {
      throw new UncheckedIOException(impossible);
    }
    out.write('\n');
    return out.toByteArray();
  }

  /** One event as a tree (tests and the benchmark build batches with it). */
  public static ObjectNode toJson(UsageEvent e) {
    try {
      return (ObjectNode) MAPPER.readTree(line(e));
    } catch (IOException impossible) {
      throw new UncheckedIOException(impossible);
    }
  }

  private static void writeOptional(JsonGenerator g, String field, String value) throws IOException {
    if (value != null) {
      g.writeStringField(field, value);
    }
  }
}
