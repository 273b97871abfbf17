package dev.tally.pricing;

/** How a model name found its price, from the most to the least certain. */
public enum MatchKind {
  /** The name is a key of the table. */
  KEY("exact key"),
  /** The name is a declared alias of a key. */
  ALIAS("declared alias"),
  /** {@code <provider>/<name>} is a key or alias (e.g. {@code openrouter/anthropic/claude-sonnet-4.5}). */
  PROVIDER_KEY("key with the provider prefix"),
  /** Equal to a key or alias after normalisation (case, prefixes, dates, {@code .} → {@code -}). */
  NORMALIZED("same name after normalisation"),
  /** The longest known normalised name found inside the normalised name on word boundaries. */
  BOUNDARY("longest known name inside it, on word boundaries");

  private final String description;

  MatchKind(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }
}
