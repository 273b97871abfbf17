package dev.tally.surfaces.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.ledger.Money;
import dev.tally.query.Block;
import dev.tally.query.CostMode;

/**
 * One billing block as {@code tally blocks --json} prints it (ccusage's shape); the web dashboard's
 * person page uses the same, so the browser shows the CLI's numbers.
 */
public final class BlocksJson {
  private BlocksJson() {}

  /** The tool {@code tally blocks} reads by default: Claude Code. */
  public static final String DEFAULT_TOOL = Agents.tool("claude");

  /** Fills {@code n} with the block; {@code limit} (tokens per block) adds a tokenLimitStatus, or null. */
  public static ObjectNode block(ObjectNode n, Block b, CostMode mode, Long limit) {
    n.put("id", b.gap() ? "gap-" + b.start() : b.start().toString());
    n.put("startTime", b.start().toString());
    n.put("endTime", b.end().toString());
    n.put("actualEndTime", b.actualEnd() == null ? null : b.actualEnd().toString());
    n.put("isActive", b.active());
    n.put("isGap", b.gap());
    n.put("entries", b.totals().events());
    ObjectNode tc = n.putObject("tokenCounts");
    var t = b.totals().tokens();
    tc.put("inputTokens", t.input());
    tc.put("outputTokens", t.output());
    tc.put("cacheCreationInputTokens", t.cacheWrite());
    tc.put("cacheReadInputTokens", t.cacheRead());
    n.put("totalTokens", t.total());
    n.put("costUSD", Money.dollars(mode.cost(b.totals())));
    var models = n.putArray("models");
    b.models().forEach(models::add);
    if (b.burn() != null) {
      ObjectNode br = n.putObject("burnRate");
      br.put("tokensPerMinute", b.burn().tokensPerMinute());
      br.put("tokensPerMinuteForIndicator", b.burn().tokensPerMinuteIo());
      br.put("costPerHour", Money.dollars(b.burn().costMicrosPerHour()));
      ObjectNode pr = n.putObject("projection");
      pr.put("totalTokens", b.projection().totalTokens());
      pr.put("totalCost", Money.dollars(b.projection().costMicros()));
      pr.put("remainingMinutes", b.projection().remainingMinutes());
    } else {
      n.putNull("burnRate");
      n.putNull("projection");
    }
    if (limit != null && !b.gap()) {
      ObjectNode ls = n.putObject("tokenLimitStatus");
      long projected = b.projection() != null ? b.projection().totalTokens() : t.total();
      ls.put("limit", limit);
      ls.put("projectedUsage", projected);
      ls.put("percentUsed", limit == 0 ? 0 : 100.0 * projected / limit);
      ls.put("status", projected > limit ? "exceeds" : projected > limit * 0.8 ? "warning" : "ok");
    }
    return n;
  }
}
