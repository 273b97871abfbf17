package dev.tally.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.ledger.Cost;
import dev.tally.ledger.Tokens;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Costs of the shared fixtures (fixtures/README.md 1.5 and 2.4, claude-code-real/README.md),
 * computed per request and summed. Each request is rounded once, so a sum may differ from the
 * exact figure by at most 0.5 µ$ per request; the exact (unrounded) sums must match to the digit.
 */
class FixtureCostTest {

  /** The fixture's own price table (fixtures/README.md 1.5 and 2.4). */
  static final PriceTable FIXTURE_PRICES = PriceTable.of("fixture", List.of(
      claude("claude-sonnet-4-5-20250929", "3", "15", "3.75", "6", "0.3"),
      claude("claude-opus-4-1-20250805", "15", "75", "18.75", "30", "1.5"),
      claude("claude-haiku-4-5-20251001", "1", "5", "1.25", "2", "0.1"),
      openai("gpt-5.1-codex", "1.25", "0.125", "10"),
      openai("gpt-5.1-codex-mini", "0.25", "0.025", "2")));

  /** The 13 unique Claude Code messages (README 1.2, final snapshot of the streamed one). */
  record Msg(String model, long input, long output, long w5m, long w1h, long read, long search) {
    Tokens tokens() {
      return new Tokens(input, output, w5m, w1h, read, 0, search);
    }
  }

  static final String SONNET = "claude-sonnet-4-5-20250929";
  static final String OPUS = "claude-opus-4-1-20250805";
  static final String HAIKU = "claude-haiku-4-5-20251001";

  static final List<Msg> CLAUDE_CODE = List.of(
      new Msg(SONNET, 4, 312, 0, 18_240, 0, 0),
      new Msg(SONNET, 6, 387, 0, 1_045, 18_240, 0),
      new Msg(SONNET, 3, 1_124, 410, 1_900, 19_285, 0),
      new Msg(OPUS, 10, 845, 0, 24_880, 0, 1),
      new Msg(OPUS, 8, 2_206, 0, 3_512, 24_880, 0),
      new Msg(HAIKU, 1_220, 506, 9_870, 0, 0, 0),
      new Msg(HAIKU, 640, 1_388, 2_145, 0, 9_870, 0),
      new Msg(OPUS, 12, 978, 0, 2_904, 28_392, 0),
      new Msg(SONNET, 25, 640, 6_400, 0, 21_595, 0), // legacy: unsplit writes at the 5m rate
      new Msg(SONNET, 7, 2_930, 0, 1_210, 27_995, 0),
      new Msg(HAIKU, 18, 402, 15_030, 0, 0, 0),
      new Msg(SONNET, 9, 1_776, 0, 31_450, 0, 0),
      new Msg(OPUS, 11, 3_015, 0, 33_120, 0, 0));

  @Test
  void claudeCodeFixtureCostsMatchTheReadmeAtFixturePrices() {
    // The fixture table has no web-search price, so the Opus search adds nothing here.
    assertCost(FIXTURE_PRICES, SONNET, "482439");
    assertCost(FIXTURE_PRICES, OPUS, "2541303");
    assertCost(FIXTURE_PRICES, HAIKU, "48151.25");
    BigDecimal all = CLAUDE_CODE.stream()
        .map(m -> FIXTURE_PRICES.exactMicros("anthropic", m.model(), m.tokens()))
        .reduce(BigDecimal.ZERO, BigDecimal::add);
    assertThat(all).isEqualByComparingTo("3071893.25");
  }

  @Test
  void shippedPricesGiveTheSameClaudeCostsPlusOneCentForTheWebSearch() {
    PriceTable shipped = PriceTable.shipped();
    assertCost(shipped, SONNET, "482439");
    assertCost(shipped, OPUS, "2551303"); // 2,541,303 + one search at $0.01
    assertCost(shipped, HAIKU, "48151.25");
    assertThat(shipped.price("anthropic", SONNET, CLAUDE_CODE.get(0).tokens()).pricedAs())
        .isEqualTo("claude-sonnet-4-5");
  }

  /** Codex calls (README 2.2): input here is uncached input = reported input − cached. */
  record Call(String model, long input, long cached, long output, long reasoning) {
    Tokens tokens() {
      return new Tokens(input - cached, output, 0, 0, cached, reasoning, 0);
    }
  }

  static final List<Call> CODEX = List.of(
      new Call("gpt-5.1-codex", 8_912, 0, 412, 256),
      new Call("gpt-5.1-codex", 10_433, 8_832, 198, 64),
      new Call("gpt-5.1-codex-mini", 12_040, 10_240, 905, 512),
      new Call("gpt-5.1-codex-mini", 13_377, 11_904, 1_260, 640),
      new Call("gpt-5.1-codex", 15_002, 0, 2_118, 1_408));

  @Test
  void codexFixtureCostsMatchTheReadmeAndReasoningIsNotBilledTwice() {
    for (PriceTable table : List.of(FIXTURE_PRICES, PriceTable.shipped())) {
      assertCodex(table, "gpt-5.1-codex", "60277.75");
      assertCodex(table, "gpt-5.1-codex-mini", "5701.85");
    }
  }

  @Test
  void realClaudeCodeTranscriptsCostWhatCcusageAndClaudeCodeReportWithLiteLlmPrices()
      throws Exception {
    String json = Files.readString(SharedFiles.litellm());
    PriceTable litellm = PriceTable.of("litellm",
        LiteLlmImport.parse(json, "litellm").models(), PriceLayer.IMPORTED);
    // Per-request usage of the five assistant lines in fixtures/claude-code-real.
    List<Msg> sonnet = List.of(
        new Msg("claude-sonnet-4-5", 211, 1_276, 2_288, 0, 18_535, 0),
        new Msg("claude-sonnet-4-5", 71, 1_615, 3_127, 0, 38_625, 0),
        new Msg("claude-sonnet-4-5", 239, 1_449, 4_961, 0, 497, 0),
        new Msg("claude-sonnet-4-5", 36, 837, 4_207, 0, 63_486, 0));
    List<Msg> haiku = List.of(new Msg("claude-haiku-4-5", 215, 966, 4_460, 0, 82_958, 0));

    assertSum(litellm, sonnet, "170355.15");
    assertSum(litellm, haiku, "18915.8");
    assertSum(PriceTable.shipped(), sonnet, "170355.15");
    assertSum(PriceTable.shipped(), haiku, "18915.8");
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static void assertCost(PriceTable table, String model, String exactMicros) {
    assertSum(table, CLAUDE_CODE.stream().filter(m -> m.model().equals(model)).toList(), exactMicros);
  }

  private static void assertSum(PriceTable table, List<Msg> msgs, String exactMicros) {
    BigDecimal exact = BigDecimal.ZERO;
    long rounded = 0;
    for (Msg m : msgs) {
      exact = exact.add(table.exactMicros("anthropic", m.model(), m.tokens()));
      Cost c = table.price("anthropic", m.model(), m.tokens());
      assertThat(c.priced()).isTrue();
      assertThat(c.priceVersion()).isEqualTo(table.version());
      rounded += c.micros();
    }
    assertThat(exact).isEqualByComparingTo(exactMicros);
    assertWithinRounding(rounded, exact, msgs.size());
  }

  private static void assertCodex(PriceTable table, String model, String exactMicros) {
    BigDecimal exact = BigDecimal.ZERO;
    long rounded = 0;
    int n = 0;
    for (Call c : CODEX) {
      if (c.model().equals(model)) {
        exact = exact.add(table.exactMicros("openai", model, c.tokens()));
        rounded += table.price("openai", model, c.tokens()).micros();
        n++;
      }
    }
    assertThat(exact).isEqualByComparingTo(exactMicros);
    assertWithinRounding(rounded, exact, n);
  }

  private static void assertWithinRounding(long rounded, BigDecimal exact, int requests) {
    BigDecimal diff = BigDecimal.valueOf(rounded).subtract(exact).abs();
    assertThat(diff).isLessThanOrEqualTo(new BigDecimal("0.5").multiply(BigDecimal.valueOf(requests)));
  }

  private static ModelPrice claude(String key, String in, String out, String w5, String w1, String r) {
    return ModelPrice.of(key, "anthropic", new Rates(new BigDecimal(in), new BigDecimal(out),
        new BigDecimal(w5), new BigDecimal(w1), new BigDecimal(r), null));
  }

  private static ModelPrice openai(String key, String in, String cached, String out) {
    return ModelPrice.of(key, "openai",
        new Rates(new BigDecimal(in), new BigDecimal(out), null, null, new BigDecimal(cached), null));
  }
}
