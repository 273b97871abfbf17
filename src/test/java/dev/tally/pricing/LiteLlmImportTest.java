package dev.tally.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LiteLlmImportTest {

  static LiteLlmImport.Result result;
  static Map<String, ModelPrice> byKey;

  @BeforeAll
  static void importSharedFile() throws Exception {
    result = LiteLlmImport.parse(Files.readString(SharedFiles.litellm()), "litellm");
    byKey = result.models().stream().collect(Collectors.toMap(ModelPrice::key, Function.identity()));
  }

  @Test
  void everyEntryIsEitherImportedOrCountedAsSkipped() {
    assertThat(result.models()).hasSize(2_234);
    assertThat(result.skipped()).containsExactlyInAnyOrderEntriesOf(Map.of(
        LiteLlmImport.NOT_A_MODEL, 2,
        LiteLlmImport.OTHER_MODE, 604,
        LiteLlmImport.NO_INPUT_PRICE, 144));
    assertThat(result.models().size() + result.skippedCount()).isEqualTo(2_984);
  }

  @Test
  void pricesArePerMillionTokensExactly() {
    ModelPrice codex = byKey.get("gpt-5.1-codex");
    assertThat(codex.provider()).isEqualTo("openai");
    assertRates(codex.rates(), "1.25", "10", null, null, "0.125");

    ModelPrice sonnet = byKey.get("claude-sonnet-4-5");
    assertRates(sonnet.rates(), "3", "15", "3.75", "6", "0.3");
    assertThat(sonnet.rates().webSearch()).isEqualByComparingTo("0.01");
    assertThat(sonnet.longContext().threshold()).isEqualTo(200_000);
    assertRates(sonnet.longContext().rates(), "6", "22.5", "7.5", "12", "0.6");

    assertRates(byKey.get("deepseek/deepseek-v4-pro").rates(), "0.435", "0.87", "0", null, "0.003625");
    // Literal text kept: no binary floating-point noise.
    assertThat(byKey.get("databricks/databricks-claude-3-7-sonnet").rates().input())
        .isEqualByComparingTo("2.9999900000000002");
  }

  @Test
  void thresholdsOtherThan200kBecomeTheTier() {
    ModelPrice gpt54 = byKey.get("gpt-5.4");
    assertThat(gpt54.longContext().threshold()).isEqualTo(272_000);
    assertRates(gpt54.longContext().rates(), "5", "22.5", null, null, "0.5");
    assertThat(gpt54.effectiveLongContextRates().cacheRead()).isEqualByComparingTo("0.5");
  }

  @Test
  void cacheHitPriceStandsInForAMissingCacheReadPrice() {
    LiteLlmImport.Result r = LiteLlmImport.parse("""
        {"m": {"input_cost_per_token": 2.8e-07, "output_cost_per_token": 4.2e-07,
               "input_cost_per_token_cache_hit": 2.8e-08}}
        """, "x");
    assertThat(r.models().get(0).rates().cacheRead()).isEqualByComparingTo("0.028");
  }

  @Test
  void skipsWhatIsNotAChatModel() {
    assertThat(byKey).doesNotContainKeys("sample_spec", "fallback_generalizations",
        "text-embedding-3-small", "gpt-image-1", "github_copilot/gpt-5.1-codex");
  }

  @Test
  void oddEntriesAreSkippedNotFatal() {
    LiteLlmImport.Result r = LiteLlmImport.parse("""
        {"good": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "mode": "chat"},
         "negative": {"input_cost_per_token": -1e-06, "output_cost_per_token": 2e-06},
         "stringy": {"input_cost_per_token": "cheap", "output_cost_per_token": 2e-06},
         "noout": {"input_cost_per_token": 1e-06},
         "notobject": 5}
        """, "x");
    assertThat(r.models()).extracting(ModelPrice::key).containsExactly("good");
    assertThat(r.skippedCount()).isEqualTo(4);
  }

  @Test
  void somethingElseEntirelyIsAClearError() {
    assertThatThrownBy(() -> LiteLlmImport.parse("[1,2]", "prices.json"))
        .isInstanceOf(PriceFileException.class).hasMessageStartingWith("prices.json: expected LiteLLM");
    assertThatThrownBy(() -> LiteLlmImport.parse("{\"a\": {}}", "prices.json"))
        .isInstanceOf(PriceFileException.class).hasMessageContaining("no chat model with prices");
    assertThatThrownBy(() -> LiteLlmImport.parse("{oops", "prices.json"))
        .isInstanceOf(PriceFileException.class).hasMessageContaining("not valid JSON");
  }

  @Test
  void theImportedTableRoundTripsThroughTallysFormat() {
    PriceTable t = PriceTable.of("abc123", result.models(), PriceLayer.IMPORTED);
    PriceTable again = PriceTable.parse(t.toJson("test"), "round trip", PriceLayer.IMPORTED);
    assertThat(again.version()).isEqualTo("abc123");
    assertThat(again.models()).isEqualTo(t.models());
  }

  static void assertRates(Rates r, String in, String out, String w5, String w1, String read) {
    assertThat(r.input()).isEqualByComparingTo(in);
    assertThat(r.output()).isEqualByComparingTo(out);
    assertDecimal(r.cacheWrite5m(), w5);
    assertDecimal(r.cacheWrite1h(), w1);
    assertDecimal(r.cacheRead(), read);
  }

  private static void assertDecimal(BigDecimal actual, String expected) {
    if (expected == null) {
      assertThat(actual).isNull();
    } else {
      assertThat(actual).isEqualByComparingTo(expected);
    }
  }
}
