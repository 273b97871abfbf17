package dev.tally.sources.logs.codex;

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

class CodexLogsTest {
  @TempDir Path tmp;

  Collected readAll(Path home) throws IOException {
    CodexLogs logs = new CodexLogs(List.of(home));
    Collected c = new Collected();
    for (Path f : logs.discover()) {
      logs.read(f, null, c::add);
    }
    return c;
  }

  @Test
  void reEmittedTokenCountsAreNotCountedAndCachedAndReasoningAreSubsets() throws IOException {
    Collected c = readAll(Collected.shared().resolve("fixtures/codex"));
    assertThat(c.raw).hasSize(5);
    // gpt-5.1-codex: input 34,347 of which cached 8,832; output 2,728 of which reasoning 1,728
    assertThat(c.total("gpt-5.1-codex")).isEqualTo(new Tokens(25_515, 2_728, 0, 0, 8_832, 1_728, 0));
    assertThat(c.total("gpt-5.1-codex-mini")).isEqualTo(new Tokens(3_273, 2_165, 0, 0, 22_144, 1_152, 0));
    assertThat(c.byKey.values()).allSatisfy(e -> assertThat(e.project()).isEqualTo("app"));
  }

  @Test
  void currentRolloutsAreCountedPerResponseWithTheResponseIdAsKey() throws IOException {
    Collected c = readAll(Collected.shared().resolve("fixtures/codex-real"));
    assertThat(c.raw).hasSize(3);
    assertThat(c.byKey.keySet()).allMatch(k -> k.startsWith("openai:req:resp_"));
    assertThat(c.total("gpt-5-codex")).isEqualTo(new Tokens(9_429, 2_307, 0, 0, 2_213, 159, 0));
    assertThat(c.total("gpt-5")).isEqualTo(new Tokens(6_052, 1_016, 0, 0, 12_189, 463, 0));
  }

  @Test
  void appendedTurnsAreReadFromTheCursorWithTheRunningTotals() throws IOException {
    Path src = Collected.only(Collected.shared().resolve("fixtures/codex"), ".jsonl");
    List<String> lines = Files.readAllLines(src);
    Path file = Files.createDirectories(tmp.resolve("sessions/2026/11/20")).resolve(src.getFileName());
    CodexLogs logs = new CodexLogs(List.of(tmp));
    Collected all = new Collected();
    FileCursor cursor = null;
    for (int cut : new int[] {7, 12, 17, lines.size()}) {
      Files.write(file, lines.subList(cursor == null ? 0 : cursorLines(cursor), cut),
          cursor == null ? new StandardOpenOption[] {StandardOpenOption.CREATE} : new StandardOpenOption[] {StandardOpenOption.APPEND});
      cursor = logs.read(file, cursor, all::add);
    }
    assertThat(all.raw).hasSize(5);
    assertThat(all.total(null)).isEqualTo(new Tokens(28_788, 4_893, 0, 0, 30_976, 2_880, 0));
  }

  private static int cursorLines(FileCursor c) {
    return (int) c.lines();
  }
}
