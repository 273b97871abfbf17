package dev.tally.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;

/**
 * Rows for PostgreSQL's {@code COPY ... FROM STDIN} in its text format: one line per row, columns
 * separated by tabs, {@code \N} for NULL. A batch goes to the server in one round trip and is
 * stored without a statement to parse or parameters to bind per row.
 */
final class PgCopy {
  private final StringBuilder rows = new StringBuilder(1 << 16);
  private int count;
  private boolean rowStarted;

  /** Rows appended so far. */
  int count() {
    return count;
  }

  PgCopy value(Object v) {
    if (rowStarted) {
      rows.append('\t');
    }
    rowStarted = true;
    if (v == null) {
      rows.append("\\N");
    } else if (v instanceof Long || v instanceof Integer) {
      rows.append(v.toString());
    } else {
      escape(v.toString());
    }
    return this;
  }

  PgCopy value(long v) {
    if (rowStarted) {
      rows.append('\t');
    }
    rowStarted = true;
    rows.append(v);
    return this;
  }

  /** Ends the current row. */
  void endRow() {
    rows.append('\n');
    rowStarted = false;
    count++;
  }

  private void escape(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> rows.append("\\\\");
        case '\t' -> rows.append("\\t");
        case '\n' -> rows.append("\\n");
        case '\r' -> rows.append("\\r");
        default -> rows.append(c);
      }
    }
  }

  /** Sends the rows into {@code table (columns)}; returns how many the server stored. */
  long into(Connection c, String table, String columns) throws SQLException {
    if (count == 0) {
      return 0;
    }
    byte[] data = rows.toString().getBytes(StandardCharsets.UTF_8);
    try {
      return c.unwrap(PGConnection.class).getCopyAPI()
          .copyIn("COPY " + table + " (" + columns + ") FROM STDIN", new ByteArrayInputStream(data));
    } catch (IOException e) {
      throw new SQLException("copying rows into " + table, e);
    }
  }
}
