package dev.tally.sources.logs.claude;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.ledger.Tokens;
import dev.tally.sources.logs.Collected;
import dev.tally.sources.logs.FileCursor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClaudeCodeLogsTest {
  @TempDir Path tmp;

  static final String SONNET = "claude-sonnet-4-5-20250929";

  Collected readAll(ClaudeCodeLogs logs) throws IOException {
    Collected c = new Collected();
    for (Path f : logs.discover()) {
      logs.read(f, null, c::add);
    }
    return c;
  }

  @Test
  void syntheticFixtureGivesTheReadmeTotalsPerModelAndTokenKind() throws IOException {
    Collected c = readAll(new ClaudeCodeLogs(List.of(Collected.shared().resolve("fixtures/claude-code")), null));
    assertThat(c.count(null)).isEqualTo(13); // synthetic line skipped, streaming copies merged
    assertThat(c.count(SONNET)).isEqualTo(6);
    // sonnet: 5m 410 + legacy 6,400 (priced as 5m), 1h 53,845
    assertThat(c.total(SONNET)).isEqualTo(Tokens.of(54, 7_169, 6_810, 53_845, 87_115));
    assertThat(c.total("claude-opus-4-1-20250805")).isEqualTo(new Tokens(41, 7_044, 0, 64_416, 53_272, 0, 1));
    assertThat(c.total("claude-haiku-4-5-20251001")).isEqualTo(Tokens.of(1_878, 2_296, 27_045, 0, 9_870));
    assertThat(c.total(null).total()).isEqualTo(320_855);
    assertThat(c.byKey.values()).allSatisfy(e -> {
      assertThat(e.project()).isEqualTo("app");
      assertThat(e.sessionId()).isEqualTo("7f3a2c1e-5b6d-4e8f-9a0b-1c2d3e4f5a6b");
    });
    assertThat(c.byKey.values().stream().filter(e -> e.sidechain()).count()).isEqualTo(2);
  }

  @Test
  void realTranscriptsCarryClaudeCodesOwnCostAsASessionShare() throws IOException {
    Collected c = readAll(new ClaudeCodeLogs(List.of(Collected.shared().resolve("fixtures/claude-code-real")), null));
    assertThat(c.count("claude-sonnet-4-5")).isEqualTo(4);
    assertThat(c.total("claude-sonnet-4-5")).isEqualTo(Tokens.of(557, 5_177, 14_583, 0, 121_143));
    assertThat(c.total("claude-haiku-4-5")).isEqualTo(Tokens.of(215, 966, 4_460, 0, 82_958));
    long reported = c.byKey.values().stream().mapToLong(e -> e.reportedCostMicros()).sum();
    assertThat(reported).isBetween(189_270L, 189_272L); // the sum of the last cost-state per session
    assertThat(c.byKey.values()).allMatch(e -> e.reportedCostIsShare());
  }

  @Test
  void readingOnFromACursorSeesOnlyTheAppendedLinesAndKeepsTheCostState() throws IOException {
    Path src = Collected.only(Collected.shared().resolve("fixtures/claude-code-real"), "c55680ff-1364-4d73-9a46-7d005458183f.jsonl");
    List<String> lines = Files.readAllLines(src);
    int firstTurnEnd = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("\"cost-state\"")) {
        firstTurnEnd = i + 1;
        break;
      }
    }
    Path file = Files.createDirectories(tmp.resolve("projects/-p")).resolve("s.jsonl");
    Files.write(file, lines.subList(0, firstTurnEnd));
    ClaudeCodeLogs logs = new ClaudeCodeLogs(List.of(tmp), null);
    Collected first = new Collected();
    FileCursor cursor = logs.read(file, null, first::add);
    assertThat(first.count(null)).isEqualTo(1);
    Files.write(file, lines.subList(firstTurnEnd, lines.size()), StandardOpenOption.APPEND);
    Collected second = new Collected();
    FileCursor next = logs.read(file, cursor, second::add);
    assertThat(second.count(null)).isEqualTo(1);
    assertThat(next.offset()).isEqualTo(Files.size(file));
    // the second request's cost is the increase since the first cost-state, not the session total
    long firstCost = first.byKey.values().iterator().next().reportedCostMicros();
    long secondCost = second.byKey.values().iterator().next().reportedCostMicros();
    // cost-state lines say $0.04775175, then $0.0889566 for the session
    assertThat(firstCost).isEqualTo(47_752);
    assertThat(secondCost).isEqualTo(88_957 - 47_752);
  }

  @Test
  void aHalfWrittenLastLineWaitsAndMalformedLinesAreCounted() throws IOException {
    Path src = Collected.only(Collected.shared().resolve("fixtures/claude-code"), ".jsonl");
    List<String> lines = Files.readAllLines(src);
    Path file = Files.createDirectories(tmp.resolve("projects/-p")).resolve("s.jsonl");
    String assistant = lines.get(2); // line 3: the first assistant line
    Files.writeString(file, lines.get(0) + "\n{\"type\":\"assistant\",\"usage\":{broken\n" + assistant.substring(0, 100));
    ClaudeCodeLogs logs = new ClaudeCodeLogs(List.of(tmp), null);
    Collected c = new Collected();
    FileCursor cursor = logs.read(file, null, c::add);
    assertThat(c.count(null)).isZero();
    assertThat(cursor.malformedLines()).isEqualTo(1);
    assertThat(cursor.offset()).isLessThan(Files.size(file)); // the partial line is not consumed
    Files.writeString(file, assistant.substring(100) + "\n", StandardOpenOption.APPEND);
    logs.read(file, cursor, c::add);
    assertThat(c.count(null)).isEqualTo(1);
  }

  @Test
  void anAccountEmailFromClaudesStateFileBecomesTheIdentity() throws IOException {
    Files.createDirectories(tmp.resolve("cfg/projects"));
    Files.writeString(tmp.resolve("cfg/.claude.json"), "{\"oauthAccount\":{\"emailAddress\":\"Alice@Example.com\"}}");
    var logs = ClaudeCodeLogs.fromEnvironment(java.util.Map.of("CLAUDE_CONFIG_DIR", tmp.resolve("cfg").toString()), tmp);
    Files.copy(Collected.only(Collected.shared().resolve("fixtures/claude-code"), ".jsonl"), tmp.resolve("cfg/projects/x.jsonl"));
    Collected c = readAll(logs);
    assertThat(c.byKey.values()).allMatch(e -> "email:alice@example.com".equals(e.identity()));
  }
}
