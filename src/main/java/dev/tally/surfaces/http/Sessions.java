package dev.tally.surfaces.http;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Browser sessions: a random id in an HttpOnly, SameSite=Strict cookie, and a CSRF token that
 * state-changing requests must echo in a header. Kept in memory: a restart signs people out.
 */
final class Sessions {
  static final String COOKIE = "tally_session";
  static final Duration LIFETIME = Duration.ofHours(12);

  record Session(String id, String username, String csrf, Instant expires) {}

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;

  Sessions(Clock clock) {
    this.clock = clock;
  }

  Session create(String username) {
    Session s = new Session(random(), username, random(), clock.instant().plus(LIFETIME));
    sessions.put(s.id(), s);
    return s;
  }

  Optional<Session> find(String id) {
    Session s = sessions.get(id);
    if (s == null || !clock.instant().isBefore(s.expires())) {
      sessions.remove(id);
      return Optional.empty();
    }
    return Optional.of(s);
  }

  void remove(String id) {
    sessions.remove(id);
  }

  private String random() {
    byte[] b = new byte[24];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
