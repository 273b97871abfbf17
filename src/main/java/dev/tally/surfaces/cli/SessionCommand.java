package dev.tally.surfaces.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.query.UsageQueries;
import dev.tally.query.UsageQueries.Group;
import dev.tally.query.UsageQueries.Session;
import dev.tally.store.Totals;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "session", mixinStandardHelpOptions = true,
    description = "Usage and cost per agent session, most expensive first.",
    footer = {"", "Examples:", "  tally session --days 7", "  tally session --id 7f3a2c1e-5b6d-4e8f-9a0b-1c2d3e4f5a6b --json"})
final class SessionCommand implements Callable<Integer> {
  @Mixin ReportOptions options;

  @Option(names = {"-i", "--id"}, paramLabel = "SESSION", description = "Only this session.")
  String id;

  @Option(names = {"-n", "--limit"}, paramLabel = "N", description = "Show at most N sessions (table only).")
  Integer limit;

  @Spec CommandSpec spec;

  @picocli.CommandLine.ParentCommand dev.tally.Tally tally;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (LocalLedger ledger = LocalLedger.open(tally.context(), options, spec.commandLine().getErr())) {
      UsageQueries q = ledger.queries(options.costMode());
      var filter = options.filter();
      if (id != null) {
        filter = filter.and(dev.tally.store.Dimension.SESSION, java.util.Set.of(id));
      }
      var range = options.range(q.clock());
      List<Session> sessions = q.sessions(range, filter);
      ZoneId zone = range.zone();
      if (options.json) {
        ObjectNode root = Json.object();
        ArrayNode arr = root.putArray("sessions");
        Totals total = Totals.EMPTY;
        for (Session s : sessions) {
          ObjectNode n = arr.addObject();
          n.put("sessionId", s.sessionId());
          n.put("projectPath", s.project());
          n.put("agent", s.tool());
          Json.putTotals(n, s.totals(), q.mode(), "totalCost");
          n.put("firstActivity", Instant.ofEpochMilli(s.totals().firstMs()).toString());
          n.put("lastActivity", Instant.ofEpochMilli(s.totals().lastMs()).atZone(zone).toLocalDate().toString());
          ArrayNode used = n.putArray("modelsUsed");
          ArrayNode parts = n.putArray("modelBreakdowns");
          for (Group m : s.models()) {
            used.add(m.key());
            ObjectNode p = parts.addObject();
            p.put("modelName", m.key());
            Json.putTotals(p, m.totals(), q.mode(), "cost");
          }
          total = total.plus(s.totals());
        }
        Json.putTotals(root.putObject("totals"), total, q.mode(), "totalCost");
        var unpriced = root.putArray("unpricedModels");
        q.unpricedModels(range, filter).forEach(unpriced::add);
        Json.print(out, root);
      } else if (options.csv) {
        try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.DEFAULT.builder().setHeader("session_id", "project",
            "agent", "first_activity", "last_activity", "requests", "input_tokens", "output_tokens",
            "cache_write_tokens", "cache_read_tokens", "total_tokens", "cost_usd").get())) {
          for (Session s : sessions) {
            var t = s.totals().tokens();
            csv.printRecord(s.sessionId(), s.project(), s.tool(), Instant.ofEpochMilli(s.totals().firstMs()),
                Instant.ofEpochMilli(s.totals().lastMs()), s.totals().events(), t.input(), t.output(),
                t.cacheWrite(), t.cacheRead(), t.total(),
                dev.tally.ledger.Money.dollars(q.mode().cost(s.totals())).toPlainString());
          }
        }
      } else if (sessions.isEmpty()) {
        ledger.printNoData(out);
      } else {
        TextTable t = new TextTable("Session", "Project", "Agent", "Models", ">Requests", ">Input", ">Output",
            ">Cache Write", ">Cache Read", ">Cost (USD)", "Last Activity");
        Totals total = Totals.EMPTY;
        int shown = 0;
        for (Session s : sessions) {
          total = total.plus(s.totals());
          if (limit != null && shown++ >= limit) {
            continue;
          }
          var k = s.totals().tokens();
          List<String> models = s.models().stream().map(Group::key).toList();
          t.row(shortId(s.sessionId()), s.project().isEmpty() ? "(unknown)" : s.project(), Agents.display(s.tool()),
              models.size() <= 2 ? String.join(", ", models) : models.get(0) + " +" + (models.size() - 1),
              Format.count(s.totals().events()), Format.tokens(k.input()), Format.tokens(k.output()),
              Format.tokens(k.cacheWrite()), Format.tokens(k.cacheRead()), Format.money(q.mode().cost(s.totals())),
              Instant.ofEpochMilli(s.totals().lastMs()).atZone(zone).toLocalDate().toString());
        }
        var k = total.tokens();
        t.rule().row("Total (" + sessions.size() + ")", "", "", "", Format.count(total.events()), Format.tokens(k.input()),
            Format.tokens(k.output()), Format.tokens(k.cacheWrite()), Format.tokens(k.cacheRead()),
            Format.money(q.mode().cost(total)), "");
        t.print(out);
        Reports.printUnpriced(out, q.unpricedModels(range, filter), q.mode());
      }
      return 0;
    }
  }

  private static String shortId(String id) {
    return id.length() > 13 ? id.substring(0, 8) + "…" : id.isEmpty() ? "(none)" : id;
  }
}
