package dev.tally.ingest;

import com.fasterxml.jackson.databind.JsonNode;
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
    long pauseMs = 0;
    while (running) {
      try {
        Thread.sleep(pauseMs == 0 ? 20 : pauseMs);
        spool.sync();
        if (drainOnce() > 0) {
          pauseMs = 0;
          continue;
        }
        if (lastError != null) {
          log.accept("the store is back; the spool is drained");
          lastError = null;
        }
        pauseMs = 0;
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
    if (p.events().isEmpty()) {
      return 0;
    }
    List<UsageEvent> events = new ArrayList<>(p.events().size());
    for (JsonNode n : p.events()) {
      try {
        events.add(EventJson.fromJson(n));
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
