package dev.tally.sources.gateway;

/**
 * Who sent a gateway request, as their key says.
 *
 * @param keyId the gateway key's id
 * @param project the key's default project (a request header may name another)
 * @param ticket what the gatekeeper needs back when the request ends (its concurrency slot)
 */
public record Caller(long keyId, String keyName, String project, Object ticket) {
  /** The identity events carry; the directory maps it to the key's person. */
  public String identity() {
    return "key:" + keyId;
  }
}
