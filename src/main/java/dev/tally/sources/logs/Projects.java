package dev.tally.sources.logs;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a working directory into a project name: the name of the git repository that contains it
 * (so work in {@code ~/src/api/cmd/server} counts for {@code api}), else the directory's own name
 * when it no longer exists on this machine.
 */
public final class Projects {
  private static final ConcurrentHashMap<String, String> CACHE = new ConcurrentHashMap<>();

  private Projects() {}

  public static String fromCwd(String cwd) {
    if (cwd == null || cwd.isBlank()) {
      return null;
    }
    return CACHE.computeIfAbsent(cwd, Projects::resolve);
  }

  private static String resolve(String cwd) {
    try {
      Path start = Path.of(cwd);
      for (Path dir = start; dir != null; dir = dir.getParent()) {
        if (Files.exists(dir.resolve(".git"))) {
          Path name = dir.getFileName();
          return name == null ? cwd : name.toString();
        }
      }
      Path name = start.getFileName();
      return name == null ? cwd : name.toString();
    } catch (InvalidPathException e) {
      String trimmed = cwd.replaceAll("[/\\\\]+$", "");
      int slash = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
      return slash >= 0 ? trimmed.substring(slash + 1) : trimmed;
    }
  }
}
