package dev.tally.surfaces.cli;

import dev.tally.query.CostMode;
import dev.tally.query.UsageQueries.Report;
import java.io.PrintWriter;

/** Notes printed under every human-readable report. */
final class Reports {
  private Reports() {}

  static void printFootnotes(PrintWriter out, Report report, CostMode mode) {
    if (!report.unpricedModels().isEmpty()) {
      out.println();
      out.println("! No price for: " + String.join(", ", report.unpricedModels())
          + ". Their requests count as $0" + (mode == CostMode.AUTO ? " unless the agent logged a cost" : "")
          + ". Add a price: tally prices --help");
    }
    out.flush();
  }
}
