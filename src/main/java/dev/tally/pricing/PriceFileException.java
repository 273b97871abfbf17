package dev.tally.pricing;

/**
 * A price file (shipped, imported or overrides) could not be read or is malformed. The message
 * names the file, the model and the field where possible, and is fit to show to a user as is.
 */
public final class PriceFileException extends RuntimeException {

  public PriceFileException(String message) {
    super(message);
  }

  public PriceFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
