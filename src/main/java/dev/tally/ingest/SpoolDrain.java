package dev.tally.ingest;

import dev.tally.ledger.UsageEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Moves spooled events into the store in batches, on one background thread, and acknowledges them
 * only after the store committed them. When the store is down the events wait in the spool (and
 * keep arriving there); the drain retries with growing pauses and catches up when it is back.
 */
public final class SpoolDrain implements AutoCloseable {
  private static final int BATCH = 5_000;
  /** How long usage may wait in the spool before it is written (and shows in reports). */
  private static final long PAUSE_MS = 100;
  private final Spool spool;
  private final Ingest ingest;
  private final Consumer<String> log;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile String lastError;

  public SpoolDrain(Spool spool, Ingest ingest, Consumer<String> log) {
    this.spool = spool;
    this.ingest = ingest;
    this.log = log;
    this.thread = Thread.ofPlatform().name("tally-spool-drain").daemon().start(this::run);
  }

  private void run() {
    long pauseMs = PAUSE_MS;
    while (running) {
      try {
        Thread.sleep(pauseMs);
        spool.sync();
        int moved = drainOnce();
        if (lastError != null) {
          log.accept("the store is back; the spool is drained");
          lastError = null;
        }
        // a full batch means more is waiting; otherwise gather for a while: one transaction per
        // tenth of a second costs the store far less than one per handful of requests
        pauseMs = moved >= BATCH ? 0 : PAUSE_MS;
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException | IOException e) {
        String message = e.getClass().getSimpleName() + ": " + e.getMessage();
        if (!message.equals(lastError)) {
          log.accept("cannot write spooled usage to the store, will retry: " + message);
        }
        lastError = message;
        pauseMs = Math.min(30_000, Math.max(250, pauseMs * 2));
      }
    }
  }

  /** Writes one batch; returns how many events it moved. */
  public int drainOnce() throws IOException {
    Spool.Pending p = spool.pending(BATCH);
    if (p.lines().isEmpty()) {
      return 0;
    }
    List<UsageEvent> events = new ArrayList<>(p.lines().size());
    for (String line : p.lines()) {
      try {
        events.add(EventJson.fromJson(line));
      } catch (EventJson.InvalidEvent e) {
        log.accept("skipped an unreadable spooled event: " + e.getMessage());
      }
    }
    ingest.write(events, List.of());
    spool.acknowledge(p.endOffset());
    return events.size();
  }

  /** Bytes of usage waiting for the store. */
  public long backlogBytes() {
    try {
      return spool.pendingBytes();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Drains what it can, then stops. */
  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5_000);
      while (drainOnce() > 0) {
        // flush what was accepted before shutdown
      }
      spool.sync();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      log.accept("usage left in the spool for the next start: " + e.getMessage());
    }
  }
}
