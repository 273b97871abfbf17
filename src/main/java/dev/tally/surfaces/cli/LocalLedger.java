package dev.tally.surfaces.cli;

import dev.tally.Settings;
import dev.tally.Tally;
import dev.tally.TallyHome;
import dev.tally.ingest.Ingest;
import dev.tally.ingest.Pricer;
import dev.tally.query.CostMode;
import dev.tally.query.UsageQueries;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The ledger on this machine, brought up to date before a report: opens the SQLite store, reads
 * what is new in the agents' logs through ingest, then answers queries.
 */
final class LocalLedger implements AutoCloseable {
  private final Store store;
  private final Tally.Context context;
  private final List<String> lookedIn = new ArrayList<>();
  private long filesSeen;

  private LocalLedger(Store store, Tally.Context context) {
    this.store = store;
    this.context = context;
  }

  static LocalLedger open(Tally.Context context, ReportOptions options, PrintWriter err) {
    TallyHome home = context.home();
    LocalLedger ledger = new LocalLedger(SqliteStore.open(home.database()), context);
    if (!options.noScan) {
      ledger.scan(home, options, err);
    }
    return ledger;
  }

  private void scan(TallyHome home, ReportOptions options, PrintWriter err) {
    Pricer pricer = LocalWiring.pricer(home);
    try (Ingest ingest = new Ingest(store, pricer, LocalWiring.defaultIdentity(context))) {
      LocalWiring.Scan scan = LocalWiring.scan(context, store, ingest, options.agentNames(), err);
      lookedIn.addAll(scan.lookedIn());
      filesSeen = scan.filesSeen();
    }
    int keepDays = Settings.load(home).rawRetentionDays();
    if (keepDays > 0) {
      store.deleteEventsBefore(context.clock().instant().minus(java.time.Duration.ofDays(keepDays)));
    }
  }

  UsageQueries queries(CostMode mode) {
    return new UsageQueries(store, context.clock(), mode);
  }

  /** What an empty report says: plainly, and where Tally looked. */
  void printNoData(PrintWriter out) {
    if (filesSeen == 0 && !lookedIn.isEmpty()) {
      out.println("No agent logs found on this machine, so there is no usage to show yet.");
      out.println("Tally looked in:");
      lookedIn.forEach(p -> out.println("  " + p));
      out.println("Point it elsewhere with CLAUDE_CONFIG_DIR, CODEX_HOME, OPENCODE_DATA_DIR or GEMINI_DATA_DIR.");
    } else {
      out.println("No usage in the selected period.");
    }
    out.flush();
  }

  @Override
  public void close() {
    store.close();
  }
}
