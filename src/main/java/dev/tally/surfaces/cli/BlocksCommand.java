package dev.tally.surfaces.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.ledger.Money;
import dev.tally.query.Block;
import dev.tally.query.Range;
import dev.tally.query.UsageQueries;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "blocks", mixinStandardHelpOptions = true,
    description = {"Usage in 5-hour billing blocks, Claude's subscription windows as ccusage approximates them.",
        "A block starts at its first request floored to the hour; the active one shows elapsed and remaining",
        "time, burn rate and the projected cost at its end."},
    footer = {"", "Examples:", "  tally blocks --recent", "  tally blocks --active --live", "  tally blocks --token-limit max --json"})
final class BlocksCommand implements Callable<Integer> {
  private static final DateTimeFormatter START = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);

  @Mixin ReportOptions options;

  @Option(names = {"-A", "--active"}, description = "Only the active block.")
  boolean active;

  @Option(names = {"-r", "--recent"}, description = "Only the last 3 days (and the active block).")
  boolean recent;

  @Option(names = {"-n", "--session-length"}, paramLabel = "HOURS", defaultValue = "5",
      description = "Block length in hours. Default: ${DEFAULT-VALUE}.")
  int hours;

  @Option(names = {"-t", "--token-limit"}, paramLabel = "N|max",
      description = "Token limit per block; 'max' = the largest completed block. Shows use and projection against it.")
  String tokenLimit;

  @Option(names = "--live", description = "Refresh in place (reads new log lines each time) until Ctrl-C.")
  boolean live;

  @Option(names = "--refresh-interval", paramLabel = "SECONDS", defaultValue = "5",
      description = "Seconds between refreshes with --live. Default: ${DEFAULT-VALUE}.")
  int refreshSeconds;

  @Spec CommandSpec spec;

  @picocli.CommandLine.ParentCommand dev.tally.Tally tally;

  @Override
  public Integer call() throws Exception {
    if (hours < 1 || hours > 24) {
      throw new IllegalArgumentException("--session-length must be between 1 and 24 hours, got " + hours);
    }
    if (refreshSeconds < 1 || refreshSeconds > 60) {
      throw new IllegalArgumentException("--refresh-interval must be between 1 and 60 seconds, got " + refreshSeconds);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (recent && options.days == null && options.since == null) {
      options.days = 3;
    }
    if (options.agents == null || options.agents.isEmpty()) {
      // billing blocks are Claude's subscription windows: other agents only when asked for
      options.agents = List.of("claude");
    }
    if (!live) {
      try (LocalLedger ledger = LocalLedger.open(tally.context(), options, spec.commandLine().getErr())) {
        render(out, ledger);
      }
      return 0;
    }
    while (!Thread.currentThread().isInterrupted()) {
      try (LocalLedger ledger = LocalLedger.open(tally.context(), options, spec.commandLine().getErr())) {
        out.print("\033[H\033[2J");
        render(out, ledger);
        out.println();
        out.println("Refreshing every " + refreshSeconds + " s; Ctrl-C to stop.");
        out.flush();
      }
      Thread.sleep(refreshSeconds * 1000L);
    }
    return 0;
  }

  private void render(PrintWriter out, LocalLedger ledger) {
    UsageQueries q = ledger.queries(options.costMode());
    Range range = options.range(q.clock());
    var filter = options.filter();
    List<Block> blocks = q.blocks(range, filter, Duration.ofHours(hours));
    Long limit = limit(blocks);
    List<Block> shown = active ? blocks.stream().filter(Block::active).toList() : blocks;
    ZoneId zone = range.zone();
    Instant now = q.clock().instant();
    if (options.json) {
      ObjectNode root = Json.object();
      ArrayNode arr = root.putArray("blocks");
      for (Block b : shown) {
        BlocksJson.block(arr.addObject(), b, q.mode(), limit);
      }
      var unpriced = root.putArray("unpricedModels");
      q.unpricedModels(range, filter).forEach(unpriced::add);
      Json.print(out, root);
      return;
    }
    if (shown.isEmpty()) {
      if (active) {
        out.println("No active block: no requests in the last " + hours + " hours.");
      } else {
        ledger.printNoData(out);
      }
      return;
    }
    TextTable table = new TextTable("Block Start", "Duration / Status", "Models", ">Requests", ">Tokens",
        limit == null ? ">Cost (USD)" : ">% of limit", limit == null ? "" : ">Cost (USD)");
    for (Block b : shown) {
      String start = b.start().atZone(zone).format(START);
      if (b.gap()) {
        table.row(start, "(gap, " + hm(Duration.between(b.start(), b.end())) + ")", "", "", "", "", "");
        continue;
      }
      String status = b.active()
          ? "ACTIVE " + hm(Duration.between(b.start(), now)) + " elapsed, " + hm(Duration.between(now, b.end())) + " left"
          : hm(Duration.between(b.start(), b.actualEnd()));
      long total = b.totals().tokens().total();
      String pct = limit == null || limit == 0 ? "" : String.format(Locale.ROOT, "%.1f%%", 100.0 * total / limit);
      String cost = Format.money(q.mode().cost(b.totals()));
      table.row(start, status, Format.firstThree(b.models()), Format.count(b.totals().events()), Format.tokens(total),
          limit == null ? cost : pct, limit == null ? "" : cost);
    }
    table.print(out);
    Reports.printUnpriced(out, q.unpricedModels(range, filter), q.mode());
    for (Block b : shown) {
      if (b.burn() != null) {
        out.println();
        out.println(String.format(Locale.ROOT, "Burn rate: %s tokens/min (%s input+output), %s/hour",
            Format.tokens(Math.round(b.burn().tokensPerMinute())), Format.tokens(Math.round(b.burn().tokensPerMinuteIo())),
            Format.money(b.burn().costMicrosPerHour())));
        out.println(String.format(Locale.ROOT, "Projected at block end (%s left): %s tokens, %s",
            hm(Duration.ofMinutes(b.projection().remainingMinutes())), Format.tokens(b.projection().totalTokens()),
            Format.money(b.projection().costMicros())));
        if (limit != null && limit > 0) {
          long p = b.projection().totalTokens();
          out.println(String.format(Locale.ROOT, "Token limit %s: projected %.1f%% (%s)", Format.tokens(limit),
              100.0 * p / limit, p > limit ? "EXCEEDS" : p > limit * 0.8 ? "warning" : "ok"));
        }
      }
    }
    out.flush();
  }

  private Long limit(List<Block> blocks) {
    if (tokenLimit == null) {
      return null;
    }
    if (tokenLimit.equalsIgnoreCase("max")) {
      return blocks.stream().filter(b -> !b.gap() && !b.active()).mapToLong(b -> b.totals().tokens().total()).max().orElse(0);
    }
    try {
      long v = Long.parseLong(tokenLimit.replace("_", "").replace(",", ""));
      if (v <= 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--token-limit must be a positive number or 'max', not '" + tokenLimit + "'");
    }
  }

  private static String hm(Duration d) {
    long m = Math.max(0, d.toMinutes());
    return m / 60 + "h " + m % 60 + "m";
  }
}
