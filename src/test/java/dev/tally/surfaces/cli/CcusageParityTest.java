package dev.tally.surfaces.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tally daily --json} against {@code ccusage claude daily --json --offline} on the same
 * Claude Code logs, day by day and model by model: tokens exactly, cost to the cent when Tally
 * prices with the same LiteLLM data. Needs the ccusage binary that {@code bench/ccusage.sh}
 * installs ({@code ./tally test} installs it when npm is available).
 */
class CcusageParityTest {
  @TempDir Path tmp;

  static Path ccusage() {
    Path bin = Path.of("bench/work/npm/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage").toAbsolutePath();
    return Files.isExecutable(bin) ? bin : null;
  }

  @Test
  void sameTotalsAsCcusageOnTheFixturesAndAGeneratedCorpus() throws Exception {
    Path cc = ccusage();
    assumeTrue(cc != null, "ccusage not installed: run bench/ccusage.sh");
    Path corpus = tmp.resolve("corpus");
    Process gen = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "bench/GenerateCorpus.java", "--out", corpus.toString(), "--size-mb", "8", "--seed", "7")
        .redirectErrorStream(true).start();
    gen.getInputStream().readAllBytes();
    assertThat(gen.waitFor()).isZero();
    for (Path dir : List.of(Cli.shared().resolve("fixtures/claude-code-real"), corpus)) {
      compare(cc, dir);
    }
  }

  private void compare(Path ccusage, Path claudeDir) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(ccusage.toString(), "claude", "daily", "--json", "--offline", "-z", "UTC");
    pb.environment().put("CLAUDE_CONFIG_DIR", claudeDir.toString());
    pb.environment().put("TZ", "UTC");
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).isZero();
    JsonNode theirs = new ObjectMapper().readTree(out);

    Cli cli = new Cli(Files.createDirectories(tmp.resolve("home-" + claudeDir.getFileName())));
    for (String v : List.of("CODEX_HOME", "OPENCODE_DATA_DIR", "GEMINI_DATA_DIR")) {
      cli.env(v, Files.createDirectories(tmp.resolve("empty")).toString());
    }
    cli.env("CLAUDE_CONFIG_DIR", claudeDir.toString());
    assertThat(cli.run("prices", "import", Cli.shared().resolve("data/litellm-model-prices.json").toString()).exitCode()).isZero();
    JsonNode ours = cli.run("daily", "--json", "--timezone", "UTC", "--mode", "calculate").json();

    Map<String, JsonNode> a = rows(theirs);
    Map<String, JsonNode> b = rows(ours);
    assertThat(b.keySet()).as("days and models").isEqualTo(a.keySet());
    assertThat(a).isNotEmpty();
    for (String k : a.keySet()) {
      for (String f : List.of("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens")) {
        assertThat(b.get(k).get(f).asLong()).as(k + " " + f).isEqualTo(a.get(k).get(f).asLong());
      }
      BigDecimal diff = b.get(k).get("cost").decimalValue().subtract(a.get(k).get("cost").decimalValue()).abs();
      assertThat(diff).as(k + " cost").isLessThan(new BigDecimal("0.005"));
    }
  }

  /** "date|model" → model breakdown row. */
  private static Map<String, JsonNode> rows(JsonNode report) throws IOException {
    Map<String, JsonNode> rows = new TreeMap<>();
    for (JsonNode day : report.get("daily")) {
      for (JsonNode m : day.get("modelBreakdowns")) {
        rows.put(day.get("date").asText() + "|" + m.get("modelName").asText(), m);
      }
    }
    return rows;
  }
}
