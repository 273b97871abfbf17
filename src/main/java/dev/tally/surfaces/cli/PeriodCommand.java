package dev.tally.surfaces.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.query.UsageQueries;
import dev.tally.query.UsageQueries.Group;
import dev.tally.query.UsageQueries.Period;
import dev.tally.query.UsageQueries.Report;
import dev.tally.store.Dimension;
import java.io.PrintWriter;
import java.time.DayOfWeek;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Usage per day, week or month: {@code tally daily|weekly|monthly}. */
abstract class PeriodCommand implements Callable<Integer> {

  @Mixin ReportOptions options;

  @Option(names = "--by", paramLabel = "DIM", defaultValue = "model",
      description = "What to break each period down by: model, project, tool (= agent). Default: ${DEFAULT-VALUE}.")
  String by;

  @Option(names = {"-b", "--breakdown"}, description = "Show one sub-row per model (or per --by value).")
  boolean breakdown;

  @Option(names = {"-o", "--order"}, paramLabel = "ORDER", defaultValue = "asc",
      description = "asc (oldest first) or desc. Default: ${DEFAULT-VALUE}.")
  String order;

  @Spec CommandSpec spec;

  @picocli.CommandLine.ParentCommand dev.tally.Tally tally;

  abstract Period period();

  DayOfWeek weekStart() {
    return DayOfWeek.MONDAY;
  }

  @Command(name = "daily", mixinStandardHelpOptions = true,
      description = "Usage and cost per day (reads new agent log lines first).",
      footer = {"", "Examples:",
          "  tally daily                        every day with usage (this machine's zone)",
          "  tally daily --days 7 --breakdown   the last week, one sub-row per model",
          "  tally daily --since 2026-11-01 --agent claude --json",
          "  tally daily --by project --csv > usage.csv"})
  static final class Daily extends PeriodCommand {
    @Override
    Period period() {
      return Period.DAY;
    }
  }

  @Command(name = "weekly", mixinStandardHelpOptions = true,
      description = "Usage and cost per week (weeks start on Monday unless --start-of-week says otherwise).")
  static final class Weekly extends PeriodCommand {
    @Option(names = {"-w", "--start-of-week"}, paramLabel = "DAY", defaultValue = "monday",
        description = "First day of a week: monday ... sunday. Default: ${DEFAULT-VALUE}.")
    String startOfWeek;

    @Override
    Period period() {
      return Period.WEEK;
    }

    @Override
    DayOfWeek weekStart() {
      try {
        return DayOfWeek.valueOf(startOfWeek.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--start-of-week '" + startOfWeek + "' is not a day name");
      }
    }
  }

  @Command(name = "monthly", mixinStandardHelpOptions = true, description = "Usage and cost per month.")
  static final class Monthly extends PeriodCommand {
    @Override
    Period period() {
      return Period.MONTH;
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Dimension dim = switch (by.toLowerCase(Locale.ROOT)) {
      case "model" -> Dimension.MODEL;
      case "project" -> Dimension.PROJECT;
      case "tool", "agent" -> Dimension.TOOL;
      default -> throw new IllegalArgumentException("--by '" + by + "' is not one of model, project, tool");
    };
    boolean descending = switch (order.toLowerCase(Locale.ROOT)) {
      case "asc" -> false;
      case "desc" -> true;
      default -> throw new IllegalArgumentException("--order must be asc or desc, not '" + order + "'");
    };
    try (LocalLedger ledger = LocalLedger.open(tally.context(), options, err)) {
      UsageQueries q = ledger.queries(options.costMode());
      Report report = q.periods(period(), options.range(q.clock()), options.filter(), dim, weekStart());
      List<Group> rows = descending ? report.rows().reversed() : report.rows();
      if (options.json) {
        printJson(out, q, report, rows, dim);
      } else if (options.csv) {
        printCsv(out, q, rows, dim);
      } else if (rows.isEmpty()) {
        ledger.printNoData(out);
      } else {
        printTable(out, q, report, rows, dim);
      }
      return 0;
    }
  }

  private String periodName() {
    return switch (period()) {
      case DAY -> "date";
      case WEEK -> "week";
      case MONTH -> "month";
    };
  }

  private void printTable(PrintWriter out, UsageQueries q, Report report, List<Group> rows, Dimension dim) {
    String what = dim == Dimension.MODEL ? "Models" : dim == Dimension.PROJECT ? "Projects" : "Agents";
    TextTable t = new TextTable(capitalize(periodName()), what, ">Input", ">Output", ">Cache Write",
        ">Cache Read", ">Total Tokens", ">Cost (USD)");
    for (Group g : rows) {
      t.row(g.key(), names(g, dim), Format.tokens(g.totals().tokens().input()),
          Format.tokens(g.totals().tokens().output()), Format.tokens(g.totals().tokens().cacheWrite()),
          Format.tokens(g.totals().tokens().cacheRead()), Format.tokens(g.totals().tokens().total()),
          Format.money(q.mode().cost(g.totals())));
      if (breakdown) {
        for (Group b : g.breakdown()) {
          t.row("", "  └ " + label(b.key(), dim), Format.tokens(b.totals().tokens().input()),
              Format.tokens(b.totals().tokens().output()), Format.tokens(b.totals().tokens().cacheWrite()),
              Format.tokens(b.totals().tokens().cacheRead()), Format.tokens(b.totals().tokens().total()),
              Format.money(q.mode().cost(b.totals())));
        }
      }
    }
    var tot = report.totals();
    t.rule().row("Total", "", Format.tokens(tot.tokens().input()), Format.tokens(tot.tokens().output()),
        Format.tokens(tot.tokens().cacheWrite()), Format.tokens(tot.tokens().cacheRead()),
        Format.tokens(tot.tokens().total()), Format.money(q.mode().cost(tot)));
    t.print(out);
    Reports.printFootnotes(out, report, q.mode());
  }

  private static String names(Group g, Dimension dim) {
    return Format.firstThree(g.breakdown().stream().map(b -> label(b.key(), dim)).toList());
  }

  private static String label(String key, Dimension dim) {
    if (dim == Dimension.TOOL) {
      return Agents.display(key);
    }
    return key.isEmpty() ? "(unknown)" : key;
  }

  private static String capitalize(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** ccusage's JSON shape (so scripts written for it keep working), plus Tally's extra fields. */
  private void printJson(PrintWriter out, UsageQueries q, Report report, List<Group> rows, Dimension dim) {
    ObjectNode root = Json.object();
    String key = switch (period()) {
      case DAY -> "daily";
      case WEEK -> "weekly";
      case MONTH -> "monthly";
    };
    ArrayNode array = root.putArray(key);
    for (Group g : rows) {
      ObjectNode row = array.addObject();
      row.put(periodName(), g.key());
      Json.putTotals(row, g.totals(), q.mode(), "totalCost");
      if (dim == Dimension.MODEL) {
        ArrayNode used = row.putArray("modelsUsed");
        g.breakdown().forEach(b -> used.add(b.key()));
        ArrayNode parts = row.putArray("modelBreakdowns");
        for (Group b : g.breakdown()) {
          ObjectNode p = parts.addObject();
          p.put("modelName", b.key());
          Json.putTotals(p, b.totals(), q.mode(), "cost");
        }
      } else {
        row.put("by", dim == Dimension.PROJECT ? "project" : "agent");
        ArrayNode parts = row.putArray("breakdowns");
        for (Group b : g.breakdown()) {
          ObjectNode p = parts.addObject();
          p.put("name", b.key());
          Json.putTotals(p, b.totals(), q.mode(), "cost");
        }
      }
    }
    Json.putTotals(root.putObject("totals"), report.totals(), q.mode(), "totalCost");
    root.put("costMode", q.mode().name().toLowerCase(Locale.ROOT));
    ArrayNode unpriced = root.putArray("unpricedModels");
    report.unpricedModels().forEach(unpriced::add);
    Json.print(out, root);
  }

  private void printCsv(PrintWriter out, UsageQueries q, List<Group> rows, Dimension dim) throws Exception {
    String byName = dim == Dimension.MODEL ? "model" : dim == Dimension.PROJECT ? "project" : "agent";
    try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.DEFAULT.builder().setHeader(periodName(), byName,
        "requests", "input_tokens", "output_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens",
        "cache_read_tokens", "reasoning_tokens", "total_tokens", "cost_usd").get())) {
      for (Group g : rows) {
        for (Group b : g.breakdown()) {
          var t = b.totals().tokens();
          csv.printRecord(g.key(), b.key(), b.totals().events(), t.input(), t.output(), t.cacheWrite5m(),
              t.cacheWrite1h(), t.cacheRead(), t.reasoning(), t.total(),
              dev.tally.ledger.Money.dollars(q.mode().cost(b.totals())).toPlainString());
        }
      }
    }
    out.flush();
  }
}
