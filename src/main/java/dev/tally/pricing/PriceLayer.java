package dev.tally.pricing;

/** Where a price came from. Later layers win over earlier ones for the same model. */
public enum PriceLayer {
  /** {@code pricing/prices.json} inside the Tally jar. */
  SHIPPED,
  /** {@code <dataDir>/prices-imported.json}, written by {@code tally prices import}. */
  IMPORTED,
  /** {@code <configDir>/price-overrides.json}, maintained by the user. */
  OVERRIDE;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
