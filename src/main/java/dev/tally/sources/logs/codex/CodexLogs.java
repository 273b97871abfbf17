package dev.tally.sources.logs.codex;

import dev.tally.ledger.Instants;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.ledger.DedupKeys;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import dev.tally.sources.logs.FileCursor;
import dev.tally.sources.logs.FileKeys;
import dev.tally.sources.logs.LineReader;
import dev.tally.sources.logs.EnvPaths;
import dev.tally.sources.logs.LogFiles;
import dev.tally.sources.logs.LogJson;
import dev.tally.sources.logs.LogSource;
import dev.tally.sources.logs.Projects;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Codex CLI rollouts: {@code $CODEX_HOME/sessions/**}{@code /rollout-*.jsonl} (and
 * {@code archived_sessions}).
 *
 * <p>Codex logs cumulative token totals per thread. Each {@code token_count} whose total advanced
 * counts the advance (re-emits with an unchanged total, which Codex writes on rate-limit refreshes,
 * count nothing); a total that went down (reset, compaction) counts {@code last_token_usage}.
 * Newer rollouts also write a {@code token_usage_record} per response with its {@code
 * response_id}: then that record is the request (keyed by the response id, so the gateway's copy of
 * the same response merges with it) and the paired {@code token_count} only moves the baseline.
 * Input includes cached input and output includes reasoning: both are split out, never counted twice.
 */
public final class CodexLogs implements LogSource {
  private static final byte[][] WANTED = {
    bytes("\"token_count\""), bytes("\"token_usage_record\""), bytes("\"turn_context\""), bytes("\"session_meta\"")
  };

  private final List<Path> homes;

  public CodexLogs(List<Path> homes) {
    this.homes = List.copyOf(homes);
  }

  /** {@code CODEX_HOME} (comma-separated), else ~/.codex. */
  public static CodexLogs fromEnvironment(Map<String, String> env, Path home) {
    List<Path> homes = EnvPaths.of(env, "CODEX_HOME", home.resolve(".codex"));
    return new CodexLogs(homes);
  }

  public List<Path> roots() {
    return homes;
  }

  @Override
  public String agent() {
    return "codex";
  }

  @Override
  public List<Path> discover() throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path h : homes) {
      for (String sub : List.of("sessions", "archived_sessions")) {
        files.addAll(LogFiles.under(h.resolve(sub), LogFiles.named(".jsonl")));
      }
    }
    return files;
  }

  @Override
  public FileCursor read(Path file, FileCursor cursor, Consumer<UsageEvent> out) throws IOException {
    FileKeys keys = FileKeys.of(file);
    Thread t = Thread.fromState(cursor == null ? null : cursor.state(), file);
    long[] malformed = {0};
    LineReader.Result r = LineReader.read(file, cursor == null ? 0 : cursor.offset(),
        (buf, start, end, fileOffset, terminated) -> {
          if (!wanted(buf, start, end)) {
            return terminated;
          }
          JsonNode line;
          try {
            line = LogJson.MAPPER.readTree(buf, start, end - start);
          } catch (IOException e) {
            if (!terminated) {
              return false;
            }
            malformed[0]++;
            return true;
          }
          if (!t.line(line, out)) {
            malformed[0]++;
          }
          return true;
        });
    return new FileCursor(file.toString(), agent(), keys.fileKey(), Math.max(keys.size(), r.offset()), keys.mtimeMs(),
        r.offset(), t.state(), (cursor == null ? 0 : cursor.lines()) + r.lines(),
        (cursor == null ? 0 : cursor.malformedLines()) + malformed[0]);
  }

  private static boolean wanted(byte[] buf, int start, int end) {
    for (byte[] w : WANTED) {
      if (LineReader.indexOf(buf, w, start, end) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** The running state of one rollout (one thread): kept in the cursor between reads. */
  static final class Thread {
    String sessionId;
    String cwd;
    String model;
    long[] prev; // input, cached, output, reasoning, total
    boolean recordPending;

    static Thread fromState(String state, Path file) {
      Thread t = new Thread();
      if (state != null) {
        try {
          JsonNode s = LogJson.MAPPER.readTree(state);
          t.sessionId = text(s, "session");
          t.cwd = text(s, "cwd");
          t.model = text(s, "model");
          t.recordPending = s.path("recordPending").asBoolean(false);
          if (s.path("prev").isArray()) {
            t.prev = new long[5];
            for (int i = 0; i < 5; i++) {
              t.prev[i] = s.path("prev").path(i).asLong();
            }
          }
        } catch (IOException e) {
          // start over: duplicates merge in ingest
        }
      }
      if (t.sessionId == null) {
        String name = file.getFileName().toString();
        t.sessionId = name.endsWith(".jsonl") ? name.substring(0, name.length() - 6) : name;
      }
      return t;
    }

    String state() {
      ObjectNode s = LogJson.MAPPER.createObjectNode();
      s.put("session", sessionId);
      s.put("cwd", cwd);
      s.put("model", model);
      s.put("recordPending", recordPending);
      if (prev != null) {
        var a = s.putArray("prev");
        for (long v : prev) {
          a.add(v);
        }
      }
      return s.toString();
    }

    /** @return false when the line was malformed */
    boolean line(JsonNode line, Consumer<UsageEvent> out) {
      String type = line.path("type").asText();
      JsonNode payload = line.path("payload");
      switch (type) {
        case "session_meta" -> {
          String id = text(payload, "id");
          if (id != null) {
            sessionId = id;
          }
          if (text(payload, "cwd") != null) {
            cwd = text(payload, "cwd");
          }
        }
        case "turn_context" -> {
          if (text(payload, "model") != null) {
            model = text(payload, "model");
          }
          if (text(payload, "cwd") != null) {
            cwd = text(payload, "cwd");
          }
        }
        case "token_usage_record" -> {
          Instant ts = time(line);
          String responseId = text(payload, "response_id");
          JsonNode usage = payload.path("usage");
          if (ts == null || !usage.isObject()) {
            return false;
          }
          String key = responseId != null ? DedupKeys.request("openai", responseId)
              : DedupKeys.sourceSpecific("codex", sessionId, "rec", ts.toString());
          out.accept(event(key, ts, responseId, tokens(usage)));
          recordPending = true;
        }
        case "event_msg" -> {
          if (!"token_count".equals(payload.path("type").asText())) {
            return true;
          }
          JsonNode info = payload.path("info");
          if (!info.isObject()) {
            return true; // rate-limit only
          }
          Instant ts = time(line);
          long[] total = counts(info.path("total_token_usage"));
          if (ts == null || total == null) {
            return false;
          }
          if (prev != null && java.util.Arrays.equals(total, prev)) {
            return true; // a re-emit of the same snapshot
          }
          long[] delta;
          if (prev != null && geq(total, prev)) {
            delta = new long[5];
            for (int i = 0; i < 5; i++) {
              delta[i] = total[i] - prev[i];
            }
          } else {
            delta = counts(info.path("last_token_usage"));
            if (delta == null) {
              delta = prev == null ? total : new long[5];
            }
          }
          prev = total;
          if (recordPending) {
            recordPending = false; // this response was already counted from its token_usage_record
            return true;
          }
          String key = DedupKeys.sourceSpecific("codex", sessionId, Long.toString(total[4]), Long.toString(total[0]));
          out.accept(event(key, ts, null, tokens(delta)));
        }
        default -> {
          // other lines carry no usage
        }
      }
      return true;
    }

    private UsageEvent event(String key, Instant ts, String responseId, Tokens tokens) {
      return new UsageEvent(key, ts, Source.LOCAL_LOG, "openai", model == null ? "gpt-5" : model, "codex", null, null,
          Projects.fromCwd(cwd), sessionId, responseId, null, false, tokens, null);
    }

    private static Tokens tokens(long[] c) {
      long cached = Math.min(c[1], c[0]);
      return new Tokens(c[0] - cached, c[2], 0, 0, cached, Math.min(c[3], c[2]), 0);
    }

    private static Tokens tokens(JsonNode usage) {
      return tokens(counts(usage));
    }

    /** input, cached, output, reasoning, total; null when the object is missing. */
    private static long[] counts(JsonNode u) {
      if (!u.isObject()) {
        return null;
      }
      long in = Math.max(0, u.path("input_tokens").asLong());
      long out = Math.max(0, u.path("output_tokens").asLong());
      long total = u.has("total_tokens") ? u.path("total_tokens").asLong() : in + out;
      return new long[] {in, Math.max(0, u.path("cached_input_tokens").asLong()), out,
          Math.max(0, u.path("reasoning_output_tokens").asLong()), total};
    }

    private static boolean geq(long[] a, long[] b) {
      for (int i = 0; i < a.length; i++) {
        if (a[i] < b[i]) {
          return false;
        }
      }
      return true;
    }

    private static Instant time(JsonNode line) {
      try {
        return Instants.parse(line.path("timestamp").asText());
      } catch (DateTimeParseException e) {
        return null;
      }
    }

    private static String text(JsonNode n, String field) {
      JsonNode v = n.path(field);
      return v.isTextual() ? v.asText() : null;
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
