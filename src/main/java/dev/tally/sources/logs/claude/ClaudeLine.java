package dev.tally.sources.logs.claude;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tally.sources.logs.JsonSkip;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of one Claude Code transcript line that matter for usage, pulled with a streaming
 * parser (message content, tool results and everything else are skipped without being built).
 */
final class ClaudeLine {
  static final JsonFactory JSON = JsonFactory.builder().build();
  private static final byte[] MESSAGE = "message".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONTENT = "content".getBytes(StandardCharsets.US_ASCII);
  /** Below this a content is parsed along: copying the line around it would cost more. */
  private static final int SKIP_AT_LEAST = 64;

  String type;
  String timestamp;
  String sessionId;
  String cwd;
  String requestId;
  boolean sidechain;
  Double costUsd;
  String messageId;
  String model;
  boolean hasUsage;
  long input;
  long output;
  long cacheCreation;
  long cacheRead;
  Long ephemeral5m;
  Long ephemeral1h;
  long webSearches;
  /** cost-state lines: cumulative cost in USD per model for the session. */
  Map<String, Double> modelCosts;

  static ClaudeLine parse(byte[] buf, int start, int end) throws IOException {
    // The message's content (text, thinking, tool calls: most of a line's bytes) matters for nothing
    // here: it is stepped over without being tokenized, and the parser reads the line without it.
    int content = JsonSkip.fieldValue(buf, JsonSkip.fieldValue(buf, start, end, MESSAGE), end, CONTENT);
    int contentEnd = JsonSkip.valueEnd(buf, content, end);
    if (contentEnd - content > SKIP_AT_LEAST) {
      int head = content - start;
      byte[] rest = new byte[head + 2 + end - contentEnd];
      System.arraycopy(buf, start, rest, 0, head);
      rest[head] = '[';
      rest[head + 1] = ']';
      System.arraycopy(buf, contentEnd, rest, head + 2, end - contentEnd);
      return read(rest, 0, rest.length);
    }
    return read(buf, start, end);
  }

  private static ClaudeLine read(byte[] buf, int start, int end) throws IOException {
    ClaudeLine l = new ClaudeLine();
    try (JsonParser p = JSON.createParser(buf, start, end - start)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        JsonToken t = p.nextToken();
        switch (f) {
          case "type" -> l.type = text(p, t);
          case "timestamp" -> l.timestamp = text(p, t);
          case "sessionId" -> l.sessionId = text(p, t);
          case "cwd" -> l.cwd = text(p, t);
          case "requestId" -> l.requestId = text(p, t);
          case "isSidechain" -> l.sidechain = t == JsonToken.VALUE_TRUE;
          case "costUSD" -> l.costUsd = t.isNumeric() ? p.getDoubleValue() : null;
          case "message" -> {
            if (t == JsonToken.START_OBJECT) {
              l.message(p);
            } else {
              p.skipChildren();
            }
          }
          case "modelUsage" -> {
            if (t == JsonToken.START_OBJECT) {
              l.modelUsage(p);
            } else {
              p.skipChildren();
            }
          }
          default -> p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT) {
        throw new IOException("unexpected " + p.currentToken());
      }
    }
    return l;
  }

  private void message(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken t = p.nextToken();
      switch (f) {
        case "id" -> messageId = text(p, t);
        case "model" -> model = text(p, t);
        case "usage" -> {
          if (t == JsonToken.START_OBJECT) {
            hasUsage = true;
            usage(p);
          } else {
            p.skipChildren();
          }
        }
        default -> p.skipChildren();
      }
    }
  }

  private void usage(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken t = p.nextToken();
      switch (f) {
        case "input_tokens" -> input = number(p, t);
        case "output_tokens" -> output = number(p, t);
        case "cache_creation_input_tokens" -> cacheCreation = number(p, t);
        case "cache_read_input_tokens" -> cacheRead = number(p, t);
        case "cache_creation" -> {
          if (t == JsonToken.START_OBJECT) {
            ephemeral5m = 0L;
            ephemeral1h = 0L;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String g = p.currentName();
              JsonToken u = p.nextToken();
              if (g.equals("ephemeral_5m_input_tokens")) {
                ephemeral5m = number(p, u);
              } else if (g.equals("ephemeral_1h_input_tokens")) {
                ephemeral1h = number(p, u);
              } else {
                p.skipChildren();
              }
            }
          } else {
            p.skipChildren();
          }
        }
        case "server_tool_use" -> {
          if (t == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String g = p.currentName();
              JsonToken u = p.nextToken();
              if (g.equals("web_search_requests")) {
                webSearches = number(p, u);
              } else {
                p.skipChildren();
              }
            }
          } else {
            p.skipChildren();
          }
        }
        default -> p.skipChildren();
      }
    }
  }

  private void modelUsage(JsonParser p) throws IOException {
    modelCosts = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String modelName = p.currentName();
      if (p.nextToken() != JsonToken.START_OBJECT) {
        p.skipChildren();
        continue;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        JsonToken t = p.nextToken();
        if (f.equals("costUSD") && t.isNumeric()) {
          modelCosts.put(modelName, p.getDoubleValue());
        } else {
          p.skipChildren();
        }
      }
    }
  }

  /**
   * {@code oauthAccount.emailAddress} of Claude Code's global state file, read as a stream: the file
   * also keeps every project's history and can be megabytes, read at every report.
   */
  static String accountEmail(Path stateFile) throws IOException {
    try (JsonParser p = JSON.createParser(stateFile.toFile())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        JsonToken t = p.nextToken();
        if (f.equals("oauthAccount") && t == JsonToken.START_OBJECT) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String g = p.currentName();
            JsonToken u = p.nextToken();
            if (g.equals("emailAddress")) {
              return text(p, u);
            }
            p.skipChildren();
          }
          return null;
        }
        p.skipChildren();
      }
      return null;
    }
  }

  private static String text(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    p.skipChildren();
    return null;
  }

  private static long number(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NUMBER_INT) {
      return Math.max(0, p.getLongValue());
    }
    if (t == JsonToken.VALUE_NUMBER_FLOAT) {
      return Math.max(0, Math.round(p.getDoubleValue()));
    }
    p.skipChildren();
    return 0;
  }
}
