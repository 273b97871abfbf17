package dev.tally.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.ledger.Tokens;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class CostProperties {

  static final List<String> MODELS = PriceTable.shipped().models().stream()
      .map(ModelPrice::key).toList();

  final PriceTable shipped = PriceTable.shipped();

  @Provide
  Arbitrary<String> model() {
    return Arbitraries.of(MODELS);
  }

  @Provide
  Arbitrary<Tokens> tokens() {
    Arbitrary<Long> n = Arbitraries.longs().between(0, 2_000_000).edgeCases(c -> c.includeOnly(0L, 1L));
    Arbitrary<Long> searches = Arbitraries.longs().between(0, 20);
    return Combinators.combine(n, n, n, n, n, searches)
        .as((in, out, w5, w1, read, ws) -> new Tokens(in, out, w5, w1, read, out / 2, ws));
  }

  @Property
  void costIsNeverNegative(@ForAll("model") String model, @ForAll("tokens") Tokens t) {
    assertThat(shipped.price(null, model, t).micros()).isNotNegative();
  }

  @Property
  void costIsTheExactFormulaRoundedOnce(@ForAll("model") String model, @ForAll("tokens") Tokens t) {
    ModelPrice p = shipped.lookup(model).orElseThrow().price();
    boolean tier = p.longContext() != null && t.prompt() > p.longContext().threshold();
    Rates r = tier ? p.effectiveLongContextRates() : p.effectiveRates();
    BigDecimal exact = r.input().multiply(BigDecimal.valueOf(t.input()))
        .add(r.cacheWrite5m().multiply(BigDecimal.valueOf(t.cacheWrite5m())))
        .add(r.cacheWrite1h().multiply(BigDecimal.valueOf(t.cacheWrite1h())))
        .add(r.cacheRead().multiply(BigDecimal.valueOf(t.cacheRead())))
        .add(r.output().multiply(BigDecimal.valueOf(t.output())))
        .add(p.effectiveRates().webSearch().multiply(BigDecimal.valueOf(1_000_000L * t.webSearches())));
    assertThat(shipped.exactMicros(null, model, t)).isEqualByComparingTo(exact);
    assertThat(shipped.price(null, model, t).micros())
        .isEqualTo(exact.setScale(0, RoundingMode.HALF_UP).longValueExact());
  }

  /** Below the tier threshold the exact cost is the sum of the costs of each token kind alone. */
  @Property
  void costIsAdditiveOverTokenKinds(@ForAll("model") String model,
      @ForAll @LongRange(max = 30_000) long in, @ForAll @LongRange(max = 30_000) long out,
      @ForAll @LongRange(max = 30_000) long w5, @ForAll @LongRange(max = 30_000) long w1,
      @ForAll @LongRange(max = 30_000) long read, @ForAll @IntRange(max = 5) int searches) {
    Tokens all = new Tokens(in, out, w5, w1, read, 0, searches);
    Assume.that(!shipped.usesLongContext(null, model, all));
    List<Tokens> parts = List.of(new Tokens(in, 0, 0, 0, 0, 0, 0), new Tokens(0, out, 0, 0, 0, 0, 0),
        new Tokens(0, 0, w5, 0, 0, 0, 0), new Tokens(0, 0, 0, w1, 0, 0, 0),
        new Tokens(0, 0, 0, 0, read, 0, 0), new Tokens(0, 0, 0, 0, 0, 0, searches));
    BigDecimal sum = parts.stream().map(p -> shipped.exactMicros(null, model, p))
        .reduce(BigDecimal.ZERO, BigDecimal::add);
    assertThat(shipped.exactMicros(null, model, all)).isEqualByComparingTo(sum);
    long roundedSum = parts.stream().mapToLong(p -> shipped.price(null, model, p).micros()).sum();
    assertThat(Math.abs(shipped.price(null, model, all).micros() - roundedSum)).isLessThanOrEqualTo(3);
  }

  /** Reasoning is inside output: it never changes the cost. */
  @Property
  void reasoningIsNotBilledAgain(@ForAll("model") String model, @ForAll("tokens") Tokens t) {
    Tokens noReasoning = new Tokens(t.input(), t.output(), t.cacheWrite5m(), t.cacheWrite1h(),
        t.cacheRead(), 0, t.webSearches());
    assertThat(shipped.price(null, model, t)).isEqualTo(shipped.price(null, model, noReasoning));
  }

  /** Adding tokens of any kind never lowers the cost (tier rates are never below base rates). */
  @Property
  void costIsMonotoneInEveryTokenCount(@ForAll("model") String model, @ForAll("tokens") Tokens t,
      @ForAll @IntRange(max = 5) int kind, @ForAll @LongRange(min = 1, max = 500_000) long more) {
    Tokens bigger = switch (kind) {
      case 0 -> new Tokens(t.input() + more, t.output(), t.cacheWrite5m(), t.cacheWrite1h(), t.cacheRead(), t.reasoning(), t.webSearches());
      case 1 -> new Tokens(t.input(), t.output() + more, t.cacheWrite5m(), t.cacheWrite1h(), t.cacheRead(), t.reasoning(), t.webSearches());
      case 2 -> new Tokens(t.input(), t.output(), t.cacheWrite5m() + more, t.cacheWrite1h(), t.cacheRead(), t.reasoning(), t.webSearches());
      case 3 -> new Tokens(t.input(), t.output(), t.cacheWrite5m(), t.cacheWrite1h() + more, t.cacheRead(), t.reasoning(), t.webSearches());
      case 4 -> new Tokens(t.input(), t.output(), t.cacheWrite5m(), t.cacheWrite1h(), t.cacheRead() + more, t.reasoning(), t.webSearches());
      default -> new Tokens(t.input(), t.output(), t.cacheWrite5m(), t.cacheWrite1h(), t.cacheRead(), t.reasoning(), t.webSearches() + more % 50);
    };
    assertThat(shipped.price(null, model, bigger).micros())
        .isGreaterThanOrEqualTo(shipped.price(null, model, t).micros());
  }
}
