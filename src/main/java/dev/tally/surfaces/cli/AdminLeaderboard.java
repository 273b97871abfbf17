package dev.tally.surfaces.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tally.Tally;
import dev.tally.ingest.Pricer;
import dev.tally.ledger.ReportedUsage;
import dev.tally.query.CostMode;
import dev.tally.query.Range;
import dev.tally.query.ReportedBoard;
import dev.tally.query.UsageQueries;
import dev.tally.sources.collectors.Activity;
import dev.tally.sources.collectors.ApiClient;
import dev.tally.sources.collectors.CollectorState;
import dev.tally.sources.collectors.Collectors;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Standalone mode of {@code tally leaderboard}: asks every provider whose admin key is set, in
 * parallel, and ranks people across them (merged by email) without a server or a ledger on disk.
 * A provider without a key is skipped with a warning; one that fails is reported and the others
 * are still shown.
 */
final class AdminLeaderboard {
  private AdminLeaderboard() {}

  static int run(Tally.Context context, ReportOptions options, String sort, Function<Range, String> title,
      PrintWriter out, PrintWriter err) throws java.io.IOException {
    if (options.days == null && options.since == null) {
      options.days = 30;
    }
    Range range = options.range(context.clock());
    // Base URLs and GITHUB_ORG may also come from tally.properties; the environment wins.
    Collectors.Setup setup = Collectors.fromEnv(dev.tally.Settings.load(context.home()).withProviders(context.env()),
        context.clock(), ApiClient.Sleeper.REAL,
        ApiClient.Policy.DEFAULT);
    if (setup.collectors().isEmpty()) {
      throw new IllegalArgumentException("no admin API key is set: set ANTHROPIC_ADMIN_API_KEY, OPENAI_ADMIN_KEY, "
          + "CURSOR_ADMIN_API_KEY, GITHUB_TOKEN with GITHUB_ORG, or OPENROUTER_MANAGEMENT_KEY (or use --source local)");
    }
    for (String s : setup.skipped()) {
      err.println("tally: warning: " + s);
    }
    Instant[] window = ReportedBoard.window(range, context.clock().instant());
    List<Collectors.Outcome> outcomes = Collectors.runAll(setup.collectors(), window[0], window[1],
        CollectorState.inMemory(), context.clock());

    List<ReportedUsage> rows = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    List<String> ok = new ArrayList<>();
    List<Activity> activity = new ArrayList<>();
    for (Collectors.Outcome o : outcomes) {
      if (o.ok()) {
        ok.add(o.provider());
        rows.addAll(o.collected().usage());
        notes.addAll(o.collected().notes());
        activity.addAll(o.collected().activity());
      } else {
        failed.add(o.provider());
        err.println("tally: warning: " + o.error() + " (" + o.provider() + " left out; the others are shown)");
      }
    }
    err.flush();
    if (ok.isEmpty()) {
      throw new IllegalStateException("every platform failed: " + String.join(", ", failed));
    }

    CostMode mode = options.costMode();
    Pricer pricer = LocalWiring.pricer(context.home());
    UsageQueries.Report report = ReportedBoard.leaderboard(rows,
        r -> pricer.price(r.provider(), r.model(), r.tokens()), range, ReportedBoard.order(sort, mode));
    LeaderboardCommand.print(out, options, title.apply(range), report, mode, root -> {
      fill(root.putArray("platforms"), ok);
      fill(root.putArray("skipped"), setup.skipped());
      ArrayNode f = root.putArray("failed");
      outcomes.stream().filter(o -> !o.ok()).forEach(o -> f.addObject().put("platform", o.provider()).put("error", o.error()));
      fill(root.putArray("notes"), notes);
      activity(root.putArray("activity"), activity, window);
    });
    if (!options.json && !options.csv) {
      if (report.rows().isEmpty()) {
        out.println("No usage reported by " + String.join(", ", ok) + " in the selected period.");
      }
      out.println();
      out.println("From the admin APIs of: " + String.join(", ", ok)
          + (failed.isEmpty() ? "" : "   (failed: " + String.join(", ", failed) + ")"));
      for (String n : notes) {
        out.println("! " + n);
      }
      out.flush();
    }
    return 0;
  }

  /**
   * Per person, provider and tool, the activity counters summed over the period (lines, tabs,
   * requests by kind): beside the ranking, never part of it.
   */
  private static void activity(ArrayNode a, List<Activity> activity, Instant[] window) {
    java.util.Map<String, java.util.Map<String, Long>> sums = new java.util.TreeMap<>();
    for (Activity x : activity) {
      Instant day = x.day().atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
      if (day.isBefore(window[0]) || !day.isBefore(window[1])) {
        continue;
      }
      var m = sums.computeIfAbsent(x.identity() + "\u0000" + x.provider() + "\u0000" + x.tool(), k -> new java.util.TreeMap<>());
      x.counts().forEach((k, v) -> m.merge(k, v, Long::sum));
    }
    sums.forEach((key, counts) -> {
      String[] parts = key.split("\u0000");
      var n = a.addObject().put("identity", parts[0]).put("provider", parts[1]).put("tool", parts[2]);
      var c = n.putObject("counts");
      counts.forEach(c::put);
    });
  }

  private static void fill(ArrayNode a, List<String> values) {
    values.forEach(a::add);
  }
}
