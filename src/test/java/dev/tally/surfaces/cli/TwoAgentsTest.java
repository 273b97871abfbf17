package dev.tally.surfaces.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.directory.Directory;
import dev.tally.pricing.PriceTable;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import dev.tally.surfaces.http.Server;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two developers' machines run the agent against one server; the server's per-person totals equal
 * what each machine's own {@code tally daily} shows.
 */
class TwoAgentsTest {
  @TempDir Path tmp;

  @Test
  void perPersonTotalsOnTheServerEqualEachMachinesLocalReport() throws Exception {
    try (Store store = SqliteStore.open(tmp.resolve("server.db"))) {
      Server server = new Server(store, PriceTable.shipped()::price, new Cli(tmp).clock, 4);
      String url = "http://127.0.0.1:" + server.start("127.0.0.1", 0);
      try {
        Directory dir = server.directory();
        long alice = dir.addPerson("Alice", List.of("alice@x.com"), "web").id();
        long bob = dir.addPerson("Bob", List.of("bob@x.com"), "api").id();
        Cli aliceLaptop = machine("alice", "fixtures/claude-code", "fixtures/codex");
        Cli bobLaptop = machine("bob", "fixtures/claude-code-real", "fixtures/codex-real");
        for (var m : List.of(new Object[] {aliceLaptop, alice}, new Object[] {bobLaptop, bob})) {
          Cli cli = (Cli) m[0];
          String token = dir.createToken("laptop", Directory.Scope.AGENT, (Long) m[1]).secret();
          Cli.Run login = cli.run("agent", "login", url, token);
          assertThat(login.exitCode()).as(login.err()).isZero();
          Cli.Run run = cli.run("agent", "run", "--once");
          assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
          assertThat(run.out()).contains("rejected 0");
        }
        String admin = dir.createToken("admin", Directory.Scope.ADMIN, null).secret();
        JsonNode usage = get(url + "/api/v1/usage?range=90d&groupBy=person", admin);
        for (var m : List.of(new Object[] {aliceLaptop, alice}, new Object[] {bobLaptop, bob})) {
          JsonNode local = ((Cli) m[0]).run("daily", "--json", "--timezone", "UTC").json().get("totals");
          JsonNode remote = row(usage, "person:" + m[1]);
          assertThat(remote.get("requests").asLong()).isEqualTo(local.get("requests").asLong());
          assertThat(remote.get("inputTokens").asLong()).isEqualTo(local.get("inputTokens").asLong());
          assertThat(remote.get("outputTokens").asLong()).isEqualTo(local.get("outputTokens").asLong());
          assertThat(remote.get("cacheReadTokens").asLong()).isEqualTo(local.get("cacheReadTokens").asLong());
          assertThat(remote.get("totalTokens").asLong()).isEqualTo(local.get("totalTokens").asLong());
          assertThat(remote.get("cost").decimalValue()).isEqualByComparingTo(local.get("totalCost").decimalValue());
        }
        // a second round sends nothing new
        Cli.Run again = aliceLaptop.run("agent", "run", "--once");
        assertThat(again.out()).contains("sent 0");
      } finally {
        server.close();
      }
    }
  }

  Cli machine(String user, String claude, String codex) throws Exception {
    Cli cli = new Cli(Files.createDirectories(tmp.resolve(user)));
    cli.clock = java.time.Clock.fixed(java.time.Instant.parse("2026-11-24T12:00:00Z"), java.time.ZoneOffset.UTC);
    cli.env("CLAUDE_CONFIG_DIR", Cli.shared().resolve(claude).toString());
    cli.env("CODEX_HOME", Cli.shared().resolve(codex).toString());
    Path empty = Files.createDirectories(tmp.resolve(user + "-empty"));
    cli.env("OPENCODE_DATA_DIR", empty.toString());
    cli.env("GEMINI_DATA_DIR", empty.toString());
    return cli;
  }

  static JsonNode get(String url, String token) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new ObjectMapper().readTree(r.body());
  }

  static JsonNode row(JsonNode usage, String person) {
    for (JsonNode r : usage.get("rows")) {
      if (r.get("person").asText().equals(person)) {
        return r;
      }
    }
    throw new AssertionError("no row for " + person + " in " + usage);
  }

  @Test
  void anAdminManagesPeopleAndTokensFromTheCommandLine() throws Exception {
    try (Store store = SqliteStore.open(tmp.resolve("admin.db"))) {
      Server server = new Server(store, PriceTable.shipped()::price, new Cli(tmp).clock, 4);
      String url = "http://127.0.0.1:" + server.start("127.0.0.1", 0);
      try {
        String admin = server.directory().createToken("ops", Directory.Scope.ADMIN, null).secret();
        Cli cli = new Cli(Files.createDirectories(tmp.resolve("ops"))).env("TALLY_SERVER", url).env("TALLY_TOKEN", admin);
        assertThat(cli.run("people", "add", "Alice Smith", "--email", "alice@corp.com", "--team", "web").out()).contains("person 1");
        assertThat(cli.run("people", "add", "Alice (home)", "--email", "alice@home.net").out()).contains("person 2");
        assertThat(cli.run("people", "merge", "2", "1").exitCode()).isZero();
        assertThat(cli.run("people", "map", "1", "openai-user:user_abc").exitCode()).isZero();
        String list = cli.run("people", "list").out();
        assertThat(list).contains("Alice Smith").contains("email:alice@home.net").contains("openai-user:user_abc")
            .doesNotContain("Alice (home)");
        assertThat(cli.run("people", "unmap", "openai-user:user_abc").exitCode()).isZero();
        Cli.Run token = cli.run("tokens", "create", "--name", "alice-laptop", "--person", "1");
        assertThat(token.out()).startsWith("tly_");
        String secret = token.out().lines().findFirst().orElseThrow();
        assertThat(cli.run("tokens", "list").out()).contains("alice-laptop").doesNotContain(secret);
        assertThat(cli.run("tokens", "revoke", "2").exitCode()).isZero();
        Cli.Run refused = new Cli(tmp).env("TALLY_SERVER", url).env("TALLY_TOKEN", secret).run("people", "list");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.err()).contains("unknown or revoked token");
        assertThat(new Cli(tmp).env("TALLY_SERVER", url).run("people", "list").err()).contains("TALLY_TOKEN");
      } finally {
        server.close();
      }
    }
  }
}
