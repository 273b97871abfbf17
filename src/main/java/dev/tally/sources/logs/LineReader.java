package dev.tally.sources.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the complete lines of a growing JSONL file from a byte offset, in large chunks, without
 * turning lines into strings. Lines a reader does not care about cost one byte scan.
 */
public final class LineReader {
  private static final int CHUNK = 1 << 20;
  /**
   * Each reading thread's chunk buffer, reused from file to file: a new megabyte per file would be
   * hundreds of megabytes of garbage on a first scan (too big for the young generation, so it goes
   * straight to the old one, where only a full collection takes it back).
   */
  private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[CHUNK]);

  /** Called for each line; {@code buf[start, end)} excludes the newline. */
  public interface LineHandler {
    /**
     * @param fileOffset where the line starts in the file (stable while the file only grows)
     * @param terminated false for a last line that has no newline yet
     * @return false to leave an unterminated line unconsumed (it may still be being written)
     */
    boolean line(byte[] buf, int start, int end, long fileOffset, boolean terminated) throws IOException;
  }

  /** Where reading stopped. */
  public record Result(long offset, long lines) {}

  private LineReader() {}

  public static Result read(Path file, long offset, LineHandler handler) throws IOException {
    return scan(file, offset, (buf, filled, bufStart, eof, count) -> {
      int lineStart = 0;
      int nl;
      while ((nl = Bytes.indexOf(buf, (byte) '\n', lineStart, filled)) >= 0) {
        int end = nl > lineStart && buf[nl - 1] == '\r' ? nl - 1 : nl;
        if (end > lineStart) {
          handler.line(buf, lineStart, end, bufStart + lineStart, true);
        }
        count[0]++;
        lineStart = nl + 1;
      }
      if (eof && lineStart < filled && handler.line(buf, lineStart, filled, bufStart + lineStart, false)) {
        count[0]++;
        return filled;
      }
      return lineStart;
    });
  }

  /**
   * Like {@link #read}, but only for lines that contain one of {@code markers}: the buffer is
   * searched for the markers, and line boundaries are looked up around each hit, so bytes of other
   * lines are looked at once. Reports the lines handled, not all lines.
   */
  public static Result readMarked(Path file, long offset, Markers markers, LineHandler handler) throws IOException {
    return scan(file, offset, (buf, filled, bufStart, eof, count) -> {
      // complete lines end at the last newline in the buffer
      int complete = Bytes.lastIndexOf(buf, (byte) '\n', 0, filled) + 1;
      int pos = 0;
      int hit;
      while (pos < complete && (hit = markers.find(buf, pos, complete)) >= 0) {
        int before = Bytes.lastIndexOf(buf, (byte) '\n', pos, hit);
        int lineStart = before < 0 ? pos : before + 1; // pos is where a line starts
        int nl = Bytes.indexOf(buf, (byte) '\n', hit, complete);
        int end = nl > lineStart && buf[nl - 1] == '\r' ? nl - 1 : nl;
        handler.line(buf, lineStart, end, bufStart + lineStart, true);
        count[0]++;
        pos = nl + 1;
      }
      // an unterminated last line is taken only when it is ours and parses whole
      if (eof && complete < filled && markers.find(buf, complete, filled) >= 0
          && handler.line(buf, complete, filled, bufStart + complete, false)) {
        count[0]++;
        return filled;
      }
      return complete;
    });
  }

  /** Handles the lines in {@code buf[0, filled)}; returns how many bytes from the front are done. */
  private interface Chunk {
    int consume(byte[] buf, int filled, long bufStart, boolean eof, long[] count) throws IOException;
  }

  /** Reads the file from {@code offset} in chunks, keeping an unfinished line for the next chunk. */
  private static Result scan(Path file, long offset, Chunk chunk) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (offset >= size) {
        return new Result(offset, 0);
      }
      byte[] buf = BUFFER.get();
      int filled = 0; // bytes in buf
      long bufStart = offset; // file position of buf[0]
      long[] count = {0};
      ch.position(offset);
      while (true) {
        if (filled == buf.length) {
          // a line longer than the buffer: grow it
          buf = java.util.Arrays.copyOf(buf, buf.length * 2);
        }
        int n = ch.read(ByteBuffer.wrap(buf, filled, buf.length - filled));
        boolean eof = n < 0;
        if (!eof) {
          filled += n;
        }
        int done = chunk.consume(buf, filled, bufStart, eof, count);
        if (eof) {
          return new Result(bufStart + done, count[0]);
        }
        System.arraycopy(buf, done, buf, 0, filled - done);
        filled -= done;
        bufStart += done;
      }
    }
  }

  /** Index of {@code pattern} in {@code a[from, to)}, or -1. */
  public static int indexOf(byte[] a, byte[] pattern, int from, int to) {
    byte first = pattern[0];
    int last = to - pattern.length;
    outer:
    for (int i = from; i <= last; i++) {
      if (a[i] != first) {
        continue;
      }
      for (int j = 1; j < pattern.length; j++) {
        if (a[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
