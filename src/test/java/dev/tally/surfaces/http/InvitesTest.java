package dev.tally.surfaces.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.directory.Directory;
import dev.tally.directory.Role;
import dev.tally.ledger.Cost;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Invites over the HTTP API: who may invite, the one-time link, its expiry, and signing in with it. */
class InvitesTest {
  static final ObjectMapper JSON = new ObjectMapper();

  /** A clock the test moves forward. */
  static final class Wall extends Clock {
    Instant now = Instant.parse("2026-11-24T12:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return Clock.fixed(now, zone);
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @TempDir Path dir;
  final Wall clock = new Wall();
  final HttpClient http = HttpClient.newHttpClient();
  Store store;
  Server server;
  String base;
  String admin;
  long alice;

  Store openStore() throws Exception {
    return SqliteStore.open(dir.resolve("tally.db"));
  }

  @BeforeEach
  void start() throws Exception {
    store = openStore();
    server = new Server(store, (p, m, t) -> new Cost(t.total(), "test", m), clock, 4);
    server.directory().ensureAdmin("admin-password");
    admin = "admin:admin-password";
    base = "http://127.0.0.1:" + server.start("127.0.0.1", 0);
    alice = server.directory().addPerson("Alice", java.util.List.of("alice@x.com"), "web").id();
    server.directory().createUser("member", "member-password", Role.MEMBER, alice, Set.of());
    server.directory().createUser("lead", "lead-password", Role.LEAD, null, Set.of("web"));
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  record Answer(int status, JsonNode body, String cookie) {}

  Answer call(String method, String path, String auth, Object body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (auth != null) {
      b.header("Authorization", auth.contains(":") ? "Basic " + Base64.getEncoder().encodeToString(auth.getBytes(StandardCharsets.UTF_8))
          : "Bearer " + auth);
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body().isBlank() ? null : JSON.readTree(r.body()),
        r.headers().firstValue("Set-Cookie").orElse(null));
  }

  Answer invite(String auth, ObjectNode spec) throws Exception {
    return call("POST", "/api/v1/invites", auth, spec);
  }

  ObjectNode forAlice() {
    return JSON.createObjectNode().put("person", alice).put("username", "alice").put("role", "member");
  }

  Answer accept(String token, String password) throws Exception {
    return call("POST", "/api/v1/invites/accept", null, JSON.createObjectNode().put("token", token).put("password", password));
  }

  @Test
  void onlyAdminsInvite() throws Exception {
    String reader = server.directory().createToken("dash", Directory.Scope.READ, alice).secret();
    for (String who : java.util.List.of("member:member-password", "lead:lead-password", reader)) {
      assertThat(invite(who, forAlice()).status()).as("invite as " + who).isEqualTo(403);
      assertThat(call("GET", "/api/v1/invites", who, null).status()).as("list as " + who).isEqualTo(403);
      assertThat(call("DELETE", "/api/v1/invites/1", who, null).status()).as("revoke as " + who).isEqualTo(403);
    }
    assertThat(invite(null, forAlice()).status()).isEqualTo(401);
    assertThat(server.directory().invites()).isEmpty();
  }

  @Test
  void anInviteLinkSetsAPasswordOnceAndSignsIn() throws Exception {
    Answer created = invite(admin, forAlice());
    assertThat(created.status()).isEqualTo(201);
    String token = created.body().get("token").asText();
    assertThat(created.body().get("path").asText()).isEqualTo("/#/invite/" + token);
    assertThat(created.body().get("expires").asText()).isEqualTo("2026-12-01T12:00:00Z");
    assertThat(created.body().get("status").asText()).isEqualTo("pending");
    // only a hash is stored, and the list never shows the token
    JsonNode pending = call("GET", "/api/v1/invites?status=pending", admin, null).body();
    assertThat(pending).hasSize(1);
    assertThat(pending.toString()).doesNotContain(token);
    assertThat(pending.get(0).get("name").asText()).isEqualTo("Alice");

    JsonNode check = call("POST", "/api/v1/invites/check", null, JSON.createObjectNode().put("token", token)).body();
    assertThat(check.get("username").asText()).isEqualTo("alice");
    assertThat(check.get("name").asText()).isEqualTo("Alice");
    assertThat(accept(token, "short").status()).isEqualTo(400);

    Answer accepted = accept(token, "alice-password");
    assertThat(accepted.status()).isEqualTo(200);
    assertThat(accepted.body().get("role").asText()).isEqualTo("member");
    assertThat(accepted.cookie()).contains(Sessions.COOKIE).contains("HttpOnly");
    // signed in, as a member who sees only Alice
    String cookie = accepted.cookie().substring(0, accepted.cookie().indexOf(';'));
    HttpResponse<String> me = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/me")).header("Cookie", cookie).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(JSON.readTree(me.body()).get("person").asText()).isEqualTo("person:" + alice);
    assertThat(call("GET", "/api/v1/usage", "alice:alice-password", null).status()).isEqualTo(200);

    // single use
    Answer again = accept(token, "another-password");
    assertThat(again.status()).isEqualTo(410);
    assertThat(again.body().get("error").asText()).contains("used already");
    assertThat(call("GET", "/api/v1/usage", "alice:another-password", null).status()).isEqualTo(401);
    assertThat(call("POST", "/api/v1/invites/check", null, JSON.createObjectNode().put("token", token)).status()).isEqualTo(410);
    assertThat(call("GET", "/api/v1/invites", admin, null).body().get(0).get("status").asText()).isEqualTo("used");
    // the user exists now: a second invite for the name is refused
    assertThat(invite(admin, forAlice()).status()).isEqualTo(400);
  }

  @Test
  void anInviteExpiresAfterSevenDays() throws Exception {
    String token = invite(admin, forAlice()).body().get("token").asText();
    clock.now = clock.now.plus(Duration.ofDays(7)).minusSeconds(1);
    assertThat(call("POST", "/api/v1/invites/check", null, JSON.createObjectNode().put("token", token)).status()).isEqualTo(200);
    clock.now = clock.now.plusSeconds(1);
    Answer late = accept(token, "alice-password");
    assertThat(late.status()).isEqualTo(410);
    assertThat(late.body().get("error").asText()).contains("expired");
    assertThat(call("GET", "/api/v1/invites", admin, null).body().get(0).get("status").asText()).isEqualTo("expired");
    assertThat(call("GET", "/api/v1/usage", "alice:alice-password", null).status()).isEqualTo(401);
  }

  @Test
  void revokedUnknownAndReplacedInvitesAreRefusedWithAReason() throws Exception {
    JsonNode first = invite(admin, forAlice()).body();
    JsonNode second = invite(admin, forAlice()).body(); // a new link for the same login replaces the first
    Answer replaced = accept(first.get("token").asText(), "alice-password");
    assertThat(replaced.status()).isEqualTo(410);
    assertThat(replaced.body().get("error").asText()).contains("withdrawn");
    assertThat(call("DELETE", "/api/v1/invites/" + second.get("id").asLong(), admin, null).status()).isEqualTo(204);
    assertThat(accept(second.get("token").asText(), "alice-password").status()).isEqualTo(410);
    assertThat(call("GET", "/api/v1/invites?status=pending", admin, null).body()).isEmpty();
    Answer unknown = accept("not-a-token", "alice-password");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body().get("error").asText()).contains("not valid");
  }

  @Test
  void aLeadIsInvitedWithTeamsAndANewPersonWithAnEmail() throws Exception {
    assertThat(invite(admin, JSON.createObjectNode().put("person", alice).put("username", "l2").put("role", "lead")).status())
        .as("a lead without teams").isEqualTo(400);
    ObjectNode lead = JSON.createObjectNode().put("name", "Bo").put("email", "bo@x.com").put("team", "api").put("role", "lead");
    lead.putArray("leadOf").add("api").add("web");
    JsonNode created = invite(admin, lead).body();
    assertThat(created.get("username").asText()).isEqualTo("bo@x.com");
    assertThat(created.get("leadOf").toString()).isEqualTo("[\"api\",\"web\"]");
    assertThat(server.directory().people()).anySatisfy(p -> assertThat(p.identities()).contains("email:bo@x.com"));
    assertThat(accept(created.get("token").asText(), "bo-password").status()).isEqualTo(200);
    assertThat(server.directory().userPrincipal("bo@x.com").orElseThrow().teams()).containsExactlyInAnyOrder("api", "web");
    // a member needs a person
    assertThat(invite(admin, JSON.createObjectNode().put("username", "nobody").put("role", "member")).status()).isEqualTo(400);
  }
}
