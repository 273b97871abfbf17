package dev.tally.sources.logs.opencode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.ledger.DedupKeys;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import dev.tally.sources.logs.FileCursor;
import dev.tally.sources.logs.FileKeys;
import dev.tally.sources.logs.EnvPaths;
import dev.tally.sources.logs.LogFiles;
import dev.tally.sources.logs.LogJson;
import dev.tally.sources.logs.LogSource;
import dev.tally.sources.logs.Projects;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * OpenCode: its SQLite database ({@code opencode.db}, read-only) and the older JSON message files.
 *
 * <p>One model call is one {@code step-finish} part: OpenCode adds each step's cost to its message
 * but replaces the message's tokens with the last step's, so tokens come from the steps and a
 * message is used whole only when it has no steps. A positive {@code cost} is kept as the
 * request's reported cost. The cursor keeps the newest {@code time_updated} seen, so later scans
 * read only rows written since.
 */
public final class OpenCodeLogs implements LogSource {
  private final List<Path> dataDirs;

  public OpenCodeLogs(List<Path> dataDirs) {
    this.dataDirs = List.copyOf(dataDirs);
  }

  /** {@code OPENCODE_DATA_DIR} (comma-separated), else $XDG_DATA_HOME/opencode or ~/.local/share/opencode. */
  public static OpenCodeLogs fromEnvironment(Map<String, String> env, Path home) {
    String xdg = env.get("XDG_DATA_HOME");
    Path fallback = (xdg == null || xdg.isBlank() ? home.resolve(".local/share") : Path.of(xdg)).resolve("opencode");
    List<Path> dirs = EnvPaths.of(env, "OPENCODE_DATA_DIR", fallback);
    return new OpenCodeLogs(dirs);
  }

  public List<Path> roots() {
    return dataDirs;
  }

  @Override
  public String agent() {
    return "opencode";
  }

  @Override
  public List<Path> discover() throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path dir : dataDirs) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> list = Files.list(dir)) {
        list.filter(p -> p.getFileName().toString().matches("opencode(-.*)?\\.db")).forEach(files::add);
      }
      files.addAll(LogFiles.under(dir.resolve("storage/message"), LogFiles.named(".json")));
    }
    return files;
  }

  @Override
  public FileCursor read(Path file, FileCursor cursor, Consumer<UsageEvent> out) throws IOException {
    FileKeys keys = FileKeys.of(file);
    if (file.getFileName().toString().endsWith(".json")) {
      return readJsonMessage(file, keys, cursor, out);
    }
    long watermark = 0;
    if (cursor != null && cursor.state() != null) {
      watermark = LogJson.MAPPER.readTree(cursor.state()).path("updated").asLong();
    }
    long newest = watermark;
    long rows = 0;
    long malformed = 0;
    String url = "jdbc:sqlite:file:" + file.toAbsolutePath() + "?mode=ro";
    try (Connection c = DriverManager.getConnection(url)) {
      Set<String> withSteps = new HashSet<>();
      // steps: one event per step-finish part
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT p.id, p.message_id, p.session_id, p.time_updated, p.data, m.data FROM part p"
              + " JOIN message m ON m.id = p.message_id WHERE p.time_updated > ? AND p.data LIKE '%step-finish%'")) {
        ps.setLong(1, watermark);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows++;
            newest = Math.max(newest, rs.getLong(4));
            try {
              JsonNode part = LogJson.MAPPER.readTree(rs.getString(5));
              if (!"step-finish".equals(part.path("type").asText())) {
                continue;
              }
              JsonNode message = LogJson.MAPPER.readTree(rs.getString(6));
              withSteps.add(rs.getString(2));
              out.accept(event(DedupKeys.sourceSpecific("opencode", rs.getString(1)), rs.getString(3), message,
                  part.path("tokens"), part.path("cost"), rs.getLong(4)));
            } catch (IOException e) {
              malformed++;
            }
          }
        }
      }
      // messages that have no steps: their own tokens
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id, session_id, time_updated, data FROM message WHERE time_updated > ?")) {
        ps.setLong(1, watermark);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows++;
            newest = Math.max(newest, rs.getLong(3));
            if (withSteps.contains(rs.getString(1)) || hasSteps(c, rs.getString(1))) {
              continue;
            }
            try {
              JsonNode message = LogJson.MAPPER.readTree(rs.getString(4));
              if ("assistant".equals(message.path("role").asText()) && message.path("tokens").isObject()) {
                out.accept(event(DedupKeys.sourceSpecific("opencode", rs.getString(1)), rs.getString(2), message,
                    message.path("tokens"), message.path("cost"), rs.getLong(3)));
              }
            } catch (IOException e) {
              malformed++;
            }
          }
        }
      }
    } catch (SQLException e) {
      throw new IOException("cannot read OpenCode database " + file + ": " + e.getMessage(), e);
    }
    String state = LogJson.MAPPER.createObjectNode().put("updated", newest).toString();
    return new FileCursor(file.toString(), agent(), keys.fileKey(), keys.size(), keys.mtimeMs(), keys.size(), state,
        (cursor == null ? 0 : cursor.lines()) + rows, (cursor == null ? 0 : cursor.malformedLines()) + malformed);
  }

  private static boolean hasSteps(Connection c, String messageId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT 1 FROM part WHERE message_id = ? AND data LIKE '%step-finish%' LIMIT 1")) {
      ps.setString(1, messageId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private FileCursor readJsonMessage(Path file, FileKeys keys, FileCursor cursor, Consumer<UsageEvent> out) {
    long malformed = 0;
    try {
      JsonNode m = LogJson.MAPPER.readTree(file.toFile());
      if ("assistant".equals(m.path("role").asText()) && m.path("tokens").isObject()) {
        String id = m.path("id").asText(file.getFileName().toString());
        out.accept(event(DedupKeys.sourceSpecific("opencode", id), m.path("sessionID").asText(null), m, m.path("tokens"),
            m.path("cost"), m.path("time").path("created").asLong()));
      }
    } catch (IOException e) {
      malformed = 1;
    }
    return new FileCursor(file.toString(), agent(), keys.fileKey(), keys.size(), keys.mtimeMs(), keys.size(), null, 1,
        (cursor == null ? 0 : cursor.malformedLines()) + malformed);
  }

  private static UsageEvent event(String key, String sessionId, JsonNode message, JsonNode tokens, JsonNode cost,
      long fallbackMs) {
    long created = message.path("time").path("created").asLong(fallbackMs);
    long input = Math.max(0, tokens.path("input").asLong());
    long output = Math.max(0, tokens.path("output").asLong());
    long reasoning = Math.max(0, tokens.path("reasoning").asLong());
    long read = Math.max(0, tokens.path("cache").path("read").asLong());
    long write = Math.max(0, tokens.path("cache").path("write").asLong());
    Long reported = cost.isNumber() && cost.asDouble() > 0
        ? new BigDecimal(cost.asText()).movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValue() : null;
    String cwd = message.path("path").path("root").asText(message.path("path").path("cwd").asText(null));
    return new UsageEvent(key, Instant.ofEpochMilli(created), Source.LOCAL_LOG,
        message.path("providerID").asText("unknown"), message.path("modelID").asText("unknown"), "opencode", null, null,
        Projects.fromCwd(cwd), sessionId, null, null, false,
        new Tokens(input, output, write, 0, read, Math.min(reasoning, output), 0), reported);
  }
}
