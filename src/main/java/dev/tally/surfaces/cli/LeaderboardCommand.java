package dev.tally.surfaces.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.query.CostMode;
import dev.tally.query.Range;
import dev.tally.query.UsageQueries;
import dev.tally.query.UsageQueries.Group;
import dev.tally.query.UsageQueries.Report;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "leaderboard", mixinStandardHelpOptions = true,
    description = "People ranked by requests, tokens or cost, with one sub-row per tool (default: last 30 days).",
    footer = {"", "Examples:", "  tally leaderboard", "  tally leaderboard --days 7 --sort tokens --json"})
final class LeaderboardCommand implements Callable<Integer> {
  static final String RULE_HEAVY = "═".repeat(80);
  static final String RULE_LIGHT = "─".repeat(80);

  @Mixin ReportOptions options;

  @Option(names = "--sort", paramLabel = "KEY", defaultValue = "cost",
      description = "requests, tokens or cost. Default: ${DEFAULT-VALUE}.")
  String sort;

  @Option(names = "--source", paramLabel = "SOURCE",
      description = "admin-api (the providers' admin APIs, no server needed), local (this machine's agent logs) or server. "
          + "Default: admin-api when an admin key is set (ANTHROPIC_ADMIN_API_KEY, OPENAI_ADMIN_KEY, CURSOR_ADMIN_API_KEY, "
          + "GITHUB_TOKEN, OPENROUTER_MANAGEMENT_KEY), else local.")
  String source;

  @Spec CommandSpec spec;

  @picocli.CommandLine.ParentCommand dev.tally.Tally tally;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (options.days == null && options.since == null) {
      options.days = 30;
    }
    String from = source != null ? source.trim().toLowerCase(java.util.Locale.ROOT)
        : dev.tally.sources.collectors.Collectors.anyKey(tally.context().env()) ? "admin-api" : "local";
    switch (from) {
      case "local" -> { }
      case "admin-api" -> {
        return AdminLeaderboard.run(tally.context(), options, sort, this::title, out, spec.commandLine().getErr());
      }
      case "server" -> throw new IllegalArgumentException(
          "--source server is not available yet: run 'tally leaderboard' on the server's machine, or use --source admin-api");
      default -> throw new IllegalArgumentException("unknown source '" + source + "' (expected admin-api, local or server)");
    }
    try (LocalLedger ledger = LocalLedger.open(tally.context(), options, spec.commandLine().getErr())) {
      UsageQueries q = ledger.queries(options.costMode());
      Range range = options.range(q.clock());
      Report report = q.leaderboard(range, options.filter(), q.order(sort));
      if (!options.json && !options.csv && report.rows().isEmpty()) {
        ledger.printNoData(out);
        return 0;
      }
      print(out, options, title(range), report, q.mode(), null);
      return 0;
    }
  }

  /**
   * Prints a leaderboard as JSON, CSV or a table, with {@code extra} (may be null) adding fields to
   * the JSON root and lines under the table.
   */
  static void print(PrintWriter out, ReportOptions options, String title, Report report, CostMode mode,
      java.util.function.Consumer<ObjectNode> extra) throws java.io.IOException {
    if (options.json) {
      ObjectNode root = Json.object();
      root.put("period", title);
      ArrayNode rows = root.putArray("leaderboard");
      int rank = 1;
      for (Group g : report.rows()) {
        ObjectNode n = rows.addObject();
        n.put("rank", rank++);
        n.put("user", Agents.who(g.key()));
        n.put("identity", g.key());
        Json.putTotals(n, g.totals(), mode, "cost");
        ArrayNode tools = n.putArray("tools");
        for (Group t : g.breakdown()) {
          ObjectNode tn = tools.addObject();
          tn.put("tool", Agents.display(t.key()));
          Json.putTotals(tn, t.totals(), mode, "cost");
        }
      }
      Json.putTotals(root.putObject("totals"), report.totals(), mode, "cost");
      var unpriced = root.putArray("unpricedModels");
      report.unpricedModels().forEach(unpriced::add);
      if (extra != null) {
        extra.accept(root);
      }
      Json.print(out, root);
      return;
    }
    if (options.csv) {
      try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.DEFAULT.builder()
          .setHeader("rank", "user", "tool", "requests", "tokens", "cost_usd").get())) {
        int rank = 1;
        for (Group g : report.rows()) {
          for (Group t : g.breakdown()) {
            csv.printRecord(rank, Agents.who(g.key()), Agents.display(t.key()), t.totals().events(),
                t.totals().tokens().total(), dev.tally.ledger.Money.dollars(mode.cost(t.totals())).toPlainString());
          }
          rank++;
        }
      }
      return;
    }
    out.println("AI Coding Usage Leaderboard (" + title + ")");
    out.println(RULE_HEAVY);
    out.println(String.format("  %-4s%-20s%8s%9s%10s   %s", "#", "User", "Requests", "Tokens", "Cost", "Tools"));
    out.println(RULE_LIGHT);
    int rank = 1;
    for (Group g : report.rows()) {
      List<String> tools = g.breakdown().stream().map(t -> Agents.display(t.key())).toList();
      out.println(String.format("  %-4d%-20s%8s%9s%10s   %s", rank++, Agents.who(g.key()),
          Format.count(g.totals().events()), Format.tokens(g.totals().tokens().total()),
          Format.money(mode.cost(g.totals())), String.join(", ", tools)));
      for (Group t : g.breakdown()) {
        out.println(String.format("        %-18s%8s%9s%10s", Agents.display(t.key()),
            Format.count(t.totals().events()), Format.tokens(t.totals().tokens().total()),
            Format.money(mode.cost(t.totals()))));
      }
    }
    Reports.printFootnotes(out, report, mode);
  }

  String title(Range r) {
    if (options.days != null) {
      return "Last " + options.days + (options.days == 1 ? " day" : " days");
    }
    return (r.since() == null ? "all time" : r.since()) + " to " + (r.until() == null ? "today" : r.until());
  }
}
