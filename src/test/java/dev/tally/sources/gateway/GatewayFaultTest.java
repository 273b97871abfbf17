package dev.tally.sources.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.directory.Directory;
import dev.tally.ledger.LedgerEvent;
import dev.tally.ledger.Source;
import dev.tally.pricing.PriceTable;
import dev.tally.store.PostgresStore;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import dev.tally.store.UsageQuery;
import dev.tally.surfaces.http.Server;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway under faults: upstream errors and timeouts, a connection reset mid-stream, the
 * database stopped during load, and the gateway killed with SIGKILL during load. For each it counts
 * requests served, completed (the client got the whole answer), records lost and duplicated.
 * Lost and duplicated must be 0. {@code bench/gateway-faults.sh} runs just this class.
 */
class GatewayFaultTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> REPORT = new ArrayList<>();
  static final String PASSWORD = "fault-test-password";

  @TempDir Path dir;
  FakeProvider provider;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void fake() throws IOException {
    provider = new FakeProvider();
  }

  @AfterAll
  static void printReport() {
    System.out.println();
    System.out.printf("%-34s %9s %9s %10s %9s %5s %11s%n", "gateway fault", "requests", "answered", "completed", "recorded", "lost",
        "duplicated");
    REPORT.forEach(System.out::println);
  }

  /** answered: the client got an answer (any status); completed: the whole of a successful one. */
  static void report(String scenario, int requests, int answered, int completed, int recorded, int lost, int duplicated) {
    REPORT.add(String.format("%-34s %9d %9d %10d %9d %5d %11d", scenario, requests, answered, completed, recorded, lost, duplicated));
  }

  /** What clients saw: request ids of answers they received in full, and how many requests were sent. */
  static final class Load {
    final Set<String> completed = ConcurrentHashMap.newKeySet();
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger answered = new AtomicInteger();
  }

  /** One request; its request id when the client got the whole answer, else null. */
  String send(String base, String key, String model, boolean stream, Load load) {
    load.sent.incrementAndGet();
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/messages"))
          .header("x-api-key", key).header("anthropic-version", "2023-06-01").timeout(Duration.ofSeconds(20))
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"max_tokens\":100," + (stream ? "\"stream\":true," : "")
              + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
      load.answered.incrementAndGet();
      boolean whole = r.statusCode() == 200 && (stream ? r.body().contains("event: message_stop") : r.body().contains("\"usage\""));
      String id = r.headers().firstValue("request-id").orElse(null);
      if (whole && id != null) {
        load.completed.add(id);
        return id;
      }
    } catch (IOException | InterruptedException e) {
      // cut off: not a completed request
    }
    return null;
  }

  /** Lost = completed requests without a ledger event; duplicated = request ids with more than one. */
  static int[] check(Store store, Set<String> completed) {
    Map<String, Integer> perRequest = new HashMap<>();
    for (LedgerEvent e : store.events(new UsageQuery(null, null, List.of(), Map.of(), false))) {
      if (e.event().source() == Source.GATEWAY) {
        perRequest.merge(e.event().requestId(), 1, Integer::sum);
      }
    }
    int lost = (int) completed.stream().filter(id -> !perRequest.containsKey(id)).count();
    int duplicated = (int) perRequest.values().stream().filter(n -> n > 1).count();
    return new int[] {perRequest.size(), lost, duplicated};
  }

  static void waitFor(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean() && Instant.now().isBefore(deadline)) {
      Thread.sleep(50);
    }
  }

  record InProcess(Server server, String base, String key) {}

  InProcess start(Store store, Duration upstreamTimeout) throws Exception {
    Server server = new Server(store, PriceTable.shipped()::price, Clock.systemUTC(), 4)
        .withGateway(dir.resolve("gateway"), null, true, upstreamTimeout);
    String admin = server.directory().createToken("ops", Directory.Scope.ADMIN, null).secret();
    String base = "http://127.0.0.1:" + server.start("127.0.0.1", 0);
    String key = setUp(base, "Bearer " + admin);
    return new InProcess(server, base, key);
  }

  String setUp(String base, String auth) throws Exception {
    admin(base, auth, "/api/v1/providers", "{\"provider\":\"anthropic\",\"baseUrl\":\"" + provider.anthropicBase() + "\",\"key\":\"" + FakeProvider.ANTHROPIC_KEY + "\"}");
    return admin(base, auth, "/api/v1/keys", "{\"name\":\"load\",\"email\":\"load@corp.com\"}").path("secret").asText();
  }

  JsonNode admin(String base, String auth, String path, String body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", auth)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body());
  }

  @Test
  void upstreamErrorsTimeoutsAndResetsLoseNothingAndCountNothingTwice() throws Exception {
    try (Store store = SqliteStore.open(dir.resolve("tally.db"))) {
      InProcess gw = start(store, Duration.ofMillis(500));
      try {
        for (String status : List.of("429", "500", "529")) {
          Load load = new Load();
          int passedThrough = 0;
          for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gw.base() + "/v1/messages")).header("x-api-key", gw.key())
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"fail-" + status + "\",\"stream\":" + (i % 2 == 0) + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
            load.sent.incrementAndGet();
            passedThrough += r.statusCode() == Integer.parseInt(status) ? 1 : 0;
          }
          assertThat(passedThrough).as("upstream " + status + " passed through").isEqualTo(10);
          int[] c = check(store, load.completed);
          report("upstream " + status + " (passed through)", load.sent.get(), passedThrough, 0, 0, c[1], c[2]);
        }

        Load timeouts = new Load();
        for (int i = 0; i < 4; i++) {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gw.base() + "/v1/messages")).header("x-api-key", gw.key())
              .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"hang-claude\",\"max_tokens\":5}")).build(), HttpResponse.BodyHandlers.ofString());
          timeouts.sent.incrementAndGet();
          assertThat(r.statusCode()).isEqualTo(504);
          assertThat(JSON.readTree(r.body()).path("error").path("type").asText()).isEqualTo("timeout_error");
        }
        report("upstream timeout (504 after 0.5 s)", timeouts.sent.get(), timeouts.sent.get(), 0, 0, 0, 0);

        Load resets = new Load();
        for (int i = 0; i < 10; i++) {
          assertThat(send(gw.base(), gw.key(), "reset-claude", true, resets)).isNull();
        }
        Load fine = new Load();
        for (int i = 0; i < 10; i++) {
          send(gw.base(), gw.key(), "claude-sonnet-4-5", i % 2 == 0, fine);
        }
        waitFor(() -> check(store, fine.completed)[1] == 0, Duration.ofSeconds(10));
        int[] c = check(store, fine.completed);
        // each broken stream's input side (from message_start) is recorded once, the completed ones exactly
        assertThat(c[0]).isEqualTo(20);
        report("connection reset mid-stream", resets.sent.get() + fine.sent.get(), resets.answered.get() + fine.answered.get(),
            fine.completed.size(), c[0], c[1], c[2]);
        assertThat(c[1]).isZero();
        assertThat(c[2]).isZero();
      } finally {
        gw.server().close();
      }
    }
  }

  @Test
  void databaseStoppedDuringLoadLosesNoCompletedRequest() throws Exception {
    int port = dev.tally.ServerProcess.freePort();
    Path pgData = dir.resolve("pg");
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false).setPort(port).start();
    Store store = PostgresStore.open(pg.getJdbcUrl("postgres", "postgres"), "postgres", "postgres");
    InProcess gw = start(store, Duration.ofSeconds(30));
    Load load = new Load();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try {
      send(gw.base(), gw.key(), "claude-sonnet-4-5", false, load); // the key is known before the outage
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        workers.add(clients.submit(() -> {
          for (int i = 0; running.get(); i++) {
            send(gw.base(), gw.key(), "claude-sonnet-4-5", (i + thread) % 2 == 0, load);
          }
        }));
      }
      Thread.sleep(1_000);
      pg.close(); // the database stops while requests keep coming
      int atStop = load.completed.size();
      Thread.sleep(2_000);
      int duringOutage = load.completed.size() - atStop;
      pg = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false).setPort(port).start();
      Thread.sleep(1_000);
      running.set(false);
      for (Future<?> w : workers) {
        w.get();
      }
      assertThat(duringOutage).as("requests served while the database was down").isPositive();
      waitFor(() -> {
        try {
          return check(store, load.completed)[1] == 0;
        } catch (RuntimeException e) {
          return false;
        }
      }, Duration.ofSeconds(60));
      int[] c = check(store, load.completed);
      report("database stopped 2 s during load", load.sent.get(), load.answered.get(), load.completed.size(), c[0], c[1], c[2]);
      assertThat(c[1]).as("lost").isZero();
      assertThat(c[2]).as("duplicated").isZero();
    } finally {
      running.set(false);
      clients.shutdownNow();
      gw.server().close();
      store.close();
      pg.close();
    }
  }

  @Test
  void killNineDuringLoadLosesNoCompletedRequest() throws Exception {
    int port = dev.tally.ServerProcess.freePort();
    String base = "http://127.0.0.1:" + port;
    Path data = dir.resolve("server");
    Process server = startServer(data, port);
    Load load = new Load();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService clients = Executors.newFixedThreadPool(6);
    try {
      String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
      String key = setUp(base, auth);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        int thread = t;
        workers.add(clients.submit(() -> {
          for (int i = 0; running.get(); i++) {
            send(base, key, "claude-sonnet-4-5", (i + thread) % 2 == 0, load);
          }
        }));
      }
      waitFor(() -> load.completed.size() >= 300, Duration.ofSeconds(60));
      server.destroyForcibly(); // SIGKILL mid-load: no shutdown hook, no flush
      server.waitFor();
      running.set(false);
      for (Future<?> w : workers) {
        w.get();
      }
      int completed = load.completed.size();
      server = startServer(data, port); // the spool drains what the store did not have yet
      Thread.sleep(1_500);
      server.destroy(); // graceful: flushes, then the ledger can be opened here
      server.waitFor();
      try (Store store = SqliteStore.open(data.resolve("tally.db"))) {
        int[] c = check(store, load.completed);
        report("gateway kill -9 during load", load.sent.get(), load.answered.get(), completed, c[0], c[1], c[2]);
        assertThat(c[1]).as("lost").isZero();
        assertThat(c[2]).as("duplicated").isZero();
      }
    } finally {
      running.set(false);
      clients.shutdownNow();
      server.destroyForcibly();
    }
  }

  private Process startServer(Path data, int port) throws Exception {
    return dev.tally.ServerProcess.start(data, port, PASSWORD, dir);
  }

}
