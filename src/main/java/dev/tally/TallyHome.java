package dev.tally;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where Tally keeps its files. Data (the SQLite ledger, imported prices, spool): {@code
 * $TALLY_DATA_DIR}, else {@code $XDG_DATA_HOME/tally}, else {@code ~/.local/share/tally}. Config
 * (price overrides, settings): {@code $TALLY_CONFIG_DIR}, else {@code $XDG_CONFIG_HOME/tally}, else
 * {@code ~/.config/tally}.
 */
public record TallyHome(Path dataDir, Path configDir) {

  public static TallyHome from(Map<String, String> env, Path userHome) {
    Path data = dir(env, "TALLY_DATA_DIR", "XDG_DATA_HOME", userHome.resolve(".local/share"));
    Path config = dir(env, "TALLY_CONFIG_DIR", "XDG_CONFIG_HOME", userHome.resolve(".config"));
    return new TallyHome(data, config);
  }

  private static Path dir(Map<String, String> env, String own, String xdg, Path fallbackBase) {
    String v = env.get(own);
    if (v != null && !v.isBlank()) {
      return Path.of(v);
    }
    String base = env.get(xdg);
    return (base != null && !base.isBlank() ? Path.of(base) : fallbackBase).resolve("tally");
  }

  public Path database() {
    return dataDir.resolve("tally.db");
  }
}
