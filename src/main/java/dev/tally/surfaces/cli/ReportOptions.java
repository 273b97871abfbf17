package dev.tally.surfaces.cli;

import dev.tally.query.CostMode;
import dev.tally.query.Filter;
import dev.tally.query.Range;
import dev.tally.store.Dimension;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Option;

/** Options every report shares. */
final class ReportOptions {

  @Option(names = {"-s", "--since"}, paramLabel = "DATE",
      description = "First day to include, YYYY-MM-DD or YYYYMMDD (in --timezone).")
  String since;

  @Option(names = {"-u", "--until"}, paramLabel = "DATE", description = "Last day to include (inclusive).")
  String until;

  @Option(names = {"-d", "--days"}, paramLabel = "N", description = "Only the last N days, today included.")
  Integer days;

  @Option(names = {"-z", "--timezone"}, paramLabel = "ZONE",
      description = "IANA time zone for days, weeks and months, e.g. Europe/Berlin or UTC (default: this machine's).")
  String timezone;

  @Option(names = {"-a", "--agent"}, split = ",", paramLabel = "AGENT",
      description = "Only these agents: claude, codex, opencode, gemini (comma-separated or repeated).")
  List<String> agents;

  @Option(names = {"-p", "--project"}, split = ",", paramLabel = "NAME", description = "Only these projects.")
  List<String> projects;

  @Option(names = "--tag", split = ",", paramLabel = "TAG",
      description = "Only requests with any of these tags (gateway key tags, x-tally-tags, Helicone properties).")
  List<String> tags;

  @Option(names = {"-m", "--mode"}, paramLabel = "MODE", defaultValue = "auto",
      description = "Cost: auto (the agent's own figure where it logged one, else computed), calculate (always computed from tokens), display (only logged costs). Default: ${DEFAULT-VALUE}.")
  String mode;

  @Option(names = {"-j", "--json"}, description = "Print JSON (for scripts).")
  boolean json;

  @Option(names = "--csv", description = "Print CSV (for spreadsheets).")
  boolean csv;

  @Option(names = "--no-scan", description = "Do not read new log lines first; report what the ledger holds.")
  boolean noScan;

  ZoneId zone() {
    if (timezone == null || timezone.isBlank()) {
      return ZoneId.systemDefault();
    }
    try {
      return ZoneId.of(timezone);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("unknown time zone '" + timezone + "' (use an IANA name such as UTC or America/New_York)");
    }
  }

  CostMode costMode() {
    return CostMode.parse(mode);
  }

  Range range(Clock clock) {
    ZoneId zone = zone();
    LocalDate from = since == null ? null : date(since, "--since");
    LocalDate to = until == null ? null : date(until, "--until");
    if (days != null) {
      if (from != null) {
        throw new IllegalArgumentException("use either --days or --since, not both");
      }
      from = Range.lastDays(days, LocalDate.now(clock.withZone(zone)), zone).since();
    }
    if (from != null && to != null && to.isBefore(from)) {
      throw new IllegalArgumentException("--until " + to + " is before --since " + from);
    }
    return new Range(from, to, zone);
  }

  Filter filter() {
    Filter f = Filter.NONE;
    if (agents != null && !agents.isEmpty()) {
      Set<String> tools = new LinkedHashSet<>();
      for (String a : agents) {
        tools.add(Agents.tool(a));
      }
      f = f.and(Dimension.TOOL, tools);
    }
    if (projects != null && !projects.isEmpty()) {
      f = f.and(Dimension.PROJECT, Set.copyOf(projects));
    }
    if (tags != null && !tags.isEmpty()) {
      f = f.and(Dimension.TAG, Set.copyOf(tags.stream().map(String::trim).toList()));
    }
    return f;
  }

  /** Agent names as the log readers know them (for scanning only what is asked for). */
  Set<String> agentNames() {
    if (agents == null || agents.isEmpty()) {
      return Set.of();
    }
    Set<String> names = new LinkedHashSet<>();
    for (String a : agents) {
      Agents.tool(a);
      names.add(a.trim().toLowerCase(Locale.ROOT));
    }
    return names;
  }

  private static LocalDate date(String s, String option) {
    String t = s.trim();
    try {
      return t.length() == 8 && t.chars().allMatch(Character::isDigit)
          ? LocalDate.parse(t, DateTimeFormatter.BASIC_ISO_DATE) : LocalDate.parse(t);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(option + " '" + s + "' is not a date (use YYYY-MM-DD or YYYYMMDD)");
    }
  }
}
