package dev.tally.ingest;

import dev.tally.ledger.Cost;
import dev.tally.ledger.Tokens;

/** Prices one request; implemented by the pricing module's price table. */
@FunctionalInterface
public interface Pricer {
  Cost price(String provider, String model, Tokens tokens);
}
