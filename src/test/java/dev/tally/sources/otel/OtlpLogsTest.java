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
}
