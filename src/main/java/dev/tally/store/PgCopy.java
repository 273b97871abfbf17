package dev.tally.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Rows for PostgreSQL's {@code COPY ... FROM STDIN} in its text format: one line per row, columns
 * separated by tabs, {@code \N} for NULL, UTF-8. A batch goes to the server in one round trip and
 * is stored without a statement to parse or parameters to bind per row. The buffer is kept for the
 * next batch: one writer thread uses one instance.
 */
final class PgCopy {
  private byte[] buf = new byte[1 << 16];
  private int len;
  private int count;
  private boolean rowStarted;
  /** While streaming: where full chunks go as rows are appended, opened with the first chunk. */
  private Connection target;
  private String copySql;
  private CopyIn open;
  private static final int CHUNK = 1 << 18;

  /** Drops rows appended but not sent (a batch that failed half way), ending a COPY left open. */
  PgCopy reset() {
    len = 0;
    count = 0;
    rowStarted = false;
    target = null;
    if (open != null && open.isActive()) {
      try {
        open.cancelCopy();
      } catch (SQLException ignored) {
        // the transaction is rolled back anyway
      }
    }
    open = null;
    return this;
  }

  /**
   * Sends rows into {@code table (columns)} in chunks while they are appended, so that the server
   * stores the first ones while the rest are built; {@link #finish} sends the last chunk. No other
   * statement may run on {@code c} until then.
   */
  PgCopy stream(Connection c, String table, String columns) {
    reset();
    target = c;
    copySql = "COPY " + table + " (" + columns + ") FROM STDIN";
    return this;
  }

  /** Ends a {@link #stream}; returns how many rows the server stored. */
  long finish() throws SQLException {
    try {
      if (count == 0) {
        return 0;
      }
      sendChunk();
      return open.endCopy();
    } finally {
      reset();
    }
  }

  private void sendChunk() throws SQLException {
    if (open == null) {
      open = target.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
    }
    open.writeToCopy(buf, 0, len);
    len = 0;
  }

  /** Rows appended since the last {@link #into}. */
  int count() {
    return count;
  }

  PgCopy value(Object v) {
    separate();
    if (v == null) {
      ensure(2);
      buf[len++] = '\\';
      buf[len++] = 'N';
    } else if (v instanceof Long l) {
      digits(l);
    } else if (v instanceof Integer n) {
      digits(n);
    } else {
      text(v.toString());
    }
    return this;
  }

  PgCopy value(long v) {
    separate();
    digits(v);
    return this;
  }

  /** Ends the current row. */
  void endRow() {
    ensure(1);
    buf[len++] = '\n';
    rowStarted = false;
    count++;
    if (target != null && len >= CHUNK) {
      try {
        sendChunk();
      } catch (SQLException e) {
        throw new StoreException("copying rows", e);
      }
    }
  }

  private void separate() {
    if (rowStarted) {
      ensure(1);
      buf[len++] = '\t';
    }
    rowStarted = true;
  }

  private void digits(long v) {
    if (v >= 0 && v < 10) {
      ensure(1);
      buf[len++] = (byte) ('0' + v);
      return;
    }
    String s = Long.toString(v);
    ensure(s.length());
    for (int i = 0; i < s.length(); i++) {
      buf[len++] = (byte) s.charAt(i);
    }
  }

  /** Text with COPY's backslash escapes, encoded as UTF-8. */
  private void text(String s) {
    ensure(s.length() * 3);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        byte[] rest = s.substring(i).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ensure(rest.length);
        System.arraycopy(rest, 0, buf, len, rest.length);
        len += rest.length;
        return;
      }
      switch (c) {
        case '\\' -> {
          buf[len++] = '\\';
          buf[len++] = '\\';
        }
        case '\t' -> {
          buf[len++] = '\\';
          buf[len++] = 't';
        }
        case '\n' -> {
          buf[len++] = '\\';
          buf[len++] = 'n';
        }
        case '\r' -> {
          buf[len++] = '\\';
          buf[len++] = 'r';
        }
        default -> buf[len++] = (byte) c;
      }
    }
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  /**
   * Sends the rows into {@code table (columns)} and starts over; returns how many rows the server
   * stored.
   */
  long into(Connection c, String table, String columns) throws SQLException {
    try {
      if (count == 0) {
        return 0;
      }
      CopyIn in = c.unwrap(PGConnection.class).getCopyAPI()
          .copyIn("COPY " + table + " (" + columns + ") FROM STDIN");
      try {
        in.writeToCopy(buf, 0, len);
        return in.endCopy();
      } finally {
        if (in.isActive()) {
          in.cancelCopy();
        }
      }
    } finally {
      reset();
      if (buf.length > 1 << 24) {
        buf = new byte[1 << 16]; // an unusually large batch: do not keep its buffer
      }
    }
  }
}
