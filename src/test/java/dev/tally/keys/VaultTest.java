package dev.tally.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultTest {
  @TempDir Path dir;

  @Test
  void aKeyFileIsCreatedOwnerOnlyAndReusedOnTheNextStart() throws Exception {
    Path file = dir.resolve("master.key");
    String sealed = Vault.open(null, file).encrypt("anthropic", "sk-ant-secret-1234");
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    assertThat(sealed).startsWith("v1:").doesNotContain("secret");
    assertThat(Vault.open(null, file).decrypt("anthropic", sealed)).isEqualTo("sk-ant-secret-1234");
  }

  @Test
  void anotherMasterKeyOrAnotherCredentialNameCannotOpenIt() {
    Vault vault = Vault.open(null, dir.resolve("a.key"));
    String sealed = vault.encrypt("anthropic", "sk-ant-secret-1234");
    assertThatThrownBy(() -> Vault.open(null, dir.resolve("b.key")).decrypt("anthropic", sealed))
        .hasMessageContaining("master key differs").hasMessageNotContaining("sk-ant");
    assertThatThrownBy(() -> vault.decrypt("openai", sealed)).hasMessageContaining("master key differs");
  }

  @Test
  void aMasterKeyFromTheEnvironmentMustBe256Bits() {
    assertThatThrownBy(() -> Vault.open("c2hvcnQ=", dir.resolve("x.key"))).hasMessageContaining("32 bytes");
    String key = java.util.Base64.getEncoder().encodeToString(new byte[32]);
    assertThat(Vault.open(key, dir.resolve("x.key")).encrypt("n", "s")).startsWith("v1:");
    assertThat(dir.resolve("x.key")).doesNotExist();
  }
}
