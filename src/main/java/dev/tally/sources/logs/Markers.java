package dev.tally.sources.logs;

import java.nio.charset.StandardCharsets;

/**
 * A few byte strings searched for together. They must all end in the same byte, best one that is
 * rare in the text (such as '{'): the search looks for that byte eight at a time ({@link Bytes})
 * and compares the markers only where it occurs, so the many lines that carry no usage cost a
 * fraction of a nanosecond a byte.
 */
public final class Markers {
  private final byte[][] patterns;
  private final byte last;
  private final int shortest;

  public Markers(String... markers) {
    patterns = new byte[markers.length][];
    int min = Integer.MAX_VALUE;
    for (int i = 0; i < markers.length; i++) {
      patterns[i] = markers[i].getBytes(StandardCharsets.UTF_8);
      min = Math.min(min, patterns[i].length);
    }
    if (min == 0 || min == Integer.MAX_VALUE) {
      throw new IllegalArgumentException("markers must not be empty");
    }
    last = patterns[0][patterns[0].length - 1];
    for (byte[] p : patterns) {
      if (p[p.length - 1] != last) {
        throw new IllegalArgumentException("markers must all end in the same byte");
      }
    }
    shortest = min;
  }

  /** Where the first marker to end inside {@code a[from, to)} starts, or -1. */
  public int find(byte[] a, int from, int to) {
    int end = from + shortest - 1; // the earliest a marker can end
    while ((end = Bytes.indexOf(a, last, end, to)) >= 0) {
      for (byte[] p : patterns) {
        int start = end - p.length + 1;
        if (start >= from && matchesAt(a, start, p)) {
          return start;
        }
      }
      end++;
    }
    return -1;
  }

  private static boolean matchesAt(byte[] a, int start, byte[] p) {
    for (int j = p.length - 2; j >= 0; j--) { // the last byte matched already
      if (a[start + j] != p[j]) {
        return false;
      }
    }
    return true;
  }
}
