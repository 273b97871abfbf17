package dev.tally.surfaces.http;

import dev.tally.directory.Directory;
import dev.tally.ingest.ReportedIngest;
import dev.tally.ledger.ReportedUsage;
import dev.tally.ledger.Seat;
import dev.tally.sources.collectors.Collected;
import dev.tally.sources.collectors.Collector;
import dev.tally.sources.collectors.CollectorException;
import dev.tally.sources.collectors.Collectors;
import dev.tally.store.CollectorStore;
import dev.tally.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The provider collectors inside {@code tally serve}: every {@code every} each enabled collector
 * runs from its stored watermark (or {@link #FIRST_WINDOW} back), all in parallel and each on its
 * own (one provider failing or hanging never holds up or spoils the others). Its rows go through
 * {@link ReportedIngest} (so they never double what was metered), its seats and its outcome into
 * the store. A run that fails keeps the watermark where it was, so nothing is skipped.
 */
final class CollectorPolling implements AutoCloseable {
  /** How far back a provider's first run reaches. */
  static final Duration FIRST_WINDOW = Duration.ofDays(30);
  /** Days whose reports are reconciled again on every run, for metered events that arrive late. */
  static final Duration RECHECK = Duration.ofDays(7);

  /**
   * One provider's run; {@code activity} counts the activity rows (lines, tabs, requests by kind)
   * the provider reported, which are not stored (they never feed the ledger).
   */
  record Outcome(String provider, boolean ok, String error, int rows, int seats, int activity) {}

  private final List<Collector> collectors;
  private final List<String> skipped;
  private final Store store;
  private final ReportedIngest writer;
  private final Directory directory;
  private final Clock clock;
  private final Duration every;
  private final Object runLock = new Object();
  private final Object writeLock = new Object();
  private ScheduledExecutorService scheduler;
  private volatile Instant nextRun;
  private final java.util.Map<String, List<String>> notes = new java.util.concurrent.ConcurrentHashMap<>();

  CollectorPolling(Collectors.Setup setup, Store store, ReportedIngest writer, Directory directory, Clock clock,
      Duration every) {
    this.collectors = setup.collectors();
    this.skipped = setup.skipped();
    this.store = store;
    this.writer = writer;
    this.directory = directory;
    this.clock = clock;
    this.every = every;
  }

  List<String> providers() {
    return collectors.stream().map(Collector::provider).toList();
  }

  List<String> skipped() {
    return skipped;
  }

  Duration every() {
    return every;
  }

  /** The notes of the provider's last successful run (a balance, a key's limit, a day not ready), in memory only. */
  List<String> notes(String provider) {
    return notes.getOrDefault(provider, List.of());
  }

  /** When the scheduler runs next; null when scheduling is off. */
  Instant nextRun() {
    return nextRun;
  }

  /** Starts polling (the first run at once) unless the interval is 0 or no provider is enabled. */
  void start() {
    if (every.isZero() || every.isNegative() || collectors.isEmpty()) {
      return;
    }
    nextRun = clock.instant();
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("tally-collectors").daemon().unstarted(r));
    scheduler.scheduleWithFixedDelay(() -> {
      try {
        runNow();
      } catch (RuntimeException e) {
        // every provider's failure is already recorded; keep the schedule alive whatever happens
      }
    }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs every enabled collector now (waiting for a scheduled run in progress to finish first). */
  List<Outcome> runNow() {
    synchronized (runLock) {
      Instant now = clock.instant();
      List<Outcome> outcomes = new ArrayList<>();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<Outcome>> futures = new ArrayList<>();
        for (Collector c : collectors) {
          futures.add(pool.submit(() -> runOne(c, now)));
        }
        for (int i = 0; i < futures.size(); i++) {
          try {
            outcomes.add(futures.get(i).get());
          } catch (java.util.concurrent.ExecutionException e) {
            outcomes.add(new Outcome(collectors.get(i).provider(), false, describe(e.getCause()), 0, 0, 0));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
      if (scheduler != null) {
        nextRun = clock.instant().plus(every);
      }
      return outcomes;
    }
  }

  private Outcome runOne(Collector c, Instant now) {
    String provider = c.provider();
    CollectorStore state = store.collectors();
    try {
      Instant mark = state.state(provider).map(CollectorStore.StateRow::watermark).orElse(null);
      Instant from = now.minus(FIRST_WINDOW);
      Instant start = mark != null && mark.isAfter(from) ? mark : from;
      Collected got = c.collect(start.isBefore(now) ? start : now, now);
      synchronized (writeLock) { // fetch in parallel, write one provider at a time
        store(provider, got, now);
      }
      notes.put(provider, got.notes());
      return new Outcome(provider, true, null, got.usage().size(), got.seats().size(), got.activity().size());
    } catch (RuntimeException e) {
      String error = describe(e);
      try {
        state.recordFailure(provider, clock.instant(), error);
      } catch (RuntimeException ignored) {
        // the database is away too: the outcome still says what happened
      }
      return new Outcome(provider, false, error, 0, 0, 0);
    }
  }

  /** Writes one provider's run: report rows through the precedence rule, seats, then the new watermark. */
  private void store(String provider, Collected got, Instant now) {
    for (ReportedUsage r : got.usage()) {
      directory.adoptIdentity(r.identity()); // an email seen for the first time becomes a person
    }
    got.seats().forEach(s -> directory.adoptIdentity(s.identity()));
    writer.write(provider, got.usage(), now.minus(RECHECK));
    List<CollectorStore.SeatRow> seats = new ArrayList<>();
    for (Seat s : got.seats()) {
      seats.add(new CollectorStore.SeatRow(provider, s.identity(), s.plan(), null, s.cycleSpendMicros(), s.lastActivity(), now));
    }
    if (!seats.isEmpty()) {
      store.collectors().replaceSeats(provider, seats);
    }
    store.collectors().recordSuccess(provider, clock.instant(), got.closedUntil());
  }

  private static String describe(Throwable t) {
    if (t instanceof CollectorException) {
      return t.getMessage();
    }
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      try {
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
