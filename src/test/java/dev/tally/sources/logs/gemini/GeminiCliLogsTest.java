package dev.tally.sources.logs.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.ledger.Tokens;
import dev.tally.sources.logs.Collected;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Gemini CLI chat recordings, written here in the documented shapes (agent-logs.md 5.1). */
class GeminiCliLogsTest {
  @TempDir Path home;

  @Test
  void theLastRecordOfAMessageWinsAndCachedAndThoughtsAreSplitOut() throws Exception {
    Path chats = Files.createDirectories(home.resolve("tmp/abc123/chats"));
    Files.writeString(chats.resolve("session-2026-11-20T10-00-s1.jsonl"), String.join("\n",
        "{\"sessionId\":\"s1\",\"projectHash\":\"abc123\",\"startTime\":\"2026-11-20T10:00:00Z\",\"directories\":[\"/w/site\"]}",
        "{\"id\":\"u1\",\"timestamp\":\"2026-11-20T10:00:01Z\",\"type\":\"user\",\"content\":\"hi\"}",
        "{\"id\":\"g1\",\"timestamp\":\"2026-11-20T10:00:02Z\",\"type\":\"gemini\",\"model\":\"gemini-2.5-pro\",\"content\":\"\"}",
        "{\"id\":\"g1\",\"timestamp\":\"2026-11-20T10:00:02Z\",\"type\":\"gemini\",\"model\":\"gemini-2.5-pro\",\"content\":\"ok\","
            + "\"tokens\":{\"input\":1000,\"output\":50,\"cached\":600,\"thoughts\":30,\"tool\":0,\"total\":1080}}",
        "{\"id\":\"g2\",\"timestamp\":\"2026-11-20T10:01:00Z\",\"type\":\"gemini\",\"model\":\"gemini-2.5-pro\","
            + "\"tokens\":{\"input\":2000,\"output\":10,\"cached\":0,\"thoughts\":0,\"tool\":5,\"total\":2015}}",
        "{\"$rewindTo\":\"g2\"}",
        "") );
    Files.writeString(chats.resolve("session-2026-11-19T09-00-old.json"),
        "{\"sessionId\":\"old\",\"messages\":[{\"id\":\"x\",\"timestamp\":\"2026-11-19T09:00:00Z\",\"type\":\"gemini\","
            + "\"model\":\"gemini-2.5-flash\",\"tokens\":{\"input\":10,\"output\":20,\"cached\":0,\"thoughts\":5}}]}");
    GeminiCliLogs logs = new GeminiCliLogs(List.of(home));
    Collected got = new Collected();
    for (Path f : logs.discover()) {
      logs.read(f, null, got::add);
    }
    assertThat(got.byKey).hasSize(3); // g1 (rewritten once), g2 (rewound but billed), x
    assertThat(got.total("gemini-2.5-pro")).isEqualTo(new Tokens(400 + 2005, 80 + 10, 0, 0, 600, 30, 0));
    assertThat(got.total("gemini-2.5-flash")).isEqualTo(new Tokens(10, 25, 0, 0, 0, 5, 0));
    assertThat(got.byKey.values()).filteredOn(e -> e.model().equals("gemini-2.5-pro"))
        .allSatisfy(e -> assertThat(e.project()).isEqualTo("site"));
  }
}
