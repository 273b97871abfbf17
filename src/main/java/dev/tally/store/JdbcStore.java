package dev.tally.store;

import dev.tally.ledger.Cost;
import dev.tally.ledger.LedgerEvent;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tags;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import dev.tally.sources.logs.FileCursor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The store on JDBC. Writes happen on the caller's thread inside one transaction per {@link
 * #apply} call; ingest makes sure only one thread writes. The SQL is the subset SQLite and
 * PostgreSQL share; the few differences live in {@link Dialect}.
 */
class JdbcStore implements Store {
  static final long HOUR_MS = 3_600_000L;
  static final long DAY_MS = 24 * HOUR_MS;
  private static final int IN_CHUNK = 500;

  private static final String EVENT_COLUMNS =
      "dedup_key, message_key, ts_ms, source, provider, model, model_id, tool, identity, key_id,"
          + " project, session_id, request_id, message_id, sidechain, input_tokens, output_tokens,"
          + " cache_write_5m, cache_write_1h, cache_read, reasoning_tokens, web_searches,"
          + " cost_micros, reported_cost_micros, price_version, priced_as, reported_cost_is_share, tags";
  private static final int EVENT_COLUMN_COUNT = EVENT_COLUMNS.split(",").length;
  private static final String SUM_COLUMNS =
      "events, input_tokens, output_tokens, cache_write_5m, cache_write_1h, cache_read,"
          + " reasoning_tokens, web_searches, cost_micros, reported_cost_micros, reported_events,"
          + " auto_cost_micros, unpriced_events";
  private static final String[] HOUR_DIMS = {
    "identity", "key_id", "provider", "model", "model_id", "tool", "project", "session_id", "source", "tags"
  };
  private static final String[] DAY_DIMS = {
    "identity", "key_id", "provider", "model", "model_id", "tool", "project", "source", "tags"
  };

  enum Dialect {
    SQLITE("MIN", "MAX", "INSTR"),
    POSTGRES("LEAST", "GREATEST", "STRPOS");

    final String min;
    final String max;
    /** (haystack, needle) → 1-based position, 0 when absent; case-sensitive in both. */
    final String find;

    Dialect(String min, String max, String find) {
      this.min = min;
      this.max = max;
      this.find = find;
    }
  }

  /** Where a new writer connection comes from after the database went away (PostgreSQL), or null. */
  private final Supplier<Connection> reconnect;
  /** The writer connection of every write that is not an {@link #writing ingest transaction}. */
  private final Lane primary;
  /** PostgreSQL: writer connections for ingest transactions, which run side by side (empty: SQLite). */
  private final java.util.concurrent.BlockingQueue<Lane> ingestLanes = new java.util.concurrent.LinkedBlockingQueue<>();
  private final int laneCount;
  /** The lane of the ingest transaction this thread is in, if any. */
  private final ThreadLocal<Lane> bound = new ThreadLocal<>();
  private final Supplier<Connection> readers;
  private final Dialect dialect;
  private final DirectoryStore directory;
  private final GatewayStore gateway;
  private final CollectorStore collectors;
  /** Bumped by every write (ledger or directory): cached answers of an older generation are stale. */
  private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
  /**
   * Per-day answers of day-keyed reads: a dashboard's 90-day series after a write recomputes only
   * the days the write touched (usually today), not all ninety. {@code dayVersions} holds, per UTC
   * day, the write that last changed it; a cached day is valid while its version is unchanged.
   */
  private final Map<Long, Long> dayVersions = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong dayClock = new java.util.concurrent.atomic.AtomicLong();
  private final Map<List<Object>, Map<Long, Kept>> dayCache = lru(64); // query shapes (grouping + filters) kept
  /** Stretches of whole days of totals reads (see {@link #segment}), by query and rollup table. */
  private final Map<List<Object>, Kept> segments = lru(256);
  private final Map<UsageQuery, CachedUsage> cache = lru(256);

  /** Rows read at {@code atMs} from days whose newest write then was {@code version}. */
  private record Kept(long version, List<UsageRow> rows, long atMs) {
    /** No write to those days since, and not older than their time to live (shorter for recent days). */
    boolean fresh(long currentVersion, boolean recent, long now) {
      return version == currentVersion && now - atMs <= (recent ? RECENT_TTL_MS : OLD_DAY_TTL_MS);
    }
  }

  /** A map that keeps the {@code max} entries used last. */
  private static <K, V> Map<K, V> lru(int max) {
    return java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > max;
      }
    });
  }

  /**
   * How long a cached answer may be used without this process having written: another process (a
   * gateway replica on the same PostgreSQL, the CLI on the same SQLite file) may have. Older days
   * change rarely (late uploads), so they are trusted longer.
   */
  static final long RECENT_TTL_MS = 5_000;
  static final long OLD_DAY_TTL_MS = 60_000;

  private record CachedUsage(long generation, List<UsageRow> rows, long atMs) {}
  private final String insertEvent;
  private final String updateEvent;
  private final Rollup hourRollup;
  private final Rollup dayRollup;
  private final Rollup monthRollup;

  /** A writer connection, and what a write on it builds (one thread uses a lane at a time). */
  private final class Lane {
    private Connection connection;
    private volatile boolean broken;
    /** PostgreSQL: the rows of the COPYs being built. */
    private final PgCopy eventCopy = new PgCopy();
    private final PgCopy[] rollupCopies = {new PgCopy(), new PgCopy(), new PgCopy()};
    /** The connection whose session holds the PostgreSQL staging tables, or null. */
    private Connection staged;

    Lane(Connection connection) throws SQLException {
      this.connection = connection;
      connection.setAutoCommit(false);
    }

    /** The connection, replaced when it broke and the database answers again. */
    Connection connection() throws SQLException {
      if (broken && !connection.isValid(2)) {
        try {
          connection.close();
        } catch (SQLException ignored) {
          // it is gone already
        }
        connection = reconnect.get();
        connection.setAutoCommit(false);
      }
      broken = false;
      return connection;
    }

    void failed() {
      broken = reconnect != null;
    }
  }

  /**
   * One rollup table: its upsert of one row, and for PostgreSQL the upsert of a whole batch from a
   * staging table of the same shape that the batch's rows are copied into.
   */
  private record Rollup(String table, String columns, String upsert, String staging, String upsertStaged) {}

  JdbcStore(Connection writer, Supplier<Connection> readers, Dialect dialect) throws SQLException {
    this(writer, readers, dialect, null, 0);
  }

  /**
   * @param reconnect gives a fresh writer connection after a failed write (a restarted PostgreSQL)
   * @param ingestLanes how many ingest transactions may run at once on connections of their own
   *     (from {@code reconnect}); 0: they share the one writer connection, one at a time
   */
  JdbcStore(Connection writer, Supplier<Connection> readers, Dialect dialect, Supplier<Connection> reconnect,
      int ingestLanes) throws SQLException {
    this.reconnect = reconnect;
    this.primary = new Lane(writer);
    for (int i = 0; i < ingestLanes; i++) {
      this.ingestLanes.add(new Lane(reconnect.get()));
    }
    this.laneCount = ingestLanes;
    this.readers = readers;
    this.dialect = dialect;
    this.directory = new JdbcDirectoryStore(readers, generation::incrementAndGet);
    this.gateway = new JdbcGatewayStore(readers);
    this.collectors = new JdbcCollectorStore(readers);
    insertEvent = "INSERT INTO events (" + EVENT_COLUMNS + ") VALUES (" + "?,".repeat(EVENT_COLUMN_COUNT - 1) + "?)";
    String update = "UPDATE events SET " + String.join(" = ?, ", EVENT_COLUMNS.split(",\\s*")) + " = ? WHERE dedup_key = ?";
    // PostgreSQL stores a message key once (V10): an event keeps its own when another row has the
    // new one already (a request stored twice before that rule; its copies merge into the first)
    updateEvent = dialect == Dialect.SQLITE ? update : update.replace("message_key = ?",
        "message_key = (SELECT CASE WHEN EXISTS (SELECT 1 FROM events o WHERE o.message_key = v.mk"
            + " AND o.dedup_key <> events.dedup_key) THEN events.message_key ELSE v.mk END FROM (SELECT CAST(? AS TEXT) AS mk) v)");
    hourRollup = rollup("rollup_hour", "hour_ms", HOUR_DIMS);
    dayRollup = rollup("rollup_day", "day_ms", DAY_DIMS);
    monthRollup = rollup("rollup_month", "month_ms", DAY_DIMS);
  }

  private Rollup rollup(String table, String timeColumn, String[] dims) {
    String keyColumns = timeColumn + ", " + String.join(", ", dims);
    String[] sums = SUM_COLUMNS.split(",\\s*");
    StringBuilder set = new StringBuilder();
    for (String s : sums) {
      set.append(s).append(" = ").append(table).append('.').append(s).append(" + excluded.").append(s).append(", ");
    }
    set.append("first_ms = ").append(dialect.min).append('(').append(table).append(".first_ms, excluded.first_ms), ");
    set.append("last_ms = ").append(dialect.max).append('(').append(table).append(".last_ms, excluded.last_ms)");
    int params = 1 + dims.length + sums.length + 2;
    String columns = keyColumns + ", " + SUM_COLUMNS + ", first_ms, last_ms";
    String onConflict = " ON CONFLICT (" + keyColumns + ") DO UPDATE SET " + set;
    String staging = "tally_staged_" + table;
    return new Rollup(table, columns,
        "INSERT INTO " + table + " (" + columns + ") VALUES (" + "?,".repeat(params - 1) + "?)" + onConflict,
        staging, "INSERT INTO " + table + " (" + columns + ") SELECT " + columns + " FROM " + staging
        + " ORDER BY " + keyColumns + onConflict); // in key order: two writers lock rows in the same order
  }

  // ---------------------------------------------------------------- writes

  @Override
  public Map<String, LedgerEvent> findByDedupKeys(Collection<String> dedupKeys) {
    return findBy("dedup_key", dedupKeys, 0);
  }

  @Override
  public Map<String, LedgerEvent> findByMessageKeys(Collection<String> messageKeys) {
    return findBy("message_key", messageKeys, 1);
  }

  private Map<String, LedgerEvent> findBy(String column, Collection<String> values, int keyIndex) {
    Map<String, LedgerEvent> found = new HashMap<>();
    List<String> list = values.stream().filter(v -> v != null).distinct().toList();
    String select = "SELECT " + EVENT_COLUMNS + " FROM events WHERE " + column;
    try {
      if (dialect == Dialect.POSTGRES) {
        if (!list.isEmpty()) { // one round trip with the keys as one array parameter, however many there are
          // in an ingest transaction the rows stay locked until it ends: no other one merges into them meanwhile
          String lock = bound.get() != null ? " ORDER BY " + column + " FOR UPDATE" : "";
          try (PreparedStatement ps = writer().prepareStatement(select + " = ANY (?)" + lock)) {
            ps.setArray(1, writer().createArrayOf("text", list.toArray()));
            readEvents(ps, keyIndex, found);
          }
        }
      } else {
        for (int i = 0; i < list.size(); i += IN_CHUNK) {
          List<String> chunk = list.subList(i, Math.min(list.size(), i + IN_CHUNK));
          try (PreparedStatement ps = Sql.prepare(writer(), select + " IN (" + "?,".repeat(chunk.size() - 1) + "?)",
              chunk.toArray())) {
            readEvents(ps, keyIndex, found);
          }
        }
      }
      if (bound.get() == null) {
        // End the read transaction: a snapshot held until the next write would make that write fail
        // (SQLITE_BUSY_SNAPSHOT) once another connection wrote in between (directory, collectors).
        writer().commit();
      }
    } catch (SQLException e) {
      lane().failed();
      throw new StoreException("reading events by " + column, e);
    }
    return found;
  }

  private static void readEvents(PreparedStatement ps, int keyIndex, Map<String, LedgerEvent> into) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        into.put(rs.getString(1 + keyIndex), readEvent(rs));
      }
    }
  }

  @Override
  public void apply(List<Change> changes, List<FileCursor> cursors) {
    if (changes.isEmpty() && cursors.isEmpty()) {
      return;
    }
    try {
      if (dialect == Dialect.POSTGRES) {
        // the rollup rows are built while the server stores the new events
        writeEvents(changes, () -> bufferRollups(changes));
        sendRollups();
      } else {
        writeEvents(changes, null);
        writeRollups(changes);
      }
      writeCursors(cursors);
      writer().commit();
      if (!changes.isEmpty()) {
        // after the commit: a reader that sees the new version also sees the new rows
        markDaysChanged(changes);
        generation.incrementAndGet();
      }
    } catch (SQLException | RuntimeException e) {
      Lane lane = lane();
      lane.failed();
      lane.staged = null; // created in this transaction, perhaps: gone with it
      lane.eventCopy.reset(); // a COPY left open would keep the connection from rolling back
      try {
        lane.connection.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e instanceof StoreException se ? se : new StoreException("writing " + changes.size() + " events", e);
    }
    committed(changes.size());
  }

  /** After every commit of {@link #apply}, on the writer's thread: SQLite checkpoints from here. */
  void committed(int changes) {}

  /** @param whileCopying work to do while PostgreSQL stores the copied events (Java only, no SQL) */
  private void writeEvents(List<Change> changes, Runnable whileCopying) throws SQLException {
    try (PreparedStatement insert = writer().prepareStatement(insertEvent);
        PreparedStatement update = writer().prepareStatement(updateEvent);
        PreparedStatement delete = writer().prepareStatement("DELETE FROM events WHERE dedup_key = ?")) {
      Sql.Batch inserts = new Sql.Batch(insert); // run along the way: the updates and deletes still follow them
      int updates = 0;
      int deletes = 0;
      PgCopy copy = dialect == Dialect.POSTGRES ? lane().eventCopy.stream(writer(), "events", EVENT_COLUMNS) : null;
      for (Change c : changes) {
        if (c.after() == null) {
          delete.setString(1, c.before().event().dedupKey());
          delete.addBatch();
          deletes++;
        } else if (c.before() == null && copy != null) {
          for (Object v : eventValues(c.after())) {
            copy.value(v);
          }
          copy.endRow();
        } else if (c.before() == null) {
          bindEvent(insert, c.after());
          inserts.add();
        } else {
          bindEvent(update, c.after());
          update.setString(EVENT_COLUMN_COUNT + 1, c.before().event().dedupKey());
          update.addBatch();
          updates++;
        }
      }
      if (copy != null) {
        try {
          if (whileCopying != null) {
            whileCopying.run();
          }
          copy.finish();
        } finally {
          copy.reset();
        }
      }
      inserts.finish();
      if (updates > 0) {
        update.executeBatch();
      }
      if (deletes > 0) {
        delete.executeBatch();
      }
    }
  }

  /**
   * The event's values in {@link #EVENT_COLUMNS} order (Long, Integer, String or null): what an
   * INSERT binds and what COPY sends.
   */
  private static Object[] eventValues(LedgerEvent le) {
    UsageEvent e = le.event();
    Tokens t = e.tokens();
    return new Object[] {
      e.dedupKey(),
      Store.messageKey(e.provider(), e.messageId()),
      e.timestamp().toEpochMilli(),
      e.source().wireName(),
      e.provider(),
      e.model(),
      le.modelId(),
      e.tool(),
      e.identity(),
      e.keyId(),
      e.project(),
      e.sessionId(),
      e.requestId(),
      e.messageId(),
      e.sidechain() ? 1 : 0,
      t.input(),
      t.output(),
      t.cacheWrite5m(),
      t.cacheWrite1h(),
      t.cacheRead(),
      t.reasoning(),
      t.webSearches(),
      le.cost().micros(),
      e.reportedCostMicros(),
      le.cost().priceVersion(),
      le.cost().pricedAs(),
      e.reportedCostIsShare() ? 1 : 0,
      Tags.join(e.tags()),
    };
  }

  private static void bindEvent(PreparedStatement ps, LedgerEvent le) throws SQLException {
    Sql.bind(ps, eventValues(le));
  }

  private static LedgerEvent readEvent(ResultSet rs) throws SQLException {
    long reported = rs.getLong(24);
    Long reportedCost = rs.wasNull() ? null : reported;
    UsageEvent e = new UsageEvent(
        rs.getString(1),
        Instant.ofEpochMilli(rs.getLong(3)),
        Source.fromWireName(rs.getString(4)),
        rs.getString(5),
        rs.getString(6),
        rs.getString(8),
        rs.getString(9),
        rs.getString(10),
        rs.getString(11),
        rs.getString(12),
        rs.getString(13),
        rs.getString(14),
        rs.getInt(15) != 0,
        new Tokens(rs.getLong(16), rs.getLong(17), rs.getLong(18), rs.getLong(19), rs.getLong(20),
            rs.getLong(21), rs.getLong(22)),
        reportedCost,
        rs.getInt(27) != 0,
        Tags.split(rs.getString(28)));
    return new LedgerEvent(e, rs.getString(7), new Cost(rs.getLong(23), rs.getString(25), rs.getString(26)));
  }

  /** Rollup deltas of one batch, summed in memory first so each rollup row is written once. */
  private void writeRollups(List<Change> changes) throws SQLException {
    List<Map<List<Object>, long[]>> deltas = rollupDeltas(changes);
    flushRollup(hourRollup.upsert(), deltas.get(0));
    flushRollup(dayRollup.upsert(), deltas.get(1));
    flushRollup(monthRollup.upsert(), deltas.get(2));
  }

  /** Per hour, day and month row, the sums a batch adds (or takes away). */
  private static List<Map<List<Object>, long[]>> rollupDeltas(List<Change> changes) {
    Map<List<Object>, long[]> hours = new LinkedHashMap<>();
    Map<List<Object>, long[]> days = new LinkedHashMap<>();
    Map<List<Object>, long[]> months = new LinkedHashMap<>();
    for (Change c : changes) {
      if (c.before() != null) {
        accumulate(hours, days, months, c.before(), -1);
      }
      if (c.after() != null) {
        accumulate(hours, days, months, c.after(), +1);
      }
    }
    return List.of(hours, days, months);
  }

  /** PostgreSQL: the batch's rollup rows as COPY rows, one buffer per rollup table. */
  private void bufferRollups(List<Change> changes) {
    List<Map<List<Object>, long[]>> deltas = rollupDeltas(changes);
    PgCopy[] rollupCopies = lane().rollupCopies;
    for (int i = 0; i < rollupCopies.length; i++) {
      PgCopy copy = rollupCopies[i].reset();
      for (Map.Entry<List<Object>, long[]> row : deltas.get(i).entrySet()) {
        long[] s = row.getValue();
        if (isNoop(s)) {
          continue;
        }
        for (Object k : row.getKey()) {
          copy.value(k);
        }
        for (long v : s) { // the 13 sums, then first and last
          copy.value(v);
        }
        copy.endRow();
      }
    }
  }

  /** PostgreSQL: each rollup's buffered rows copied into its staging table, then one upsert from it. */
  private void sendRollups() throws SQLException {
    stageRollups();
    Rollup[] rollups = {hourRollup, dayRollup, monthRollup};
    for (int i = 0; i < rollups.length; i++) {
      PgCopy copy = lane().rollupCopies[i];
      if (copy.count() > 0) {
        copy.into(writer(), rollups[i].staging(), rollups[i].columns());
        try (Statement st = writer().createStatement()) {
          st.executeUpdate(rollups[i].upsertStaged());
        }
      }
    }
  }

  /** Creates this session's staging tables (emptied at every commit) once per writer connection. */
  private void stageRollups() throws SQLException {
    Connection c = writer();
    if (lane().staged == c) {
      return;
    }
    try (Statement st = c.createStatement()) {
      for (Rollup r : List.of(hourRollup, dayRollup, monthRollup)) {
        st.execute("CREATE TEMPORARY TABLE IF NOT EXISTS " + r.staging() + " (LIKE " + r.table()
            + ") ON COMMIT DELETE ROWS");
      }
    }
    lane().staged = c;
  }

  /** Start of the UTC calendar month holding {@code ms}. */
  static long monthStart(long ms) {
    return java.time.LocalDate.ofEpochDay(Math.floorDiv(ms, DAY_MS)).withDayOfMonth(1).toEpochDay() * DAY_MS;
  }

  private static void accumulate(Map<List<Object>, long[]> hours, Map<List<Object>, long[]> days,
      Map<List<Object>, long[]> months, LedgerEvent le, int sign) {
    UsageEvent e = le.event();
    long ts = e.timestamp().toEpochMilli();
    String identity = nz(e.identity());
    String key = nz(e.keyId());
    String model = e.model();
    String tool = nz(e.tool());
    String project = nz(e.project());
    String source = e.source().wireName();
    String tags = Tags.join(e.tags());
    List<Object> hourKey = List.of(Math.floorDiv(ts, HOUR_MS) * HOUR_MS, identity, key, e.provider(),
        model, le.modelId(), tool, project, nz(e.sessionId()), source, tags);
    List<Object> dayKey = List.of(Math.floorDiv(ts, DAY_MS) * DAY_MS, identity, key, e.provider(),
        model, le.modelId(), tool, project, source, tags);
    List<Object> monthKey = new ArrayList<>(dayKey);
    monthKey.set(0, monthStart(ts));
    add(hours.computeIfAbsent(hourKey, k -> emptySums()), le, ts, sign);
    add(days.computeIfAbsent(dayKey, k -> emptySums()), le, ts, sign);
    add(months.computeIfAbsent(monthKey, k -> emptySums()), le, ts, sign);
  }

  private static long[] emptySums() {
    long[] s = new long[15];
    s[13] = Long.MAX_VALUE;
    s[14] = Long.MIN_VALUE;
    return s;
  }

  private static void add(long[] s, LedgerEvent le, long ts, int sign) {
    UsageEvent e = le.event();
    Tokens t = e.tokens();
    s[0] += sign;
    s[1] += sign * t.input();
    s[2] += sign * t.output();
    s[3] += sign * t.cacheWrite5m();
    s[4] += sign * t.cacheWrite1h();
    s[5] += sign * t.cacheRead();
    s[6] += sign * t.reasoning();
    s[7] += sign * t.webSearches();
    s[8] += sign * le.cost().micros();
    s[9] += sign * (e.reportedCostMicros() == null ? 0 : e.reportedCostMicros());
    s[10] += sign * (e.reportedCostMicros() == null ? 0 : 1);
    s[11] += sign * le.autoCostMicros();
    s[12] += sign * (le.cost().priced() ? 0 : 1);
    if (sign > 0) {
      s[13] = Math.min(s[13], ts);
      s[14] = Math.max(s[14], ts);
    }
  }

  private void flushRollup(String sql, Map<List<Object>, long[]> rows) throws SQLException {
    try (PreparedStatement ps = writer().prepareStatement(sql)) {
      Sql.Batch batch = new Sql.Batch(ps);
      for (Map.Entry<List<Object>, long[]> row : rows.entrySet()) {
        long[] s = row.getValue();
        if (isNoop(s)) {
          continue;
        }
        int i = 1;
        for (Object k : row.getKey()) {
          if (k instanceof Long l) {
            ps.setLong(i++, l);
          } else {
            ps.setString(i++, (String) k);
          }
        }
        for (int j = 0; j < 13; j++) {
          ps.setLong(i++, s[j]);
        }
        // A pure removal carries no time: keep the row's own first/last.
        ps.setLong(i++, s[13] == Long.MAX_VALUE ? Long.MAX_VALUE : s[13]);
        ps.setLong(i, s[14] == Long.MIN_VALUE ? Long.MIN_VALUE : s[14]);
        batch.add();
      }
      batch.finish();
    }
  }

  private static String qualified(String alias) {
    StringBuilder sb = new StringBuilder();
    for (String c : EVENT_COLUMNS.split(",\\s*")) {
      sb.append(sb.length() == 0 ? "" : ", ").append(alias).append(c);
    }
    return sb.toString();
  }

  private static boolean isNoop(long[] s) {
    for (int j = 0; j < 13; j++) {
      if (s[j] != 0) {
        return false;
      }
    }
    return s[13] == Long.MAX_VALUE;
  }

  private void writeCursors(List<FileCursor> cursors) throws SQLException {
    if (cursors.isEmpty()) {
      return;
    }
    String sql = "INSERT INTO file_cursors (path, agent, file_key, size, mtime_ms, read_offset, state,"
        + " lines, malformed_lines) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (path) DO UPDATE SET"
        + " agent = excluded.agent, file_key = excluded.file_key, size = excluded.size,"
        + " mtime_ms = excluded.mtime_ms, read_offset = excluded.read_offset, state = excluded.state,"
        + " lines = excluded.lines, malformed_lines = excluded.malformed_lines";
    try (PreparedStatement ps = writer().prepareStatement(sql)) {
      for (FileCursor c : cursors) {
        ps.setString(1, c.path());
        ps.setString(2, c.agent());
        ps.setString(3, c.fileKey());
        ps.setLong(4, c.size());
        ps.setLong(5, c.mtimeMs());
        ps.setLong(6, c.offset());
        ps.setString(7, c.state());
        ps.setLong(8, c.lines());
        ps.setLong(9, c.malformedLines());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  @Override
  public int deleteEventsBefore(Instant before) {
    try (PreparedStatement ps = writer().prepareStatement("DELETE FROM events WHERE ts_ms < ?")) {
      ps.setLong(1, before.toEpochMilli());
      int n = ps.executeUpdate();
      writer().commit();
      generation.incrementAndGet();
      return n;
    } catch (SQLException e) {
      throw new StoreException("deleting old events", e);
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Map<String, FileCursor> cursors() {
    Map<String, FileCursor> result = new HashMap<>();
    String sql = "SELECT path, agent, file_key, size, mtime_ms, read_offset, state, lines, malformed_lines FROM file_cursors";
    try (Connection c = readers.get(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        result.put(rs.getString(1), new FileCursor(rs.getString(1), rs.getString(2), rs.getString(3),
            rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getString(7), rs.getLong(8), rs.getLong(9)));
      }
    } catch (SQLException e) {
      throw new StoreException("reading file cursors", e);
    }
    return result;
  }

  /**
   * Person and team are resolved here rather than joined in SQL: the directory is small, and a
   * plain group by identity lets the rollup be read in its stored order (several times faster).
   */
  /**
   * Answers from a small cache while nothing was written since: dashboards ask the same questions
   * again and again between ingest batches.
   */
  @Override
  public List<UsageRow> usage(UsageQuery q) {
    long gen = generation.get();
    CachedUsage hit = cache.get(q);
    if (hit != null && System.currentTimeMillis() - hit.atMs() > RECENT_TTL_MS) {
      hit = null;
    }
    if (hit != null && hit.generation() == gen) {
      return hit.rows();
    }
    List<UsageRow> rows = List.copyOf(splitTagSets(q, usageUncached(q)));
    cache.put(q, new CachedUsage(gen, rows, System.currentTimeMillis()));
    return rows;
  }

  private List<UsageRow> usageUncached(UsageQuery q) {
    boolean people = q.groupBy().stream().anyMatch(Dimension::needsDirectory)
        || q.filters().keySet().stream().anyMatch(Dimension::needsDirectory);
    if (!people) {
      return usageSql(q);
    }
    Map<String, String[]> owners = ((JdbcDirectoryStore) directory).owners(); // identity -> {person key, team}
    // filters on person or team become a filter on the identities that qualify
    Map<Dimension, Set<String>> filters = new java.util.EnumMap<>(Dimension.class);
    java.util.Set<String> identities = null;
    for (Map.Entry<Dimension, Set<String>> f : q.filters().entrySet()) {
      if (!f.getKey().needsDirectory()) {
        filters.put(f.getKey(), f.getValue());
        continue;
      }
      java.util.Set<String> match = new java.util.HashSet<>();
      for (Map.Entry<String, String[]> o : owners.entrySet()) {
        String value = f.getKey() == Dimension.PERSON ? o.getValue()[0] : o.getValue()[1];
        if (f.getValue().contains(value)) {
          match.add(o.getKey());
        }
      }
      if (f.getKey() == Dimension.PERSON) { // an unmapped identity stands for itself
        f.getValue().stream().filter(v -> !owners.containsKey(v) && !v.startsWith("person:")).forEach(match::add);
      } else if (f.getValue().contains("")) {
        match.add("\uffffunmapped"); // resolved below: identities without a team
      }
      identities = identities == null ? match : retain(identities, match);
    }
    boolean teamless = identities != null && identities.remove("\uffffunmapped");
    List<Dimension> groupBy = new ArrayList<>();
    int identityIndex = -1;
    for (Dimension d : q.groupBy()) {
      if (!d.needsDirectory()) {
        groupBy.add(d);
      }
    }
    groupBy.add(Dimension.IDENTITY);
    identityIndex = groupBy.size() - 1;
    if (identities != null && !teamless) {
      filters.put(Dimension.IDENTITY, identities.isEmpty() ? Set.of("\uffffno-match") : Set.copyOf(identities));
    }
    List<UsageRow> raw = usageSql(new UsageQuery(q.from(), q.to(), groupBy, filters, q.hourly(), q.daily()));
    Map<List<Object>, UsageRow> merged = new LinkedHashMap<>();
    for (UsageRow r : raw) {
      String identity = r.keys().get(identityIndex);
      String[] owner = owners.get(identity);
      if (teamless && identities != null && !identities.contains(identity) && (owner != null && owner[1] != null && !owner[1].isEmpty())) {
        continue;
      }
      List<String> keys = new ArrayList<>(q.groupBy().size());
      int plain = 0;
      for (Dimension d : q.groupBy()) {
        if (d == Dimension.PERSON) {
          keys.add(owner != null ? owner[0] : identity);
        } else if (d == Dimension.TEAM) {
          keys.add(owner != null && owner[1] != null ? owner[1] : "");
        } else {
          keys.add(r.keys().get(plain++));
        }
      }
      List<Object> k = new ArrayList<>(keys);
      k.add(r.hourMs());
      merged.merge(k, new UsageRow(r.hourMs(), keys, r.totals()),
          (a, b) -> new UsageRow(a.hourMs(), a.keys(), a.totals().plus(b.totals())));
    }
    return new ArrayList<>(merged.values());
  }

  /**
   * Rows grouped by {@link Dimension#TAG} come from SQL keyed by the whole tag set ("a,b"); each
   * becomes one row per tag ("" for none), merged with the other rows of that tag. So a request
   * tagged a and b counts once under a and once under b.
   */
  private static List<UsageRow> splitTagSets(UsageQuery q, List<UsageRow> rows) {
    int at = q.groupBy().indexOf(Dimension.TAG);
    if (at < 0) {
      return rows;
    }
    Map<List<Object>, UsageRow> merged = new LinkedHashMap<>();
    for (UsageRow r : rows) {
      List<String> tags = Tags.split(r.keys().get(at));
      for (String tag : tags.isEmpty() ? List.of("") : tags) {
        List<String> keys = new ArrayList<>(r.keys());
        keys.set(at, tag);
        List<Object> k = new ArrayList<>(keys);
        k.add(r.hourMs());
        merged.merge(k, new UsageRow(r.hourMs(), keys, r.totals()),
            (a, b) -> new UsageRow(a.hourMs(), a.keys(), a.totals().plus(b.totals())));
      }
    }
    return new ArrayList<>(merged.values());
  }

  private static java.util.Set<String> retain(java.util.Set<String> a, java.util.Set<String> b) {
    java.util.Set<String> r = new java.util.HashSet<>(a);
    r.retainAll(b);
    return r;
  }

  /**
   * Reads the smallest rollup that answers: hours when the range or a session needs them, else
   * days, and for the whole calendar months inside a range that is not keyed by time, months.
   */
  private List<UsageRow> usageSql(UsageQuery q) {
    boolean needsHour = q.hourly() && !q.daily() || q.groupBy().contains(Dimension.SESSION)
        || q.filters().containsKey(Dimension.SESSION) || !wholeDay(q.from()) || !wholeDay(q.to());
    if (!needsHour && q.hourly() && q.from() != null && q.to() != null) {
      return dailyCached(q);
    }
    if (needsHour || q.hourly()) {
      return usageSql(q, needsHour ? "rollup_hour" : "rollup_day", needsHour ? "hour_ms" : "day_ms", needsHour ? HOUR_MS : DAY_MS);
    }
    long from = q.from() == null ? Long.MIN_VALUE : q.from().toEpochMilli();
    long firstMonth = q.from() == null ? Long.MIN_VALUE : monthStart(from) == from ? from : nextMonth(from);
    long lastMonthEnd = q.to() == null ? Long.MAX_VALUE : monthStart(q.to().toEpochMilli());
    if (q.from() != null && firstMonth >= lastMonthEnd || q.to() == null) {
      return usageSql(q, "rollup_day", "day_ms", DAY_MS); // no whole month inside (or open-ended: rare)
    }
    Map<List<String>, UsageRow> merged = new LinkedHashMap<>();
    java.util.function.Consumer<List<UsageRow>> add = rows -> rows.forEach(r -> merged.merge(r.keys(), r,
        (a, b) -> new UsageRow(0, a.keys(), a.totals().plus(b.totals()))));
    if (q.from() != null && from < firstMonth) {
      add.accept(segment(range(q, from, firstMonth), "rollup_day", "day_ms"));
    }
    add.accept(segment(range(q, firstMonth, lastMonthEnd), "rollup_month", "month_ms"));
    if (lastMonthEnd < q.to().toEpochMilli()) {
      add.accept(segment(range(q, lastMonthEnd, q.to().toEpochMilli()), "rollup_day", "day_ms"));
    }
    return new ArrayList<>(merged.values());
  }

  /**
   * A stretch of whole days of a totals read (the days before the first whole month, the months,
   * the days after), kept until a write touches one of its days: after a write to today a 90-day
   * total reads only this month's days again, not the months before.
   */
  private List<UsageRow> segment(UsageQuery q, String table, String timeColumn) {
    long from = Math.floorDiv(q.from().toEpochMilli(), DAY_MS) * DAY_MS;
    long to = q.to().toEpochMilli();
    long version = 0; // read before the rows: a later write makes them stale, never wrong
    for (long day = from; day < to; day += DAY_MS) {
      version = Math.max(version, dayVersions.getOrDefault(day, 0L));
    }
    long now = System.currentTimeMillis();
    long recent = Math.floorDiv(now, DAY_MS) * DAY_MS - DAY_MS; // yesterday and today
    List<Object> key = List.of(q, table);
    Kept hit = segments.get(key);
    if (hit != null && hit.fresh(version, to > recent, now)) {
      return hit.rows();
    }
    List<UsageRow> rows = List.copyOf(usageSql(q, table, timeColumn, DAY_MS));
    segments.put(key, new Kept(version, rows, now));
    return rows;
  }

  private void markDaysChanged(List<Change> changes) {
    java.util.Set<Long> days = new java.util.HashSet<>();
    for (Change c : changes) {
      for (LedgerEvent e : new LedgerEvent[] {c.before(), c.after()}) {
        if (e != null) {
          days.add(Math.floorDiv(e.event().timestamp().toEpochMilli(), DAY_MS) * DAY_MS);
        }
      }
    }
    long version = dayClock.incrementAndGet();
    days.forEach(d -> dayVersions.put(d, version));
  }

  /** A day-keyed read over whole days: cached days as they are, the others read in as few queries as runs of them. */
  private List<UsageRow> dailyCached(UsageQuery q) {
    Map<Long, Kept> cached = dayCache.computeIfAbsent(List.of(q.groupBy(), q.filters()),
        k -> new java.util.concurrent.ConcurrentHashMap<>());
    long from = Math.floorDiv(q.from().toEpochMilli(), DAY_MS) * DAY_MS;
    long to = q.to().toEpochMilli();
    List<UsageRow> result = new ArrayList<>();
    Map<Long, Long> versions = new HashMap<>();
    long run = -1;
    long now = System.currentTimeMillis();
    long recent = Math.floorDiv(now, DAY_MS) * DAY_MS - DAY_MS; // yesterday and today
    for (long day = from; day < to; day += DAY_MS) {
      long version = dayVersions.getOrDefault(day, 0L); // read before the rows: a later write makes them stale, never wrong
      Kept hit = cached.get(day);
      if (hit != null && hit.fresh(version, day >= recent, now)) {
        result.addAll(hit.rows());
        if (run >= 0) {
          readDays(q, run, day, versions, cached, result);
          run = -1;
        }
      } else {
        versions.put(day, version);
        if (run < 0) {
          run = day;
        }
      }
    }
    if (run >= 0) {
      readDays(q, run, to, versions, cached, result);
    }
    return result;
  }

  private void readDays(UsageQuery q, long from, long to, Map<Long, Long> versions, Map<Long, Kept> cached,
      List<UsageRow> result) {
    List<UsageRow> rows = usageSql(new UsageQuery(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to), q.groupBy(),
        q.filters(), true, true), "rollup_day", "day_ms", DAY_MS);
    Map<Long, List<UsageRow>> byDay = new HashMap<>();
    for (UsageRow r : rows) {
      byDay.computeIfAbsent(r.hourMs(), k -> new ArrayList<>()).add(r);
    }
    for (long day = from; day < to; day += DAY_MS) {
      cached.put(day, new Kept(versions.get(day), List.copyOf(byDay.getOrDefault(day, List.of())), System.currentTimeMillis()));
    }
    result.addAll(rows);
  }

  private static long nextMonth(long ms) {
    return java.time.LocalDate.ofEpochDay(Math.floorDiv(ms, DAY_MS)).withDayOfMonth(1).plusMonths(1).toEpochDay() * DAY_MS;
  }

  private static UsageQuery range(UsageQuery q, long from, long to) {
    return new UsageQuery(from == Long.MIN_VALUE ? null : Instant.ofEpochMilli(from), Instant.ofEpochMilli(to), q.groupBy(),
        q.filters(), false, false);
  }

  private List<UsageRow> usageSql(UsageQuery q, String table, String time, long bucket) {
    StringBuilder select = new StringBuilder("SELECT ");
    select.append(q.hourly() ? "r." + time : "0");
    for (Dimension d : q.groupBy()) {
      select.append(", ").append(d.expr());
    }
    for (String s : SUM_COLUMNS.split(",\\s*")) {
      select.append(", SUM(r.").append(s).append(')');
    }
    select.append(", MIN(r.first_ms), MAX(r.last_ms) FROM ").append(table).append(" r").append(joins(q));
    List<Object> params = new ArrayList<>();
    select.append(where(q, "r." + time, bucket, params));
    List<String> groups = new ArrayList<>();
    if (q.hourly()) {
      groups.add("r." + time);
    }
    q.groupBy().forEach(d -> groups.add(d.expr()));
    if (!groups.isEmpty()) {
      select.append(" GROUP BY ").append(String.join(", ", groups));
    }
    select.append(" HAVING SUM(r.events) > 0");
    List<UsageRow> rows = new ArrayList<>();
    try (Connection c = readers.get(); PreparedStatement ps = c.prepareStatement(select.toString())) {
      Sql.bind(ps, params.toArray());
      try (ResultSet rs = ps.executeQuery()) {
        int n = q.groupBy().size();
        while (rs.next()) {
          List<String> keys = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            keys.add(rs.getString(2 + i));
          }
          int b = 2 + n;
          Tokens tokens = new Tokens(rs.getLong(b + 1), rs.getLong(b + 2), rs.getLong(b + 3),
              rs.getLong(b + 4), rs.getLong(b + 5), rs.getLong(b + 6), rs.getLong(b + 7));
          Totals totals = new Totals(rs.getLong(b), tokens, rs.getLong(b + 8), rs.getLong(b + 9),
              rs.getLong(b + 10), rs.getLong(b + 11), rs.getLong(b + 12), rs.getLong(b + 13), rs.getLong(b + 14));
          rows.add(new UsageRow(rs.getLong(1), keys, totals));
        }
      }
    } catch (SQLException e) {
      throw new StoreException("reading usage", e);
    }
    return rows;
  }

  /** Person and team are joins through the directory, so mapping later re-attributes history. */
  private static String joins(UsageQuery q) {
    boolean needed = q.groupBy().stream().anyMatch(Dimension::needsDirectory)
        || q.filters().keySet().stream().anyMatch(Dimension::needsDirectory);
    return needed ? " LEFT JOIN identities i ON i.identity = r.identity LEFT JOIN people p ON p.id = i.person_id"
        + " LEFT JOIN teams t ON t.id = p.team_id" : "";
  }

  private static boolean wholeDay(Instant t) {
    return t == null || t.toEpochMilli() % DAY_MS == 0;
  }

  /** WHERE clause for a rollup read; the range is on the bucket start, which the range is aligned to. */
  private String where(UsageQuery q, String time, long bucket, List<Object> params) {
    List<String> conditions = new ArrayList<>();
    if (q.from() != null) {
      conditions.add(time + " >= ?");
      params.add(Math.floorDiv(q.from().toEpochMilli(), bucket) * bucket);
    }
    if (q.to() != null) {
      conditions.add(time + " < ?");
      params.add(q.to().toEpochMilli());
    }
    filterConditions(q.filters(), conditions, params, false);
    return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
  }

  private void filterConditions(Map<Dimension, Set<String>> filters, List<String> conditions,
      List<Object> params, boolean rawEvents) {
    for (Map.Entry<Dimension, Set<String>> f : filters.entrySet()) {
      if (f.getValue().isEmpty()) {
        continue;
      }
      if (f.getKey() == Dimension.TAG) {
        conditions.add(anyTag(f.getValue(), params));
        continue;
      }
      // Raw events keep NULL for unknown; rollups keep "".
      String expr = rawEvents && !f.getKey().needsDirectory() ? "COALESCE(" + f.getKey().expr() + ", '')" : f.getKey().expr();
      conditions.add(expr + " IN (" + "?,".repeat(f.getValue().size() - 1) + "?)");
      params.addAll(f.getValue());
    }
  }

  /**
   * Rows whose tag set holds any of {@code tags} ("" = no tags): the stored set wrapped in commas
   * contains ",tag," (tags have no commas, so this matches whole tags only).
   */
  private String anyTag(Set<String> tags, List<Object> params) {
    List<String> any = new ArrayList<>();
    for (String tag : new java.util.TreeSet<>(tags)) {
      if (tag.isEmpty()) {
        any.add("r.tags = ''");
      } else {
        any.add(dialect.find + "(',' || r.tags || ',', ?) > 0");
        params.add("," + tag + ",");
      }
    }
    return "(" + String.join(" OR ", any) + ")";
  }

  @Override
  public List<LedgerEvent> events(UsageQuery q) {
    List<String> conditions = new ArrayList<>();
    List<Object> params = new ArrayList<>();
    if (q.from() != null) {
      conditions.add("r.ts_ms >= ?");
      params.add(q.from().toEpochMilli());
    }
    if (q.to() != null) {
      conditions.add("r.ts_ms < ?");
      params.add(q.to().toEpochMilli());
    }
    filterConditions(q.filters(), conditions, params, true);
    String sql = "SELECT " + qualified("r.") + " FROM events r" + joins(q)
        + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions)) + " ORDER BY r.ts_ms, r.dedup_key";
    List<LedgerEvent> result = new ArrayList<>();
    try (Connection c = readers.get(); PreparedStatement ps = c.prepareStatement(sql)) {
      Sql.bind(ps, params.toArray());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.add(readEvent(rs));
        }
      }
    } catch (SQLException e) {
      throw new StoreException("reading events", e);
    }
    return result;
  }

  @Override
  public long eventCount() {
    try (Connection c = readers.get(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM events")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new StoreException("counting events", e);
    }
  }

  @Override
  public synchronized int recordMetricPoints(List<dev.tally.ledger.MetricPoint> points) {
    int kept = 0;
    try (Connection c = readers.get()) {
      c.setAutoCommit(false);
      try (PreparedStatement last = c.prepareStatement(
              "SELECT start_ms, cumulative FROM otel_metric_points WHERE series = ? ORDER BY end_ms DESC LIMIT 1");
          PreparedStatement seen = c.prepareStatement("SELECT 1 FROM otel_metric_points WHERE series = ? AND end_ms = ?");
          PreparedStatement insert = c.prepareStatement("INSERT INTO otel_metric_points (series, start_ms, end_ms, identity,"
              + " session_id, model, kind, delta, cumulative) VALUES (?,?,?,?,?,?,?,?,?)")) {
        for (dev.tally.ledger.MetricPoint p : points) {
          seen.setString(1, p.series());
          seen.setLong(2, p.endMs());
          try (ResultSet rs = seen.executeQuery()) {
            if (rs.next()) {
              continue; // a retried export
            }
          }
          long delta = p.value();
          if (p.cumulative()) {
            last.setString(1, p.series());
            try (ResultSet rs = last.executeQuery()) {
              // same start and not lower: the increase since the last point; otherwise a reset
              if (rs.next() && rs.getLong(1) == p.startMs() && p.value() >= rs.getLong(2)) {
                delta = p.value() - rs.getLong(2);
              }
            }
          }
          insert.setString(1, p.series());
          insert.setLong(2, p.startMs());
          insert.setLong(3, p.endMs());
          insert.setString(4, p.identity());
          insert.setString(5, p.sessionId());
          insert.setString(6, p.model());
          insert.setString(7, p.kind());
          insert.setLong(8, delta);
          if (p.cumulative()) {
            insert.setLong(9, p.value());
          } else {
            insert.setNull(9, Types.BIGINT);
          }
          insert.executeUpdate();
          kept++;
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("recording telemetry points", e);
    }
    return kept;
  }

  @Override
  public List<Reconciliation> reconcile(Instant from, Instant to) {
    String reported = "SELECT (end_ms / 86400000) * 86400000 AS day, COALESCE(identity, '') AS identity, COALESCE(model, '') AS model,"
        + " kind, SUM(delta) AS total FROM otel_metric_points WHERE end_ms >= ? AND end_ms < ?"
        + " GROUP BY (end_ms / 86400000) * 86400000, COALESCE(identity, ''), COALESCE(model, ''), kind";
    List<Reconciliation> result = new ArrayList<>();
    try (Connection c = readers.get(); PreparedStatement ps = c.prepareStatement(reported)) {
      ps.setLong(1, from.toEpochMilli());
      ps.setLong(2, to.toEpochMilli());
      try (ResultSet rs = ps.executeQuery();
          PreparedStatement seen = c.prepareStatement("SELECT SUM(input_tokens), SUM(output_tokens), SUM(cache_read),"
              + " SUM(cache_write_5m + cache_write_1h), SUM(cost_micros) FROM rollup_day WHERE day_ms = ? AND identity = ? AND model = ?")) {
        while (rs.next()) {
          long day = rs.getLong(1);
          String kind = rs.getString(4);
          seen.setLong(1, day);
          seen.setString(2, rs.getString(2));
          seen.setString(3, rs.getString(3));
          long seenValue = 0;
          try (ResultSet s = seen.executeQuery()) {
            if (s.next()) {
              seenValue = switch (kind) {
                case "input" -> s.getLong(1);
                case "output" -> s.getLong(2);
                case "cacheRead" -> s.getLong(3);
                case "cacheCreation" -> s.getLong(4);
                default -> s.getLong(5);
              };
            }
          }
          result.add(new Reconciliation(Instant.ofEpochMilli(day).toString().substring(0, 10), rs.getString(2),
              rs.getString(3), kind, rs.getLong(5), seenValue));
        }
      }
    } catch (SQLException e) {
      throw new StoreException("reconciling telemetry", e);
    }
    return result;
  }

  @Override
  public DirectoryStore directory() {
    return directory;
  }

  private Lane lane() {
    Lane l = bound.get();
    return l != null ? l : primary;
  }

  /** The connection of this thread's ingest transaction, or else the primary writer. */
  private Connection writer() throws SQLException {
    return lane().connection();
  }

  @Override
  public boolean parallelWrites() {
    return laneCount > 0;
  }

  /**
   * With ingest lanes (PostgreSQL), runs {@code work} on a connection of its own, as one
   * transaction, beside other ingest transactions: the events it reads are locked until it ends,
   * rollup rows are upserted in key order (no deadlock between two such transactions), and the same
   * new request written by two at once fails one of them with a {@link StoreException#retryable()
   * retryable} error. Without lanes, {@code work} runs as it is.
   */
  @Override
  public <T> T writing(Supplier<T> work) {
    if (laneCount == 0 || bound.get() != null) {
      return work.get();
    }
    Lane lane;
    try {
      lane = ingestLanes.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("waiting for a writer connection", e);
    }
    bound.set(lane);
    try {
      return work.get();
    } finally {
      try {
        lane.connection.rollback(); // a transaction that wrote nothing (all duplicates) still holds its locks
      } catch (SQLException e) {
        lane.failed();
      }
      bound.remove();
      ingestLanes.add(lane);
    }
  }

  @Override
  public boolean soleWriter() {
    return dialect == Dialect.SQLITE;
  }

  @Override
  public GatewayStore gateway() {
    return gateway;
  }

  @Override
  public CollectorStore collectors() {
    return collectors;
  }

  @Override
  public boolean isEmpty() {
    try (Connection c = readers.get(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT 1 FROM events LIMIT 1")) {
      return !rs.next();
    } catch (SQLException e) {
      throw new StoreException("reading events", e);
    }
  }

  @Override
  public void close() {
    try {
      primary.connection.close();
      for (Lane lane : ingestLanes) {
        lane.connection.close();
      }
    } catch (SQLException e) {
      throw new StoreException("closing the store", e);
    }
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
