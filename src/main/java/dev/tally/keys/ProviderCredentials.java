package dev.tally.keys;

import dev.tally.sources.gateway.Upstream;
import dev.tally.store.GatewayStore;
import dev.tally.store.GatewayStore.CredentialRow;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The organisation's provider keys. They go in encrypted and never come out through any API: only
 * the gateway reads them back, decrypted in memory, to forward a request.
 */
public final class ProviderCredentials {
  /** What an admin sees of a credential: never the secret, only its last four characters. */
  public record Credential(long id, String name, String provider, String baseUrl, String last4, long createdMs) {}

  static final Map<String, String> DEFAULT_BASE_URLS = Map.of(
      "anthropic", "https://api.anthropic.com",
      "openai", "https://api.openai.com/v1",
      "openrouter", "https://openrouter.ai/api/v1");

  private final GatewayStore store;
  private final Vault vault;
  private final Clock clock;
  private final Map<String, Upstream> cache = new ConcurrentHashMap<>();
  private volatile long loadedMs = -1;
  private final Refresher refresher = new Refresher("tally-credentials-reload");

  public ProviderCredentials(GatewayStore store, Vault vault, Clock clock) {
    this.store = store;
    this.vault = vault;
    this.clock = clock;
  }

  public Credential add(String name, String provider, String baseUrl, String secret) {
    String p = provider.toLowerCase(Locale.ROOT).trim();
    if (!List.of("anthropic", "openai", "openrouter", "openai-compatible").contains(p)) {
      throw new IllegalArgumentException("unknown provider '" + provider + "' (expected anthropic, openai, openrouter or openai-compatible)");
    }
    String url = baseUrl == null || baseUrl.isBlank() ? DEFAULT_BASE_URLS.get(p) : baseUrl.trim().replaceAll("/+$", "");
    if (url == null) {
      throw new IllegalArgumentException("an openai-compatible provider needs a base URL (e.g. https://llm.example.com/v1)");
    }
    if (!url.startsWith("http://") && !url.startsWith("https://")) {
      throw new IllegalArgumentException("the base URL must start with http:// or https://: " + url);
    }
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException("the provider key is empty");
    }
    String n = name == null || name.isBlank() ? p : name.trim();
    if (!n.matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException("a provider name is lower-case letters, digits and dashes: " + n);
    }
    if (store.credentials().stream().anyMatch(c -> c.name().equals(n))) {
      throw new IllegalArgumentException("a provider named '" + n + "' exists; remove it first to replace its key");
    }
    String s = secret.trim();
    String last4 = s.length() <= 4 ? s : s.substring(s.length() - 4);
    long id = store.addCredential(n, p, url, vault.encrypt(n, s), last4, clock.millis());
    loadedMs = -1;
    return new Credential(id, n, p, url, last4, clock.millis());
  }

  private void reload(long now) {
    Map<String, Upstream> fresh = new java.util.HashMap<>();
    for (CredentialRow c : store.credentials()) {
      Upstream u = new Upstream(c.name(), c.provider(), c.baseUrl(), vault.decrypt(c.name(), c.secretEnc()));
      fresh.put(c.name(), u);
      fresh.putIfAbsent("provider:" + c.provider(), u);
    }
    cache.keySet().retainAll(fresh.keySet());
    cache.putAll(fresh);
    loadedMs = now;
  }

  public List<Credential> list() {
    return store.credentials().stream()
        .map(c -> new Credential(c.id(), c.name(), c.provider(), c.baseUrl(), c.last4(), c.createdMs())).toList();
  }

  public boolean remove(String name) {
    boolean removed = store.removeCredential(name);
    loadedMs = -1;
    return removed;
  }

  /**
   * The upstream for a route name (a credential's name, or a provider: the first credential of
   * it). Reloaded every few seconds so a change on another replica is seen; when the database is
   * down the last known credentials keep serving.
   */
  public Optional<Upstream> upstream(String nameOrProvider) {
    long now = clock.millis();
    if (loadedMs < 0) {
      reload(now); // nothing known yet: this request has to wait for the database
    } else if (now - loadedMs > 5_000) {
      refresher.trigger(() -> reload(now));
    }
    Upstream byName = cache.get(nameOrProvider);
    return Optional.ofNullable(byName != null ? byName : cache.get("provider:" + nameOrProvider));
  }
}
