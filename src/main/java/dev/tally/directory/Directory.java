package dev.tally.directory;

import dev.tally.store.DirectoryStore;
import dev.tally.store.DirectoryStore.PersonRow;
import dev.tally.store.DirectoryStore.TokenRow;
import dev.tally.store.DirectoryStore.UserRow;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * People, teams and who may see what. Events name identities; this maps identities to people
 * (automatically for emails, case-insensitively) and people to teams, and authenticates users and
 * API tokens into a {@link Principal}.
 */
public final class Directory {
  /** Token secrets start with this, so a leaked one is recognisable in a scan. */
  public static final String TOKEN_PREFIX = "tly_";

  private final DirectoryStore store;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  /** Email identities already known to have a person: most batches repeat the same few people. */
  private final java.util.Set<String> adopted = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public Directory(DirectoryStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Normalises an identity: emails are compared case-insensitively. */
  public static String normalize(String identity) {
    if (identity == null) {
      return null;
    }
    String t = identity.trim();
    return t.regionMatches(true, 0, "email:", 0, 6) ? "email:" + t.substring(6).toLowerCase(Locale.ROOT) : t;
  }

  // ---------------------------------------------------------------- people

  /**
   * Adds a person with these emails, or, when one of the emails already belongs to someone, adds
   * the other emails to that person (automatic merge by email).
   */
  public Person addPerson(String name, List<String> emails, String team) {
    Long existing = null;
    for (String e : emails) {
      Optional<Long> p = store.personOf(normalize("email:" + e));
      if (p.isPresent()) {
        existing = p.get();
        break;
      }
    }
    long id = existing != null ? existing : store.createPerson(name, team);
    for (String e : emails) {
      store.mapIdentity(normalize("email:" + e), id);
    }
    return person(id).orElseThrow();
  }

  /** Makes sure an email identity seen in events belongs to a person, creating one when needed. */
  public void adoptIdentity(String identity) {
    String id = normalize(identity);
    if (id == null || !id.startsWith("email:") || adopted.contains(id)) {
      return;
    }
    if (store.personOf(id).isEmpty()) {
      long person = store.createPerson(id.substring(6), null);
      store.mapIdentity(id, person);
    }
    adopted.add(id);
  }

  public void mapIdentity(String identity, long personId) {
    requirePerson(personId);
    store.mapIdentity(normalize(identity), personId);
  }

  /** Splits an identity off its person: it shows as itself again until mapped anew. */
  public void unmapIdentity(String identity) {
    adopted.remove(normalize(identity));
    store.unmapIdentity(normalize(identity));
  }

  public void merge(long from, long into) {
    requirePerson(from);
    requirePerson(into);
    if (from == into) {
      throw new IllegalArgumentException("cannot merge person " + from + " into itself");
    }
    store.mergePeople(from, into);
  }

  public Optional<Person> person(long id) {
    return store.person(id).map(this::toPerson);
  }

  public List<Person> people() {
    Map<Long, List<String>> identities = store.identitiesByPerson();
    return store.people().stream().map(r -> new Person(r.id(), r.name(), r.team(), identities.getOrDefault(r.id(), List.of()))).toList();
  }

  private Person toPerson(PersonRow r) {
    return new Person(r.id(), r.name(), r.team(), store.identitiesOf(r.id()));
  }

  private void requirePerson(long id) {
    if (store.person(id).isEmpty()) {
      throw new IllegalArgumentException("no person with id " + id);
    }
  }

  // ---------------------------------------------------------------- users

  /**
   * Creates user {@code admin} on first start. Returns the one-time password to print, or empty
   * when users exist already or {@code fixedPassword} (TALLY_ADMIN_PASSWORD) was given.
   */
  public Optional<String> ensureAdmin(String fixedPassword) {
    if (store.hasUsers()) {
      return Optional.empty();
    }
    String password = fixedPassword != null && !fixedPassword.isBlank() ? fixedPassword : randomSecret(12);
    store.createUser("admin", Passwords.hash(password), Role.ADMIN.wireName(), null);
    return fixedPassword != null && !fixedPassword.isBlank() ? Optional.empty() : Optional.of(password);
  }

  public long createUser(String username, String password, Role role, Long personId, Set<String> leadOf) {
    if (store.user(username).isPresent()) {
      throw new IllegalArgumentException("user '" + username + "' exists already");
    }
    if (personId != null) {
      requirePerson(personId);
    }
    long id = store.createUser(username, Passwords.hash(password), role.wireName(), personId);
    for (String team : leadOf) {
      store.makeLead(id, team);
    }
    return id;
  }

  /** The user, when the password is right. */
  public Optional<Principal> login(String username, String password) {
    Optional<UserRow> u = store.user(username);
    if (u.isEmpty() || !Passwords.verify(password, u.get().passwordHash())) {
      return Optional.empty();
    }
    return Optional.of(principal(u.get()));
  }

  public Optional<Principal> userPrincipal(String username) {
    return store.user(username).map(this::principal);
  }

  private Principal principal(UserRow u) {
    Role role = Role.parse(u.role());
    return new Principal(u.username(), role, u.personId(), role == Role.LEAD ? store.ledTeams(u.id()) : Set.of(), false);
  }

  // ---------------------------------------------------------------- invites

  /** How long an invite link works. */
  public static final java.time.Duration INVITE_LIFETIME = java.time.Duration.ofDays(7);

  /** A new invite; the token (the secret in the link) is returned once and only its hash is kept. */
  public record NewInvite(long id, String token, java.time.Instant expires) {}

  /** Where an invite stands. */
  public enum InviteStatus {
    PENDING, USED, EXPIRED, REVOKED;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** An invite that cannot be accepted (used, expired, revoked or unknown), with a message for the invitee. */
  public static final class InviteUnusable extends RuntimeException {
    private final InviteStatus status;

    InviteUnusable(InviteStatus status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    /** Null for a token nobody issued. */
    public InviteStatus status() {
      return status;
    }
  }

  /**
   * Invites someone to sign in as {@code username} with this role (a lead reading {@code leadOf}),
   * linked to a person; an earlier pending invite for the same user name stops working.
   */
  public NewInvite invite(String username, Role role, Long personId, Set<String> leadOf, String invitedBy) {
    if (username == null || username.isBlank()) {
      throw new IllegalArgumentException("a user name is required");
    }
    if (store.user(username).isPresent()) {
      throw new IllegalArgumentException("user '" + username + "' exists already");
    }
    if (personId != null) {
      requirePerson(personId);
    }
    if (role == Role.MEMBER && personId == null) {
      throw new IllegalArgumentException("a member sees only their own usage: choose their person");
    }
    if (role == Role.LEAD && leadOf.isEmpty()) {
      throw new IllegalArgumentException("a team lead needs at least one team");
    }
    String token = randomSecret(32);
    long now = clock.millis();
    long expires = now + INVITE_LIFETIME.toMillis();
    long id = store.createInvite(sha256(token), username.trim(), role.wireName(), personId, role == Role.LEAD ? leadOf : Set.of(),
        invitedBy, now, expires);
    return new NewInvite(id, token, java.time.Instant.ofEpochMilli(expires));
  }

  public List<DirectoryStore.InviteRow> invites() {
    return store.invites();
  }

  public InviteStatus status(DirectoryStore.InviteRow invite) {
    if (invite.usedMs() != null) {
      return InviteStatus.USED;
    }
    if (invite.revokedMs() != null) {
      return InviteStatus.REVOKED;
    }
    return clock.millis() >= invite.expiresMs() ? InviteStatus.EXPIRED : InviteStatus.PENDING;
  }

  public void revokeInvite(long id) {
    store.revokeInvite(id, clock.millis());
  }

  /** The pending invite this link's token opens; else {@link InviteUnusable} saying why not. */
  public DirectoryStore.InviteRow openInvite(String token) {
    DirectoryStore.InviteRow invite = token == null || token.isBlank() ? null : store.inviteByTokenHash(sha256(token.trim())).orElse(null);
    if (invite == null) {
      throw new InviteUnusable(null, "This invite link is not valid: check that it was copied whole, or ask an admin for a new one.");
    }
    InviteStatus status = status(invite);
    return switch (status) {
      case PENDING -> invite;
      case USED -> throw new InviteUnusable(status, "This invite link was used already: sign in with your password.");
      case EXPIRED -> throw new InviteUnusable(status, "This invite link has expired: ask an admin for a new one.");
      case REVOKED -> throw new InviteUnusable(status, "This invite link was withdrawn: ask an admin for a new one.");
    };
  }

  /** Sets the invitee's password: creates their login and uses the invite up. Returns the user name. */
  public String acceptInvite(String token, String password) {
    DirectoryStore.InviteRow invite = openInvite(token);
    if (store.user(invite.username()).isPresent()) {
      throw new InviteUnusable(InviteStatus.USED, "User '" + invite.username() + "' exists already: sign in with your password.");
    }
    if (!store.redeemInvite(invite.id(), Passwords.hash(password), clock.millis())) {
      openInvite(token); // used, revoked or expired meanwhile: says which
      throw new InviteUnusable(InviteStatus.USED, "This invite link was used already: sign in with your password.");
    }
    return invite.username();
  }

  // ---------------------------------------------------------------- tokens

  /** A new token; the secret is returned once and only its hash is kept. */
  public record NewToken(long id, String secret) {}

  public enum Scope {
    /** Everything an admin may do. */
    ADMIN,
    /** Ingest only, and only for its person (a developer's machine). */
    AGENT,
    /** Read its person's usage. */
    READ;

    public static Scope parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown token scope '" + s + "' (expected admin, agent or read)");
      }
    }
  }

  public NewToken createToken(String name, Scope scope, Long personId) {
    if (scope != Scope.ADMIN && personId == null) {
      throw new IllegalArgumentException("an " + scope.name().toLowerCase(Locale.ROOT) + " token needs a person");
    }
    if (personId != null) {
      requirePerson(personId);
    }
    String secret = TOKEN_PREFIX + randomSecret(32);
    long id = store.createToken(secret.substring(0, 8), sha256(secret), name, scope.name().toLowerCase(Locale.ROOT),
        personId, clock.millis());
    return new NewToken(id, secret);
  }

  public List<TokenRow> tokens() {
    return store.tokens();
  }

  public void revokeToken(long id) {
    store.revokeToken(id, clock.millis());
  }

  /** The token's principal, unless it is unknown or revoked. */
  public Optional<Principal> authenticate(String secret) {
    if (secret == null || !secret.startsWith(TOKEN_PREFIX)) {
      return Optional.empty();
    }
    return store.tokenBySecretHash(sha256(secret)).filter(t -> t.revokedMs() == null).map(t -> switch (Scope.parse(t.scope())) {
      case ADMIN -> new Principal("token:" + t.name(), Role.ADMIN, t.personId(), Set.of(), false);
      case AGENT -> new Principal("token:" + t.name(), Role.MEMBER, t.personId(), Set.of(), true);
      case READ -> new Principal("token:" + t.name(), Role.MEMBER, t.personId(), Set.of(), false);
    });
  }

  private String randomSecret(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Hex SHA-256: how secrets (API tokens, gateway keys) are kept. */
  public static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
