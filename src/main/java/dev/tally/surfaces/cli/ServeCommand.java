package dev.tally.surfaces.cli;

import dev.tally.Tally;
import dev.tally.TallyHome;
import dev.tally.store.PostgresStore;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import dev.tally.surfaces.http.Server;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Runs the team server: web dashboard, metering gateway, ingest and query APIs.",
        "The gateway, the ingest API for developer agents, the query API and the directory run on embedded",
        "SQLite (or PostgreSQL with --database-url). Prints the URL and, on first start, the admin login.", "",
        "Environment: TALLY_MASTER_KEY (base64, 32 bytes) encrypts provider keys; without it a key file is created",
        "in the data directory (mode 0600). TALLY_GATEWAY_FAIL=closed refuses gateway requests whose budget cannot",
        "be read while the database is down (default: open).",
        "Provider admin APIs (ANTHROPIC_ADMIN_API_KEY, OPENAI_ADMIN_KEY, CURSOR_ADMIN_API_KEY, GITHUB_TOKEN + GITHUB_ORG,",
        "OPENROUTER_MANAGEMENT_KEY) are polled every --collect-every; see `tally collectors status`."},
    footer = {"", "Examples:", "  tally serve", "  tally serve --port 9090 --data-dir /var/lib/tally",
        "  TALLY_DATABASE_URL='jdbc:postgresql://db/tally?user=tally&password=...' \\",
        "      tally serve"})
class ServeCommand implements Callable<Integer> {
  @Option(names = "--port", paramLabel = "PORT", description = "HTTP port (default: $TALLY_PORT, else 8080).")
  Integer port;

  @Option(names = "--host", paramLabel = "HOST", defaultValue = "0.0.0.0", description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the SQLite ledger lives (default: $TALLY_DATA_DIR).")
  String dataDir;

  @Option(names = "--database-url", paramLabel = "JDBC_URL",
      description = "PostgreSQL instead of SQLite, e.g. jdbc:postgresql://host/tally?user=u&password=p (default: $TALLY_DATABASE_URL).")
  String databaseUrl;

  @Option(names = "--collect-every", paramLabel = "DURATION",
      description = "How often to poll the provider admin APIs whose keys are set, e.g. 15m, 1h; 0 = only on"
          + " `tally collectors run` (default: $TALLY_COLLECT_EVERY, else 15m).")
  String collectEvery;

  @Spec CommandSpec spec;
  @ParentCommand Tally tally;

  @Override
  public Integer call() throws Exception {
    return run(false);
  }

  /** A gateway replica: only the gateway and health routes, against a PostgreSQL shared with the other replicas. */
  @Command(name = "gateway", mixinStandardHelpOptions = true,
      description = {"Runs a gateway-only replica: the provider-compatible routes, /healthz, /readyz and /metrics.",
          "Replicas share one PostgreSQL (--database-url or $TALLY_DATABASE_URL), so keys, revocations and budgets",
          "hold across them, and the same master key ($TALLY_MASTER_KEY) so each can read the provider keys.",
          "Each replica spools usage under its own --data-dir until the database has it."},
      footer = {"", "Example:", "  TALLY_MASTER_KEY=... \\",
          "  TALLY_DATABASE_URL=jdbc:postgresql://db/tally?user=tally \\",
          "  tally gateway --port 8081"})
  static final class GatewayOnly extends ServeCommand {
    @Override
    public Integer call() throws Exception {
      return run(true);
    }
  }

  /**
   * Standard output for the JSON log, flushed five times a second rather than after every line: a
   * flush per request costs the gateway more than its own work. Logs only: usage never waits on it.
   */
  private static java.io.PrintStream bufferedLog() {
    java.io.PrintStream log = new java.io.PrintStream(new java.io.BufferedOutputStream(
        new java.io.FileOutputStream(java.io.FileDescriptor.out), 1 << 16), false, java.nio.charset.StandardCharsets.UTF_8);
    Thread.ofPlatform().daemon().name("tally-log-flush").start(() -> {
      while (true) {
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
        log.flush();
      }
    });
    Runtime.getRuntime().addShutdownHook(new Thread(log::flush));
    return log;
  }

  Integer run(boolean gatewayOnly) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    var env = tally.context().env();
    int p = port != null ? port : Integer.parseInt(env.getOrDefault("TALLY_PORT", "8080"));
    TallyHome home = dataDir != null ? new TallyHome(java.nio.file.Path.of(dataDir), tally.context().home().configDir())
        : tally.context().home();
    String url = databaseUrl != null ? databaseUrl : env.get("TALLY_DATABASE_URL");
    boolean postgres = url != null && !url.isBlank();
    if (gatewayOnly && !postgres) {
      throw new IllegalArgumentException("a gateway replica needs the shared PostgreSQL: --database-url or TALLY_DATABASE_URL"
          + " (for one machine, `tally serve` already runs the gateway)");
    }
    Store store = postgres ? PostgresStore.open(url, null, null) : SqliteStore.open(home.database());
    Server server = new Server(store, LocalWiring.pricer(home), tally.context().clock(), 4, bufferedLog())
        .withGateway(home.dataDir(), env.get("TALLY_MASTER_KEY"), !"closed".equalsIgnoreCase(env.get("TALLY_GATEWAY_FAIL")))
        .withPriceTable(() -> dev.tally.pricing.PriceTables.load(home));
    if (gatewayOnly) {
      server.gatewayOnly();
    } else if (dev.tally.sources.collectors.Collectors.anyKey(env)) {
      // Base URLs and GITHUB_ORG may also come from tally.properties; the environment wins.
      server.withCollectors(dev.tally.Settings.load(tally.context().home()).withProviders(env), duration(collectEvery != null ? collectEvery : env.getOrDefault("TALLY_COLLECT_EVERY", "15m")));
    }
    var password = gatewayOnly ? Optional.<String>empty() : server.directory().ensureAdmin(env.get("TALLY_ADMIN_PASSWORD"));
    int bound = server.start(host, p);
    server.warmUpDashboard();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close(); // stop taking requests, write what was accepted
      store.close();
      stopped.countDown();
    }, "tally-shutdown"));
    out.println((gatewayOnly ? "Tally gateway replica" : "Tally") + " is running at http://" + ("0.0.0.0".equals(host) ? "localhost" : host) + ":" + bound + "/");
    String base = "http://" + ("0.0.0.0".equals(host) ? "localhost" : host) + ":" + bound;
    out.println("Gateway: ANTHROPIC_BASE_URL=" + base + "  OPENAI_BASE_URL=" + base + "/v1  (keys: tally keys create --help)");
    out.println("Ledger: " + (postgres ? PostgresStore.redact(url) : home.database()));
    if (!postgres) {
      openToOthers(home.database()).ifPresent(out::println);
    }
    if (password.isPresent()) {
      out.println("First admin login: user 'admin', password '" + password.get() + "' (shown once; change it after signing in)");
    } else if (env.get("TALLY_ADMIN_PASSWORD") != null) {
      out.println("Admin login: user 'admin' with the password from TALLY_ADMIN_PASSWORD");
    }
    if (!gatewayOnly && dev.tally.sources.collectors.Collectors.anyKey(env)) {
      out.println("Provider admin APIs: polled every " + (collectEvery != null ? collectEvery : env.getOrDefault("TALLY_COLLECT_EVERY", "15m"))
          + " (tally collectors status)");
    }
    out.println("Stop with Ctrl-C.");
    out.flush();
    stopped.await();
    return 0;
  }

  /**
   * A warning when other users may read the ledger: it holds password and key hashes. Ledgers are
   * created owner-only, but older ones (and copies) may not be; the mode is the owner's choice, so
   * this says how to restrict it instead of changing it.
   */
  static Optional<String> openToOthers(Path ledger) {
    try {
      var mode = Files.getPosixFilePermissions(ledger);
      if (!mode.contains(PosixFilePermission.GROUP_READ) && !mode.contains(PosixFilePermission.OTHERS_READ)) {
        return Optional.empty();
      }
      String f = ledger.toAbsolutePath().toString();
      return Optional.of("Warning: other users can read the ledger (" + PosixFilePermissions.toString(mode)
          + "), which holds password and key hashes; restrict it with: chmod 600 " + f + " " + f + "-wal " + f + "-shm");
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.empty(); // no such file yet, or no POSIX modes (Windows): nothing to say
    }
  }

  /** 15m, 1h, 90s, 2d, 0 or an ISO-8601 duration (PT15M). */
  static java.time.Duration duration(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      if (t.startsWith("p")) {
        return java.time.Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
      }
      if (t.equals("0")) {
        return java.time.Duration.ZERO;
      }
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      java.time.Duration d = switch (t.charAt(t.length() - 1)) {
        case 's' -> java.time.Duration.ofSeconds(n);
        case 'm' -> java.time.Duration.ofMinutes(n);
        case 'h' -> java.time.Duration.ofHours(n);
        case 'd' -> java.time.Duration.ofDays(n);
        default -> throw new NumberFormatException();
      };
      if (d.isNegative()) {
        throw new NumberFormatException();
      }
      return d;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--collect-every: expected a duration such as 15m, 1h or 0, got '" + text + "'");
    }
  }
}
