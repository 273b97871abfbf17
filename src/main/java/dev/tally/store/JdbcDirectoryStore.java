package dev.tally.store;

import static dev.tally.store.Sql.insertReturningId;
import static dev.tally.store.Sql.longValue;
import static dev.tally.store.Sql.prepare;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** The directory on JDBC: short transactions on their own connection, SQL shared by SQLite and PostgreSQL. */
final class JdbcDirectoryStore implements DirectoryStore {
  private final Sql sql;

  /** @param changed told after every committed change (person and team answers depend on it) */
  JdbcDirectoryStore(Supplier<Connection> connections, Runnable changed) {
    this.sql = new Sql(connections, changed);
  }

  private <T> T tx(String doing, Sql.Work<T> work) {
    return sql.tx(doing, work);
  }

  private <T> T write(String doing, Sql.Work<T> work) {
    return sql.write(doing, work);
  }

  @Override
  public long teamId(String name) {
    return write("creating team " + name, c -> teamId(c, name));
  }

  private static long teamId(Connection c, String name) throws SQLException {
    Optional<Long> id = longValue(c, "SELECT id FROM teams WHERE name = ?", name);
    return id.isPresent() ? id.get() : insertReturningId(c, "INSERT INTO teams (name) VALUES (?)", name);
  }

  @Override
  public long createPerson(String name, String team) {
    return write("creating person " + name, c -> {
      Long teamId = team == null || team.isBlank() ? null : teamId(c, team);
      return insertReturningId(c, "INSERT INTO people (name, team_id) VALUES (?, ?)", name, teamId);
    });
  }

  private static final String PERSON_SQL =
      "SELECT p.id, p.name, t.name FROM people p LEFT JOIN teams t ON t.id = p.team_id";

  @Override
  public Optional<PersonRow> person(long id) {
    return tx("reading person", c -> {
      try (PreparedStatement ps = prepare(c, PERSON_SQL + " WHERE p.id = ?", id); ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new PersonRow(rs.getLong(1), rs.getString(2), rs.getString(3))) : Optional.empty();
      }
    });
  }

  @Override
  public List<PersonRow> people() {
    return tx("reading people", c -> {
      List<PersonRow> rows = new ArrayList<>();
      try (PreparedStatement ps = prepare(c, PERSON_SQL + " ORDER BY p.name, p.id"); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new PersonRow(rs.getLong(1), rs.getString(2), rs.getString(3)));
        }
      }
      return rows;
    });
  }

  @Override
  public void mapIdentity(String identity, long personId) {
    write("mapping " + identity, c -> {
      try (PreparedStatement del = prepare(c, "DELETE FROM identities WHERE identity = ?", identity);
          PreparedStatement ins = prepare(c, "INSERT INTO identities (identity, person_id) VALUES (?, ?)", identity, personId)) {
        del.executeUpdate();
        ins.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public void unmapIdentity(String identity) {
    write("unmapping " + identity, c -> {
      try (PreparedStatement ps = prepare(c, "DELETE FROM identities WHERE identity = ?", identity)) {
        ps.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public Optional<Long> personOf(String identity) {
    return tx("reading identity", c -> longValue(c, "SELECT person_id FROM identities WHERE identity = ?", identity));
  }

  @Override
  public List<String> identitiesOf(long personId) {
    return tx("reading identities", c -> {
      List<String> ids = new ArrayList<>();
      try (PreparedStatement ps = prepare(c, "SELECT identity FROM identities WHERE person_id = ? ORDER BY identity", personId);
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
      return ids;
    });
  }

  @Override
  public Map<Long, List<String>> identitiesByPerson() {
    Map<Long, List<String>> byPerson = new java.util.HashMap<>();
    sql.list("reading identities", "SELECT person_id, identity FROM identities ORDER BY identity",
        rs -> byPerson.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getString(2)));
    return byPerson;
  }

  /** Every mapped identity with its person key ("person:<id>") and team name (or null). */
  Map<String, String[]> owners() {
    return tx("reading the directory", c -> {
      Map<String, String[]> m = new java.util.HashMap<>();
      try (PreparedStatement ps = prepare(c, "SELECT i.identity, i.person_id, t.name FROM identities i"
          + " JOIN people p ON p.id = i.person_id LEFT JOIN teams t ON t.id = p.team_id"); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          m.put(rs.getString(1), new String[] {"person:" + rs.getLong(2), rs.getString(3)});
        }
      }
      return m;
    });
  }

  @Override
  public void mergePeople(long from, long into) {
    write("merging people", c -> {
      for (String sql : List.of("UPDATE identities SET person_id = ? WHERE person_id = ?",
          "UPDATE users SET person_id = ? WHERE person_id = ?", "UPDATE api_tokens SET person_id = ? WHERE person_id = ?",
          "UPDATE invites SET person_id = ? WHERE person_id = ?")) {
        try (PreparedStatement ps = prepare(c, sql, into, from)) {
          ps.executeUpdate();
        }
      }
      try (PreparedStatement ps = prepare(c, "DELETE FROM people WHERE id = ?", from)) {
        ps.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public long createUser(String username, String passwordHash, String role, Long personId) {
    return write("creating user " + username, c -> insertReturningId(c,
        "INSERT INTO users (username, password_hash, role, person_id) VALUES (?, ?, ?, ?)", username, passwordHash, role, personId));
  }

  @Override
  public Optional<UserRow> user(String username) {
    return tx("reading user", c -> {
      try (PreparedStatement ps = prepare(c, "SELECT id, username, password_hash, role, person_id FROM users WHERE username = ?", username);
          ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        long person = rs.getLong(5);
        Long personId = rs.wasNull() ? null : person;
        return Optional.of(new UserRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), personId));
      }
    });
  }

  @Override
  public boolean hasUsers() {
    return tx("reading users", c -> longValue(c, "SELECT id FROM users LIMIT 1").isPresent());
  }

  @Override
  public void makeLead(long userId, String team) {
    write("making a team lead", c -> {
      long t = teamId(c, team);
      if (longValue(c, "SELECT user_id FROM team_leads WHERE user_id = ? AND team_id = ?", userId, t).isEmpty()) {
        try (PreparedStatement ps = prepare(c, "INSERT INTO team_leads (user_id, team_id) VALUES (?, ?)", userId, t)) {
          ps.executeUpdate();
        }
      }
      return null;
    });
  }

  @Override
  public Set<String> ledTeams(long userId) {
    return tx("reading teams", c -> {
      Set<String> teams = new HashSet<>();
      try (PreparedStatement ps = prepare(c, "SELECT t.name FROM team_leads l JOIN teams t ON t.id = l.team_id WHERE l.user_id = ?", userId);
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          teams.add(rs.getString(1));
        }
      }
      return teams;
    });
  }

  @Override
  public long createToken(String prefix, String secretHash, String name, String scope, Long personId, long nowMs) {
    return write("creating token", c -> insertReturningId(c,
        "INSERT INTO api_tokens (prefix, secret_hash, name, scope, person_id, created_ms) VALUES (?, ?, ?, ?, ?, ?)",
        prefix, secretHash, name, scope, personId, nowMs));
  }

  private static final String TOKEN_SQL = "SELECT id, prefix, name, scope, person_id, created_ms, revoked_ms FROM api_tokens";

  private static TokenRow token(ResultSet rs) throws SQLException {
    long person = rs.getLong(5);
    Long personId = rs.wasNull() ? null : person;
    long created = rs.getLong(6);
    long revoked = rs.getLong(7);
    Long revokedMs = rs.wasNull() ? null : revoked;
    return new TokenRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), personId, created, revokedMs);
  }

  @Override
  public Optional<TokenRow> tokenBySecretHash(String secretHash) {
    return tx("reading token", c -> {
      try (PreparedStatement ps = prepare(c, TOKEN_SQL + " WHERE secret_hash = ?", secretHash); ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(token(rs)) : Optional.empty();
      }
    });
  }

  @Override
  public List<TokenRow> tokens() {
    return tx("reading tokens", c -> {
      List<TokenRow> rows = new ArrayList<>();
      try (PreparedStatement ps = prepare(c, TOKEN_SQL + " ORDER BY id"); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(token(rs));
        }
      }
      return rows;
    });
  }

  @Override
  public void revokeToken(long id, long nowMs) {
    write("revoking token", c -> {
      try (PreparedStatement ps = prepare(c, "UPDATE api_tokens SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL", nowMs, id)) {
        ps.executeUpdate();
      }
      return null;
    });
  }

  // ---------------------------------------------------------------- invites

  @Override
  public long createInvite(String tokenHash, String username, String role, Long personId, Set<String> leadOf, String createdBy,
      long nowMs, long expiresMs) {
    return write("creating an invite for " + username, c -> {
      Sql.update(c, "UPDATE invites SET revoked_ms = ? WHERE username = ? AND used_ms IS NULL AND revoked_ms IS NULL", nowMs, username);
      return insertReturningId(c, "INSERT INTO invites (token_hash, username, role, person_id, lead_of, created_by, created_ms, expires_ms)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", tokenHash, username, role, personId, String.join("\n", new java.util.TreeSet<>(leadOf)),
          createdBy, nowMs, expiresMs);
    });
  }

  private static final String INVITE_SQL =
      "SELECT id, username, role, person_id, lead_of, created_by, created_ms, expires_ms, used_ms, revoked_ms FROM invites";

  private static InviteRow invite(ResultSet rs) throws SQLException {
    Set<String> teams = new java.util.TreeSet<>();
    for (String t : rs.getString(5).split("\n")) {
      if (!t.isBlank()) {
        teams.add(t);
      }
    }
    return new InviteRow(rs.getLong(1), rs.getString(2), rs.getString(3), Sql.nullableLong(rs, 4), teams, rs.getString(6),
        rs.getLong(7), rs.getLong(8), Sql.nullableLong(rs, 9), Sql.nullableLong(rs, 10));
  }

  @Override
  public Optional<InviteRow> inviteByTokenHash(String tokenHash) {
    return sql.list("reading invite", INVITE_SQL + " WHERE token_hash = ?", JdbcDirectoryStore::invite, tokenHash).stream().findFirst();
  }

  @Override
  public List<InviteRow> invites() {
    return sql.list("reading invites", INVITE_SQL + " ORDER BY id DESC", JdbcDirectoryStore::invite);
  }

  @Override
  public void revokeInvite(long id, long nowMs) {
    write("revoking invite", c -> Sql.update(c, "UPDATE invites SET revoked_ms = ? WHERE id = ? AND used_ms IS NULL AND revoked_ms IS NULL",
        nowMs, id));
  }

  @Override
  public boolean redeemInvite(long id, String passwordHash, long nowMs) {
    return write("accepting invite", c -> {
      if (Sql.update(c, "UPDATE invites SET used_ms = ? WHERE id = ? AND used_ms IS NULL AND revoked_ms IS NULL AND expires_ms > ?",
          nowMs, id, nowMs) != 1) {
        return false;
      }
      InviteRow invite;
      try (PreparedStatement ps = prepare(c, INVITE_SQL + " WHERE id = ?", id); ResultSet rs = ps.executeQuery()) {
        rs.next();
        invite = invite(rs);
      }
      long user = insertReturningId(c, "INSERT INTO users (username, password_hash, role, person_id) VALUES (?, ?, ?, ?)",
          invite.username(), passwordHash, invite.role(), invite.personId());
      for (String team : invite.leadOf()) {
        Sql.update(c, "INSERT INTO team_leads (user_id, team_id) VALUES (?, ?)", user, teamId(c, team));
      }
      return true;
    });
  }
}
