package dev.tally.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;

/**
 * The embedded default: one SQLite file in WAL mode. Readers get their own connections, so reports
 * can run while a scan writes.
 */
public final class SqliteStore {
  /** The newest migration under {@code db/migration}; a test keeps the two in step. */
  static final int SCHEMA_VERSION = 9;
  /** The page cache of a long-lived process's connections (the server's writer keeps index pages in it). */
  private static final int SERVER_CACHE_MB = 16;

  private SqliteStore() {}

  /** Opens (creating when needed) the ledger at {@code file} and brings its schema up to date. */
  public static Store open(Path file) {
    return open(file, SERVER_CACHE_MB);
  }

  /**
   * @param cacheMb SQLite's page cache per connection: a server's long-lived writer keeps index pages
   *     in it; a report's short run gains nothing measurable from more than a few MB (a first scan of
   *     500 MB of logs took as long with 4 MB as with 16, and 14 MB less memory)
   */
  public static Store open(Path file, int cacheMb) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new StoreException("creating " + file.getParent(), e);
    }
    create(file);
    String url = "jdbc:sqlite:" + file.toAbsolutePath();
    try {
      Connection writer = connect(url, cacheMb);
      migrate(url, writer);
      WalCheckpoints checkpoints = new WalCheckpoints(() -> connect(url, cacheMb));
      return new JdbcStore(writer, () -> {
        try {
          return connect(url, cacheMb);
        } catch (SQLException e) {
          throw new StoreException("opening " + file, e);
        }
      }, JdbcStore.Dialect.SQLITE) {
        @Override
        void committed(int changes) {
          checkpoints.committed(changes);
        }

        @Override
        public void close() {
          try {
            checkpoints.close();
          } finally {
            super.close();
          }
        }
      };
    } catch (SQLException e) {
      throw new StoreException("opening " + file, e);
    }
  }

  /**
   * A new ledger starts as a copy of the empty one the build migrated ({@link NewLedger}): running
   * Flyway here costs ~0.5 s of CPU at the start of a first scan that needs every core (without the
   * copy, as when classes run without the build's step, the file starts empty and Flyway migrates
   * it). Only its owner may read it: it holds people's password hashes and gateway key hashes, and
   * SQLite gives its log files the same mode.
   */
  private static void create(Path file) {
    if (Files.exists(file)) {
      return;
    }
    try {
      Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName() + ".", ".new"); // 0600
      try {
        try (InputStream template = SqliteStore.class.getResourceAsStream(NewLedger.RESOURCE);
            OutputStream out = Files.newOutputStream(temp)) {
          if (template != null) {
            template.transferTo(out);
          }
        }
        Files.createLink(file, temp); // fails, keeping theirs, when another process created the ledger meanwhile
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException | UnsupportedOperationException e) {
      // SQLite creates it, and Flyway migrates it
    }
  }

  private static Connection connect(String url, int cacheMb) throws SQLException {
    Connection c = DriverManager.getConnection(url);
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = WAL");
      // NORMAL in WAL mode survives a crash of the process (not of the machine) and is much faster.
      st.execute("PRAGMA synchronous = NORMAL");
      st.execute("PRAGMA busy_timeout = 10000");
      st.execute("PRAGMA cache_size = -" + cacheMb * 1000);
      st.execute("PRAGMA temp_store = MEMORY");
      // Checkpoint the WAL every ~64 MB instead of every 4 MB: bulk scans write far fewer pages twice.
      st.execute("PRAGMA wal_autocheckpoint = 16384");
    }
    return c;
  }

  /** Flyway costs a few hundred milliseconds to start: only run it when the schema is behind. */
  private static void migrate(String url, Connection c) throws SQLException {
    if (currentVersion(c) >= SCHEMA_VERSION) {
      return;
    }
    migrateWithFlyway(url);
  }

  static void migrateWithFlyway(String url) {
    Flyway.configure()
        .dataSource(url, null, null)
        .locations("classpath:db/migration/sqlite")
        .load()
        .migrate();
  }

  private static int currentVersion(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'flyway_schema_history'")) {
      if (!rs.next()) {
        return 0;
      }
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT MAX(CAST(version AS INTEGER)) FROM flyway_schema_history WHERE success = 1")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }
}
