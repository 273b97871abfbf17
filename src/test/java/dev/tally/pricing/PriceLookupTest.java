package dev.tally.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.ledger.Cost;
import dev.tally.ledger.Tokens;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PriceLookupTest {

  final PriceTable shipped = PriceTable.shipped();

  /** Every Sonnet 4.5 spelling listed in pricing.md, plus the ones tools and logs write. */
  @ParameterizedTest
  @ValueSource(strings = {
      "claude-sonnet-4-5", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929-v1:0",
      "anthropic.claude-sonnet-4-5-20250929-v1:0",
      "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "jp.anthropic.claude-sonnet-4-5-20250929-v1:0", "au.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "bedrock/us-gov-east-1/claude-sonnet-4-5-20250929-v1:0",
      "bedrock/us-gov-west-1/claude-sonnet-4-5-20250929-v1:0",
      "bedrock/us-gov-east-1/anthropic.claude-sonnet-4-5-20250929-v1:0",
      "bedrock/us-gov-west-1/anthropic.claude-sonnet-4-5-20250929-v1:0",
      "vertex_ai/claude-sonnet-4-5", "vertex_ai/claude-sonnet-4-5@20250929",
      "azure_ai/claude-sonnet-4-5", "openrouter/anthropic/claude-sonnet-4.5",
      "vercel_ai_gateway/anthropic/claude-sonnet-4.5", "github_copilot/claude-sonnet-4.5",
      "databricks/databricks-claude-sonnet-4-5", "snowflake/claude-sonnet-4-5",
      "perplexity/anthropic/claude-sonnet-4-5", "gmi/anthropic/claude-sonnet-4.5",
      "anthropic/claude-sonnet-4-5", "claude-sonnet-4.5", "Claude-Sonnet-4.5",
      "claude-sonnet-4-5-20250929-thinking", "claude-sonnet-4-5-20250929[1m]"})
  void everySonnet45SpellingFindsSonnet45Prices(String model) {
    PriceMatch m = shipped.lookup(model).orElseThrow();
    assertThat(m.key()).isEqualTo("claude-sonnet-4-5");
    assertThat(m.price().effectiveRates().input()).isEqualByComparingTo("3");
    assertThat(m.price().effectiveRates().cacheWrite1h()).isEqualByComparingTo("6");
  }

  @Test
  void howANameMatchedIsReported() {
    assertThat(shipped.lookup("claude-sonnet-4-5").orElseThrow().kind()).isEqualTo(MatchKind.KEY);
    assertThat(shipped.lookup("claude-sonnet-4-5-20250929").orElseThrow().kind())
        .isEqualTo(MatchKind.ALIAS);
    PriceMatch n = shipped.lookup("claude-sonnet-4.5").orElseThrow();
    assertThat(n.kind()).isEqualTo(MatchKind.NORMALIZED);
    assertThat(n.matchedName()).isEqualTo("claude-sonnet-4-5");
    PriceMatch b = shipped.lookup("databricks/databricks-claude-sonnet-4-5").orElseThrow();
    assertThat(b.kind()).isEqualTo(MatchKind.BOUNDARY);
    assertThat(b.layer()).isEqualTo(PriceLayer.SHIPPED);
  }

  @Test
  void aVersionSuffixIsADifferentModelNotAVariant() {
    PriceTable onlyOpus41 = PriceTable.of("t", List.of(
        ModelPrice.of("claude-opus-4-1", "anthropic", Rates.of("15", "75"))));
    assertThat(onlyOpus41.lookup("claude-opus-4")).isEmpty();
    assertThat(onlyOpus41.lookup("claude-opus-4-20250514")).isEmpty();
    assertThat(onlyOpus41.lookup("claude-opus-4-1-20250805")).isPresent();

    PriceTable onlyOpus4 = PriceTable.of("t", List.of(
        ModelPrice.of("claude-opus-4", "anthropic", Rates.of("15", "75"))));
    assertThat(onlyOpus4.lookup("claude-opus-4-1")).isEmpty();
    assertThat(onlyOpus4.lookup("claude-opus-4-1-20250805")).isEmpty();
    assertThat(onlyOpus4.lookup("claude-opus-4-20250514").orElseThrow().key()).isEqualTo("claude-opus-4");
  }

  @Test
  void shippedOpusVersionsEachFindTheirOwnEntry() {
    assertThat(shipped.lookup("claude-opus-4").orElseThrow().key()).isEqualTo("claude-opus-4");
    assertThat(shipped.lookup("claude-opus-4-20250514").orElseThrow().key()).isEqualTo("claude-opus-4");
    assertThat(shipped.lookup("claude-opus-4-1-20250805").orElseThrow().key()).isEqualTo("claude-opus-4-1");
    assertThat(shipped.lookup("claude-opus-4-5-20251101").orElseThrow().key()).isEqualTo("claude-opus-4-5");
    assertThat(shipped.lookup("claude-haiku-4-5-20251001").orElseThrow().key()).isEqualTo("claude-haiku-4-5");
    assertThat(shipped.lookup("claude-sonnet-4-20250514").orElseThrow().key()).isEqualTo("claude-sonnet-4");
  }

  @Test
  void openAiNamesAndDatesResolve() {
    assertThat(shipped.lookup("gpt-5").orElseThrow().key()).isEqualTo("gpt-5");
    assertThat(shipped.lookup("openai/gpt-5.1-codex").orElseThrow().key()).isEqualTo("gpt-5.1-codex");
    assertThat(shipped.lookup("gpt-5.4-2026-03-05").orElseThrow().key()).isEqualTo("gpt-5.4");
    assertThat(shipped.lookup("gpt-4o-2024-11-20").orElseThrow().key()).isEqualTo("gpt-4o");
    // A dated id with its own price keeps it.
    assertThat(shipped.lookup("gpt-4o-2024-05-13").orElseThrow().key()).isEqualTo("gpt-4o-2024-05-13");
    assertThat(shipped.lookup("gpt-5.1-codex-max").orElseThrow().key()).isEqualTo("gpt-5.1-codex-max");
    assertThat(shipped.lookup("gpt-5-codex").orElseThrow().key()).isEqualTo("gpt-5-codex");
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt-5-turbo-ultra", "gpt-5.9", "claude-opus-4-2", "claude-sonnet-9",
      "my-local-llama", "o3x", "mini", "gpt-5-fast", ""})
  void unknownModelsStayUnknown(String model) {
    assertThat(shipped.lookup(model)).isEmpty();
    Cost c = shipped.price("openai", model, Tokens.of(1000, 1000, 0, 0, 0));
    assertThat(c.priced()).isFalse();
    assertThat(c.micros()).isZero();
    assertThat(c.priceVersion()).isEqualTo(shipped.version());
  }

  @Test
  void syntheticIsNeverPricedEvenIfATableNamesIt() {
    PriceTable t = PriceTable.of("t", List.of(ModelPrice.of("<synthetic>", null, Rates.of("1", "1"))));
    assertThat(t.lookup("<synthetic>")).isEmpty();
    assertThat(t.price("anthropic", "<synthetic>", Tokens.of(5, 5, 0, 0, 0))).isEqualTo(Cost.unpriced("t"));
    assertThat(shipped.lookup(null)).isEmpty();
  }

  @Test
  void providerHintPicksTheRouteAndAllowsProviderPrefixedKeys() {
    PriceTable t = PriceTable.of("t", List.of(
        ModelPrice.of("claude-sonnet-4-5", "anthropic", Rates.of("3", "15")),
        ModelPrice.of("vertex_ai/claude-sonnet-4-5", "vertex_ai-anthropic_models", Rates.of("3.3", "16.5")),
        ModelPrice.of("openrouter/anthropic/claude-sonnet-4.5", "openrouter", Rates.of("3.1", "15.5")),
        ModelPrice.of("gemini/gemini-2.5-pro", "gemini", Rates.of("1.25", "10"))));
    assertThat(t.lookup("claude-sonnet-4-5@20250929").orElseThrow().key()).isEqualTo("claude-sonnet-4-5");
    assertThat(t.lookup("vertex", "claude-sonnet-4-5@20250929").orElseThrow().key())
        .isEqualTo("vertex_ai/claude-sonnet-4-5");
    PriceMatch or = t.lookup("openrouter", "anthropic/claude-sonnet-4.5").orElseThrow();
    assertThat(or.key()).isEqualTo("openrouter/anthropic/claude-sonnet-4.5");
    assertThat(or.kind()).isEqualTo(MatchKind.PROVIDER_KEY);
    assertThat(t.lookup("google", "gemini-2.5-pro").orElseThrow().key()).isEqualTo("gemini/gemini-2.5-pro");
  }

  @Test
  void firstPartyWinsOverResellersWhenNamesNormaliseAlike() {
    PriceTable t = PriceTable.of("t", List.of(
        ModelPrice.of("us.anthropic.claude-haiku-4-5-20251001-v1:0", "bedrock", Rates.of("1.1", "5.5")),
        ModelPrice.of("azure_ai/claude-haiku-4-5", "azure_ai", Rates.of("1", "5")),
        ModelPrice.of("claude-haiku-4-5", "anthropic", Rates.of("1", "5"))));
    assertThat(t.lookup("anthropic/claude-haiku-4-5-20251001").orElseThrow().key())
        .isEqualTo("claude-haiku-4-5");
    // An exact name keeps its own (regional) price.
    assertThat(t.lookup("us.anthropic.claude-haiku-4-5-20251001-v1:0").orElseThrow().key())
        .isEqualTo("us.anthropic.claude-haiku-4-5-20251001-v1:0");
  }

  @Test
  void lookupsAreMemoisedAndStable() {
    PriceMatch a = shipped.lookup("claude-sonnet-4.5").orElseThrow();
    PriceMatch b = shipped.lookup("claude-sonnet-4.5").orElseThrow();
    assertThat(b).isSameAs(a);
  }

  @Test
  void normalisation() {
    assertThat(ModelNames.normalize("Bedrock/us-gov-east-1/anthropic.claude-opus-4-1-20250805-v1:0"))
        .isEqualTo("claude-opus-4-1");
    assertThat(ModelNames.normalize("vertex_ai/claude-opus-4-1@20250805")).isEqualTo("claude-opus-4-1");
    assertThat(ModelNames.normalize("openai/gpt-5.4-2026-03-05")).isEqualTo("gpt-5-4");
    assertThat(ModelNames.normalize("openrouter/openai/gpt-5.1-codex")).isEqualTo("gpt-5-1-codex");
    assertThat(ModelNames.normalize("global.anthropic.claude-haiku-4-5-20251001-v1:0"))
        .isEqualTo("claude-haiku-4-5");
  }
}
