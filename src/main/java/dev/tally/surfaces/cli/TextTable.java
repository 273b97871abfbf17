package dev.tally.surfaces.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain aligned table: text columns left, number columns right, a rule under the header and
 * above totals. No colours, so it pipes cleanly.
 */
final class TextTable {
  private final List<String> headers;
  private final boolean[] rightAligned;
  private final List<String[]> rows = new ArrayList<>();
  private final List<Integer> rulesBefore = new ArrayList<>();

  TextTable(String... columns) {
    headers = new ArrayList<>();
    rightAligned = new boolean[columns.length];
    for (int i = 0; i < columns.length; i++) {
      // a leading '>' marks a right-aligned (numeric) column
      rightAligned[i] = columns[i].startsWith(">");
      headers.add(rightAligned[i] ? columns[i].substring(1) : columns[i]);
    }
  }

  TextTable row(String... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException("expected " + headers.size() + " cells, got " + cells.length);
    }
    rows.add(cells);
    return this;
  }

  /** A horizontal rule before the next row (e.g. above a total). */
  TextTable rule() {
    rulesBefore.add(rows.size());
    return this;
  }

  void print(PrintWriter out) {
    int[] widths = new int[headers.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = headers.get(i).length();
    }
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        widths[i] = Math.max(widths[i], r[i] == null ? 0 : r[i].length());
      }
    }
    int total = 0;
    for (int w : widths) {
      total += w + 2;
    }
    String line = "─".repeat(Math.max(0, total - 2));
    out.println(format(headers.toArray(String[]::new), widths));
    out.println(line);
    for (int i = 0; i < rows.size(); i++) {
      if (rulesBefore.contains(i)) {
        out.println(line);
      }
      out.println(format(rows.get(i), widths));
    }
    out.flush();
  }

  private String format(String[] cells, int[] widths) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      String c = cells[i] == null ? "" : cells[i];
      String pad = " ".repeat(widths[i] - c.length());
      sb.append(rightAligned[i] ? pad + c : c + (i == cells.length - 1 ? "" : pad));
      if (i < cells.length - 1) {
        sb.append("  ");
      }
    }
    return sb.toString().stripTrailing();
  }
}
