package dev.tally;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared fixtures and price data: {@code shared/} beside the project root (or above the working
 * directory) when there is one, else the copy kept under {@code src/test/resources/shared}, so a
 * clone on its own runs the same tests.
 */
public final class TestData {
  private TestData() {}

  public static Path shared() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared");
      if (Files.isDirectory(candidate.resolve("fixtures")) && Files.isDirectory(candidate.resolve("data"))) {
        return candidate;
      }
    }
    Path copy = Path.of("src/test/resources/shared").toAbsolutePath();
    if (Files.isDirectory(copy.resolve("fixtures"))) {
      return copy;
    }
    throw new IllegalStateException("shared fixtures not found above " + Path.of("").toAbsolutePath()
        + " nor in src/test/resources/shared");
  }

  public static Path shared(String relative) {
    return shared().resolve(relative);
  }
}
