package dev.tally.sources.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.ledger.Source;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Claude Code OTLP payloads shaped as agent-logs.md section 6 documents them. */
public class OtlpLogsTest {

  public static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  public static KeyValue kv(String k, long v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setIntValue(v)).build();
  }

  /** Two api_request events (one with a request id from the real transcripts) and a tool_result event. */
  public static ExportLogsServiceRequest claudeCodePayload() {
    LogRecord first = LogRecord.newBuilder().setTimeUnixNano(1_795_456_000_000_000_000L)
        .setBody(AnyValue.newBuilder().setStringValue("claude_code.api_request"))
        .addAttributes(kv("event.name", "api_request")).addAttributes(kv("event.timestamp", "2026-11-23T17:46:27.366Z"))
        .addAttributes(kv("session.id", "57a3d6dd-53db-4602-9bc2-de9807660fdb"))
        .addAttributes(kv("user.email", "Dev@Example.com")).addAttributes(kv("model", "claude-sonnet-4-5"))
        .addAttributes(kv("input_tokens", 211)).addAttributes(kv("output_tokens", "1276"))
        .addAttributes(kv("cache_read_tokens", 18535)).addAttributes(kv("cache_creation_tokens", 2288))
        .addAttributes(kv("cost_usd", "0.0339135")).addAttributes(kv("request_id", "req_011444941e38286446691b5b9b4768b1fa9"))
        .build();
    LogRecord second = LogRecord.newBuilder().setTimeUnixNano(1_795_456_100_000_000_000L)
        .addAttributes(kv("event.name", "api_request")).addAttributes(kv("session.id", "s2"))
        .addAttributes(kv("user.email", "dev@example.com")).addAttributes(kv("model", "claude-haiku-4-5"))
        .addAttributes(kv("input_tokens", 10)).addAttributes(kv("output_tokens", 20)).addAttributes(kv("cost_usd_micros", 123))
        .addAttributes(kv("request_id", "req_otel_only")).build();
    LogRecord tool = LogRecord.newBuilder().addAttributes(kv("event.name", "tool_result")).addAttributes(kv("tool_name", "Bash")).build();
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(kv("service.name", "claude-code")))
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(first).addLogRecords(second).addLogRecords(tool))).build();
  }

  @Test
  void apiRequestEventsBecomeUsageEventsKeyedByRequestId() throws Exception {
    List<UsageEvent> events = OtlpLogs.events(OtlpLogs.parse(claudeCodePayload().toByteArray(), false));
    assertThat(events).hasSize(2);
    UsageEvent e = events.get(0);
    assertThat(e.dedupKey()).isEqualTo("anthropic:req:req_011444941e38286446691b5b9b4768b1fa9");
    assertThat(e.source()).isEqualTo(Source.OTEL);
    assertThat(e.identity()).isEqualTo("email:dev@example.com");
    assertThat(e.model()).isEqualTo("claude-sonnet-4-5");
    assertThat(e.tokens()).isEqualTo(Tokens.of(211, 1276, 2288, 0, 18535));
    assertThat(e.reportedCostMicros()).isEqualTo(33_914L);
    assertThat(e.timestamp()).isEqualTo(Instant.parse("2026-11-23T17:46:27.366Z"));
    assertThat(events.get(1).reportedCostMicros()).isEqualTo(123L);
    assertThat(events.get(1).timestamp()).isEqualTo(Instant.ofEpochSecond(1_795_456_100L));
  }

  @Test
  void theJsonEncodingWithStringNumbersReadsTheSame() throws Exception {
    String json = "{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"claude-code\"}}]},"
        + "\"scopeLogs\":[{\"scope\":{\"name\":\"com.anthropic.claude_code\"},\"logRecords\":[{\"timeUnixNano\":\"1795456000000000000\","
        + "\"body\":{\"stringValue\":\"claude_code.api_request\"},\"attributes\":["
        + "{\"key\":\"event.name\",\"value\":{\"stringValue\":\"api_request\"}},"
        + "{\"key\":\"model\",\"value\":{\"stringValue\":\"claude-opus-4-1\"}},"
        + "{\"key\":\"input_tokens\",\"value\":{\"intValue\":\"5\"}},"
        + "{\"key\":\"output_tokens\",\"value\":{\"stringValue\":\"7\"}},"
        + "{\"key\":\"cache_read_tokens\",\"value\":{\"doubleValue\":9}},"
        + "{\"key\":\"request_id\",\"value\":{\"stringValue\":\"req_json\"}},"
        + "{\"key\":\"unknownFutureThing\",\"value\":{\"stringValue\":\"x\"}}],\"someNewField\":1}]}]}]}";
    List<UsageEvent> events = OtlpLogs.events(OtlpLogs.parse(json.getBytes(StandardCharsets.UTF_8), true));
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.tokens()).isEqualTo(Tokens.of(5, 7, 0, 0, 9));
      assertThat(e.dedupKey()).isEqualTo("anthropic:req:req_json");
    });
  }

  @Test
  void aBrokenPayloadNamesTheProblem() {
    assertThatThrownBy(() -> OtlpLogs.parse("{\"resourceLogs\": 5}".getBytes(StandardCharsets.UTF_8), true))
        .isInstanceOf(OtlpLogs.BadPayload.class).hasMessageContaining("JSON");
    assertThatThrownBy(() -> OtlpLogs.parse(new byte[] {(byte) 0xff, 0x01, 0x02}, false))
        .isInstanceOf(OtlpLogs.BadPayload.class).hasMessageContaining("protobuf");
  }

  @Test
  void codexAndGeminiResponsesBecomeUsageEventsWithCachedTokensTakenOutOfInput() throws Exception {
    LogRecord codex = LogRecord.newBuilder().setTimeUnixNano(1_795_456_000_000_000_000L)
        .addAttributes(kv("event.name", "codex.sse_event")).addAttributes(kv("event.kind", "response.completed"))
        .addAttributes(kv("event.timestamp", "2026-11-23T17:46:27.366Z")).addAttributes(kv("conversation.id", "conv-1"))
        .addAttributes(kv("user.email", "dev@example.com")).addAttributes(kv("model", "gpt-5-codex"))
        .addAttributes(kv("input_token_count", 9120)).addAttributes(kv("cached_token_count", 8064))
        .addAttributes(kv("output_token_count", 412)).addAttributes(kv("reasoning_token_count", 256)).build();
    LogRecord codexDelta = LogRecord.newBuilder().addAttributes(kv("event.name", "codex.sse_event"))
        .addAttributes(kv("event.kind", "response.output_text.delta")).build();
    LogRecord gemini = LogRecord.newBuilder().setTimeUnixNano(1_795_456_100_000_000_000L)
        .addAttributes(kv("event.name", "gemini_cli.api_response")).addAttributes(kv("session.id", "g-1"))
        .addAttributes(kv("prompt_id", "p-7")).addAttributes(kv("model", "gemini-2.5-pro"))
        .addAttributes(kv("input_token_count", 1000)).addAttributes(kv("cached_content_token_count", 600))
        .addAttributes(kv("output_token_count", 50)).addAttributes(kv("thoughts_token_count", 30))
        .addAttributes(kv("tool_token_count", 5)).build();
    ExportLogsServiceRequest payload = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(codex).addLogRecords(codexDelta).addLogRecords(gemini))).build();

    List<UsageEvent> events = OtlpLogs.events(OtlpLogs.parse(payload.toByteArray(), false));
    assertThat(events).hasSize(2);
    UsageEvent c = events.get(0);
    assertThat(c.tool()).isEqualTo("codex");
    assertThat(c.provider()).isEqualTo("openai");
    assertThat(c.tokens()).isEqualTo(new Tokens(1056, 412, 0, 0, 8064, 256, 0));
    assertThat(c.identity()).isEqualTo("email:dev@example.com");
    assertThat(c.sessionId()).isEqualTo("conv-1");
    UsageEvent g = events.get(1);
    assertThat(g.tool()).isEqualTo("gemini-cli");
    assertThat(g.tokens()).isEqualTo(new Tokens(405, 80, 0, 0, 600, 30, 0));
    assertThat(OtlpLogs.events(OtlpLogs.parse(payload.toByteArray(), false)).get(1).dedupKey())
        .as("a retried export is the same event").isEqualTo(g.dedupKey());
  }
}
