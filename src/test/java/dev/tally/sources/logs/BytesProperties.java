package dev.tally.sources.logs;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The word-at-a-time searches find exactly what a byte-by-byte loop finds. */
class BytesProperties {
  record Case(byte[] a, byte b, int from, int to) {}

  @Provide
  Arbitrary<Case> cases() {
    // few distinct bytes so that matches are common: the lanes' edge cases (0x00, 0x7f, 0x80, 0xff)
    // and each searched byte's neighbour (b ^ 1), which a carry between lanes would mistake for b
    Arbitrary<Byte> alphabet = Arbitraries.of((byte) 0, (byte) 1, (byte) '\n', (byte) 0x0b, (byte) '{', (byte) 'z',
        (byte) 0x7e, (byte) 0x7f, (byte) 0x80, (byte) 0x81, (byte) 0xfe, (byte) 0xff, (byte) 'a');
    Arbitrary<byte[]> arrays = alphabet.array(byte[].class).ofMinSize(0).ofMaxSize(70);
    return arrays.flatMap(a -> Combinators.combine(alphabet,
        Arbitraries.integers().between(0, a.length), Arbitraries.integers().between(0, a.length))
        .as((b, x, y) -> new Case(a, b, Math.min(x, y), Math.max(x, y))));
  }

  @Property(tries = 3000)
  void indexOfFindsTheFirstMatch(@ForAll("cases") Case c) {
    int expected = -1;
    for (int i = c.from(); i < c.to(); i++) {
      if (c.a()[i] == c.b()) {
        expected = i;
        break;
      }
    }
    assertThat(Bytes.indexOf(c.a(), c.b(), c.from(), c.to())).isEqualTo(expected);
  }

  @Property(tries = 3000)
  void lastIndexOfFindsTheLastMatch(@ForAll("cases") Case c) {
    int expected = -1;
    for (int i = c.to() - 1; i >= c.from(); i--) {
      if (c.a()[i] == c.b()) {
        expected = i;
        break;
      }
    }
    assertThat(Bytes.lastIndexOf(c.a(), c.b(), c.from(), c.to())).isEqualTo(expected);
  }

  @Property(tries = 2000)
  void markersFindTheFirstMarkerThatEndsInTheRange(@ForAll("cases") Case c) {
    Markers markers = new Markers("a{", "\n\u007f{");
    byte[][] patterns = {{'a', '{'}, {'\n', 0x7f, '{'}};
    int expected = -1;
    outer:
    for (int end = c.from(); end < c.to(); end++) {
      for (byte[] p : patterns) {
        int start = end - p.length + 1;
        if (start >= c.from() && java.util.Arrays.equals(c.a(), start, end + 1, p, 0, p.length)) {
          expected = start;
          break outer;
        }
      }
    }
    assertThat(markers.find(c.a(), c.from(), c.to())).isEqualTo(expected);
  }
}
