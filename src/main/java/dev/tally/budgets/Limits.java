package dev.tally.budgets;

import dev.tally.store.GatewayStore;
import dev.tally.store.GatewayStore.LimitCounts;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A key's rate limits: requests and tokens per minute (fixed one-minute windows) and requests in
 * flight. Counted on this replica; with replicas on a shared database, each publishes its counts a
 * few times a second and adds the others' last published counts to its own, so a limit holds across
 * all of them (overshooting by at most what the others admitted since their last publication).
 */
final class Limits implements AutoCloseable {
  /** How often counts are exchanged with the other replicas. */
  static final long EXCHANGE_EVERY_MS = 250;
  /** A replica not heard from for this long holds no in-flight slots (it died mid-request). */
  static final long ALIVE_MS = 3_000;

  private final Clock clock;
  private final GatewayStore shared;
  private final String replica = UUID.randomUUID().toString();
  private final ScheduledExecutorService exchanges;
  private final Map<Long, Window> windows = new ConcurrentHashMap<>();
  private final Map<Long, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private volatile Map<Long, LimitCounts> others = Map.of();

  private static final class Window {
    final long minute;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicLong tokens = new AtomicLong();

    Window(long minute) {
      this.minute = minute;
    }
  }

  /**
   * @param shared the database other replicas use, or null when this process is the only gateway;
   *     counts are then exchanged every {@link #EXCHANGE_EVERY_MS} in the background until {@link #close}
   */
  Limits(Clock clock, GatewayStore shared) {
    this.clock = clock;
    this.shared = shared;
    if (shared == null) {
      exchanges = null;
    } else {
      exchanges = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("tally-limit-exchange").factory());
      exchanges.scheduleWithFixedDelay(() -> {
        try {
          exchange();
        } catch (RuntimeException databaseDown) {
          // the last known counts stay in use: limits then hold per replica, and requests are served
        }
      }, 0, EXCHANGE_EVERY_MS, TimeUnit.MILLISECONDS);
    }
  }

  private Window window(long keyId) {
    long minute = clock.millis() / 60_000;
    return windows.compute(keyId, (k, w) -> w == null || w.minute != minute ? new Window(minute) : w);
  }

  /** Seconds until the current minute ends (at least 1). */
  long secondsToNextMinute() {
    return Math.max(1, (60_000 - clock.millis() % 60_000 + 999) / 1000);
  }

  /** Null and a slot taken when the request may start; else the limit it hits. */
  String acquire(long keyId, Integer rpm, Integer tpm, Integer concurrency) {
    Window w = window(keyId);
    LimitCounts elsewhere = others.get(keyId);
    boolean sameMinute = elsewhere != null && elsewhere.minute() == w.minute;
    long otherRequests = sameMinute ? elsewhere.requests() : 0;
    long otherTokens = sameMinute ? elsewhere.tokens() : 0;
    int otherInFlight = elsewhere == null ? 0 : elsewhere.inFlight();
    long tokens = w.tokens.get() + otherTokens;
    if (tpm != null && tokens >= tpm) {
      return "tokens-per-minute limit of " + tpm + " reached (" + tokens + " used this minute)";
    }
    if (rpm != null && w.requests.incrementAndGet() + otherRequests > rpm) {
      w.requests.decrementAndGet();
      return "requests-per-minute limit of " + rpm + " reached";
    }
    AtomicInteger running = inFlight.computeIfAbsent(keyId, k -> new AtomicInteger());
    if (running.incrementAndGet() + otherInFlight > (concurrency == null ? Integer.MAX_VALUE : concurrency)) {
      running.decrementAndGet();
      if (rpm != null) {
        w.requests.decrementAndGet();
      }
      return "concurrent-requests limit of " + concurrency + " reached";
    }
    return null;
  }

  void release(long keyId, long tokens) {
    AtomicInteger running = inFlight.get(keyId);
    if (running != null) {
      running.decrementAndGet();
    }
    if (tokens > 0) {
      window(keyId).tokens.addAndGet(tokens);
    }
  }

  /** True when the refusal was for concurrency, which frees up within seconds, not at the minute. */
  static boolean isConcurrency(String reason) {
    return reason.startsWith("concurrent");
  }

  /** Publishes this replica's counts and takes the others'. */
  void exchange() {
    long now = clock.millis();
    long minute = now / 60_000;
    List<LimitCounts> mine = new ArrayList<>();
    inFlight.forEach((key, running) -> {
      if (!windows.containsKey(key)) {
        mine.add(new LimitCounts(key, minute, 0, 0, running.get()));
      }
    });
    windows.forEach((key, w) -> {
      AtomicInteger running = inFlight.get(key);
      int flying = running == null ? 0 : running.get();
      mine.add(w.minute == minute ? new LimitCounts(key, minute, w.requests.get(), w.tokens.get(), flying)
          : new LimitCounts(key, minute, 0, 0, flying));
    });
    others = shared.shareLimits(replica, minute, mine, now, now - ALIVE_MS);
  }

  @Override
  public void close() {
    if (exchanges != null) {
      exchanges.shutdownNow();
    }
  }
}
