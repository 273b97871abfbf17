package dev.tally.store;

/** A storage failure, with what was being done when it happened. */
public final class StoreException extends RuntimeException {
  public StoreException(String doing, Throwable cause) {
    super("store: " + doing + " failed: " + cause.getMessage(), cause);
  }
}
