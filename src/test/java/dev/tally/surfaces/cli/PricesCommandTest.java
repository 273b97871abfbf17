package dev.tally.surfaces.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.TallyHome;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PricesCommandTest {

  @TempDir Path tmp;

  record Run(int exit, String out, String err) {}

  Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new PricesCommand(new TallyHome(tmp.resolve("data"), tmp.resolve("config"))));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void showExplainsTheMatchAndEveryRate() {
    Run r = run("show", "claude-sonnet-4.5");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("claude-sonnet-4.5  ->  claude-sonnet-4-5", "same name after normalisation",
        "2026-11-23.1", "cache write 1h", "6.00", "12.00", "prompt > 200,000", "every token of that request");
  }

  @Test
  void showJsonCarriesTheSameFacts() throws Exception {
    Run r = run("show", "--provider", "openai", "gpt-5.1-codex", "--json");
    assertThat(r.exit()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.get("key").asText()).isEqualTo("gpt-5.1-codex");
    assertThat(j.get("matchedBy").asText()).isEqualTo("key");
    assertThat(j.get("rates").get("cacheRead").asText()).isEqualTo("0.125");
    assertThat(j.get("defaulted").toString()).contains("cacheWrite5m");
    assertThat(j.get("priceVersion").asText()).isEqualTo("2026-11-23.1");
  }

  @Test
  void anUnknownModelExitsOneAndSaysHowToAddIt() {
    Run r = run("show", "my-fancy-model");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().strip()).doesNotContain("\n").contains("no price for model 'my-fancy-model'",
        "price-overrides.json", "tally prices import");
  }

  @Test
  void aPartOfAModelNameIsAnsweredWithTheModelsThatContainIt() {
    Run r = run("show", "sonnet-4-5");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("no price for model 'sonnet-4-5'")
        .contains("Models whose name contains 'sonnet-4-5': claude-sonnet-4-5");
    Run many = run("show", "Sonnet");
    assertThat(many.err()).containsPattern("Models whose name contains 'Sonnet': (claude-[a-z0-9-]*sonnet[a-z0-9-]*, ){4}"
        + "claude-[a-z0-9-]*sonnet[a-z0-9-]* and \\d+ more \\(tally prices list Sonnet\\)");
  }

  @Test
  void listFiltersAndCounts() throws Exception {
    Run r = run("list", "codex");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("gpt-5.1-codex-max", "gpt-5-codex").doesNotContain("claude");
    Run j = run("list", "--json", "opus-4-1");
    JsonNode models = new ObjectMapper().readTree(j.out()).get("models");
    assertThat(models).hasSize(1);
    assertThat(models.get(0).get("rates").get("cacheWrite1h").asText()).isEqualTo("30");
  }

  @Test
  void importPrintsCountsAndLaterCommandsUseTheImport() throws Exception {
    Path litellm = shared("data/litellm-model-prices.json");
    Run r = run("import", litellm.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("Imported 2,234 models", "Skipped 750 entries",
        "604 not a chat/responses model", "144 no input_cost_per_token", "prices-imported.json",
        "2026-11-23.1+imp:");
    assertThat(tmp.resolve("data/prices-imported.json")).exists();
    Run show = run("show", "vertex_ai/claude-sonnet-4-5");
    assertThat(show.out()).contains("exact key", "imported prices", "+imp:");
  }

  @Test
  void importDownloadsFromAnHttpUrl() throws Exception {
    byte[] body = """
        {"sample_spec": {"input_cost_per_token": 0},
         "acme-coder": {"litellm_provider": "acme", "mode": "chat",
                        "input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06}}
        """.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    com.sun.net.httpserver.HttpServer server =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/prices.json", ex -> {
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.createContext("/missing.json", ex -> {
      ex.sendResponseHeaders(404, -1);
      ex.close();
    });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      Run r = run("import", base + "/prices.json");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).contains("Imported 1 models", "Skipped 1 entries (1 not a model)");
      assertThat(run("show", "acme-coder").out()).contains("8.00", "imported prices");
      Run missing = run("import", base + "/missing.json");
      assertThat(missing.exit()).isEqualTo(1);
      assertThat(missing.err()).contains("missing.json: HTTP 404");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void errorsAreOneLineWithoutStackTraces() throws Exception {
    Run missing = run("import", tmp.resolve("nope.json").toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err().strip()).startsWith("tally prices: ").contains("no such file").doesNotContain("\n\tat ");

    Path bad = tmp.resolve("config/price-overrides.json");
    Files.createDirectories(bad.getParent());
    Files.writeString(bad, "{\"models\": {\"x\": {\"input\": \"1\", \"outptu\": \"2\"}}}");
    Run r = run("show", "gpt-5");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip()).doesNotContain("\n").contains(bad.toString(), "unknown field \"outptu\"");
  }

  @Test
  void helpTeachesWithExamples() {
    Run r = run("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Examples:", "price-overrides.json", "show", "list", "import");
  }

  private static Path shared(String relative) {
    return dev.tally.TestData.shared(relative);
  }
}
