package dev.tally.surfaces.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.store.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeCommandTest {
  @TempDir Path dir;

  @Test
  void aLedgerOthersCanReadIsNamedWithTheCommandThatRestrictsIt() throws Exception {
    Path ledger = dir.resolve("tally.db");
    SqliteStore.open(ledger).close();
    assertThat(ServeCommand.openToOthers(ledger)).isEmpty(); // created owner-only

    Files.setPosixFilePermissions(ledger, PosixFilePermissions.fromString("rw-r--r--")); // as before session 15
    assertThat(ServeCommand.openToOthers(ledger)).hasValueSatisfying(w -> assertThat(w)
        .contains("other users can read the ledger (rw-r--r--)", "password and key hashes")
        .endsWith("chmod 600 " + ledger + " " + ledger + "-wal " + ledger + "-shm"));

    Files.setPosixFilePermissions(ledger, PosixFilePermissions.fromString("rw-------"));
    assertThat(ServeCommand.openToOthers(ledger)).isEmpty();
    assertThat(ServeCommand.openToOthers(dir.resolve("none.db"))).isEmpty();
  }
}
