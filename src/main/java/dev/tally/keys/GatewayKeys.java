package dev.tally.keys;

import dev.tally.directory.Directory;
import dev.tally.directory.Person;
import dev.tally.store.DirectoryStore;
import dev.tally.store.GatewayStore;
import dev.tally.store.GatewayStore.KeyRow;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Personal gateway keys, for a person, a project or a CI runner. The secret is shown once and only
 * its SHA-256 is stored, with a visible prefix to recognise it. Each key belongs to a person (the
 * owner of its email, or one named after the key), so a rotated key's history stays with them.
 */
public final class GatewayKeys {
  /** Looks like a provider key ({@code sk-}), so tools that check the shape accept it. */
  public static final String SECRET_PREFIX = "sk-tly-";
  private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
  /** How long a replica may keep serving a key revoked elsewhere. */
  static final long REVALIDATE_MS = 1_000;

  /** What an admin asks for. {@code email} or {@code name} says who the key is for. */
  public record Spec(String name, String email, String team, String project, List<String> tags,
      List<String> allowedModels, Integer rpm, Integer tpm, Integer concurrency, Long expiresMs) {}

  /** A new key: its row and the secret, which is never available again. */
  public record Created(KeyRow key, String secret) {}

  private final GatewayStore store;
  private final DirectoryStore people;
  private final Directory directory;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, KeyRow> byHash = new ConcurrentHashMap<>();
  /**
   * Secrets found to be unknown or revoked, with when: asked again within {@link #UNKNOWN_MS} they
   * are refused from memory, so a client retrying with a wrong key (or anyone trying keys) does not
   * cost a database query per request. A new key cannot be in here: its secret did not exist before.
   */
  private final Map<String, Long> refused = new ConcurrentHashMap<>();
  static final long UNKNOWN_MS = 60_000;
  private static final int REFUSED_MAX = 10_000;
  private final Map<Long, Long> lastUsed = new ConcurrentHashMap<>();
  private volatile long validatedMs;
  private final Refresher refresher = new Refresher("tally-key-revalidation");

  public GatewayKeys(GatewayStore store, DirectoryStore people, Directory directory, Clock clock) {
    this.store = store;
    this.people = people;
    this.directory = directory;
    this.clock = clock;
  }

  /** The identity gateway events carry for a key; the directory maps it to the key's person. */
  public static String identity(long keyId) {
    return "key:" + keyId;
  }

  public Created create(Spec spec) {
    if (spec.name() == null || spec.name().isBlank()) {
      throw new IllegalArgumentException("a key needs a name (--name)");
    }
    long personId;
    if (spec.email() != null && !spec.email().isBlank()) {
      if (!spec.email().contains("@")) {
        throw new IllegalArgumentException("not an email address: " + spec.email());
      }
      personId = directory.addPerson(spec.email().trim(), List.of(spec.email().trim()), spec.team()).id();
    } else {
      personId = people.createPerson(spec.name().trim(), blankToNull(spec.team()));
    }
    return issue(spec.name().trim(), personId, blankToNull(spec.project()), join(spec.tags()), join(spec.allowedModels()),
        spec.rpm(), spec.tpm(), spec.concurrency(), spec.expiresMs(), null);
  }

  private Created issue(String name, long personId, String project, String tags, String models, Integer rpm, Integer tpm,
      Integer concurrency, Long expiresMs, Long rotatedFrom) {
    StringBuilder secret = new StringBuilder(SECRET_PREFIX);
    for (int i = 0; i < 40; i++) {
      secret.append(ALPHABET[random.nextInt(ALPHABET.length)]);
    }
    String s = secret.toString();
    long id = store.createKey(new GatewayStore.NewKey(name, s.substring(0, SECRET_PREFIX.length() + 4), Directory.sha256(s),
        personId, project, tags, models, rpm, tpm, concurrency, expiresMs, rotatedFrom), clock.millis());
    people.mapIdentity(identity(id), personId);
    return new Created(store.key(id).orElseThrow(), s);
  }

  public List<KeyRow> list() {
    flushLastUsed();
    return store.keys();
  }

  public KeyRow require(long id) {
    return store.key(id).orElseThrow(() -> new IllegalArgumentException("no key with id " + id));
  }

  /** Refuses the key from now on, on this replica at once and on others within a second. */
  public void revoke(long id) {
    require(id);
    store.revokeKey(id, clock.millis());
    byHash.values().removeIf(k -> k.id() == id);
  }

  /** A new secret under the same name, person and settings; the old key is revoked. */
  public Created rotate(long id) {
    KeyRow old = require(id);
    if (old.revokedMs() != null) {
      throw new IllegalArgumentException("key " + id + " is revoked; create a new one instead");
    }
    Created fresh = issue(old.name(), old.personId(), old.project(), old.tags(), old.allowedModels(), old.rpm(), old.tpm(),
        old.concurrency(), old.expiresMs(), old.id());
    revoke(id);
    return fresh;
  }

  /**
   * The key a secret belongs to, if it is known, not revoked and not expired. Served from memory;
   * revocations are re-read in the background about once a second, and a database outage keeps
   * the last known answers.
   */
  public Optional<KeyRow> authenticate(String secret) {
    if (secret == null || !secret.startsWith(SECRET_PREFIX)) {
      return Optional.empty();
    }
    long now = clock.millis();
    if (now - validatedMs > REVALIDATE_MS) {
      refresher.trigger(() -> revalidate(now));
    }
    String hash = Directory.sha256(secret);
    KeyRow key = byHash.get(hash);
    if (key == null) {
      Long refusedMs = refused.get(hash);
      if (refusedMs != null && now - refusedMs < UNKNOWN_MS) {
        return Optional.empty();
      }
      try {
        key = store.keyBySecretHash(hash).orElse(null);
      } catch (RuntimeException e) {
        return Optional.empty(); // database down and key never seen: refuse rather than guess
      }
      if (key == null || key.revokedMs() != null) {
        if (refused.size() >= REFUSED_MAX) {
          refused.clear(); // bounded: a flood of made-up keys costs memory once, then queries again
        }
        refused.put(hash, now);
        return Optional.empty();
      }
      byHash.put(hash, key);
    }
    if (key.expiresMs() != null && key.expiresMs() <= now) {
      return Optional.empty();
    }
    lastUsed.put(key.id(), now);
    return Optional.of(key);
  }

  /** Drops keys revoked (on any replica) since the last look; runs in the background. */
  private void revalidate(long now) {
    var revoked = new java.util.HashSet<>(store.revokedKeyIds());
    byHash.values().removeIf(k -> revoked.contains(k.id()));
    validatedMs = now;
    flushLastUsed();
  }

  /** Writes the last-used times gathered in memory (once a second at most, not once per request). */
  public void flushLastUsed() {
    if (lastUsed.isEmpty()) {
      return;
    }
    Map<Long, Long> batch = new HashMap<>(lastUsed);
    store.touchKeys(batch);
    batch.forEach((id, ms) -> lastUsed.remove(id, ms));
  }

  public Optional<Person> owner(KeyRow key) {
    return key.personId() == null ? Optional.empty() : directory.person(key.personId());
  }

  private static String join(List<String> values) {
    if (values == null) {
      return null;
    }
    List<String> clean = values.stream().map(String::trim).filter(v -> !v.isEmpty()).toList();
    return clean.isEmpty() ? null : String.join(",", clean);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
