package dev.tally.sources.gateway;

/**
 * A provider credential ready for forwarding.
 *
 * @param name the route name (a credential's own name, e.g. {@code openrouter} or {@code corp-llm})
 * @param provider anthropic, openai, openrouter or openai-compatible
 * @param baseUrl Anthropic's without {@code /v1}; OpenAI-style ones with it, as each provider documents
 */
public record Upstream(String name, String provider, String baseUrl, String secret) {
  /** Anthropic speaks its own protocol; every other provider here speaks OpenAI's. */
  public boolean anthropic() {
    return provider.equals("anthropic");
  }

  /** The provider name events carry: a compatible upstream is named after its credential. */
  public String ledgerProvider() {
    return provider.equals("openai-compatible") ? name : provider;
  }

  @Override
  public String toString() {
    return "Upstream[" + name + ", " + provider + ", " + baseUrl + "]"; // never the secret
  }
}
