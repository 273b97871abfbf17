package dev.tally.surfaces.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.directory.Directory;
import dev.tally.ledger.Cost;
import dev.tally.sources.collectors.ApiClient;
import dev.tally.sources.collectors.FakeApi;
import dev.tally.sources.collectors.FakeTeam;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import dev.tally.surfaces.http.Server;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tally collectors status|run} against a server polling the fake providers. */
class CollectorsCliTest {
  @TempDir Path tmp;

  @Test
  void statusShowsEachProvidersLastSuccessErrorAndWatermark() throws Exception {
    try (FakeTeam team = new FakeTeam(); Store store = SqliteStore.open(tmp.resolve("tally.db"))) {
      team.github.down(FakeApi.Answer.status(401, "{\"message\":\"Bad credentials\"}"));
      Server server = new Server(store, (p, m, t) -> new Cost(t.total(), "test", m), FakeTeam.CLOCK, 4)
          .withCollectors(team.env(), Duration.ZERO, d -> { },
              new ApiClient.Policy(2, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(10)));
      String url = "http://127.0.0.1:" + server.start("127.0.0.1", 0);
      try {
        String admin = server.directory().createToken("ops", Directory.Scope.ADMIN, null).secret();
        Cli cli = new Cli(tmp).env("TALLY_SERVER", url).env("TALLY_TOKEN", admin);

        String before = cli.run("collectors", "status").out();
        assertThat(before).contains("anthropic", "not run yet", "off: only on `tally collectors run`");

        Cli.Run run = cli.run("collectors", "run");
        assertThat(run.exitCode()).as("a provider failed").isEqualTo(1);
        assertThat(run.out()).contains("github: failed: github:", "HTTP 401", "Bad credentials")
            .contains("cursor: 5 report rows, 2 seats, 2 activity rows (not stored)");

        String status = cli.run("collectors", "status").out();
        assertThat(status.lines().filter(l -> l.startsWith("anthropic")).findFirst().orElseThrow())
            .contains("ok", "2026-09-04T12:00:00Z", "2026-09-04T00:00:00Z");
        assertThat(status.lines().filter(l -> l.startsWith("github")).findFirst().orElseThrow())
            .contains("failing", "HTTP 401");
        // The last run's notes: OpenRouter's balance and the key's own limit.
        assertThat(status).contains("openrouter: OpenRouter credits: $87.12 left of $500.00",
            "openrouter: OpenRouter key sk-or-v1-9c1...e42: $38.73 used this month");
        assertThat(cli.run("collectors", "status", "--json").json().path("collectors")).hasSize(5);
        for (String key : FakeTeam.keys()) {
          assertThat(status).doesNotContain(key);
        }
      } finally {
        server.close();
      }
    }
  }

  @Test
  void seatsShowActiveAgainstIdleAndWhatTheyCost() throws Exception {
    try (FakeTeam team = new FakeTeam(); Store store = SqliteStore.open(tmp.resolve("tally.db"))) {
      var env = new java.util.HashMap<>(team.env());
      env.put("TALLY_SEAT_PRICES", "github=19,cursor=40");
      Server server = new Server(store, (p, m, t) -> new Cost(t.total(), "test", m), FakeTeam.CLOCK, 4)
          .withCollectors(env, Duration.ZERO, d -> { },
              new ApiClient.Policy(2, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(10)));
      String url = "http://127.0.0.1:" + server.start("127.0.0.1", 0);
      try {
        String admin = server.directory().createToken("ops", Directory.Scope.ADMIN, null).secret();
        Cli cli = new Cli(tmp).env("TALLY_SERVER", url).env("TALLY_TOKEN", admin);
        cli.run("collectors", "run");
        String seats = cli.run("collectors", "seats").out();
        // two Copilot seats: alice used hers the day before, sam never did
        assertThat(seats.lines().filter(l -> l.startsWith("github")).findFirst().orElseThrow())
            .containsPattern("github\\s+2\\s+1\\s+1\\s+\\$19\\.00\\s+\\$38\\.00\\s+\\$38\\.00");
        assertThat(cli.run("collectors", "seats", "--idle").out()).contains("github:sam-lee").doesNotContain("alice-park");
      } finally {
        server.close();
      }
    }
  }

  @Test
  void collectEveryTakesShortDurations() {
    assertThat(ServeCommand.duration("15m")).isEqualTo(Duration.ofMinutes(15));
    assertThat(ServeCommand.duration("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(ServeCommand.duration("0")).isZero();
    assertThat(ServeCommand.duration("PT30S")).isEqualTo(Duration.ofSeconds(30));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServeCommand.duration("soon"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--collect-every");
  }
}
