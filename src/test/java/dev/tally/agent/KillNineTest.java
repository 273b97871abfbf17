package dev.tally.agent;

import dev.tally.ingest.Spool;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.sources.logs.claude.ClaudeCodeLogs;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the server during a 100,000-event push: after a restart every event the
 * server acknowledged is there once, and the agent delivers the rest, exactly once.
 */
class KillNineTest {
  static final int EVENTS = 100_000;
  static final ObjectMapper JSON = new ObjectMapper();
  static final String PASSWORD = "kill-nine-password";

  @TempDir Path tmp;
  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void acknowledgedEventsSurviveAndTheRestArriveOnce() throws Exception {
    Path logs = writeLog(tmp.resolve("claude"));
    int port = dev.tally.ServerProcess.freePort();
    String url = "http://127.0.0.1:" + port;
    Path data = tmp.resolve("server");
    Process server = startServer(data, port);
    try {
      String token = agentToken(url);
      Agent agent = new Agent(new Agent.Config(url, token), new Spool(tmp.resolve("spool")),
          List.of(new ClaudeCodeLogs(List.of(logs), null)));
      assertThat(agent.collect().events()).isEqualTo(EVENTS);

      CompletableFuture<Agent.Push> firstPush = CompletableFuture.supplyAsync(agent::push);
      long stored = 0;
      Instant deadline = Instant.now().plusSeconds(60);
      while (stored < 20_000 && Instant.now().isBefore(deadline)) {
        Thread.sleep(50);
        stored = storedEvents(url);
      }
      server.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
      server.waitFor();
      Agent.Push cut = firstPush.get();
      System.out.printf("before the kill: sent %,d, acknowledged %,d, stored %,d%n", cut.sent(), cut.acknowledged(), stored);
      assertThat(cut.error()).isNotNull();
      assertThat(cut.acknowledged()).isLessThan(EVENTS);

      server = startServer(data, port);
      assertThat(storedEvents(url)).as("every acknowledged event is still there").isGreaterThanOrEqualTo(cut.acknowledged());
      Agent.Push rest = agent.push();
      System.out.printf("after restart: sent %,d, acknowledged %,d, stored %,d, duplicated %,d%n", rest.sent(), rest.acknowledged(),
          rest.stored(), rest.duplicates());
      assertThat(rest.error()).isNull();
      assertThat(storedEvents(url)).as("each event once").isEqualTo(EVENTS);
      assertThat(cut.stored() + rest.stored()).as("stored across both pushes").isLessThanOrEqualTo(EVENTS);
      assertThat(agent.push().sent()).isZero();
    } finally {
      server.destroyForcibly();
    }
  }

  private Path writeLog(Path root) throws IOException {
    Path file = Files.createDirectories(root.resolve("projects/-w-app")).resolve("big.jsonl");
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < EVENTS; i++) {
        w.write("{\"type\":\"assistant\",\"sessionId\":\"s" + (i / 500) + "\",\"cwd\":\"/w/app\",\"timestamp\":\"2026-11-20T"
            + String.format("%02d:%02d:%02d", (i / 3600) % 24, (i / 60) % 60, i % 60) + ".000Z\",\"requestId\":\"req_" + i
            + "\",\"message\":{\"id\":\"msg_" + i + "\",\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":3,"
            + "\"cache_creation_input_tokens\":10,\"cache_read_input_tokens\":100,\"output_tokens\":" + (i % 97) + "}}}\n");
      }
    }
    return root;
  }

  private Process startServer(Path data, int port) throws Exception {
    return dev.tally.ServerProcess.start(data, port, PASSWORD, tmp);
  }


  private String basic() {
    return "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
  }

  private String agentToken(String url) throws Exception {
    HttpResponse<String> person = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/people"))
        .header("Authorization", basic()).POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Kim\",\"emails\":[\"kim@x.com\"]}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    long id = JSON.readTree(person.body()).get("id").asLong();
    HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/tokens"))
        .header("Authorization", basic())
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"laptop\",\"scope\":\"agent\",\"person\":" + id + "}")).build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(token.body()).get("token").asText();
  }

  private long storedEvents(String url) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/usage?range=90d&groupBy=source"))
        .header("Authorization", basic()).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode rows = JSON.readTree(r.body()).get("rows");
    return rows.isEmpty() ? 0 : rows.get(0).get("requests").asLong();
  }
}
