package dev.tally.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends StoreContract {
  @TempDir Path dir;

  @Override
  Store openStore() {
    return SqliteStore.open(dir.resolve("tally.db"));
  }

  @Test
  void schemaVersionConstantMatchesTheNewestMigration() throws Exception {
    Path migrations = Path.of("src/main/resources/db/migration/sqlite");
    try (Stream<Path> files = Files.list(migrations)) {
      int newest = files.map(p -> p.getFileName().toString())
          .filter(n -> n.matches("V\\d+__.*\\.sql"))
          .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__"))))
          .max().orElseThrow();
      assertThat(SqliteStore.SCHEMA_VERSION).isEqualTo(newest);
    }
  }

  @Test
  void aNewLedgerCopiedFromTheBuildsTemplateHasTheSchemaTheMigrationsMake() throws Exception {
    assertThat(SqliteStore.class.getResource(NewLedger.RESOURCE)).as("the build's new-ledger step ran").isNotNull();
    Path migrated = dir.resolve("migrated.db");
    SqliteStore.migrateWithFlyway("jdbc:sqlite:" + migrated);
    Path copied = dir.resolve("new/copied.db");
    SqliteStore.open(copied).close();
    assertThat(schema(copied)).isEqualTo(schema(migrated))
        .anyMatch(row -> row.startsWith("table events "))
        .anyMatch(row -> row.startsWith("migration " + SqliteStore.SCHEMA_VERSION + " "));
    try (Stream<Path> left = Files.list(copied.getParent())) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("copied.db"); // no temporary copy left
    }
  }

  @Test
  void aNewLedgerAndItsLogAreReadableByTheirOwnerOnly() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path db = dir.resolve("own/tally.db");
    try (Store s = SqliteStore.open(db)) {
      s.apply(java.util.List.of(new Store.Change(null, Events.priced(Events.event("k", "2026-11-20T09:00:00Z", "m",
          dev.tally.ledger.Tokens.of(1, 0, 0, 0, 0))))), java.util.List.of());
      for (String name : java.util.List.of("tally.db", "tally.db-wal")) {
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(db.resolveSibling(name)))).as(name).isEqualTo("rw-------");
      }
    }
  }

  private static java.util.List<String> schema(Path db) throws java.sql.SQLException {
    java.util.List<String> rows = new java.util.ArrayList<>();
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        java.sql.ResultSet rs = c.createStatement().executeQuery(
            "SELECT type, name, sql FROM sqlite_master ORDER BY type, name")) {
      while (rs.next()) {
        rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3));
      }
    }
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        java.sql.ResultSet rs = c.createStatement().executeQuery(
            "SELECT version, checksum, success FROM flyway_schema_history ORDER BY installed_rank")) {
      while (rs.next()) {
        rows.add("migration " + rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3));
      }
    }
    return rows;
  }

  @Test
  void theLogIsCopiedIntoTheDatabaseWhileTheStoreIsOpenAndNothingIsLeftAtClose() throws Exception {
    Path db = dir.resolve("tally.db");
    long before = Files.size(db);
    int batches = WalCheckpoints.EVENTS_PER_CHECKPOINT / 1000 + 1;
    for (int batch = 0; batch < batches; batch++) {
      java.util.List<Store.Change> changes = new java.util.ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        changes.add(new Store.Change(null, Events.priced(Events.event("k" + batch + "-" + i, "2026-11-20T09:00:00Z", "m",
            dev.tally.ledger.Tokens.of(1, 0, 0, 0, 0)))));
      }
      store.apply(changes, java.util.List.of());
    }
    // left to SQLite, the log would be copied only once it holds 64 MB, or at close
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (Files.size(db) == before && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(Files.size(db)).isGreaterThan(before);
    store.close();
    assertThat(dir.resolve("tally.db-wal")).doesNotExist();
    store = openStore();
    assertThat(store.eventCount()).isEqualTo(batches * 1000L);
  }

  @Test
  void reopeningKeepsTheDataAndDoesNotMigrateAgain() {
    store.apply(java.util.List.of(new Store.Change(null, Events.priced(Events.event("k", "2026-11-20T09:00:00Z", "m",
        dev.tally.ledger.Tokens.of(1, 0, 0, 0, 0))))), java.util.List.of());
    store.close();
    store = openStore();
    assertThat(store.eventCount()).isEqualTo(1);
  }

  @Test
  void theTagsMigrationKeepsAnOlderLedgersEventsAndRollups() throws Exception {
    Path old = dir.resolve("old.db");
    OldLedger.create("jdbc:sqlite:" + old, null, null, "sqlite");
    try (Store migrated = SqliteStore.open(old)) {
      OldLedger.check(migrated);
    }
  }
}
