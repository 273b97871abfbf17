package dev.tally.surfaces.cli;

import dev.tally.query.CostMode;
import dev.tally.query.UsageQueries.Report;
import java.io.PrintWriter;

/** Notes printed under every human-readable report. */
final class Reports {
  private Reports() {}

  static void printFootnotes(PrintWriter out, Report report, CostMode mode) {
    printUnpriced(out, report.unpricedModels(), mode);
  }

  static void printUnpriced(PrintWriter out, java.util.List<String> models, CostMode mode) {
    if (!models.isEmpty()) {
      out.println();
      out.println("! No price for: " + String.join(", ", models)
          + ". Their requests count as $0" + (mode == CostMode.AUTO ? " unless the agent logged a cost" : "")
          + ". Add a price: tally prices --help");
    }
    out.flush();
  }
}
