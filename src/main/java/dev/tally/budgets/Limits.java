package dev.tally.budgets;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A key's rate limits on this replica: requests and tokens per minute (fixed one-minute windows)
 * and requests in flight.
 */
final class Limits {
  private final Clock clock;
  private final Map<Long, Window> windows = new ConcurrentHashMap<>();
  private final Map<Long, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  private static final class Window {
    final long minute;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicLong tokens = new AtomicLong();

    Window(long minute) {
      this.minute = minute;
    }
  }

  Limits(Clock clock) {
    this.clock = clock;
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
    if (tpm != null && w.tokens.get() >= tpm) {
      return "tokens-per-minute limit of " + tpm + " reached (" + w.tokens.get() + " used this minute)";
    }
    if (rpm != null && w.requests.incrementAndGet() > rpm) {
      w.requests.decrementAndGet();
      return "requests-per-minute limit of " + rpm + " reached";
    }
    AtomicInteger running = inFlight.computeIfAbsent(keyId, k -> new AtomicInteger());
    if (running.incrementAndGet() > (concurrency == null ? Integer.MAX_VALUE : concurrency)) {
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
}
