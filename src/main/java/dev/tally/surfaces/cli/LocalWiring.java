package dev.tally.surfaces.cli;

import dev.tally.Tally;
import dev.tally.TallyHome;
import dev.tally.ingest.Ingest;
import dev.tally.ingest.Pricer;
import dev.tally.pricing.PriceTables;
import dev.tally.sources.logs.CursorStore;
import dev.tally.sources.logs.LogScanner;
import dev.tally.sources.logs.LogSource;
import dev.tally.sources.logs.LogSources;
import dev.tally.sources.logs.ScanResult;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;

/** Glue between the CLI and the pricing and log-reading modules. */
final class LocalWiring {
  private LocalWiring() {}

  record Scan(List<String> lookedIn, long filesSeen) {}

  /** The price table, loaded on first use: a run with nothing new to price never reads it. */
  static Pricer pricer(TallyHome home) {
    return new Pricer() {
      private volatile Pricer table;

      @Override
      public dev.tally.ledger.Cost price(String provider, String model, dev.tally.ledger.Tokens tokens) {
        Pricer t = table;
        if (t == null) {
          synchronized (this) { // several writers may price at once (PostgreSQL): load once, then read freely
            if (table == null) {
              table = PriceTables.load(home)::price;
            }
            t = table;
          }
        }
        return t.price(provider, model, tokens);
      }
    };
  }

  static String defaultIdentity(Tally.Context context) {
    String user = context.env().getOrDefault("USER", System.getProperty("user.name"));
    String host = context.env().get("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException e) {
        host = "localhost";
      }
    }
    return "local:" + user + "@" + host;
  }

  /**
   * Reads what is new in the local agent logs into the ledger. Long first scans show a progress
   * bar on stderr (when it is a terminal); problems are summed up in one line each.
   */
  static Scan scan(Tally.Context context, CursorStore cursors, Ingest ingest, Set<String> agents, PrintWriter err) {
    List<LogSource> sources = LogSources.discover(context.env(), context.userHome(), agents);
    ProgressBar bar = new ProgressBar(err, System.console() != null);
    ScanResult r = new LogScanner(sources, cursors, ingest, bar::update).scan();
    ingest.flush();
    bar.finish();
    if (r.malformedLines() > 0) {
      err.println("tally: skipped " + Format.count(r.malformedLines()) + " malformed log line"
          + (r.malformedLines() == 1 ? "" : "s") + " (counted, nothing else affected)");
    }
    if (context.env().get("TALLY_DEBUG") != null) {
      err.printf("tally: scanned %d of %d files, %,d bytes, %,d lines, %,d events in %d ms (%s)%n", r.filesRead(),
          r.filesSeen(), r.bytesRead(), r.lines(), r.events(), r.elapsed().toMillis(), ingest.total());
    }
    for (String p : r.problems()) {
      err.println("tally: could not read " + p);
    }
    err.flush();
    return new Scan(LogSources.describeRoots(sources), r.filesSeen());
  }
}
