package dev.tally.sources.logs;

import dev.tally.ingest.EventSink;
import dev.tally.ledger.UsageEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Reads what is new in every agent log and hands it to ingest. Files whose size, time and identity
 * match their saved cursor are skipped without being opened, so a run with nothing new costs one
 * {@code stat} per file. Changed files are read on two threads; a file replaced or truncated since
 * the last scan is read again from the start (ingest merges what it already has).
 */
public final class LogScanner {
  /** Events per batch handed to the sink. */
  static final int BATCH = 5_000;

  /** Progress: bytes read so far out of the bytes to read. */
  public interface Progress {
    void update(long done, long total);

    Progress NONE = (done, total) -> {};
  }

  private final List<LogSource> sources;
  private final CursorStore cursors;
  private final EventSink sink;
  private final Progress progress;
  private final int threads;

  public LogScanner(List<LogSource> sources, CursorStore cursors, EventSink sink, Progress progress) {
    this(sources, cursors, sink, progress, 2);
  }

  LogScanner(List<LogSource> sources, CursorStore cursors, EventSink sink, Progress progress, int threads) {
    this.sources = List.copyOf(sources);
    this.cursors = cursors;
    this.sink = sink;
    this.progress = progress;
    this.threads = threads;
  }

  private record Work(LogSource source, Path file, FileCursor cursor, long bytes) {}

  public ScanResult scan() {
    long started = System.nanoTime();
    Map<String, FileCursor> saved = cursors.cursors();
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    List<Work> work = new ArrayList<>();
    int seen = 0;
    for (LogSource source : sources) {
      List<Path> files;
      try {
        files = source.discover();
      } catch (IOException | RuntimeException e) {
        problems.add(source.agent() + ": " + e.getMessage());
        continue;
      }
      for (Path f : files) {
        try {
          FileKeys k = FileKeys.of(f);
          if (!k.regular()) {
            continue;
          }
          seen++;
          FileCursor c = saved.get(f.toString());
          if (k.unchangedSince(c)) {
            continue;
          }
          FileCursor from = k.replacedSince(c) ? null : c;
          work.add(new Work(source, f, from, k.size() - (from == null ? 0 : from.offset())));
        } catch (IOException e) {
          problems.add(f + ": " + e.getMessage());
        }
      }
    }
    // biggest first, so two threads finish together
    work.sort(Comparator.comparingLong(Work::bytes).reversed());
    long totalBytes = work.stream().mapToLong(Work::bytes).sum();
    AtomicLong doneBytes = new AtomicLong();
    AtomicLong lines = new AtomicLong();
    AtomicLong events = new AtomicLong();
    AtomicLong malformed = new AtomicLong();
    long bytesRead = 0;
    if (!work.isEmpty()) {
      Batcher batcher = new Batcher(sink);
      ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, work.size()), r -> {
        Thread t = new Thread(r, "tally-scan");
        t.setDaemon(true);
        return t;
      });
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (Work w : work) {
          futures.add(pool.submit(() -> {
            try {
              List<UsageEvent> mine = new ArrayList<>();
              FileCursor next = w.source().read(w.file(), w.cursor(), e -> {
                mine.add(e);
                if (mine.size() >= BATCH) {
                  batcher.add(new ArrayList<>(mine), null);
                  mine.clear();
                }
              });
              batcher.add(mine, next);
              lines.addAndGet(next.lines() - (w.cursor() == null ? 0 : w.cursor().lines()));
              malformed.addAndGet(next.malformedLines() - (w.cursor() == null ? 0 : w.cursor().malformedLines()));
            } catch (IOException | RuntimeException e) {
              problems.add(w.file() + ": " + e.getMessage());
            }
            progress.update(doneBytes.addAndGet(w.bytes()), totalBytes);
          }));
        }
        for (Future<?> f : futures) {
          f.get();
        }
        batcher.flush();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("scan interrupted", e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      } finally {
        pool.shutdownNow();
      }
      events.set(batcher.count());
      bytesRead = totalBytes;
    }
    return new ScanResult(seen, work.size(), bytesRead, lines.get(), events.get(), malformed.get(),
        List.copyOf(problems), Duration.ofNanos(System.nanoTime() - started));
  }

  /**
   * Gathers events from the reading threads into batches for the sink. A file's cursor travels in
   * the same batch as the file's last events, so it is never saved before them.
   */
  private static final class Batcher {
    private final EventSink sink;
    private List<UsageEvent> pending = new ArrayList<>();
    private List<FileCursor> pendingCursors = new ArrayList<>();
    private long count;

    Batcher(EventSink sink) {
      this.sink = sink;
    }

    synchronized void add(List<UsageEvent> more, FileCursor cursor) {
      pending.addAll(more);
      count += more.size();
      if (cursor != null) {
        pendingCursors.add(cursor);
      }
      if (pending.size() >= BATCH) {
        send();
      }
    }

    synchronized long count() {
      return count;
    }

    synchronized void flush() {
      send();
    }

    private void send() {
      if (pending.isEmpty() && pendingCursors.isEmpty()) {
        return;
      }
      sink.accept(pending, pendingCursors);
      pending = new ArrayList<>();
      pendingCursors = new ArrayList<>();
    }
  }
}
