package dev.tally.sources.gateway;

import java.util.List;

/**
 * Who sent a gateway request, as their key says.
 *
 * @param keyId the gateway key's id
 * @param project the key's default project (a request header may name another)
 * @param ticket what the gatekeeper needs back when the request ends (its concurrency slot)
 * @param tags the key's tags, which every request with the key carries (headers may add more)
 */
public record Caller(long keyId, String keyName, String project, Object ticket, List<String> tags) {
  public Caller {
    tags = tags == null ? List.of() : List.copyOf(tags);
  }

  /** A caller whose key has no tags. */
  public Caller(long keyId, String keyName, String project, Object ticket) {
    this(keyId, keyName, project, ticket, List.of());
  }

  /** The identity events carry; the directory maps it to the key's person. */
  public String identity() {
    return "key:" + keyId;
  }
}
