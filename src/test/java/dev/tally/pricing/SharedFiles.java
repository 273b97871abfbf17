package dev.tally.pricing;

import java.nio.file.Path;

/** Shared data the pricing tests read (see {@link dev.tally.TestData}). */
final class SharedFiles {

  private SharedFiles() {}

  static Path path(String relative) {
    return dev.tally.TestData.shared(relative);
  }

  static Path litellm() {
    return path("data/litellm-model-prices.json");
  }
}
