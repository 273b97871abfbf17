package dev.tally.sources.collectors;

/**
 * A provider call that failed for good (after retries) or answered something unreadable. The
 * message names the provider, method, path and status, never a key: keys travel only in headers.
 */
public final class CollectorException extends RuntimeException {
  private final String provider;

  public CollectorException(String provider, String message) {
    super(provider + ": " + message);
    this.provider = provider;
  }

  public CollectorException(String provider, String message, Throwable cause) {
    super(provider + ": " + message, cause);
    this.provider = provider;
  }

  public String provider() {
    return provider;
  }
}
