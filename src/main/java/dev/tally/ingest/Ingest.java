package dev.tally.ingest;

import dev.tally.ledger.Cost;
import dev.tally.ledger.LedgerEvent;
import dev.tally.ledger.UsageEvent;
import dev.tally.sources.logs.FileCursor;
import dev.tally.store.Store;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The only writer of the ledger. Every source hands its events here; each batch is deduplicated
 * (within itself and against what is stored), priced and written with its cursors in one
 * transaction.
 *
 * <p>{@link #write} does the work on the caller's thread. {@link #accept} queues the batch for a
 * single background writer (a bounded queue, so producers slow down instead of filling memory);
 * {@link #flush} waits for the queue to drain and reports a writer failure.
 */
public final class Ingest implements EventSink, AutoCloseable {

  /** What one or more batches did. */
  public record Result(long received, long inserted, long updated, long duplicates) {
    public static final Result NONE = new Result(0, 0, 0, 0);

    Result plus(Result o) {
      return new Result(received + o.received, inserted + o.inserted, updated + o.updated,
          duplicates + o.duplicates);
    }
  }

  private record Batch(List<UsageEvent> events, List<FileCursor> cursors, CountDownLatch done) {}

  private final CompletableFuture<Store> opening;
  /** The store once {@link #opening} is done; read through {@link #store()}. */
  private volatile Store store;
  private final Pricer pricer;
  private final String defaultIdentity;
  private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(4);
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private final Object resultLock = new Object();
  private Result total = Result.NONE;
  private Thread writerThread;
  /**
   * Keys this instance wrote, while the store held nothing else: a key not in here is then new for
   * sure and needs no lookup. This makes a first scan of a large history a pure insert. Dropped
   * (null) when the store had events before, or when it grows past {@link WrittenKeys#LIMIT}.
   */
  private WrittenKeys writtenKeys;

  /**
   * @param defaultIdentity who events without an identity belong to (for local logs: this machine's
   *     user); may be null
   */
  public Ingest(Store store, Pricer pricer, String defaultIdentity) {
    this(CompletableFuture.completedFuture(Objects.requireNonNull(store)), pricer, defaultIdentity);
  }

  /**
   * Ingest into a store that is still being opened (SQLite's library loading, a new ledger being
   * created): batches queue up meanwhile, and the first write waits for the store.
   */
  public Ingest(CompletableFuture<Store> opening, Pricer pricer, String defaultIdentity) {
    this.opening = Objects.requireNonNull(opening);
    this.pricer = Objects.requireNonNull(pricer);
    this.defaultIdentity = defaultIdentity;
  }

  /** The store this writes to, waited for when it is still being opened (its error is this call's error). */
  public Store store() {
    Store s = store;
    if (s != null) {
      return s;
    }
    synchronized (opening) {
      if (store == null) {
        Store opened;
        try {
          opened = opening.join();
        } catch (CompletionException e) {
          throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        // only a sole writer can know every key without asking; PostgreSQL may have other writers
        writtenKeys = opened.soleWriter() && opened.isEmpty() ? new WrittenKeys() : null;
        store = opened;
      }
      return store;
    }
  }

  /** Everything written so far through this instance. */
  public Result total() {
    synchronized (resultLock) {
      return total;
    }
  }

  /**
   * Deduplicates, prices and writes one batch now, on this thread. Where the store runs several
   * writes at once (PostgreSQL) batches do not wait for each other; one that clashed with another
   * (the same new request in both) is done again, and then finds the other's.
   */
  public Result write(List<UsageEvent> events, List<FileCursor> cursors) {
    if (!store().parallelWrites()) {
      synchronized (this) {
        return writeOnce(events, cursors);
      }
    }
    for (int attempt = 1; ; attempt++) {
      try {
        return store().writing(() -> writeOnce(events, cursors));
      } catch (dev.tally.store.StoreException e) {
        if (!e.retryable() || attempt == MAX_ATTEMPTS) {
          throw e;
        }
        try { // the other writer has committed: go again at once, or a little later when it keeps happening
          Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(attempt * 5));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private static final int MAX_ATTEMPTS = 20;

  private Result writeOnce(List<UsageEvent> events, List<FileCursor> cursors) {
    Map<String, UsageEvent> byKey = collapse(events);
    List<String> lookup = new ArrayList<>(byKey.size());
    for (String k : byKey.keySet()) {
      if (writtenKeys == null || writtenKeys.mightContain(k)) {
        lookup.add(k);
      }
    }
    Map<String, LedgerEvent> stored = new HashMap<>(lookup.isEmpty() ? Map.of() : store().findByDedupKeys(lookup));
    Map<String, String> messageKeys = new HashMap<>();
    for (UsageEvent e : byKey.values()) {
      String mk = Store.messageKey(e.provider(), e.messageId());
      if (mk != null && !stored.containsKey(e.dedupKey()) && (writtenKeys == null || writtenKeys.mightContain(mk))) {
        messageKeys.put(mk, e.dedupKey());
      }
    }
    if (!messageKeys.isEmpty()) {
      store().findByMessageKeys(messageKeys.keySet())
          .forEach((mk, le) -> stored.putIfAbsent(messageKeys.get(mk), le));
    }

    List<Store.Change> changes = new ArrayList<>(byKey.size());
    long inserted = 0;
    long updated = 0;
    long duplicates = events.size() - byKey.size();
    Map<String, Integer> changeIndexByStoredKey = new HashMap<>();
    for (UsageEvent incoming : byKey.values()) {
      LedgerEvent before = stored.get(incoming.dedupKey());
      if (before == null) {
        changes.add(new Store.Change(null, price(incoming)));
        inserted++;
        continue;
      }
      // Two incoming keys may resolve to the same stored event (by message id): chain them.
      Integer earlier = changeIndexByStoredKey.get(before.event().dedupKey());
      LedgerEvent base = earlier == null ? before : changes.get(earlier).after();
      UsageEvent merged = Merge.merge(base.event(), incoming);
      if (merged.equals(base.event())) {
        duplicates++;
        continue;
      }
      LedgerEvent after = price(merged);
      if (earlier == null) {
        changeIndexByStoredKey.put(before.event().dedupKey(), changes.size());
        changes.add(new Store.Change(before, after));
        updated++;
      } else {
        changes.set(earlier, new Store.Change(before, after));
        duplicates++;
      }
    }
    store().apply(changes, cursors);
    rememberKeys(changes);
    Result r = new Result(events.size(), inserted, updated, duplicates);
    synchronized (resultLock) {
      total = total.plus(r);
    }
    return r;
  }

  /**
   * Writes aggregate slices (admin-API remainders) whose figures may go down as well as up: each
   * event replaces its stored copy as a whole instead of merging with it, and the stored events
   * whose keys are in {@code remove} are deleted (their rollups go with them).
   */
  public synchronized Result replace(List<UsageEvent> events, java.util.Collection<String> remove) {
    Map<String, UsageEvent> byKey = new LinkedHashMap<>();
    events.forEach(e -> byKey.put(e.dedupKey(), e));
    java.util.Set<String> keys = new java.util.LinkedHashSet<>(byKey.keySet());
    keys.addAll(remove);
    Map<String, LedgerEvent> stored = keys.isEmpty() ? Map.of() : store().findByDedupKeys(keys);
    List<Store.Change> changes = new ArrayList<>();
    long inserted = 0;
    long updated = 0;
    long duplicates = 0;
    for (UsageEvent e : byKey.values()) {
      LedgerEvent before = stored.get(e.dedupKey());
      LedgerEvent after = price(e);
      if (before == null) {
        changes.add(new Store.Change(null, after));
        inserted++;
      } else if (before.equals(after)) {
        duplicates++;
      } else {
        changes.add(new Store.Change(before, after));
        updated++;
      }
    }
    for (String k : remove) {
      LedgerEvent before = stored.get(k);
      if (before != null && !byKey.containsKey(k)) {
        changes.add(new Store.Change(before, null));
        updated++;
      }
    }
    store().apply(changes, List.of());
    rememberKeys(changes);
    Result r = new Result(events.size(), inserted, updated, duplicates);
    synchronized (resultLock) {
      total = total.plus(r);
    }
    return r;
  }

  /**
   * Prices the stored raw events in [from, to) again with the current price table and moves the
   * rollups by the difference. Events already removed by retention keep their rollup cost.
   */
  public Result reprice(java.time.Instant from, java.time.Instant to) {
    long updated = 0;
    long seen = 0;
    java.time.Instant start = from;
    while (start.isBefore(to)) {
      java.time.Instant end = start.plus(java.time.Duration.ofDays(1)).isAfter(to) ? to : start.plus(java.time.Duration.ofDays(1));
      List<Store.Change> changes = new ArrayList<>();
      for (LedgerEvent before : store().events(new dev.tally.store.UsageQuery(start, end, List.of(), Map.of(), false))) {
        seen++;
        LedgerEvent after = price(before.event());
        if (!after.equals(before)) {
          changes.add(new Store.Change(before, after));
        }
      }
      store().apply(changes, List.of());
      updated += changes.size();
      start = end;
    }
    return new Result(seen, 0, updated, 0);
  }

  private void rememberKeys(List<Store.Change> changes) {
    if (writtenKeys == null) {
      return;
    }
    for (Store.Change c : changes) {
      if (c.after() == null) {
        continue;
      }
      UsageEvent e = c.after().event();
      writtenKeys.add(e.dedupKey());
      String mk = Store.messageKey(e.provider(), e.messageId());
      if (mk != null) {
        writtenKeys.add(mk);
      }
    }
    if (writtenKeys.full()) {
      writtenKeys = null; // fall back to asking the store
    }
  }

  /** Collapses copies of one request inside a batch, by dedup key and then by message id. */
  private Map<String, UsageEvent> collapse(List<UsageEvent> events) {
    Map<String, UsageEvent> byKey = new LinkedHashMap<>();
    Map<String, String> keyByMessage = new HashMap<>();
    for (UsageEvent raw : events) {
      UsageEvent e = raw.identity() == null && defaultIdentity != null ? raw.withIdentity(defaultIdentity) : raw;
      String key = e.dedupKey();
      if (!byKey.containsKey(key)) {
        String mk = Store.messageKey(e.provider(), e.messageId());
        String other = mk == null ? null : keyByMessage.putIfAbsent(mk, key);
        if (other != null) {
          key = other;
        }
      }
      UsageEvent existing = byKey.get(key);
      byKey.put(key, existing == null ? e : Merge.merge(existing, e));
    }
    return byKey;
  }

  private LedgerEvent price(UsageEvent e) {
    Cost cost = pricer.price(e.provider(), e.model(), e.tokens());
    String modelId = cost.priced() ? cost.pricedAs() : e.model().toLowerCase(Locale.ROOT);
    return new LedgerEvent(e, modelId, cost);
  }

  // ---------------------------------------------------------------- background writer

  /** Queues a batch for the background writer; blocks while the queue is full. */
  @Override
  public void accept(List<UsageEvent> events, List<FileCursor> cursors) {
    throwIfFailed();
    startWriter();
    try {
      queue.put(new Batch(List.copyOf(events), List.copyOf(cursors), null));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while queueing events", e);
    }
  }

  /** Waits until every queued batch is written; rethrows the writer's failure, if any. */
  public void flush() {
    if (writerThread != null) {
      CountDownLatch done = new CountDownLatch(1);
      try {
        queue.put(new Batch(List.of(), List.of(), done));
        while (!done.await(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
          if (!writerThread.isAlive()) {
            break;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while flushing events", e);
      }
    }
    throwIfFailed();
  }

  private synchronized void startWriter() {
    if (writerThread != null) {
      return;
    }
    writerThread = Thread.ofPlatform().name("tally-ingest-writer").daemon().start(() -> {
      List<Batch> taken = new ArrayList<>();
      while (true) {
        taken.clear();
        try {
          taken.add(queue.take());
        } catch (InterruptedException e) {
          return;
        }
        // Batches that queued up while the last transaction ran go into one: when the writer falls
        // behind, its transactions grow, and each index page is written once for all of them
        // instead of once per batch (a first scan's writes ~25% cheaper than 5,000 at a time).
        queue.drainTo(taken);
        List<UsageEvent> events = new ArrayList<>();
        List<FileCursor> cursors = new ArrayList<>();
        for (Batch b : taken) {
          events.addAll(b.events());
          cursors.addAll(b.cursors());
        }
        if (failure.get() == null && !(events.isEmpty() && cursors.isEmpty())) {
          try {
            write(events, cursors);
          } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
          }
        }
        for (Batch b : taken) {
          if (b.done() != null) {
            b.done().countDown();
          }
        }
      }
    });
  }

  private void throwIfFailed() {
    RuntimeException e = failure.get();
    if (e != null) {
      failureReported = true;
      throw e;
    }
  }

  /** Set once the writer's failure was thrown to a caller: close() then does not throw it again. */
  private volatile boolean failureReported;

  @Override
  public void close() {
    try {
      if (!failureReported) {
        flush();
      }
    } finally {
      if (writerThread != null) {
        writerThread.interrupt();
      }
    }
  }
}
