package dev.tally.sources.logs.claude;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.ledger.DedupKeys;
import dev.tally.ledger.Instants;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import dev.tally.sources.logs.FileCursor;
import dev.tally.sources.logs.FileKeys;
import dev.tally.sources.logs.LineReader;
import dev.tally.sources.logs.LogFiles;
import dev.tally.sources.logs.LogJson;
import dev.tally.sources.logs.LogSource;
import dev.tally.sources.logs.Markers;
import dev.tally.sources.logs.Projects;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Claude Code transcripts: {@code <root>/projects/<encoded cwd>/**}{@code /*.jsonl}.
 *
 * <p>Only lines that carry a {@code "usage":{} object or are {@code cost-state} lines are parsed;
 * everything else (prompts, tool results, attachments, request shapes) is skipped after one byte
 * scan. Each assistant line with usage becomes an event keyed by its request id (or message id);
 * streaming snapshots of one response are emitted as they come and merge in ingest.
 *
 * <p>{@code cost-state} lines hold Claude Code's own running cost per session and model. When one
 * shows a model's cost went up, the increase is spread over the requests of that model seen since
 * the previous cost-state line (by token count) as their reported cost. The running figures are
 * kept in the file cursor so the next read continues from them.
 */
public final class ClaudeCodeLogs implements LogSource {
  /**
   * The lines worth parsing: requests carry {@code "usage":{}, cost-state lines {@code
   * "modelUsage":{}. Two markers of one length that differ only in their first byte and end in a
   * byte rare in prose ('{') let the search skip 8 bytes at most positions (with "cost-state" as a
   * marker, every 'a' and 't' stopped it).
   */
  private static final Markers MARKERS = new Markers("usage\":{", "Usage\":{");

  private final List<Path> roots;
  private final String identity;

  /**
   * @param roots Claude config directories (each holding {@code projects/})
   * @param identity who these transcripts belong to ({@code email:...}), or null
   */
  public ClaudeCodeLogs(List<Path> roots, String identity) {
    this.roots = List.copyOf(roots);
    this.identity = identity;
  }

  /** The roots from {@code CLAUDE_CONFIG_DIR} (comma-separated), else ~/.claude and ~/.config/claude. */
  public static ClaudeCodeLogs fromEnvironment(Map<String, String> env, Path home) {
    List<Path> roots = new ArrayList<>();
    String configured = env.get("CLAUDE_CONFIG_DIR");
    if (configured != null && !configured.isBlank()) {
      for (String part : configured.split(",")) {
        if (!part.isBlank()) {
          Path p = Path.of(part.trim());
          roots.add(p.getFileName() != null && p.getFileName().toString().equals("projects") ? p.getParent() : p);
        }
      }
    } else {
      roots.add(home.resolve(".claude"));
      String xdg = env.get("XDG_CONFIG_HOME");
      roots.add((xdg == null || xdg.isBlank() ? home.resolve(".config") : Path.of(xdg)).resolve("claude"));
    }
    return new ClaudeCodeLogs(roots, accountEmail(roots, home, configured != null && !configured.isBlank()));
  }

  /** The signed-in account's email from Claude Code's global state file, if there is one. */
  private static String accountEmail(List<Path> roots, Path home, boolean configured) {
    List<Path> candidates = new ArrayList<>();
    for (Path r : roots) {
      candidates.add(r.resolve(".claude.json"));
    }
    if (!configured) {
      candidates.add(0, home.resolve(".claude.json"));
    }
    for (Path c : candidates) {
      try {
        String email = Files.isRegularFile(c) ? ClaudeLine.accountEmail(c) : null;
        if (email != null && !email.isBlank()) {
          return "email:" + email.trim().toLowerCase(Locale.ROOT);
        }
      } catch (IOException | RuntimeException e) {
        // an unreadable state file only costs us the attribution
      }
    }
    return null;
  }

  @Override
  public String agent() {
    return "claude";
  }

  public List<Path> roots() {
    return roots;
  }

  @Override
  public List<Path> discover() throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path root : roots) {
      files.addAll(LogFiles.under(root.resolve("projects"), LogFiles.named(".jsonl")));
    }
    return files;
  }

  @Override
  public FileCursor read(Path file, FileCursor cursor, Consumer<UsageEvent> out) throws IOException {
    FileKeys keys = FileKeys.of(file);
    long offset = cursor == null ? 0 : cursor.offset();
    Reader r = new Reader(file, out, cursor == null ? null : cursor.state());
    LineReader.Result result = LineReader.readMarked(file, offset, MARKERS, r::line);
    r.flushAll();
    long lines = (cursor == null ? 0 : cursor.lines()) + result.lines();
    long malformed = (cursor == null ? 0 : cursor.malformedLines()) + r.malformed;
    return new FileCursor(file.toString(), agent(), keys.fileKey(), Math.max(keys.size(), result.offset()),
        keys.mtimeMs(), result.offset(), r.state(), lines, malformed);
  }

  /** Reads one file; holds the requests awaiting their cost-state line. */
  private final class Reader {
    private final Path file;
    private final Consumer<UsageEvent> out;
    private final String projectDir;
    /** Claude Code's cumulative cost per "session|model", in micro-dollars. */
    private final Map<String, Long> cumulative = new LinkedHashMap<>();
    private final LinkedHashMap<String, UsageEvent> pending = new LinkedHashMap<>();
    /**
     * One instance of each value that repeats from line to line (session, model): the requests of a
     * first scan wait in memory to be stored, and copies of these in each would be ~6 MB more for
     * 500 MB of logs. (Projects.fromCwd shares its answers already.)
     */
    private final Map<String, String> same = new HashMap<>();
    long malformed;

    Reader(Path file, Consumer<UsageEvent> out, String state) {
      this.file = file;
      this.out = out;
      this.projectDir = projectDir(file);
      if (state != null) {
        try {
          LogJson.MAPPER.readTree(state).path("cumulative").properties()
              .forEach(e -> cumulative.put(e.getKey(), e.getValue().asLong()));
        } catch (IOException e) {
          // a damaged state only loses cost-state attribution, never usage
        }
      }
    }

    boolean line(byte[] buf, int start, int end, long fileOffset, boolean terminated) {
      ClaudeLine l;
      try {
        l = ClaudeLine.parse(buf, start, end);
      } catch (IOException | RuntimeException e) {
        if (!terminated) {
          return false; // probably still being written
        }
        malformed++;
        return true;
      }
      if ("cost-state".equals(l.type)) {
        costState(l);
      } else if ("assistant".equals(l.type) && l.hasUsage) {
        assistant(l, fileOffset);
      }
      return true;
    }

    private void assistant(ClaudeLine l, long fileOffset) {
      if (l.model == null || l.model.equals("<synthetic>")) {
        return;
      }
      Instant ts;
      try {
        ts = Instants.parse(l.timestamp);
      } catch (DateTimeParseException | NullPointerException e) {
        malformed++;
        return;
      }
      long w5 = l.ephemeral5m != null ? l.ephemeral5m : l.cacheCreation;
      long w1 = l.ephemeral1h != null ? l.ephemeral1h : 0;
      Tokens tokens = new Tokens(l.input, l.output, w5, w1, l.cacheRead, 0, l.webSearches);
      String key = l.requestId != null && !l.requestId.isEmpty()
          ? DedupKeys.request("anthropic", l.requestId)
          : l.messageId != null && !l.messageId.isEmpty()
              ? DedupKeys.message("anthropic", l.messageId)
              : DedupKeys.sourceSpecific("claude", file.toString(), Long.toString(fileOffset));
      String project = Projects.fromCwd(l.cwd);
      Long reported = l.costUsd == null ? null : micros(l.costUsd);
      UsageEvent e = new UsageEvent(key, ts, Source.LOCAL_LOG, "anthropic", same(l.model), "claude-code", identity, null,
          project != null ? project : projectDir, same(l.sessionId), l.requestId, l.messageId, l.sidechain, tokens,
          reported);
      UsageEvent earlier = pending.get(key);
      pending.put(key, earlier == null ? e : e.withTokens(earlier.tokens().max(tokens)));
    }

    private String same(String value) {
      return value == null ? null : same.computeIfAbsent(value, v -> v);
    }

    private void costState(ClaudeLine l) {
      if (l.sessionId == null || l.modelCosts == null) {
        return;
      }
      for (Map.Entry<String, Double> m : l.modelCosts.entrySet()) {
        String k = l.sessionId + "|" + m.getKey();
        long now = micros(m.getValue());
        long delta = now - cumulative.getOrDefault(k, 0L);
        cumulative.put(k, now);
        if (delta > 0) {
          spread(l.sessionId, m.getKey(), delta);
        }
      }
      flush(l.sessionId);
    }

    /** Gives {@code delta} to the waiting requests of this session and model, by token count. */
    private void spread(String session, String model, long delta) {
      List<String> keys = new ArrayList<>();
      long tokens = 0;
      for (UsageEvent e : pending.values()) {
        if (session.equals(e.sessionId()) && model.equals(e.model())) {
          keys.add(e.dedupKey());
          tokens += e.tokens().total();
        }
      }
      long given = 0;
      for (int i = 0; i < keys.size(); i++) {
        UsageEvent e = pending.get(keys.get(i));
        long share = i == keys.size() - 1 ? delta - given
            : tokens == 0 ? delta / keys.size() : delta * e.tokens().total() / tokens;
        given += share;
        pending.put(e.dedupKey(), e.withReportedCost((e.reportedCostMicros() == null ? 0 : e.reportedCostMicros()) + share, true));
      }
    }

    private void flush(String session) {
      Iterator<UsageEvent> it = pending.values().iterator();
      while (it.hasNext()) {
        UsageEvent e = it.next();
        if (session == null || session.equals(e.sessionId())) {
          out.accept(e);
          it.remove();
        }
      }
    }

    void flushAll() {
      flush(null);
    }

    String state() {
      if (cumulative.isEmpty()) {
        return null;
      }
      ObjectNode root = LogJson.MAPPER.createObjectNode();
      ObjectNode c = root.putObject("cumulative");
      cumulative.forEach(c::put);
      return root.toString();
    }
  }

  private static long micros(double usd) {
    return new BigDecimal(Double.toString(usd)).movePointRight(6).setScale(0, java.math.RoundingMode.HALF_UP).longValue();
  }

  /** The encoded-cwd directory right under projects/, the fallback project name. */
  private static String projectDir(Path file) {
    for (Path p = file.getParent(); p != null && p.getParent() != null; p = p.getParent()) {
      if (p.getParent().getFileName() != null && p.getParent().getFileName().toString().equals("projects")) {
        return p.getFileName().toString();
      }
    }
    return null;
  }
}
