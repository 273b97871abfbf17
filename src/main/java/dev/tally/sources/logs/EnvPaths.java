package dev.tally.sources.logs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Folders named by an environment variable as a comma-separated list (as ccusage accepts them). */
public final class EnvPaths {
  private EnvPaths() {}

  /** The folders in {@code variable}, or {@code fallback} when it is unset or blank. */
  public static List<Path> of(Map<String, String> env, String variable, Path fallback) {
    String configured = env.get(variable);
    List<Path> paths = new ArrayList<>();
    if (configured != null) {
      for (String part : configured.split(",")) {
        if (!part.isBlank()) {
          paths.add(Path.of(part.trim()));
        }
      }
    }
    if (paths.isEmpty()) {
      paths.add(fallback);
    }
    return paths;
  }
}
