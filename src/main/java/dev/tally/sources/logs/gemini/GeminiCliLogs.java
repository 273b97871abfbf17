package dev.tally.sources.logs.gemini;

import dev.tally.ledger.Instants;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Gemini CLI chat recordings: {@code ~/.gemini/tmp/<project>/chats/**}{@code /*.jsonl} (an event
 * log where a message id can be written again once its tokens are known) and the older single
 * {@code .json} documents. Every {@code gemini} message with tokens is an event keyed by session and
 * message id, so rewrites merge. Rewound messages still count: the API billed them. Gemini reports
 * cached tokens inside input and thinking beside output: input = input − cached (+ tool-use prompt
 * tokens), output = output + thoughts.
 */
public final class GeminiCliLogs implements LogSource {
  private final List<Path> roots;

  public GeminiCliLogs(List<Path> roots) {
    this.roots = List.copyOf(roots);
  }

  /** {@code GEMINI_DATA_DIR} (comma-separated), else ~/.gemini. */
  public static GeminiCliLogs fromEnvironment(Map<String, String> env, Path home) {
    List<Path> roots = EnvPaths.of(env, "GEMINI_DATA_DIR", home.resolve(".gemini"));
    return new GeminiCliLogs(roots);
  }

  public List<Path> roots() {
    return roots;
  }

  @Override
  public String agent() {
    return "gemini";
  }

  @Override
  public List<Path> discover() throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path root : roots) {
      files.addAll(LogFiles.under(root.resolve("tmp"),
          LogFiles.named(".jsonl", ".json").and(p -> p.toString().contains("/chats/"))));
    }
    return files;
  }

  @Override
  public FileCursor read(Path file, FileCursor cursor, Consumer<UsageEvent> out) throws IOException {
    FileKeys keys = FileKeys.of(file);
    String project = projectOf(file);
    if (file.getFileName().toString().endsWith(".json")) {
      // a whole document, rewritten in place: read it all again (copies merge in ingest)
      long malformed = 0;
      try {
        JsonNode doc = LogJson.MAPPER.readTree(file.toFile());
        Session s = new Session(doc.path("sessionId").asText(null), project);
        s.directories(doc.path("directories"));
        for (JsonNode m : doc.path("messages")) {
          s.message(m, out);
        }
      } catch (IOException e) {
        malformed = 1;
      }
      return new FileCursor(file.toString(), agent(), keys.fileKey(), keys.size(), keys.mtimeMs(), keys.size(), null,
          1, (cursor == null ? 0 : cursor.malformedLines()) + malformed);
    }
    String sessionId = cursor != null && cursor.state() != null ? LogJson.MAPPER.readTree(cursor.state()).path("session").asText(null) : null;
    Session s = new Session(sessionId, project);
    long[] malformed = {0};
    LineReader.Result r = LineReader.read(file, cursor == null ? 0 : cursor.offset(), (buf, start, end, off, terminated) -> {
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
      if (line.has("sessionId") && !line.has("type")) {
        s.sessionId = line.path("sessionId").asText(s.sessionId);
        s.directories(line.path("directories"));
        for (JsonNode m : line.path("messages")) { // a legacy record on one line
          s.message(m, out);
        }
      } else if (line.has("$set")) {
        for (JsonNode m : line.path("$set").path("messages")) {
          s.message(m, out);
        }
      } else if (line.has("type")) {
        s.message(line, out);
      }
      return true;
    });
    String state = s.sessionId == null ? null : LogJson.MAPPER.createObjectNode().put("session", s.sessionId).toString();
    return new FileCursor(file.toString(), agent(), keys.fileKey(), Math.max(keys.size(), r.offset()), keys.mtimeMs(),
        r.offset(), state, (cursor == null ? 0 : cursor.lines()) + r.lines(),
        (cursor == null ? 0 : cursor.malformedLines()) + malformed[0]);
  }

  private static final class Session {
    String sessionId;
    String project;

    Session(String sessionId, String project) {
      this.sessionId = sessionId;
      this.project = project;
    }

    void directories(JsonNode dirs) {
      if (dirs.isArray() && !dirs.isEmpty() && dirs.get(0).isTextual()) {
        project = Projects.fromCwd(dirs.get(0).asText());
      }
    }

    void message(JsonNode m, Consumer<UsageEvent> out) {
      JsonNode t = m.path("tokens");
      if (!"gemini".equals(m.path("type").asText()) || !t.isObject() || m.path("id").asText("").isEmpty()) {
        return;
      }
      Instant ts;
      try {
        ts = Instants.parse(m.path("timestamp").asText());
      } catch (DateTimeParseException e) {
        return;
      }
      long input = Math.max(0, t.path("input").asLong());
      long cached = Math.min(input, Math.max(0, t.path("cached").asLong()));
      long thoughts = Math.max(0, t.path("thoughts").asLong());
      long tool = Math.max(0, t.path("tool").asLong());
      long output = Math.max(0, t.path("output").asLong()) + thoughts;
      Tokens tokens = new Tokens(input - cached + tool, output, 0, 0, cached, thoughts, 0);
      String id = m.path("id").asText();
      out.accept(new UsageEvent(DedupKeys.sourceSpecific("gemini", String.valueOf(sessionId), id), ts, Source.LOCAL_LOG,
          "google", m.path("model").asText("gemini"), "gemini-cli", null, null, project, sessionId, null, null, false,
          tokens, null));
    }
  }

  /** The {@code tmp/<project>} folder name, the fallback project name. */
  private static String projectOf(Path file) {
    for (Path p = file.getParent(); p != null && p.getParent() != null; p = p.getParent()) {
      if (p.getFileName().toString().equals("chats") && p.getParent() != null) {
        return p.getParent().getFileName().toString();
      }
    }
    return null;
  }
}
