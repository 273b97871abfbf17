package dev.tally.ledger;

/**
 * What Tally computed for one event at ingest.
 *
 * @param micros computed cost in micro-dollars (1 USD = 1,000,000); 0 when unpriced
 * @param priceVersion version of the price table used
 * @param pricedAs the price-table key that matched, or null when the model is unknown
 */
public record Cost(long micros, String priceVersion, String pricedAs) {

  public static Cost unpriced(String priceVersion) {
    return new Cost(0, priceVersion, null);
  }

  public boolean priced() {
    return pricedAs != null;
  }
}
