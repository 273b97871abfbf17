package dev.tally.surfaces.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.Tally;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reports as a user runs them, on the shared fixtures, checked against their READMEs. */
class ReportsCliTest {
  @TempDir Path home;
  Cli cli;

  @BeforeEach
  void setUp() throws IOException {
    cli = new Cli(home);
    // by default no agent has logs: each test points one agent at a fixture
    for (String v : List.of("CLAUDE_CONFIG_DIR", "CODEX_HOME", "OPENCODE_DATA_DIR", "GEMINI_DATA_DIR")) {
      Path empty = Files.createDirectories(home.resolve("empty-" + v));
      cli.env(v, empty.toString());
    }
  }

  static JsonNode model(JsonNode day, String name) {
    for (JsonNode m : day.get("modelBreakdowns")) {
      if (m.get("modelName").asText().equals(name)) {
        return m;
      }
    }
    throw new AssertionError("no model " + name + " in " + day);
  }

  @Test
  void withNoAgentLogsTheReportSaysSoPlainlyAndSucceeds() {
    Cli.Run run = cli.run("daily");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("No agent logs found").contains("CLAUDE_CONFIG_DIR");
  }

  @Test
  void claudeFixtureTotalsMatchItsReadme() {
    cli.env("CLAUDE_CONFIG_DIR", Cli.shared().resolve("fixtures/claude-code").toString());
    Cli.Run run = cli.run("daily", "--json", "--timezone", "UTC");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode daily = run.json().get("daily");
    assertThat(daily).hasSize(1);
    JsonNode day = daily.get(0);
    assertThat(day.get("date").asText()).isEqualTo("2026-11-20");
    assertThat(day.get("requests").asLong()).isEqualTo(13);
    assertThat(day.get("inputTokens").asLong()).isEqualTo(1_973);
    assertThat(day.get("outputTokens").asLong()).isEqualTo(16_509);
    assertThat(day.get("cacheCreationTokens").asLong()).isEqualTo(152_116);
    assertThat(day.get("cacheCreation5mTokens").asLong()).isEqualTo(27_455 + 6_400);
    assertThat(day.get("cacheCreation1hTokens").asLong()).isEqualTo(118_261);
    assertThat(day.get("cacheReadTokens").asLong()).isEqualTo(150_257);
    assertThat(day.get("totalTokens").asLong()).isEqualTo(320_855);
    assertThat(day.get("webSearchRequests").asLong()).isEqualTo(1);
    JsonNode sonnet = model(day, "claude-sonnet-4-5-20250929");
    assertThat(sonnet.get("requests").asLong()).isEqualTo(6);
    assertThat(sonnet.get("outputTokens").asLong()).isEqualTo(7_169);
    assertThat(sonnet.get("cacheReadTokens").asLong()).isEqualTo(87_115);
    assertThat(sonnet.get("cost").decimalValue()).isBetween(new java.math.BigDecimal("0.482436"), new java.math.BigDecimal("0.482442"));
    JsonNode opus = model(day, "claude-opus-4-1-20250805");
    assertThat(opus.get("totalTokens").asLong()).isEqualTo(124_773);
    // README 2.541303 for tokens, plus the one web search at $0.01 that ccusage leaves out
    assertThat(opus.get("cost").decimalValue()).isBetween(new java.math.BigDecimal("2.551301"), new java.math.BigDecimal("2.551305"));
    JsonNode haiku = model(day, "claude-haiku-4-5-20251001");
    assertThat(haiku.get("totalTokens").asLong()).isEqualTo(41_089);
    assertThat(run.json().get("unpricedModels")).isEmpty();
  }

  @Test
  void codexFixtureCountsEachCallOnce() {
    cli.env("CODEX_HOME", Cli.shared().resolve("fixtures/codex").toString());
    JsonNode day = cli.run("daily", "--json", "--timezone", "UTC").json().get("daily").get(0);
    JsonNode codex = model(day, "gpt-5.1-codex");
    assertThat(codex.get("requests").asLong()).isEqualTo(3);
    assertThat(codex.get("inputTokens").asLong()).isEqualTo(25_515); // non-cached
    assertThat(codex.get("cacheReadTokens").asLong()).isEqualTo(8_832);
    assertThat(codex.get("outputTokens").asLong()).isEqualTo(2_728);
    assertThat(codex.get("reasoningTokens").asLong()).isEqualTo(1_728);
    JsonNode mini = model(day, "gpt-5.1-codex-mini");
    assertThat(mini.get("requests").asLong()).isEqualTo(2);
    assertThat(mini.get("inputTokens").asLong() + mini.get("cacheReadTokens").asLong()).isEqualTo(25_417);
    assertThat(day.get("totalCost").decimalValue())
        .isBetween(new java.math.BigDecimal("0.065977"), new java.math.BigDecimal("0.065982"));
  }

  @Test
  void realClaudeCodeTranscriptsPricedWithLiteLlmMatchTheUpstreamFigures() {
    cli.env("CLAUDE_CONFIG_DIR", Cli.shared().resolve("fixtures/claude-code-real").toString());
    Cli.Run imported = cli.run("prices", "import", Cli.shared().resolve("data/litellm-model-prices.json").toString());
    assertThat(imported.exitCode()).as(imported.err()).isZero();
    JsonNode root = cli.run("daily", "--json", "--timezone", "UTC", "--mode", "calculate").json();
    JsonNode day = root.get("daily").get(0);
    JsonNode sonnet = model(day, "claude-sonnet-4-5");
    assertThat(sonnet.get("requests").asLong()).isEqualTo(4);
    assertThat(sonnet.get("inputTokens").asLong()).isEqualTo(557);
    assertThat(sonnet.get("outputTokens").asLong()).isEqualTo(5_177);
    assertThat(sonnet.get("cacheCreation5mTokens").asLong()).isEqualTo(14_583);
    assertThat(sonnet.get("cacheReadTokens").asLong()).isEqualTo(121_143);
    assertThat(root.get("totals").get("totalCost").decimalValue())
        .isBetween(new java.math.BigDecimal("0.189268"), new java.math.BigDecimal("0.189274"));
    // Claude Code's own cost-state figures agree, so "auto" gives the same total
    JsonNode auto = cli.run("daily", "--json", "--timezone", "UTC", "--no-scan").json();
    assertThat(auto.get("totals").get("totalCost").decimalValue())
        .isBetween(new java.math.BigDecimal("0.189268"), new java.math.BigDecimal("0.189274"));
  }

  @Test
  void appendingLinesAndRunningAgainAddsExactlyTheNewLines() throws IOException {
    Path claude = copyTree(Cli.shared().resolve("fixtures/claude-code"), home.resolve("claude"));
    Path file;
    try (Stream<Path> s = Files.walk(claude)) {
      file = s.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
    }
    List<String> lines = Files.readAllLines(file);
    // first run: only the first 20 lines, the 21st half-written (no newline yet)
    Files.write(file, lines.subList(0, 20));
    Files.writeString(file, lines.get(20).substring(0, 40), StandardOpenOption.APPEND);
    cli.env("CLAUDE_CONFIG_DIR", claude.toString());
    long first = cli.run("daily", "--json", "--timezone", "UTC").json().get("totals").get("requests").asLong();
    // complete the file
    Files.write(file, lines);
    JsonNode all = cli.run("daily", "--json", "--timezone", "UTC").json().get("totals");
    assertThat(first).isBetween(1L, 12L);
    assertThat(all.get("requests").asLong()).isEqualTo(13);
    assertThat(all.get("totalTokens").asLong()).isEqualTo(320_855);
    // and a third run with nothing new changes nothing
    assertThat(cli.run("daily", "--json", "--timezone", "UTC").json().get("totals")).isEqualTo(all);
  }

  @Test
  void malformedLinesAreCountedAndSkippedWithoutLosingAnything() throws IOException {
    Path claude = copyTree(Cli.shared().resolve("fixtures/claude-code"), home.resolve("claude"));
    Path file;
    try (Stream<Path> s = Files.walk(claude)) {
      file = s.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
    }
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.add(3, "{\"type\":\"assistant\",\"message\":{\"usage\":{ this is not json");
    lines.add(7, "\u0000\u0001 garbage");
    Files.write(file, lines);
    cli.env("CLAUDE_CONFIG_DIR", claude.toString());
    Cli.Run run = cli.run("daily", "--json", "--timezone", "UTC");
    assertThat(run.exitCode()).isZero();
    assertThat(run.json().get("totals").get("totalTokens").asLong()).isEqualTo(320_855);
    assertThat(run.err()).contains("malformed");
  }

  @Test
  void leaderboardPrintsTheDocumentedLayout() {
    cli.env("CLAUDE_CONFIG_DIR", Cli.shared().resolve("fixtures/claude-code").toString());
    cli.env("CODEX_HOME", Cli.shared().resolve("fixtures/codex").toString());
    Cli.Run run = cli.run("leaderboard", "--days", "30");
    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> out = run.out().lines().toList();
    assertThat(out.get(0)).isEqualTo("AI Coding Usage Leaderboard (Last 30 days)");
    assertThat(out.get(1)).isEqualTo("═".repeat(80));
    assertThat(out.get(2)).isEqualTo("  #   User                Requests   Tokens      Cost   Tools");
    assertThat(out.get(3)).isEqualTo("─".repeat(80));
    assertThat(out.get(4)).startsWith("  1   dev@laptop                18   385.5K     $3.15   Claude Code, Codex");
    assertThat(out.get(5)).startsWith("        Claude Code             13   320.9K");
    assertThat(out.get(6)).startsWith("        Codex                    5    64.7K");
  }

  @Test
  void versionNamesTheReleaseAndHelpListsEveryCommand() {
    Cli.Run version = cli.run("--version");
    assertThat(version.exitCode()).isZero();
    assertThat(version.out().strip()).startsWith("tally ");
    Cli.Run help = cli.run("--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("daily", "leaderboard", "serve", "keys", "budgets");
  }

  @Test
  void tallyAloneListsTheCommandsEachWithAWholeSentenceAndNoExampleWraps() {
    Cli.Run bare = cli.run();
    assertThat(bare.exitCode()).isZero();
    assertThat(bare.err()).isEmpty();
    assertThat(bare.out()).startsWith("Usage: tally").contains("daily", "serve", "keys");
    // a command list shows only the first line of each description: it must not stop mid-sentence
    List<String> cut = new ArrayList<>();
    Deque<picocli.CommandLine> todo = new ArrayDeque<>(List.of(Tally.commandLine(new Tally.Context(Map.of(), home, java.time.Clock.systemUTC()))));
    while (!todo.isEmpty()) {
      picocli.CommandLine c = todo.poll();
      String[] description = c.getCommandSpec().usageMessage().description();
      if (description.length > 0 && !description[0].strip().matches(".*[.)]$")) {
        cut.add(c.getCommandSpec().qualifiedName() + ": " + description[0]);
      }
      for (String line : c.getCommandSpec().usageMessage().footer()) { // help wraps at 80 columns
        if (line.length() > c.getCommandSpec().usageMessage().width()) {
          cut.add(c.getCommandSpec().qualifiedName() + " example wraps: " + line);
        }
      }
      todo.addAll(c.getSubcommands().values());
    }
    assertThat(cut).isEmpty();
  }

  @Test
  void badOptionsGetOneClearLineAndANonZeroExit() {
    Cli.Run run = cli.run("daily", "--since", "yesterday");
    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err().strip()).isEqualTo("tally: --since 'yesterday' is not a date (use YYYY-MM-DD or YYYYMMDD)");
    assertThat(cli.run("daily", "--agent", "cursor").err()).contains("unknown agent 'cursor'");
    assertThat(cli.run("daily", "--timezone", "Mars/Olympus").err()).contains("unknown time zone");
  }

  static Path copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }

  @Test
  void tagOptionKeepsRequestsWithAnyOfTheTags() {
    try (dev.tally.store.Store store = dev.tally.store.SqliteStore.open(home.resolve("data/tally.db"))) {
      List<dev.tally.store.Store.Change> changes = new ArrayList<>();
      String[][] tagged = {{"ci", "team:web"}, {"feature-x"}, {}};
      for (int i = 0; i < tagged.length; i++) {
        var e = dev.tally.store.Events.event("k" + i, "2026-11-20T09:00:00Z", "m",
            dev.tally.ledger.Tokens.of(10L * (i + 1), 0, 0, 0, 0)).withTags(List.of(tagged[i]));
        changes.add(new dev.tally.store.Store.Change(null, dev.tally.store.Events.priced(e)));
      }
      store.apply(changes, List.of());
    }
    JsonNode all = cli.run("daily", "--json", "--timezone", "UTC", "--no-scan").json();
    assertThat(all.get("daily").get(0).get("inputTokens").asLong()).isEqualTo(60);
    Cli.Run run = cli.run("daily", "--json", "--timezone", "UTC", "--no-scan", "--tag", "ci,feature-x");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.json().get("daily").get(0).get("requests").asLong()).isEqualTo(2);
    assertThat(run.json().get("daily").get(0).get("inputTokens").asLong()).isEqualTo(30);
  }
}
