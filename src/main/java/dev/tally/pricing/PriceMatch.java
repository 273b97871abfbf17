package dev.tally.pricing;

import java.util.Objects;

/**
 * The answer to a price lookup.
 *
 * @param query the model name that was looked up
 * @param price the matched model's prices; {@code price.key()} is what costs record as "priced as"
 * @param layer the file the price came from
 * @param kind how the name matched
 * @param matchedName the table name that matched: the key, an alias, or a normalised name
 */
public record PriceMatch(
    String query, ModelPrice price, PriceLayer layer, MatchKind kind, String matchedName) {

  public PriceMatch {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(price, "price");
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(matchedName, "matchedName");
  }

  /** The key that matched. */
  public String key() {
    return price.key();
  }
}
