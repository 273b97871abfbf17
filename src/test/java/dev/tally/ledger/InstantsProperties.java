package dev.tally.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The quick reader gives what {@link Instant#parse} gives, and refuses what it refuses. */
class InstantsProperties {

  @Property
  void readsEveryInstantAsTheJdkDoes(@ForAll @LongRange(min = -62_135_596_800L, max = 253_402_300_799L) long second,
      @ForAll @IntRange(max = 999_999_999) int nanos, @ForAll @IntRange(min = 0, max = 9) int fractionDigits) {
    String text = Instant.ofEpochSecond(second).toString().replace("Z", "");
    if (fractionDigits > 0) {
      text += "." + String.format("%09d", nanos).substring(0, fractionDigits);
    }
    text += "Z";
    assertThat(Instants.parse(text)).isEqualTo(Instant.parse(text));
  }

  @Provide
  Arbitrary<String> nearlyInstants() {
    // a valid instant with one character replaced: digits out of range, letters, separators
    return Arbitraries.of("2026-11-20T09:14:09.123Z", "2024-02-29T23:59:59Z", "2026-12-31T00:00:00.5Z")
        .flatMap(s -> Arbitraries.integers().between(0, s.length() - 1).flatMap(i -> Arbitraries.of('0', '2', '3', '9', 'x', ':', '.', 'Z', '-')
            .map(c -> s.substring(0, i) + c + s.substring(i + 1))));
  }

  @Property
  void refusesWhatTheJdkRefuses(@ForAll("nearlyInstants") String text) {
    Instant expected;
    try {
      expected = Instant.parse(text);
    } catch (DateTimeParseException e) {
      assertThatThrownBy(() -> Instants.parse(text)).isInstanceOf(DateTimeParseException.class);
      return;
    }
    assertThat(Instants.parse(text)).isEqualTo(expected);
  }
}
