package dev.tally.store;

/**
 * For one UTC day, identity and model: what an aggregate source reported against what the ledger
 * holds per request. {@code remainder} = reported − seen when positive: usage only the aggregate saw.
 */
public record Reconciliation(String day, String identity, String model, String kind, long reported, long seen) {
  public long remainder() {
    return Math.max(0, reported - seen);
  }
}
