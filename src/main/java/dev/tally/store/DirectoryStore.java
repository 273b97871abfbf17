package dev.tally.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Storage of people, teams, identities, users and API tokens. */
public interface DirectoryStore {
  record PersonRow(long id, String name, String team) {}

  record UserRow(long id, String username, String passwordHash, String role, Long personId) {}

  record TokenRow(long id, String prefix, String name, String scope, Long personId, long createdMs, Long revokedMs) {}

  /** An invitation to sign in; {@code leadOf} are the teams a lead will read. */
  record InviteRow(long id, String username, String role, Long personId, Set<String> leadOf, String createdBy, long createdMs,
      long expiresMs, Long usedMs, Long revokedMs) {}

  long teamId(String name);

  long createPerson(String name, String team);

  Optional<PersonRow> person(long id);

  List<PersonRow> people();

  /** Maps an identity to a person (replacing an earlier mapping). */
  void mapIdentity(String identity, long personId);

  void unmapIdentity(String identity);

  Optional<Long> personOf(String identity);

  List<String> identitiesOf(long personId);

  /** Every mapped identity by person id, each list sorted: one read for a whole people list. */
  Map<Long, List<String>> identitiesByPerson();

  /** Moves every identity of {@code from} to {@code into} and removes {@code from}. */
  void mergePeople(long from, long into);

  long createUser(String username, String passwordHash, String role, Long personId);

  Optional<UserRow> user(String username);

  boolean hasUsers();

  void makeLead(long userId, String team);

  Set<String> ledTeams(long userId);

  long createToken(String prefix, String secretHash, String name, String scope, Long personId, long nowMs);

  Optional<TokenRow> tokenBySecretHash(String secretHash);

  List<TokenRow> tokens();

  void revokeToken(long id, long nowMs);

  /** Stores an invite; earlier pending invites for the same user name are revoked. */
  long createInvite(String tokenHash, String username, String role, Long personId, Set<String> leadOf, String createdBy,
      long nowMs, long expiresMs);

  Optional<InviteRow> inviteByTokenHash(String tokenHash);

  /** Every invite, newest first. */
  List<InviteRow> invites();

  void revokeInvite(long id, long nowMs);

  /**
   * In one transaction: marks the invite used, unless it was used, revoked or expired at {@code nowMs}
   * (then false and nothing changes), and creates its user with this password hash and a lead's teams.
   */
  boolean redeemInvite(long id, String passwordHash, long nowMs);
}
