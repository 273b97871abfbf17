package dev.tally.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventJsonTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static UsageEvent event() {
    return new UsageEvent("anthropic:req:r1", Instant.parse("2026-11-20T09:14:09Z"), Source.GATEWAY, "anthropic",
        "claude-sonnet-4-5", "claude-code", "key:7", "7", "billing", "s1", "r1", "msg_1", false,
        new Tokens(10, 20, 30, 40, 50, 5, 1), 1234L, false);
  }

  @Test
  void anEventWithTagsRoundTripsThroughItsWireForm() throws Exception {
    UsageEvent e = event().withTags(List.of("team:web", "feature-x", "user:u-42"));
    String wire = EventJson.toJson(e).toString();
    assertThat(JSON.readTree(wire).path("tags").toString()).isEqualTo("[\"feature-x\",\"team:web\",\"user:u-42\"]");
    assertThat(EventJson.fromJson(JSON.readTree(wire))).isEqualTo(e);
  }

  @Test
  void anUntaggedEventHasNoTagsFieldAndReadsBackUntagged() throws Exception {
    String wire = EventJson.toJson(event()).toString();
    assertThat(JSON.readTree(wire).has("tags")).isFalse();
    assertThat(EventJson.fromJson(JSON.readTree(wire)).tags()).isEmpty();
  }

  @Test
  void tagsAreNormalizedAndACommaInsideATagIsRefused() throws Exception {
    var n = EventJson.toJson(event());
    n.putArray("tags").add(" ci ").add("ci").add("").add("alpha");
    assertThat(EventJson.fromJson(n).tags()).containsExactly("alpha", "ci");

    n.putArray("tags").add("a,b");
    assertThatThrownBy(() -> EventJson.fromJson(n)).isInstanceOf(EventJson.InvalidEvent.class).hasMessageContaining("commas");
    n.put("tags", "a");
    assertThatThrownBy(() -> EventJson.fromJson(n)).isInstanceOf(EventJson.InvalidEvent.class).hasMessageContaining("array");
  }

  @Test
  void aBatchIsReadItemByItemAndABadItemIsRejectedWithItsPositionWhileTheRestIsKept() throws Exception {
    String good = new String(EventJson.line(event())).trim();
    String other = new String(EventJson.line(event().withTags(List.of("b")))).trim().replace("anthropic:req:r1", "anthropic:req:r2");
    // the bad items carry nested values, which must be skipped whole for the next item to be read
    String body = "{\"meta\": {\"x\": [1, {\"y\": 2}]}, \"events\": [" + good
        + ", {\"dedupKey\": \"k\", \"tokens\": {\"input\": -1, \"extra\": {\"deep\": [1]}}, \"timestamp\": \"2026-11-20T09:14:09Z\"}"
        + ", [1, 2], " + other + "]}";
    EventJson.Batch b = EventJson.readBatch(new java.io.ByteArrayInputStream(body.getBytes()), 10);
    assertThat(b.size()).isEqualTo(4);
    assertThat(b.events()).extracting(UsageEvent::dedupKey).containsExactly("anthropic:req:r1", "anthropic:req:r2");
    assertThat(b.events().get(0)).isEqualTo(event());
    assertThat(b.rejects()).extracting(EventJson.Reject::index).containsExactly(1, 2);
    assertThat(b.rejects().get(0).reason()).contains("tokens.input");
    assertThat(b.rejects().get(1).reason()).contains("JSON object");
  }

  @Test
  void aBatchOverTheLimitIsCountedWholeAndRefused() {
    String one = new String(EventJson.line(event())).trim();
    String body = "{\"events\": [" + String.join(",", java.util.Collections.nCopies(5, one)) + "]}";
    assertThatThrownBy(() -> EventJson.readBatch(new java.io.ByteArrayInputStream(body.getBytes()), 4))
        .isInstanceOfSatisfying(EventJson.TooMany.class, e -> assertThat(e.size).isEqualTo(5));
    assertThatThrownBy(() -> EventJson.readBatch(new java.io.ByteArrayInputStream("{\"events\": [".getBytes()), 4))
        .isInstanceOf(java.io.IOException.class);
    assertThatThrownBy(() -> EventJson.readBatch(new java.io.ByteArrayInputStream("[]".getBytes()), 4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("events");
  }
}
