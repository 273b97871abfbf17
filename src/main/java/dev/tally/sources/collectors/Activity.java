package dev.tally.sources.collectors;

import java.time.LocalDate;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a person did with a tool on one UTC day, as the provider counts it (lines added, tabs
 * accepted, chat or agent requests…): activity, never spend. It is kept apart from
 * {@link dev.tally.ledger.ReportedUsage} so it can never add requests, tokens or dollars to the
 * ledger (Cursor's daily usage data and the usage events it already has describe the same work).
 *
 * @param model the provider's model for the row (Cursor's most used model, Copilot's model), null when none
 * @param editor the editor or IDE, when the provider splits by it (Copilot), else null
 * @param counts nonzero counters by the provider's own names, sorted
 */
public record Activity(LocalDate day, String provider, String tool, String identity, String model, String editor,
    Map<String, Long> counts) {
  public Activity {
    Objects.requireNonNull(day, "day");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(identity, "identity");
    counts = java.util.Collections.unmodifiableMap(new TreeMap<>(counts));
  }

  /** The counter, 0 when the provider did not report it. */
  public long count(String name) {
    return counts.getOrDefault(name, 0L);
  }
}
