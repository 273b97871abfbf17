package dev.tally.agent;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tally.ingest.EventJson;
import dev.tally.ingest.Spool;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.sources.logs.LogScanner;
import dev.tally.sources.logs.LogSource;
import dev.tally.sources.logs.ScanResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * The developer agent: reads what is new in this machine's agent logs into its spool, then sends
 * the spool to the team server in batches, each removed only once the server acknowledged it.
 */
public final class Agent {
  /** Events per request (the server takes up to 10,000). */
  static final int BATCH = 5_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where to send and with which token; kept in {@code <config dir>/agent.json}, readable by its owner only. */
  public record Config(String server, String token) {
    public static Config load(Path file) throws IOException {
      if (!Files.exists(file)) {
        throw new IllegalStateException("this machine is not logged in: run 'tally agent login SERVER_URL TOKEN'");
      }
      JsonNode n = JSON.readTree(file.toFile());
      return new Config(n.path("server").asText(), n.path("token").asText());
    }

    public void save(Path file) throws IOException {
      Files.createDirectories(file.getParent());
      Files.writeString(file, JSON.createObjectNode().put("server", server).put("token", token).toString());
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: the OS's own permissions apply
      }
    }

    URI uri(String path) {
      return URI.create(server.replaceAll("/+$", "") + path);
    }
  }

  /** What one push did: events sent, acknowledged (stored or already there), duplicates, rejected. */
  /**
   * What one push did: {@code acknowledged} = {@code stored} (new to the server) + {@code duplicates}
   * (it had them already, e.g. sent again after a crash).
   */
  public record Push(long sent, long acknowledged, long stored, long duplicates, long rejected, String error) {}

  private final Config config;
  private final Spool spool;
  private final List<LogSource> sources;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  public Agent(Config config, Spool spool, List<LogSource> sources) {
    this.config = config;
    this.spool = spool;
    this.sources = sources;
  }

  /** Reads new log lines into the spool. */
  public ScanResult collect() {
    return new LogScanner(sources, spool, spool, LogScanner.Progress.NONE).scan();
  }

  /** Sends the spool; stops at the first failure (the rest stays spooled for the next try). */
  public Push push() {
    long sent = 0;
    long acknowledged = 0;
    long duplicates = 0;
    long rejected = 0;
    try {
      while (true) {
        Spool.Pending p = spool.pending(BATCH);
        if (p.lines().isEmpty()) {
          return new Push(sent, acknowledged, acknowledged - duplicates, duplicates, rejected, null);
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(config.uri("/api/v1/events"))
            .header("Authorization", "Bearer " + config.token()).header("Content-Type", "application/json")
            .header("Content-Encoding", "gzip").timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofByteArray(batch(p.lines()))).build(),
            HttpResponse.BodyHandlers.ofString());
        sent += p.lines().size();
        if (r.statusCode() != 200 && r.statusCode() != 207) {
          return new Push(sent, acknowledged, acknowledged - duplicates, duplicates, rejected, "server answered " + r.statusCode() + ": " + r.body());
        }
        JsonNode answer = JSON.readTree(r.body());
        acknowledged += answer.path("accepted").asLong() + answer.path("duplicates").asLong();
        duplicates += answer.path("duplicates").asLong();
        rejected += answer.path("rejected").size();
        spool.acknowledge(p.endOffset());
      }
    } catch (IOException e) {
      return new Push(sent, acknowledged, acknowledged - duplicates, duplicates, rejected, "cannot reach " + config.server() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Push(sent, acknowledged, acknowledged - duplicates, duplicates, rejected, "interrupted");
    }
  }

  /** Asks the server who this token is (to check a login). */
  public JsonNode whoAmI() throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(config.uri("/api/v1/me"))
        .header("Authorization", "Bearer " + config.token()).timeout(Duration.ofSeconds(15)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("the server refused the token (" + r.statusCode() + "): " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /**
   * The spooled lines as one gzip'd {@code {"events": [...]}} body, each re-read on the way (a line
   * that no longer reads is left out; the server would reject it anyway).
   */
  private static byte[] batch(List<String> lines) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(lines.size() * 100 + 64);
    try (JsonGenerator g = JSON.getFactory().createGenerator(new GZIPOutputStream(out))) {
      g.writeStartObject();
      g.writeArrayFieldStart("events");
      for (String line : lines) {
        try {
          EventJson.write(g, EventJson.fromJson(line));
        } catch (EventJson.InvalidEvent unreadable) {
          // skipped: acknowledged with the rest so that it does not block the spool
        }
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return out.toByteArray();
  }
}
