package dev.tally.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.TallyHome;
import dev.tally.ledger.Tokens;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceTablesTest {

  @TempDir Path tmp;

  TallyHome home() {
    return new TallyHome(tmp.resolve("data"), tmp.resolve("config"));
  }

  @Test
  void withoutFilesTheShippedTableIsUsed() {
    PriceTable t = PriceTables.load(home());
    assertThat(t).isSameAs(PriceTable.shipped());
    assertThat(t.version()).isEqualTo("2026-11-23.1");
  }

  @Test
  void importWritesTheFileAndTheVersionNamesIt() throws Exception {
    byte[] litellm = Files.readAllBytes(SharedFiles.litellm());
    PriceTables.ImportResult r = PriceTables.importLiteLlm(home(), litellm, "litellm.json");
    assertThat(r.imported()).isEqualTo(2_234);
    assertThat(r.skippedCount()).isEqualTo(750);
    assertThat(r.file()).isEqualTo(tmp.resolve("data/prices-imported.json")).exists();
    assertThat(tmp.resolve("data")).isDirectoryNotContaining("glob:**.tmp");

    PriceTable t = PriceTables.load(home());
    assertThat(t.version()).isEqualTo("2026-11-23.1+imp:" + PriceTables.hash(litellm));
    assertThat(t.version()).matches("2026-11-23\\.1\\+imp:[0-9a-f]{6}");
    // Imported keys are found exactly, shipped ones still are, and the same key is replaced.
    PriceMatch vertex = t.lookup("vertex_ai/claude-sonnet-4-5@20250929").orElseThrow();
    assertThat(vertex.layer()).isEqualTo(PriceLayer.IMPORTED);
    assertThat(t.lookup("claude-sonnet-4-5").orElseThrow().layer()).isEqualTo(PriceLayer.IMPORTED);
    assertThat(t.lookup("claude-3-5-sonnet-20241022").orElseThrow().layer()).isEqualTo(PriceLayer.SHIPPED);
    assertThat(t.lookup("us.anthropic.claude-sonnet-4-5-20250929-v1:0").orElseThrow()
        .price().rates().input()).isEqualByComparingTo("3.3");
    assertThat(t.lookup("claude-sonnet-4.5").orElseThrow().key()).isEqualTo("claude-sonnet-4-5");
  }

  @Test
  void overridesWinAndChangeTheVersion() throws Exception {
    write("config/price-overrides.json", """
        {"models": {
          "claude-sonnet-4-5": {"input": "2.5", "output": "12.5"},
          "my-local-model": {"provider": "ollama", "input": "0", "output": "0"}
        }}
        """);
    PriceTable t = PriceTables.load(home());
    assertThat(t.version()).matches("2026-11-23\\.1\\+ovr:[0-9a-f]{6}");
    PriceMatch m = t.lookup("claude-sonnet-4-5-20250929").orElseThrow(); // a shipped alias
    assertThat(m.layer()).isEqualTo(PriceLayer.OVERRIDE);
    assertThat(m.price().provider()).isEqualTo("anthropic"); // kept from the shipped entry
    assertThat(m.price().longContext()).isNull(); // the override replaces the whole price
    // Undeclared cache prices follow the defaults from the new input price.
    assertThat(t.price("anthropic", "claude-sonnet-4-5", Tokens.of(0, 0, 1_000_000, 0, 0)).micros())
        .isEqualTo(3_125_000);
    assertThat(t.price(null, "my-local-model", Tokens.of(1000, 1000, 0, 0, 0)).priced()).isTrue();
    assertThat(t.lookup("claude-opus-4-1").orElseThrow().layer()).isEqualTo(PriceLayer.SHIPPED);
  }

  @Test
  void allThreeLayersStack() throws Exception {
    PriceTables.importLiteLlm(home(), Files.readAllBytes(SharedFiles.litellm()), "x");
    write("config/price-overrides.json", "{\"models\": {\"gpt-5\": {\"input\": \"1\", \"output\": \"8\"}}}");
    PriceTable t = PriceTables.load(home());
    assertThat(t.version()).matches("2026-11-23\\.1\\+imp:[0-9a-f]{6}\\+ovr:[0-9a-f]{6}");
    assertThat(t.lookup("gpt-5-chat").orElseThrow().layer()).isEqualTo(PriceLayer.IMPORTED);
    // An override of a key also covers the aliases the lower layers gave it.
    assertThat(t.lookup("gpt-5-2025-08-07").orElseThrow().layer()).isEqualTo(PriceLayer.OVERRIDE);
    assertThat(t.lookup("openai/gpt-5").orElseThrow().layer()).isEqualTo(PriceLayer.OVERRIDE);
  }

  @Test
  void aMalformedOverrideFileNamesTheFileTheModelAndTheProblem() throws Exception {
    Path f = write("config/price-overrides.json", "{\"models\": {\"m\": {\"inptu\": \"3\", \"output\": \"1\"}}}");
    assertThatThrownBy(() -> PriceTables.load(home()))
        .isInstanceOf(PriceFileException.class)
        .hasMessageStartingWith(f.toString())
        .hasMessageContaining("model 'm'")
        .hasMessageContaining("unknown field \"inptu\"");

    write("config/price-overrides.json", "{\"models\": {\"m\": {\"input\": \"three\", \"output\": \"1\"}}}");
    assertThatThrownBy(() -> PriceTables.load(home())).hasMessageContaining("'three', not a decimal");

    write("config/price-overrides.json", "{\"models\": {\"m\": {\"input\": \"3\"}}}");
    assertThatThrownBy(() -> PriceTables.load(home())).hasMessageContaining("needs both \"input\" and \"output\"");

    write("config/price-overrides.json", "{\"models\": {\"m\": {\"input\": \"-3\", \"output\": \"1\"}}}");
    assertThatThrownBy(() -> PriceTables.load(home())).hasMessageContaining("cannot be negative");

    write("config/price-overrides.json", "{\"models\": {\"m\": {\"input\": \"3\", \"output\": \"1\",}");
    assertThatThrownBy(() -> PriceTables.load(home())).hasMessageContaining("not valid JSON (line 1");

    write("config/price-overrides.json", "{\"models\": {\"m\": {\"input\": \"3\", \"output\": \"1\"},"
        + " \"m\": {\"input\": \"4\", \"output\": \"1\"}}}");
    assertThatThrownBy(() -> PriceTables.load(home())).hasMessageContaining("Duplicate field 'm'");

    write("config/price-overrides.json", "{\"models\": {\"a\": {\"aliases\": [\"b\"], \"input\": \"3\","
        + " \"output\": \"1\"}, \"b\": {\"input\": \"4\", \"output\": \"1\"}}}");
    assertThatThrownBy(() -> PriceTables.load(home())).hasMessageContaining("'b' is used by both");

    write("config/price-overrides.json", "{\"models\": {\"m\": {\"input\": \"3\", \"output\": \"1\","
        + " \"longContext\": {\"threshold\": \"lots\", \"input\": \"6\"}}}}");
    assertThatThrownBy(() -> PriceTables.load(home())).hasMessageContaining("\"threshold\" must be a positive whole number");
  }

  @Test
  void readSourceSaysWhichFileIsMissing() {
    assertThatThrownBy(() -> PriceTables.readSource(tmp.resolve("nope.json").toString()))
        .hasMessageContaining("nope.json: no such file");
  }

  private Path write(String relative, String content) throws Exception {
    Path f = tmp.resolve(relative);
    Files.createDirectories(f.getParent());
    Files.writeString(f, content);
    return f;
  }
}
