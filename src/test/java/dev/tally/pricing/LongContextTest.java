package dev.tally.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.ledger.Tokens;
import org.junit.jupiter.api.Test;

/** Long-context prices apply to the whole request once its prompt is over the threshold. */
class LongContextTest {

  final PriceTable shipped = PriceTable.shipped();

  @Test
  void atTheThresholdTheBaseRatesApply() {
    // prompt = 100,000 + 50,000 + 0 + 50,000 = 200,000: not over 200k.
    Tokens t = Tokens.of(100_000, 1_000, 50_000, 0, 50_000);
    assertThat(shipped.usesLongContext("anthropic", "claude-sonnet-4-5", t)).isFalse();
    // 100k×3 + 50k×3.75 + 50k×0.3 + 1k×15 = 300,000 + 187,500 + 15,000 + 15,000
    assertThat(shipped.price("anthropic", "claude-sonnet-4-5", t).micros()).isEqualTo(517_500);
  }

  @Test
  void overTheThresholdEveryTokenOfTheRequestUsesTheTierRates() {
    // prompt = 200,001
    Tokens t = new Tokens(100_001, 2_000, 40_000, 10_000, 50_000, 500, 1);
    assertThat(shipped.usesLongContext("anthropic", "claude-sonnet-4-5-20250929", t)).isTrue();
    // 100,001×6 + 40,000×7.5 + 10,000×12 + 50,000×0.6 + 2,000×22.5 + 1 search × $0.01
    long expected = 600_006 + 300_000 + 120_000 + 30_000 + 45_000 + 10_000;
    assertThat(shipped.price("anthropic", "claude-sonnet-4-5-20250929", t).micros()).isEqualTo(expected);
  }

  @Test
  void missingTierCachePricesDeriveFromTheTierInput() {
    // claude-sonnet-4 lists no 1h write above 200k: 2 × tier input (6) = 12.
    ModelPrice sonnet4 = shipped.lookup("claude-sonnet-4-20250514").orElseThrow().price();
    assertThat(sonnet4.longContext().rates().cacheWrite1h()).isNull();
    assertThat(sonnet4.effectiveLongContextRates().cacheWrite1h()).isEqualByComparingTo("12");
  }

  @Test
  void openAiTierIsAt272k() {
    Tokens over = Tokens.of(272_001, 1_000, 0, 0, 0);
    assertThat(shipped.usesLongContext("openai", "gpt-5.4", over)).isTrue();
    // 272,001 × 5 + 1,000 × 22.5
    assertThat(shipped.price("openai", "gpt-5.4", over).micros()).isEqualTo(1_360_005 + 22_500);
  }

  @Test
  void modelsWithoutATierNeverSwitch() {
    Tokens huge = Tokens.of(900_000, 1_000, 0, 0, 0);
    assertThat(shipped.usesLongContext("anthropic", "claude-sonnet-4-6", huge)).isFalse();
    assertThat(shipped.price("anthropic", "claude-sonnet-4-6", huge).micros())
        .isEqualTo(2_700_000 + 15_000);
  }
}
