package dev.tally.sources.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.ledger.UsageEvent;
import dev.tally.sources.logs.claude.ClaudeCodeLogs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogScannerTest {
  @TempDir Path tmp;

  static String assistant(String requestId) {
    return "{\"type\":\"assistant\",\"timestamp\":\"2026-11-20T10:00:00.000Z\",\"sessionId\":\"s1\",\"cwd\":\"/w/app\","
        + "\"requestId\":\"" + requestId + "\",\"message\":{\"id\":\"msg_" + requestId + "\",\"model\":\"claude-sonnet-4-5\","
        + "\"usage\":{\"input_tokens\":3,\"output_tokens\":7}}}\n";
  }

  @Test
  void findsLogsAtAnyDepthSkipsFoldersNamedLikeLogsAndReadsOnlyWhatChanged() throws IOException {
    Path projects = Files.createDirectories(tmp.resolve("claude/projects"));
    Files.writeString(Files.createDirectories(projects.resolve("-w-app")).resolve("s1.jsonl"), assistant("r1"));
    Path subagents = Files.createDirectories(projects.resolve("-w-app/s1/subagents"));
    Files.writeString(subagents.resolve("agent-1.jsonl"), assistant("r2"));
    Files.createDirectories(projects.resolve("-w-app/odd.jsonl")); // a folder, not a log
    Files.writeString(projects.resolve("-w-app/notes.txt"), assistant("r3"));
    Path outside = Files.createDirectories(tmp.resolve("elsewhere"));
    Files.writeString(outside.resolve("linked.jsonl"), assistant("r4"));
    Files.createSymbolicLink(projects.resolve("-w-linked"), outside); // links to folders are not followed

    Map<String, FileCursor> saved = new HashMap<>();
    List<UsageEvent> events = new ArrayList<>();
    LogScanner scanner = new LogScanner(List.of(new ClaudeCodeLogs(List.of(tmp.resolve("claude")), null)),
        () -> Map.copyOf(saved), (batch, cursors) -> {
          events.addAll(batch);
          cursors.forEach(c -> saved.put(c.path(), c));
        }, LogScanner.Progress.NONE);

    ScanResult first = scanner.scan();
    assertThat(first.problems()).isEmpty();
    assertThat(first.filesSeen()).isEqualTo(2);
    assertThat(events).extracting(UsageEvent::requestId).containsExactlyInAnyOrder("r1", "r2");

    Files.writeString(subagents.resolve("agent-1.jsonl"), assistant("r5"), StandardOpenOption.APPEND);
    events.clear();
    ScanResult second = scanner.scan();
    assertThat(second.filesSeen()).isEqualTo(2);
    assertThat(second.filesRead()).isEqualTo(1);
    assertThat(events).extracting(UsageEvent::requestId).containsExactly("r5");
  }

  @Test
  void aStoreThatCannotBeReadFailsTheScanWithItsOwnError() {
    LogScanner scanner = new LogScanner(List.of(new ClaudeCodeLogs(List.of(tmp), null)), () -> {
      throw new IllegalStateException("ledger is locked");
    }, (batch, cursors) -> {}, LogScanner.Progress.NONE);
    assertThatThrownBy(scanner::scan).isInstanceOf(IllegalStateException.class)
        .hasMessage("ledger is locked");
  }
}
