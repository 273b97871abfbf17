package dev.tally.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Callable;

/**
 * Copies SQLite's write-ahead log into the database file on a thread of its own while the writer
 * goes on. Left to SQLite, a commit does it on the writer's thread once the log reaches its size
 * limit, and closing the last connection does the rest: after a first scan of 500 MB of logs that
 * was ~50 MB of log copied and flushed at exit, ~0.2 s that whoever ran the report waited for.
 */
final class WalCheckpoints implements AutoCloseable {
  /** ~6 MB of log when a first scan writes them (the log holds ~1.2 KB an event then). */
  static final int EVENTS_PER_CHECKPOINT = 5_000;

  private final Callable<Connection> connect;
  /** Opened by the first checkpoint; used by one checkpoint thread at a time. */
  private Connection connection;
  private Thread running;
  private boolean closed;
  private long sinceLast;

  WalCheckpoints(Callable<Connection> connect) {
    this.connect = connect;
  }

  /**
   * Called after every commit of {@code changes} events: starts a checkpoint once enough were
   * written since the last one, unless one is running. A checkpoint after every small commit (the
   * gateway's spool drain commits ten times a second) would copy the same hot pages again and again.
   */
  synchronized void committed(int changes) {
    sinceLast += changes;
    if (sinceLast >= EVENTS_PER_CHECKPOINT && !closed && (running == null || !running.isAlive())) {
      sinceLast = 0; // isAlive() false: the last checkpoint's writes are visible to the next one
      running = Thread.ofPlatform().daemon().name("tally-checkpoint").start(this::checkpoint);
    }
  }

  private void checkpoint() {
    try {
      if (connection == null) {
        connection = connect.call();
      }
      try (Statement st = connection.createStatement()) {
        // PASSIVE: copies what no reader still needs, never waits for a lock, never blocks the writer
        st.execute("PRAGMA wal_checkpoint(PASSIVE)");
      }
    } catch (Exception e) {
      // the next commit tries again, and SQLite's own checkpoints still run
    }
  }

  /** Waits for a running checkpoint; the writer's close then copies what is left. */
  @Override
  public void close() {
    Thread last;
    synchronized (this) {
      closed = true;
      last = running;
    }
    boolean interrupted = false;
    while (last != null && last.isAlive()) {
      try {
        last.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // nothing of the ledger's is lost with it
      }
    }
  }
}
