package dev.tally;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  @TempDir Path tmp;

  private Settings load(String text) throws Exception {
    Files.createDirectories(tmp.resolve("config"));
    Files.writeString(tmp.resolve("config/tally.properties"), text);
    return Settings.load(new TallyHome(tmp.resolve("data"), tmp.resolve("config")));
  }

  @Test
  void providerBaseUrlsAndTheGithubOrgComeFromTheFileAndTheEnvironmentWins() throws Exception {
    Settings s = load("""
        retention.raw-days = 30
        CURSOR_ADMIN_BASE_URL = https://cursor-proxy.example.com
        GITHUB_API_URL = https://api.acme.ghe.com
        GITHUB_ORG = acme-corp
        OPENROUTER_BASE_URL =
        SOMETHING_ELSE = ignored
        """);

    assertThat(s.rawRetentionDays()).isEqualTo(30);
    assertThat(s.providers()).containsOnlyKeys("CURSOR_ADMIN_BASE_URL", "GITHUB_API_URL", "GITHUB_ORG");
    Map<String, String> env = s.withProviders(Map.of("GITHUB_ORG", "from-env", "GITHUB_API_URL", " ", "PATH", "/bin"));
    assertThat(env).containsEntry("GITHUB_ORG", "from-env")
        .containsEntry("GITHUB_API_URL", "https://api.acme.ghe.com")
        .containsEntry("CURSOR_ADMIN_BASE_URL", "https://cursor-proxy.example.com")
        .containsEntry("PATH", "/bin")
        .doesNotContainKey("OPENROUTER_BASE_URL");
  }

  @Test
  void adminKeysAreRefusedInTheFile() {
    assertThatThrownBy(() -> load("CURSOR_ADMIN_API_KEY = key_abc\n"))
        .hasMessageContaining("CURSOR_ADMIN_API_KEY").hasMessageContaining("environment only")
        .hasMessageNotContaining("key_abc");
  }

  @Test
  void noFileNoProviderSettings() {
    Settings s = Settings.load(new TallyHome(tmp.resolve("data"), tmp.resolve("nowhere")));
    assertThat(s.providers()).isEmpty();
    Map<String, String> env = Map.of("A", "b");
    assertThat(s.withProviders(env)).isSameAs(env);
  }
}
