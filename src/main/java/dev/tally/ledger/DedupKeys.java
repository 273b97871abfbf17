package dev.tally.ledger;

/**
 * Builds request keys the same way in every source, so that one request seen by the gateway, a
 * local log and OTLP collapses to one event (see shared/design.md, "Identity of a request").
 */
public final class DedupKeys {
  private DedupKeys() {}

  /** The provider's own request id: Anthropic request-id header, OpenAI response/completion id. */
  public static String request(String provider, String requestId) {
    return provider + ":req:" + requestId;
  }

  /** Fallback when no request id is known: the provider's message id ({@code msg_...}). */
  public static String message(String provider, String messageId) {
    return provider + ":msg:" + messageId;
  }

  /** Last resort: a key only this source can reproduce (file + session + position). */
  public static String sourceSpecific(String tool, String... parts) {
    return tool + ":src:" + String.join(":", parts);
  }
}
