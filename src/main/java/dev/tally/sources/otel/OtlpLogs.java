package dev.tally.sources.otel;

import dev.tally.ledger.Instants;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.tally.ledger.DedupKeys;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Agents' OpenTelemetry events as usage events: Claude Code's {@code claude_code.api_request} (one
 * per model request), Codex's {@code codex.sse_event} for a completed response and Gemini CLI's
 * {@code gemini_cli.api_response}. Claude Code's are keyed by the Anthropic request id, so the same
 * request read from the local transcript or seen by the gateway merges with them. Token counts carry no
 * cache-write TTL split (all of it is counted as 5-minute writes unless a copy with the split is
 * known); Claude Code's own cost is kept as the request's reported cost.
 */
public final class OtlpLogs {
  private OtlpLogs() {}

  /** A payload that cannot be read, with the reason. */
  public static final class BadPayload extends Exception {
    public BadPayload(String reason) {
      super(reason, null, false, false);
    }
  }

  public static ExportLogsServiceRequest parse(byte[] body, boolean json) throws BadPayload {
    try {
      if (json) {
        ExportLogsServiceRequest.Builder b = ExportLogsServiceRequest.newBuilder();
        JsonFormat.parser().ignoringUnknownFields().merge(new String(body, StandardCharsets.UTF_8), b);
        return b.build();
      }
      return ExportLogsServiceRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      throw new BadPayload("not an OTLP logs payload (" + (json ? "JSON" : "protobuf") + "): " + e.getMessage());
    }
  }

  /** The usage events in the payload; records that are not model requests are skipped. */
  public static List<UsageEvent> events(ExportLogsServiceRequest request) {
    List<UsageEvent> events = new ArrayList<>();
    for (ResourceLogs rl : request.getResourceLogsList()) {
      Map<String, AnyValue> resource = attributes(rl.getResource().getAttributesList());
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        for (LogRecord r : sl.getLogRecordsList()) {
          Map<String, AnyValue> a = new HashMap<>(resource);
          a.putAll(attributes(r.getAttributesList()));
          String name = eventName(r, a);
          if (name.equals("claude_code.api_request") || name.equals("api_request")) {
            events.add(apiRequest(r, a));
          } else if (name.equals("codex.sse_event") && "response.completed".equals(text(a, "event.kind"))) {
            events.add(codexResponse(r, a));
          } else if (name.equals("gemini_cli.api_response") && a.containsKey("input_token_count")) {
            events.add(geminiResponse(r, a));
          }
        }
      }
    }
    return events;
  }

  /** The event's name, wherever the exporter put it: an attribute, the record's event name, or the body. */
  private static String eventName(LogRecord r, Map<String, AnyValue> a) {
    String name = text(a, "event.name");
    if (name == null || name.isEmpty()) {
      name = !r.getEventName().isEmpty() ? r.getEventName() : r.getBody().getStringValue();
    }
    return name == null ? "" : name;
  }

  /**
   * Codex's {@code codex.sse_event} for {@code response.completed}: the turn's usage. Its input
   * includes the cached part and its output the reasoning, as in OpenAI's usage. The event carries
   * no response id, so it cannot merge with the same turn read from the rollout file: send Codex's
   * usage either way, not both.
   */
  private static UsageEvent codexResponse(LogRecord r, Map<String, AnyValue> a) {
    Instant ts = timestamp(r, a);
    long cached = number(a, "cached_token_count");
    long output = number(a, "output_token_count");
    Tokens tokens = new Tokens(Math.max(0, number(a, "input_token_count") - cached), output, 0, 0, cached,
        Math.min(output, number(a, "reasoning_token_count")), 0);
    String conversation = text(a, "conversation.id");
    return new UsageEvent(DedupKeys.sourceSpecific("codex-otel", String.valueOf(conversation), ts.toString()), ts, Source.OTEL,
        "openai", text(a, "model") == null ? "unknown" : text(a, "model"), "codex", identity(a), null, null, conversation,
        null, null, false, tokens, null);
  }

  /**
   * Gemini CLI's {@code gemini_cli.api_response}: prompt tokens include the cached part; thoughts
   * are billed as output (as the local chat reader counts them). Without a request id it cannot
   * merge with the local chat files either.
   */
  private static UsageEvent geminiResponse(LogRecord r, Map<String, AnyValue> a) {
    Instant ts = timestamp(r, a);
    long cached = number(a, "cached_content_token_count");
    long thoughts = number(a, "thoughts_token_count");
    Tokens tokens = new Tokens(Math.max(0, number(a, "input_token_count") - cached) + number(a, "tool_token_count"),
        number(a, "output_token_count") + thoughts, 0, 0, cached, thoughts, 0);
    String session = text(a, "session.id");
    String prompt = text(a, "prompt_id");
    return new UsageEvent(DedupKeys.sourceSpecific("gemini-otel", String.valueOf(session), String.valueOf(prompt), ts.toString()),
        ts, Source.OTEL, "google", text(a, "model") == null ? "unknown" : text(a, "model"), "gemini-cli", identity(a), null, null,
        session, null, null, false, tokens, null);
  }

  private static UsageEvent apiRequest(LogRecord r, Map<String, AnyValue> a) {
    String requestId = text(a, "request_id");
    String session = text(a, "session.id");
    Instant ts = timestamp(r, a);
    Tokens tokens = new Tokens(number(a, "input_tokens"), number(a, "output_tokens"), number(a, "cache_creation_tokens"), 0,
        number(a, "cache_read_tokens"), 0, 0);
    String key = requestId != null ? DedupKeys.request("anthropic", requestId)
        : DedupKeys.sourceSpecific("claude-otel", String.valueOf(session), text(a, "event.sequence") + "", ts.toString());
    Long cost = null;
    if (a.containsKey("cost_usd_micros")) {
      cost = number(a, "cost_usd_micros");
    } else if (a.containsKey("cost_usd")) {
      cost = new BigDecimal(text(a, "cost_usd")).movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValue();
    }
    return new UsageEvent(key, ts, Source.OTEL, "anthropic", text(a, "model") == null ? "unknown" : text(a, "model"),
        "claude-code", identity(a), null, null, session, requestId, null, false, tokens, cost);
  }

  /** The user's email when signed in; else the account or install id; else an {@code enduser.id}. */
  private static String identity(Map<String, AnyValue> a) {
    String email = text(a, "user.email");
    if (email != null) {
      return "email:" + email.toLowerCase(Locale.ROOT);
    }
    String enduser = text(a, "enduser.id");
    if (enduser != null) {
      return enduser.contains("@") ? "email:" + enduser.toLowerCase(Locale.ROOT) : "enduser:" + enduser;
    }
    String account = text(a, "user.account_uuid");
    if (account != null) {
      return "anthropic-user:" + account;
    }
    String install = text(a, "user.id");
    return install == null ? null : "claude-install:" + install;
  }

  private static Instant timestamp(LogRecord r, Map<String, AnyValue> a) {
    String iso = text(a, "event.timestamp");
    if (iso != null) {
      try {
        return Instants.parse(iso);
      } catch (DateTimeParseException e) {
        // fall back to the record's own time
      }
    }
    long nanos = r.getTimeUnixNano() != 0 ? r.getTimeUnixNano() : r.getObservedTimeUnixNano();
    return Instant.ofEpochSecond(0, nanos);
  }

  static Map<String, AnyValue> attributes(List<KeyValue> kvs) {
    Map<String, AnyValue> m = new HashMap<>();
    for (KeyValue kv : kvs) {
      m.put(kv.getKey(), kv.getValue());
    }
    return m;
  }

  static String text(Map<String, AnyValue> a, String key) {
    AnyValue v = a.get(key);
    if (v == null) {
      return null;
    }
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue().isEmpty() ? null : v.getStringValue();
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> BigDecimal.valueOf(v.getDoubleValue()).toPlainString();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      default -> null;
    };
  }

  /** Numbers arrive as int, double or string depending on the exporter: accept all three. */
  static long number(Map<String, AnyValue> a, String key) {
    String t = text(a, key);
    if (t == null) {
      return 0;
    }
    try {
      return Math.max(0, new BigDecimal(t.trim()).setScale(0, RoundingMode.HALF_UP).longValueExact());
    } catch (NumberFormatException | ArithmeticException e) {
      return 0;
    }
  }
}
