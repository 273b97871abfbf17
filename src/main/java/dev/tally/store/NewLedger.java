package dev.tally.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * A build step (see the pom's exec plugin): writes the empty ledger, migrated by Flyway, that
 * {@link SqliteStore} copies when it creates a new one.
 */
public final class NewLedger {
  /** Where the build puts it among the classes. */
  static final String RESOURCE = "/db/new-ledger.sqlite";

  private NewLedger() {}

  /** @param args the file to write */
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]).toAbsolutePath();
    Files.createDirectories(out.getParent());
    Files.deleteIfExists(out);
    String url = "jdbc:sqlite:" + out;
    SqliteStore.migrateWithFlyway(url);
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("VACUUM"); // free pages the migrations left behind
      st.execute("PRAGMA journal_mode = WAL");
    }
  }
}
