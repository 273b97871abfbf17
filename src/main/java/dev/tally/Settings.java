package dev.tally;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * User settings from {@code <config dir>/tally.properties} (all optional):
 *
 * <pre>
 * # keep raw events this many days; hourly and daily rollups are kept for ever (0 = keep all)
 * retention.raw-days = 400
 * # provider admin APIs: base URLs and the GitHub organization, by their environment names
 * # (the environment wins); admin keys are read from the environment only
 * CURSOR_ADMIN_BASE_URL = https://cursor-proxy.example.com
 * GITHUB_ORG = acme-corp
 * </pre>
 *
 * @param providers the provider settings the file sets, by environment name ({@link #PROVIDER_NAMES})
 */
public record Settings(int rawRetentionDays, Map<String, String> providers) {
  public static final Settings DEFAULTS = new Settings(0);

  /** Provider settings the file may hold, under the same names as in the environment. */
  public static final List<String> PROVIDER_NAMES = List.of("ANTHROPIC_ADMIN_BASE_URL", "OPENAI_ADMIN_BASE_URL",
      "CURSOR_ADMIN_BASE_URL", "GITHUB_API_URL", "OPENROUTER_BASE_URL", "GITHUB_ORG");

  /**
   * Admin keys: environment only. The settings file is a plain, usually world-readable file that
   * people copy between machines and into dotfile repositories; a key found there is refused.
   */
  static final List<String> KEY_NAMES = List.of("ANTHROPIC_ADMIN_API_KEY", "OPENAI_ADMIN_KEY", "OPENAI_ORG_API_KEY",
      "CURSOR_ADMIN_API_KEY", "GITHUB_TOKEN", "OPENROUTER_MANAGEMENT_KEY");

  public Settings {
    providers = Map.copyOf(providers);
  }

  public Settings(int rawRetentionDays) {
    this(rawRetentionDays, Map.of());
  }

  /**
   * The environment with the file's provider settings filled in where the environment leaves them
   * unset or blank: the environment wins.
   */
  public Map<String, String> withProviders(Map<String, String> env) {
    if (providers.isEmpty()) {
      return env;
    }
    Map<String, String> merged = new HashMap<>(env);
    providers.forEach((name, value) -> {
      String v = env.get(name);
      if (v == null || v.isBlank()) {
        merged.put(name, value);
      }
    });
    return Map.copyOf(merged);
  }

  public static Settings load(TallyHome home) {
    Path file = home.configDir().resolve("tally.properties");
    if (!Files.isRegularFile(file)) {
      return DEFAULTS;
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    for (String key : KEY_NAMES) {
      if (p.getProperty(key) != null) {
        throw new IllegalArgumentException(file + ": " + key + " is a secret and is read from the environment only;"
            + " remove it from the file (base URLs and GITHUB_ORG may stay)");
      }
    }
    Map<String, String> providers = new LinkedHashMap<>();
    for (String name : PROVIDER_NAMES) {
      String v = p.getProperty(name);
      if (v != null && !v.isBlank()) {
        providers.put(name, v.trim());
      }
    }
    String days = p.getProperty("retention.raw-days", "0").trim();
    try {
      int d = Integer.parseInt(days);
      if (d < 0) {
        throw new NumberFormatException();
      }
      return new Settings(d, providers);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(file + ": retention.raw-days must be a whole number of days >= 0, not '" + days + "'");
    }
  }
}
