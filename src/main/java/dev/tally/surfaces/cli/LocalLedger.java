package dev.tally.surfaces.cli;

import dev.tally.Settings;
import dev.tally.Tally;
import dev.tally.TallyHome;
import dev.tally.ingest.Ingest;
import dev.tally.query.CostMode;
import dev.tally.query.UsageQueries;
import dev.tally.sources.logs.CursorStore;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The ledger on this machine, brought up to date before a report: opens the SQLite store, reads
 * what is new in the agents' logs through ingest, then answers queries.
 */
final class LocalLedger implements AutoCloseable {
  /** SQLite's page cache for a report's connections (see {@link SqliteStore#open(Path, int)}). */
  private static final int CACHE_MB = 4;

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
    Path database = home.database();
    if (options.noScan) {
      return new LocalLedger(SqliteStore.open(database, CACHE_MB), context);
    }
    // A new ledger is opened (SQLite's library loaded, the build's empty ledger copied) while the
    // logs are found and read: until then the events wait in ingest's queue, and there are no saved
    // file positions to look up.
    boolean created = Files.notExists(database);
    CompletableFuture<Store> opening = created
        ? CompletableFuture.supplyAsync(() -> SqliteStore.open(database, CACHE_MB), r -> Thread.ofPlatform().daemon().start(r))
        : CompletableFuture.completedFuture(SqliteStore.open(database, CACHE_MB));
    LocalWiring.Scan scan;
    Ingest ingest = new Ingest(opening, LocalWiring.pricer(home), LocalWiring.defaultIdentity(context));
    try (ingest) {
      CursorStore cursors = created ? Map::of : ingest.store();
      scan = LocalWiring.scan(context, cursors, ingest, options.agentNames(), err);
    }
    LocalLedger ledger = new LocalLedger(ingest.store(), context);
    ledger.lookedIn.addAll(scan.lookedIn());
    ledger.filesSeen = scan.filesSeen();
    int keepDays = Settings.load(home).rawRetentionDays();
    if (keepDays > 0) {
      ledger.store.deleteEventsBefore(context.clock().instant().minus(java.time.Duration.ofDays(keepDays)));
    }
    return ledger;
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
