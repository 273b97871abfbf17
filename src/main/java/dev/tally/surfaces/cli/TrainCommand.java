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

  @CommandLine.Option(names = "--dir", description = "Work here (kept) instead of in a temporary folder.")
  Path workDir;

  @CommandLine.Option(names = "--only-store", description = "Only create the ledger (its migrations) and stop.")
  boolean onlyStore;

  /**
   * The launcher creates the ledger in one run ({@code --only-store}) and trains in a second: the
   * cache then holds what a report loads on an existing ledger, not the migration tool and its JSON
   * library (~1,400 classes every later start would map in for nothing).
   */
  @Override
  public Integer call() throws Exception {
    Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("tally-train");
    try {
      Map<String, String> env = new HashMap<>();
      env.put("TALLY_DATA_DIR", dir.resolve("data").toString());
      env.put("TALLY_CONFIG_DIR", dir.resolve("config").toString());
      env.put("CLAUDE_CONFIG_DIR", dir.resolve("claude").toString());
      env.put("CODEX_HOME", dir.resolve("codex").toString());
      Tally.Context ctx = new Tally.Context(env, dir, tally.context().clock());
      String[][] runs = onlyStore ? new String[][] {{"daily", "--no-scan"}} : new String[][] {
          {"daily"}, {"daily", "--json", "--breakdown"}, {"session"}, {"blocks", "--json"}, {"leaderboard"},
          {"monthly", "--csv"}, {"daily", "--no-scan"}};
      if (!onlyStore) {
        writeTranscripts(dir.resolve("claude/projects"));
      }
      for (String[] args : runs) {
        CommandLine cli = Tally.commandLine(ctx, args);
        StringWriter sink = new StringWriter();
        cli.setOut(new PrintWriter(sink));
        cli.setErr(new PrintWriter(sink));
        cli.execute(args);
      }
      return 0;
    } finally {
      if (workDir == null) {
        deleteTree(dir);
      }
    }
  }

  /**
   * About 20 MB of transcript lines shaped like Claude Code's: enough for the JIT to profile the
   * scanning loops, so that the AOT cache starts a real first scan with compiled code.
   */
  private static void writeTranscripts(Path projects) throws IOException {
    String filler = "lorem ipsum dolor sit amet ".repeat(60);
    for (int f = 0; f < 40; f++) {
      Path dir = Files.createDirectories(projects.resolve("-tmp-train-" + (f % 4)));
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < 300; i++) {
        String ts = "2026-01-0" + (1 + f % 9) + "T1" + (i % 10) + ":0" + (i % 6) + ":00.000Z";
        lines.append("{\"type\":\"user\",\"timestamp\":\"").append(ts).append("\",\"sessionId\":\"s").append(f)
            .append("\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"content\":\"")
            .append(filler).append(filler).append("\"}]}}\n");
        for (int copy = 0; copy < 2; copy++) {
          lines.append("{\"parentUuid\":null,\"isSidechain\":false,\"type\":\"assistant\",\"cwd\":\"/tmp/train\",")
              .append("\"sessionId\":\"s").append(f).append("\",\"version\":\"2.1.0\",\"timestamp\":\"").append(ts)
              .append("\",\"requestId\":\"req_train").append(f).append('_').append(i).append("\",\"message\":{\"id\":\"msg_t")
              .append(f).append('_').append(i).append("\",\"model\":\"claude-sonnet-4-5\",\"role\":\"assistant\",")
              .append("\"content\":[{\"type\":\"text\",\"text\":\"").append(filler).append("\"}],")
              .append("\"usage\":{\"input_tokens\":3,\"cache_creation_input_tokens\":10,\"cache_read_input_tokens\":100,")
              .append("\"cache_creation\":{\"ephemeral_5m_input_tokens\":10,\"ephemeral_1h_input_tokens\":0},")
              .append("\"output_tokens\":").append(copy == 0 ? 5 : 50).append("}}}\n");
        }
        if (i % 10 == 9) {
          lines.append("{\"type\":\"cost-state\",\"sessionId\":\"s").append(f)
              .append("\",\"modelUsage\":{\"claude-sonnet-4-5\":{\"costUSD\":").append(i).append(".5}}}\n");
        }
      }
      Files.writeString(dir.resolve("train-" + f + ".jsonl"), lines);
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
