package dev.tally.sources.collectors;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per provider: the watermark (every bucket before it is final and already collected) and the
 * last success and error, for {@code tally collectors status}. Implementations must be thread-safe:
 * providers run in parallel.
 */
public interface CollectorState {

  /** The provider's last run as a status line would show it; times are null when it never happened. */
  record Status(String provider, Instant watermark, Instant lastSuccess, Instant lastFailure, String lastError) {}

  /** Where the next run may start; null when nothing was collected yet. */
  Instant watermark(String provider);

  void succeeded(String provider, Instant at, Instant watermark);

  void failed(String provider, Instant at, String error);

  Map<String, Status> statuses();

  /** Kept in memory only (standalone reports, tests). */
  static CollectorState inMemory() {
    Map<String, Status> m = new ConcurrentHashMap<>();
    return new CollectorState() {
      @Override
      public Instant watermark(String provider) {
        Status s = m.get(provider);
        return s == null ? null : s.watermark();
      }

      @Override
      public void succeeded(String provider, Instant at, Instant watermark) {
        m.compute(provider, (p, s) -> new Status(p, watermark, at, s == null ? null : s.lastFailure(),
            s == null ? null : s.lastError()));
      }

      @Override
      public void failed(String provider, Instant at, String error) {
        m.compute(provider, (p, s) -> new Status(p, s == null ? null : s.watermark(),
            s == null ? null : s.lastSuccess(), at, error));
      }

      @Override
      public Map<String, Status> statuses() {
        return Map.copyOf(m);
      }
    };
  }
}
