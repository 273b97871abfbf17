package dev.tally.sources.logs;

import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Events a reader emitted, merged the way ingest merges copies (per-field maximum by key). */
public final class Collected {
  public final List<UsageEvent> raw = new ArrayList<>();
  public final Map<String, UsageEvent> byKey = new LinkedHashMap<>();

  public void add(UsageEvent e) {
    raw.add(e);
    byKey.merge(e.dedupKey(), e, (a, b) -> a.withTokens(a.tokens().max(b.tokens()))
        .withReportedCost(max(a.reportedCostMicros(), b.reportedCostMicros()), a.reportedCostIsShare() || b.reportedCostIsShare()));
  }

  private static Long max(Long a, Long b) {
    return a == null ? b : b == null ? a : Math.max(a, b);
  }

  public Tokens total(String model) {
    return byKey.values().stream().filter(e -> model == null || e.model().equals(model))
        .map(UsageEvent::tokens).reduce(Tokens.ZERO, Tokens::plus);
  }

  public long count(String model) {
    return byKey.values().stream().filter(e -> model == null || e.model().equals(model)).count();
  }

  /** The shared fixtures and data. */
  public static Path shared() {
    return dev.tally.TestData.shared();
  }

  public static Path only(Path root, String suffix) throws IOException {
    try (var s = Files.walk(root)) {
      return s.filter(p -> p.toString().endsWith(suffix)).findFirst().orElseThrow();
    }
  }
}
