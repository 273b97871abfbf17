package dev.tally.surfaces.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.Tally;
import dev.tally.directory.Directory;
import dev.tally.ingest.EventJson;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import dev.tally.pricing.PriceTable;
import dev.tally.store.PostgresStore;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import dev.tally.surfaces.http.Server;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code tally bench server}: ingest throughput through the HTTP API, latency of the dashboard's
 * queries and the server's memory, on synthetic events (90 days, 200 people, 20 teams, 30 models).
 */
@Command(name = "bench", hidden = true, mixinStandardHelpOptions = true,
    description = "Benchmarks that print figures (not tests).", subcommands = BenchCommand.ServerBench.class)
final class BenchCommand {
  @ParentCommand Tally tally;

  @Command(name = "server", mixinStandardHelpOptions = true,
      description = "Ingest throughput over HTTP, p50/p95 of dashboard queries, peak RSS.")
  static final class ServerBench implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--events", defaultValue = "10000000", description = "Events to ingest. Default: ${DEFAULT-VALUE}.")
    int events;

    @Option(names = "--database-url", description = "PostgreSQL JDBC URL instead of a fresh SQLite file.")
    String databaseUrl;

    @Option(names = "--clients", defaultValue = "2", description = "Concurrent sending clients. Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(names = "--people", defaultValue = "200", description = "People the events spread over (in 20 teams). Default: ${DEFAULT-VALUE}.")
    int people;

    @Option(names = "--keep", paramLabel = "DIR",
        description = "Ingest into DIR/tally.db (a new, empty DIR) and keep it, for `tally serve --data-dir DIR` (bench/dashboard-paint.sh).")
    Path keep;

    @Option(names = "--no-queries", description = "Only ingest; skip the query timings.")
    boolean noQueries;

    @Option(names = "--in-process", description = "Run the server inside the bench's own JVM (its RSS then includes the load generator). "
        + "By default it runs as its own `tally serve` process, started by the launcher.")
    boolean inProcess;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      if (keep != null && Files.isDirectory(keep)) {
        try (var entries = Files.list(keep)) {
          if (entries.findAny().isPresent()) {
            throw new IllegalArgumentException("--keep " + keep + ": the folder is not empty");
          }
        }
      }
      Path dir = keep != null ? Files.createDirectories(keep) : Files.createTempDirectory("tally-bench");
      HttpClient http = HttpClient.newHttpClient();
      Target server = inProcess ? Target.inProcess(dir, databaseUrl, clients, people)
          : Target.process(http, dir, databaseUrl, people);
      String base = server.base();
      String admin = server.admin();
      try {
        List<String> models = new ArrayList<>();
        for (var m : PriceTable.shipped().models()) {
          if (models.size() < 30) {
            models.add(m.key());
          }
        }
        int batch = 10_000;
        int batches = (events + batch - 1) / batch;
        Instant end = Instant.now();
        // the batches are made (JSON, gzip) before the clock starts: on a small machine the load
        // generator would otherwise take a third of the CPU the server is measured on
        Path made = Files.createTempDirectory("tally-bench-batches");
        for (int b = 0; b < batches; b++) {
          int from = b * batch;
          Files.write(made.resolve(b + ".json.gz"), gzip(batchJson(from, Math.min(events, from + batch), events, end, models, people)));
          if ((b + 1) % 50 == 0) {
            System.err.printf(Locale.ROOT, "\rmaking batches: %,d of %,d events", (long) (b + 1) * batch, (long) events);
          }
        }
        System.err.println();
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> sent = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
          Path file = made.resolve(b + ".json.gz");
          sent.add(pool.submit(() -> {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/events"))
                .header("Authorization", "Bearer " + admin).header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
              throw new IllegalStateException("ingest answered " + r.statusCode() + ": " + r.body());
            }
            Files.delete(file);
            return null;
          }));
        }
        int done = 0;
        for (Future<?> f : sent) {
          f.get();
          if (++done % 50 == 0) {
            System.err.printf(Locale.ROOT, "\r%,d of %,d events", (long) done * batch, (long) events);
          }
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - t0) / 1e9;
        Files.delete(made);
        System.err.println();
        out.printf(Locale.ROOT, "Ingest over HTTP (%s, %d clients, batches of %,d): %,d events in %.1f s = %,.0f events/s%n",
            databaseUrl != null ? "PostgreSQL" : "SQLite", clients, batch, events, seconds, events / seconds);

        if (noQueries) {
          out.println(server.peakRss());
          out.flush();
          return 0;
        }
        String[] queries = {
          "range=30d&groupBy=person", "range=7d&groupBy=team", "range=90d&groupBy=model",
          "range=30d&groupBy=person&filter.team=team-3", "range=14d&groupBy=tool", "range=24h&groupBy=person&top=10",
          "range=90d&groupBy=team,model", "range=30d&groupBy=project"};
        out.printf("%-44s %8s %10s %10s %10s%n", "dashboard query (/api/v1/usage?...)", "first ms", "fresh p50", "fresh p95",
            "cached p95");
        int extra = 0;
        for (String q : queries) {
          // first: a cold call. fresh: each call right after a one-event write, as under live ingest
          // (the write drops cached answers, so the rollups are read again). cached: repeats with no write between.
          long first = timeQuery(http, base, admin, q);
          long[] fresh = new long[20];
          for (int i = 0; i < fresh.length; i++) {
            byte[] one = gzip(batchJson(events + extra, events + extra + 1, events, end, models, people));
            extra++;
            http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/events")).header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json").header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(one)).build(), HttpResponse.BodyHandlers.ofString());
            fresh[i] = timeQuery(http, base, admin, q);
          }
          long[] cached = new long[20];
          for (int i = 0; i < cached.length; i++) {
            cached[i] = timeQuery(http, base, admin, q);
          }
          Arrays.sort(fresh);
          Arrays.sort(cached);
          out.printf("%-44s %8d %10d %10d %10d%n", q, first, fresh[9], fresh[18], cached[18]);
        }
        out.println(server.peakRss());
        out.flush();
        return 0;
      } finally {
        server.close();
        if (keep == null) {
          try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
          }
        }
      }
    }

    private static long timeQuery(HttpClient http, String base, String admin, String q) throws Exception {
      long s = System.nanoTime();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/usage?" + q))
          .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(q + " answered " + r.statusCode());
      }
      return (System.nanoTime() - s) / 1_000_000;
    }

    /** Events in time order over 90 days (as a gateway sees them), spread over {@code people} people. */
    private static byte[] batchJson(int from, int to, int total, Instant end, List<String> models, int people) {
      Random rnd = new Random(from);
      ObjectNode root = new ObjectMapper().createObjectNode();
      ArrayNode arr = root.putArray("events");
      for (int i = from; i < to; i++) {
        // like a team: each person works with three models, two projects and one or two tools
        int person = rnd.nextInt(people);
        Instant ts = end.minusSeconds(90L * 86_400).plusMillis((long) ((double) i / total * 90 * 86_400_000L));
        String model = models.get((person * 7 + rnd.nextInt(3)) % models.size());
        UsageEvent e = new UsageEvent("bench:req:" + i, ts, Source.GATEWAY, "anthropic", model,
            person % 3 == 0 && rnd.nextBoolean() ? "codex" : "claude-code", "email:dev" + person + "@example.com", null,
            "project-" + ((person + rnd.nextInt(2)) % 40),
            "s" + person + "-" + ts.getEpochSecond() / 7200, null, null, false,
            Tokens.of(rnd.nextInt(500), rnd.nextInt(3000), rnd.nextInt(5000), 0, rnd.nextInt(50_000)), null);
        arr.add(EventJson.toJson(e));
      }
      return root.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] data) throws java.io.IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 5);
      try (GZIPOutputStream z = new GZIPOutputStream(out)) {
        z.write(data);
      }
      return out.toByteArray();
    }

    /** The server under test: where it listens, an admin token, and its peak memory. */
    private record Target(String base, String admin, Process process, AutoCloseable stop) implements AutoCloseable {
      /**
       * {@code tally serve} as its own process, started as users start it (the launcher and its JVM
       * options), so its peak RSS is the server's alone.
       */
      static Target process(HttpClient http, Path dir, String databaseUrl, int people) throws Exception {
        String launcher = System.getProperty("tally.launcher");
        if (launcher == null) {
          throw new IllegalStateException("run this through the ./tally launcher, or pass --in-process");
        }
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
          port = socket.getLocalPort();
        }
        // the first admin's password: the caller's, when it will serve this ledger again (bench/dashboard-paint.sh)
        String password = System.getenv().getOrDefault("TALLY_ADMIN_PASSWORD", "bench-" + java.util.UUID.randomUUID());
        List<String> command = new ArrayList<>(List.of(launcher, "serve", "--host", "127.0.0.1", "--port",
            Integer.toString(port), "--data-dir", dir.toString()));
        if (databaseUrl != null) {
          command.addAll(List.of("--database-url", databaseUrl));
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(dir.resolve("serve.log").toFile());
        pb.environment().put("TALLY_ADMIN_PASSWORD", password);
        // the bench's own JVM options (TALLY_JAVA_OPTS) are not the server's: try those with TALLY_SERVE_JAVA_OPTS
        pb.environment().put("TALLY_JAVA_OPTS", System.getenv().getOrDefault("TALLY_SERVE_JAVA_OPTS", ""));
        Process p = pb.start();
        String base = "http://127.0.0.1:" + port;
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + password).getBytes());
        for (int i = 0; ; i++) {
          try {
            if (http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode() == 200) {
              break;
            }
          } catch (java.io.IOException notYet) {
            // still starting
          }
          if (!p.isAlive() || i > 600) {
            p.destroy();
            throw new IllegalStateException("tally serve did not start; see " + dir.resolve("serve.log"));
          }
          Thread.sleep(100);
        }
        ObjectMapper json = new ObjectMapper();
        // a token before anything else: each password sign-in costs an Argon2 hash (19 MB, tens of ms)
        String admin = json.readTree(post(http, base, basic, "/api/v1/tokens",
            json.createObjectNode().put("name", "bench").put("scope", "admin"))).path("token").asText();
        for (int i = 0; i < people; i++) {
          post(http, base, "Bearer " + admin, "/api/v1/people", json.createObjectNode().put("name", "Person " + i)
              .put("team", "team-" + (i % 20)).set("emails", json.createArrayNode().add("dev" + i + "@example.com")));
        }
        return new Target(base, admin, p, () -> {
          p.destroy(); // SIGTERM: the server flushes and stops
          p.waitFor();
        });
      }

      /** The server inside this process (no launcher): its RSS includes the load generator. */
      static Target inProcess(Path dir, String databaseUrl, int clients, int people) {
        Store store = databaseUrl != null ? PostgresStore.open(databaseUrl, null, null) : SqliteStore.open(dir.resolve("tally.db"));
        Server server = new Server(store, PriceTable.shipped()::price, java.time.Clock.systemUTC(), Math.max(4, clients));
        String base = "http://127.0.0.1:" + server.start("127.0.0.1", 0);
        Directory d = server.directory();
        for (int p = 0; p < people; p++) {
          d.addPerson("Person " + p, List.of("dev" + p + "@example.com"), "team-" + (p % 20));
        }
        return new Target(base, d.createToken("bench", Directory.Scope.ADMIN, null).secret(), null, () -> {
          server.close();
          store.close();
        });
      }

      private static String post(HttpClient http, String base, String auth, String path, ObjectNode body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", auth)
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
          throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
      }

      /** A line on peak memory: the server process's own, or this process's with the load generator. */
      String peakRss() {
        long pid = process != null ? process.pid() : ProcessHandle.current().pid();
        String what = process != null ? "Peak RSS of the server process (tally serve, pid " + pid + ")"
            : "Peak RSS of this process (server and load generator)";
        try {
          for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) {
              return what + ": " + Long.parseLong(line.replaceAll("\\D", "")) / 1024 + " MB";
            }
          }
        } catch (java.io.IOException e) {
          // not Linux
        }
        return what + ": unknown (no /proc)";
      }

      @Override
      public void close() throws Exception {
        stop.close();
      }
    }
  }
}
