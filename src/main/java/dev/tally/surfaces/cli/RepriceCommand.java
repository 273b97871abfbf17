package dev.tally.surfaces.cli;

import dev.tally.Tally;
import dev.tally.TallyHome;
import dev.tally.ingest.Ingest;
import dev.tally.ledger.Money;
import dev.tally.query.Range;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "reprice", mixinStandardHelpOptions = true,
    description = {"Price stored requests again with the current price table (after 'tally prices import' or an override).",
        "Costs are otherwise fixed when a request is first recorded, together with the price version used."},
    footer = {"", "Examples:", "  tally reprice                      every stored request",
        "  tally reprice --since 2026-11-01   only this month"})
final class RepriceCommand implements Callable<Integer> {
  @Mixin ReportOptions options;
  @Spec CommandSpec spec;
  @ParentCommand Tally tally;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    TallyHome home = tally.context().home();
    Range range = options.range(tally.context().clock());
    Instant from = range.fromInstant() == null ? Instant.EPOCH : range.fromInstant();
    Instant to = range.toInstant() == null ? tally.context().clock().instant().plusSeconds(86_400) : range.toInstant();
    try (Store store = SqliteStore.open(home.database());
        Ingest ingest = new Ingest(store, LocalWiring.pricer(home), null)) {
      var queries = new dev.tally.query.UsageQueries(store, tally.context().clock(), dev.tally.query.CostMode.CALCULATE);
      long before = queries.mode().cost(queries.periods(dev.tally.query.UsageQueries.Period.MONTH, range,
          dev.tally.query.Filter.NONE, dev.tally.store.Dimension.MODEL, java.time.DayOfWeek.MONDAY).totals());
      Ingest.Result r = ingest.reprice(from, to);
      long after = queries.mode().cost(queries.periods(dev.tally.query.UsageQueries.Period.MONTH, range,
          dev.tally.query.Filter.NONE, dev.tally.store.Dimension.MODEL, java.time.DayOfWeek.MONDAY).totals());
      out.println("Repriced " + Format.count(r.received()) + " requests; " + Format.count(r.updated())
          + " changed. Computed cost: " + Format.money(before) + " -> " + Format.money(after)
          + " (" + (after >= before ? "+" : "-") + Money.format(Math.abs(after - before)) + ").");
      out.flush();
      return 0;
    }
  }
}
