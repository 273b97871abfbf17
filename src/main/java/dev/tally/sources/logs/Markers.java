package dev.tally.sources.logs;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A few byte strings searched for together (Horspool's algorithm over the shortest length): most
 * positions are skipped without being compared, which is what makes skipping the many lines that
 * carry no usage cheap.
 */
public final class Markers {
  private final byte[][] patterns;
  private final int m;
  private final int[] shift = new int[256];
  private final boolean[] lastByte = new boolean[256];

  public Markers(String... markers) {
    patterns = new byte[markers.length][];
    int min = Integer.MAX_VALUE;
    for (int i = 0; i < markers.length; i++) {
      patterns[i] = markers[i].getBytes(StandardCharsets.UTF_8);
      min = Math.min(min, patterns[i].length);
    }
    m = min;
    Arrays.fill(shift, m);
    for (byte[] p : patterns) {
      lastByte[p[m - 1] & 0xff] = true;
      for (int j = 0; j < m - 1; j++) {
        shift[p[j] & 0xff] = Math.min(shift[p[j] & 0xff], m - 1 - j);
      }
    }
  }

  /** Index of the first occurrence of any marker in {@code a[from, to)}, or -1. */
  public int find(byte[] a, int from, int to) {
    int i = from;
    int last = to - m;
    while (i <= last) {
      int b = a[i + m - 1] & 0xff;
      if (lastByte[b] && matchesAt(a, i, to)) {
        return i;
      }
      i += shift[b];
    }
    return -1;
  }

  private boolean matchesAt(byte[] a, int i, int to) {
    outer:
    for (byte[] p : patterns) {
      if (i + p.length > to) {
        continue;
      }
      for (int j = 0; j < p.length; j++) {
        if (a[i + j] != p[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
