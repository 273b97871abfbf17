package dev.tally.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The shipped table is checked against the LiteLLM file it was taken from. */
class ShippedPricesTest {

  /** Shipped entries whose prices deliberately differ from their LiteLLM source (see their notes). */
  static final Set<String> CORRECTED = Set.of("claude-3-opus", "claude-3-haiku");

  final PriceTable shipped = PriceTable.shipped();

  @Test
  void containsEveryModelOfThePricingReference() {
    for (String model : List.of("claude-opus-4-8", "claude-opus-4-7", "claude-opus-4-6",
        "claude-opus-4-5", "claude-opus-4-1", "claude-sonnet-4-6", "claude-sonnet-4-5-20250929",
        "claude-sonnet-4-20250514", "claude-haiku-4-5", "gpt-5.5", "gpt-5.4", "gpt-5.4-mini",
        "gpt-5.2", "gpt-5.1", "gpt-5-mini", "gpt-5.3-codex", "gpt-5.1-codex", "gpt-5.1-codex-mini",
        "o3", "o4-mini", "gpt-4.1", "gemini/gemini-3.1-pro-preview", "gemini/gemini-3-pro-preview",
        "gemini/gemini-3-flash-preview", "gemini/gemini-2.5-pro", "gemini/gemini-2.5-flash",
        "deepseek/deepseek-v4-pro", "deepseek/deepseek-v4-flash", "deepseek/deepseek-chat",
        "openrouter/qwen/qwen3-coder", "dashscope/qwen3-coder-plus", "moonshot/kimi-k2.6",
        "moonshot/kimi-k2.5", "zai/glm-5.1", "zai/glm-4.7", "claude-sonnet-4-5-20250929",
        "claude-opus-4-1-20250805", "claude-haiku-4-5-20251001", "claude-opus-4-20250514",
        "gpt-5", "gpt-5-codex", "gpt-5.1-codex-max", "claude-3-7-sonnet-20250219",
        "claude-3-5-sonnet-20241022", "claude-3-5-haiku-20241022", "claude-3-opus-20240229",
        "claude-3-haiku-20240307", "gpt-4o", "gpt-4o-mini")) {
      PriceMatch m = shipped.lookup(model).orElseThrow(() -> new AssertionError("no price: " + model));
      assertThat(m.kind()).as(model).isIn(MatchKind.KEY, MatchKind.ALIAS);
    }
  }

  @Test
  void everyShippedNameThatLiteLlmAlsoHasCarriesTheSameBaseAndTierPrices() throws Exception {
    Map<String, ModelPrice> litellm = LiteLlmImport.parse(Files.readString(SharedFiles.litellm()), "l")
        .models().stream().collect(Collectors.toMap(ModelPrice::key, Function.identity()));
    List<String> compared = new ArrayList<>();
    for (ModelPrice m : shipped.models()) {
      if (CORRECTED.contains(m.key())) {
        continue;
      }
      List<String> names = new ArrayList<>(m.aliases());
      names.add(0, m.key());
      for (String name : names) {
        ModelPrice l = litellm.get(name);
        if (l == null || !l.provider().equals(m.provider())) {
          continue; // e.g. bare "gemini-2.5-pro" in LiteLLM is the Vertex route's price
        }
        compared.add(name);
        assertThat(m.effectiveRates().input()).as(name).isEqualByComparingTo(l.effectiveRates().input());
        assertThat(m.effectiveRates().output()).as(name).isEqualByComparingTo(l.effectiveRates().output());
        assertThat(m.effectiveRates().cacheRead()).as(name).isEqualByComparingTo(l.effectiveRates().cacheRead());
        if (l.rates().cacheWrite5m() != null) {
          assertThat(m.rates().cacheWrite5m()).as(name).isEqualByComparingTo(l.rates().cacheWrite5m());
        }
        if (l.rates().cacheWrite1h() != null) {
          assertThat(m.rates().cacheWrite1h()).as(name).isEqualByComparingTo(l.rates().cacheWrite1h());
        }
        assertThat(m.longContext() == null).as(name + " tier").isEqualTo(l.longContext() == null);
        if (m.longContext() != null) {
          assertThat(m.effectiveLongContextRates()).as(name + " tier").isEqualTo(l.effectiveLongContextRates());
        }
      }
    }
    assertThat(compared).hasSizeGreaterThan(80);
  }

  @Test
  void claudeWebSearchCostsOneCent() {
    assertThat(shipped.models().stream().filter(m -> m.key().startsWith("claude-4") || m.key().matches("claude-(opus|sonnet|haiku)-4.*")))
        .allSatisfy(m -> assertThat(m.rates().webSearch()).isEqualByComparingTo("0.01"));
  }
}
