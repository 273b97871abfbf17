package dev.tally.surfaces.cli;

import dev.tally.Tally;
import dev.tally.TallyHome;
import dev.tally.ingest.Ingest;
import dev.tally.ingest.Pricer;
import dev.tally.pricing.PriceTables;
import dev.tally.store.Store;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;

/** Glue between the CLI and the pricing and log-reading modules. */
final class LocalWiring {
  private LocalWiring() {}

  record Scan(List<String> lookedIn, long filesSeen) {}

  static Pricer pricer(TallyHome home) {
    return PriceTables.load(home)::price;
  }

  static String defaultIdentity(Tally.Context context) {
    String user = context.env().getOrDefault("USER", System.getProperty("user.name"));
    String host = context.env().getOrDefault("HOSTNAME", "localhost");
    return "local:" + user + "@" + host;
  }

  static Scan scan(Tally.Context context, Store store, Ingest ingest, Set<String> agents, PrintWriter err) {
    return new Scan(List.of(), 0);
  }
}
