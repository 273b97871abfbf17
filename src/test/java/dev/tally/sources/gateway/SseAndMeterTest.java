package dev.tally.sources.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.ledger.Tokens;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SseAndMeterTest {
  static final String STREAM = """
      event: message_start\r
      data: {"type":"message_start","message":{"id":"msg_1","model":"claude-sonnet-4-5","usage":{"input_tokens":12,"cache_creation_input_tokens":2048,"cache_read_input_tokens":7,"cache_creation":{"ephemeral_5m_input_tokens":2000,"ephemeral_1h_input_tokens":48},"output_tokens":1}}}\r
      \r
      : keep-alive comment

      event: content_block_delta
      data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello there"}}

      event: message_delta
      data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":30}}

      event: message_delta
      data: {"type":"message_delta","delta":{},"usage":{"output_tokens":48,"output_tokens_details":{"thinking_tokens":20}}}

      event: message_stop
      data: {"type":"message_stop"}

      """;

  /** However the bytes are cut into reads, the same events come out, byte for byte. */
  @Property(tries = 200)
  void eventsSurviveAnyChunking(@ForAll @IntRange(min = 1, max = 97) int chunk) {
    byte[] all = STREAM.getBytes(StandardCharsets.UTF_8);
    Sse sse = new Sse();
    List<Sse.Event> events = new ArrayList<>();
    for (int i = 0; i < all.length; i += chunk) {
      int n = Math.min(chunk, all.length - i);
      byte[] part = new byte[n];
      System.arraycopy(all, i, part, 0, n);
      sse.feed(part, n, events::add);
    }
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    events.forEach(e -> joined.writeBytes(e.raw()));
    assertThat(joined.toString(StandardCharsets.UTF_8)).isEqualTo(STREAM);
    assertThat(events).extracting(Sse.Event::name)
        .containsExactly("message_start", null, "content_block_delta", "message_delta", "message_delta", "message_stop");
  }

  @Test
  void anthropicCountsAreCumulativeAndTheLastMessageDeltaWins() {
    Meter meter = meterOver(STREAM, Meter.Api.MESSAGES);
    assertThat(meter.complete()).isTrue();
    assertThat(meter.ended()).isTrue();
    assertThat(meter.tokens()).isEqualTo(new Tokens(12, 48, 2000, 48, 7, 20, 0));
    assertThat(meter.id).isEqualTo("msg_1");
  }

  @Test
  void aStreamCutBeforeItsUsageEstimatesOutputFromTheTextRelayed() {
    String cut = STREAM.substring(0, STREAM.indexOf("event: message_delta"));
    Meter meter = meterOver(cut, Meter.Api.MESSAGES);
    assertThat(meter.complete()).isFalse();
    assertThat(meter.tokens().input()).isEqualTo(12);
    assertThat(meter.tokens().output()).isEqualTo(3); // "Hello there": 11 characters, about 3 tokens
  }

  @Test
  void openAiCachedTokensAreTakenOutOfInputAndTheInjectedUsageChunkIsHidden() {
    String stream = """
        data: {"id":"chatcmpl-1","model":"gpt-4.1-mini","choices":[{"index":0,"delta":{"content":"Hi"}}],"usage":null}

        data: {"id":"chatcmpl-1","model":"gpt-4.1-mini","choices":[],"usage":{"prompt_tokens":1310,"completion_tokens":7,"prompt_tokens_details":{"cached_tokens":1152},"completion_tokens_details":{"reasoning_tokens":2}}}

        data: [DONE]

        """;
    Meter meter = new Meter(Meter.Api.CHAT, true);
    List<Boolean> forwarded = new ArrayList<>();
    byte[] b = stream.getBytes(StandardCharsets.UTF_8);
    new Sse().feed(b, b.length, e -> forwarded.add(meter.onEvent(e)));
    assertThat(forwarded).containsExactly(true, false, true);
    assertThat(meter.tokens()).isEqualTo(new Tokens(158, 7, 0, 0, 1152, 2, 0));
    assertThat(meter.id).isEqualTo("chatcmpl-1");
  }

  private static Meter meterOver(String stream, Meter.Api api) {
    Meter meter = new Meter(api, false);
    byte[] b = stream.getBytes(StandardCharsets.UTF_8);
    new Sse().feed(b, b.length, meter::onEvent);
    return meter;
  }
}
