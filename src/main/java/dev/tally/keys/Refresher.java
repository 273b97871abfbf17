package dev.tally.keys;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a refresh of cached data in the background, one at a time, so a request never waits for
 * the database to confirm what is already known (and keeps being served while it is down).
 */
public final class Refresher {
  private final AtomicBoolean running = new AtomicBoolean();
  private final String name;

  public Refresher(String name) {
    this.name = name;
  }

  /** Starts {@code work} on a virtual thread unless a refresh is already under way. */
  public void trigger(Runnable work) {
    if (running.compareAndSet(false, true)) {
      Thread.ofVirtual().name(name).start(() -> {
        try {
          work.run();
        } catch (RuntimeException e) {
          // the database is away: the cached answers stay until the next try
        } finally {
          running.set(false);
        }
      });
    }
  }
}
