package dev.tally.pricing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds {@code shared/...} beside the project root, walking up from the working directory. */
final class SharedFiles {

  private SharedFiles() {}

  static Path path(String relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve(relative);
      if (Files.exists(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("shared/" + relative + " not found above "
        + Path.of("").toAbsolutePath() + " (tests expect shared/ beside the project root)");
  }

  static Path litellm() {
    return path("data/litellm-model-prices.json");
  }
}
