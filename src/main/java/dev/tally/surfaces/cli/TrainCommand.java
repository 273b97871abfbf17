package dev.tally.surfaces.cli;

import dev.tally.Tally;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * A short, representative run on throw-away data, used by the launcher right after a build to
 * record which classes a report loads (the JVM's AOT cache), so later runs start fast.
 */
@Command(name = "train", hidden = true, description = "Warm-up run used by the launcher to build its class cache.")
final class TrainCommand implements Callable<Integer> {

  @CommandLine.ParentCommand Tally tally;

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("tally-train");
    try {
      Path project = Files.createDirectories(dir.resolve("claude/projects/-tmp-train"));
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < 50; i++) {
        lines.append("{\"type\":\"user\",\"timestamp\":\"2026-01-01T10:00:00.000Z\",\"sessionId\":\"train\",")
            .append("\"message\":{\"role\":\"user\",\"content\":\"hello\"}}\n");
        lines.append("{\"parentUuid\":null,\"isSidechain\":false,\"type\":\"assistant\",\"cwd\":\"/tmp/train\",")
            .append("\"sessionId\":\"train\",\"version\":\"2.1.0\",\"timestamp\":\"2026-01-01T10:0").append(i % 10)
            .append(":00.000Z\",\"requestId\":\"req_train").append(i).append("\",\"message\":{\"id\":\"msg_train").append(i)
            .append("\",\"model\":\"claude-sonnet-4-5\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],")
            .append("\"usage\":{\"input_tokens\":3,\"cache_creation_input_tokens\":10,\"cache_read_input_tokens\":100,")
            .append("\"cache_creation\":{\"ephemeral_5m_input_tokens\":10,\"ephemeral_1h_input_tokens\":0},\"output_tokens\":50}}}\n");
      }
      Files.writeString(project.resolve("train.jsonl"), lines);
      Map<String, String> env = new HashMap<>();
      env.put("TALLY_DATA_DIR", dir.resolve("data").toString());
      env.put("TALLY_CONFIG_DIR", dir.resolve("config").toString());
      env.put("CLAUDE_CONFIG_DIR", dir.resolve("claude").toString());
      env.put("CODEX_HOME", dir.resolve("codex").toString());
      Tally.Context ctx = new Tally.Context(env, dir, tally.context().clock());
      for (String[] args : new String[][] {
          {"daily"}, {"daily", "--json", "--breakdown"}, {"session"}, {"blocks", "--json"}, {"leaderboard"},
          {"monthly", "--csv"}, {"daily", "--no-scan"}}) {
        CommandLine cli = Tally.commandLine(ctx, args);
        StringWriter sink = new StringWriter();
        cli.setOut(new PrintWriter(sink));
        cli.setErr(new PrintWriter(sink));
        cli.execute(args);
      }
      return 0;
    } finally {
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
