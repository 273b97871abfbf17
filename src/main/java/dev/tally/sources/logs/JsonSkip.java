package dev.tally.sources.logs;

import java.util.Arrays;

/**
 * Finds where a JSON value lies without tokenizing it: strings are crossed with {@link
 * Bytes#indexOf}, eight bytes at a time, and only brackets and quotes are followed. Nothing inside
 * a skipped value is checked, so a reader uses this only to step over a large value it does not
 * need (a transcript's message content) and lets the JSON parser read and check everything else.
 */
public final class JsonSkip {
  private JsonSkip() {}

  /**
   * Start of the value of {@code key} in the object that starts at {@code i} (after any whitespace;
   * -1 passes through), or -1 when the object has no such key at its own level or is not shaped
   * like JSON as far as it was walked. Keys are compared as raw bytes: an escaped key does not match.
   */
  public static int fieldValue(byte[] b, int i, int end, byte[] key) {
    i = skipSpace(b, i, end);
    if (i < 0 || i >= end || b[i] != '{') {
      return -1;
    }
    i++;
    while (true) {
      i = skipSpace(b, i, end);
      if (i >= end || b[i] != '"') {
        return -1;
      }
      int keyEnd = stringEnd(b, i, end);
      if (keyEnd < 0) {
        return -1;
      }
      boolean wanted = Arrays.equals(b, i + 1, keyEnd - 1, key, 0, key.length);
      i = skipSpace(b, keyEnd, end);
      if (i >= end || b[i] != ':') {
        return -1;
      }
      i = skipSpace(b, i + 1, end);
      if (wanted) {
        return i < end ? i : -1;
      }
      i = skipSpace(b, valueEnd(b, i, end), end);
      if (i < 0 || i >= end || b[i] != ',') {
        return -1;
      }
      i++;
    }
  }

  /** Index just past the value that starts at {@code i}, or -1 when it does not end before {@code end}. */
  public static int valueEnd(byte[] b, int i, int end) {
    if (i < 0 || i >= end) {
      return -1;
    }
    byte c = b[i];
    if (c == '"') {
      return stringEnd(b, i, end);
    }
    if (c != '{' && c != '[') { // a number, true, false or null: up to the next delimiter
      while (i < end && (c = b[i]) != ',' && c != '}' && c != ']' && c > ' ') {
        i++;
      }
      return i;
    }
    int depth = 0;
    while (i < end) {
      c = b[i];
      if (c == '"') {
        i = stringEnd(b, i, end);
        if (i < 0) {
          return -1;
        }
        continue;
      }
      if (c == '{' || c == '[') {
        depth++;
      } else if ((c == '}' || c == ']') && --depth == 0) {
        return i + 1;
      }
      i++;
    }
    return -1;
  }

  /** Index just past the string whose opening quote is at {@code i}, or -1. */
  static int stringEnd(byte[] b, int i, int end) {
    int quote = i;
    while (true) {
      quote = Bytes.indexOf(b, (byte) '"', quote + 1, end);
      if (quote < 0) {
        return -1;
      }
      int backslashes = 0; // a quote is escaped by an odd run of backslashes before it
      for (int k = quote - 1; b[k] == '\\'; k--) {
        backslashes++;
      }
      if ((backslashes & 1) == 0) {
        return quote + 1;
      }
    }
  }

  private static int skipSpace(byte[] b, int i, int end) {
    while (i >= 0 && i < end && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
      i++;
    }
    return i;
  }
}
