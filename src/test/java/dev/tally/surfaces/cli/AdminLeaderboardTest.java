package dev.tally.surfaces.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.ledger.Money;
import dev.tally.sources.collectors.FakeApi.Answer;
import dev.tally.sources.collectors.FakeTeam;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tally leaderboard} in standalone mode, against the fake providers, as a user runs it. */
class AdminLeaderboardTest {
  @TempDir Path home;
  private final FakeTeam team = new FakeTeam();

  @AfterEach
  void stop() {
    team.close();
  }

  private Cli cli(Map<String, String> env) {
    Cli cli = new Cli(home);
    cli.clock = FakeTeam.CLOCK;
    env.forEach(cli::env);
    return cli;
  }

  /** The fixture's expected figure for one identity over the given tools. */
  private static long sum(Map<String, Long> expected, String identity, List<String> tools) {
    return tools.stream().mapToLong(t -> expected.getOrDefault(identity + "|" + t, 0L)).sum();
  }

  @Test
  void ranksPeopleAcrossPlatformsWithSubRowsSkippedAndFailedPlatformWarnings() {
    Map<String, String> env = new HashMap<>(team.env());
    env.remove("OPENROUTER_MANAGEMENT_KEY");
    team.github.down(Answer.status(401, "{\"message\":\"Bad credentials\"}"));

    Cli.Run run = cli(env).run("leaderboard", "--days", "7", "-z", "UTC", "--sort", "tokens");

    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).contains("warning: OPENROUTER_MANAGEMENT_KEY is not set: skipping OpenRouter")
        .contains("github: GET /orgs/acme-corp/copilot/billing/seats answered HTTP 401: Bad credentials")
        .doesNotContain(FakeTeam.keys());
    String out = run.out();
    assertThat(out).startsWith("AI Coding Usage Leaderboard (Last 7 days)\n");
    // Alice is ranked once, with one sub-row per tool she used, first by tokens (Cursor's cache reads).
    assertThat(out).contains("  1   alice@example.com");
    assertThat(out.lines().filter(l -> l.contains("alice@example.com")).count()).isEqualTo(1);
    int alice = out.indexOf("alice@example.com");
    String aliceBlock = out.substring(alice, out.indexOf("\n  2 ", alice));
    assertThat(aliceBlock).contains("Cursor, Claude Code, OpenAI API");
    assertThat(aliceBlock.lines().skip(1).map(String::strip).map(l -> l.split("\\s{2,}")[0]))
        .containsExactly("Cursor", "Claude Code", "OpenAI API");
    assertThat(out).contains("user-nomail"); // the OpenAI user without an email keeps the id
    assertThat(out).contains("From the admin APIs of: anthropic, openai, cursor   (failed: github)");
  }

  @Test
  void baseUrlsAndTheGithubOrgMayComeFromTheSettingsFileTheEnvironmentWinning() throws Exception {
    Map<String, String> env = new HashMap<>(team.env());
    StringBuilder file = new StringBuilder();
    for (String name : List.of("ANTHROPIC_ADMIN_BASE_URL", "CURSOR_ADMIN_BASE_URL", "GITHUB_API_URL", "GITHUB_ORG",
        "OPENROUTER_BASE_URL")) {
      file.append(name).append(" = ").append(env.remove(name)).append('\n');
    }
    file.append("OPENAI_ADMIN_BASE_URL = http://127.0.0.1:1/v1\n"); // the environment's URL wins
    java.nio.file.Files.createDirectories(home.resolve("config"));
    java.nio.file.Files.writeString(home.resolve("config/tally.properties"), file);

    Cli.Run run = cli(env).run("leaderboard", "--source", "admin-api", "--days", "7", "-z", "UTC", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).doesNotContain("skipping", "failed", "left out");
    assertThat(run.json().path("platforms")).extracting(JsonNode::asText)
        .containsExactly("anthropic", "openai", "cursor", "github", "openrouter");
    assertThat(team.cursor.total()).isPositive();
    assertThat(team.github.total()).isPositive();
  }

  @Test
  void jsonShowsActivityBesideTheRankingWithoutAddingToIt() {
    JsonNode root = cli(team.env()).run("leaderboard", "--source", "admin-api", "--days", "7", "-z", "UTC", "--json").json();

    Map<String, JsonNode> activity = new HashMap<>();
    root.path("activity").forEach(a -> activity.put(a.path("identity").asText() + "|" + a.path("tool").asText(), a));
    assertThat(activity).containsOnlyKeys("email:alice@example.com|cursor", "email:sam@example.com|cursor",
        "github:alice-park|copilot");
    assertThat(activity.get("email:alice@example.com|cursor").path("counts").path("totalLinesAdded").asLong()).isEqualTo(1543);
    assertThat(activity.get("email:alice@example.com|cursor").path("counts").path("chatRequests").asLong()).isEqualTo(128);
    // Two editors, summed.
    assertThat(activity.get("github:alice-park|copilot").path("counts").path("loc_added_sum").asLong()).isEqualTo(212 + 20);
  }

  @Test
  void jsonTotalsMatchWhatTheProvidersReported() {
    Cli.Run run = cli(team.env()).run("leaderboard", "--source", "admin-api", "--days", "7", "-z", "UTC", "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode root = run.json();
    Map<String, JsonNode> rows = new HashMap<>();
    root.path("leaderboard").forEach(r -> rows.put(r.path("identity").asText(), r));

    List<String> aliceTools = List.of("claude-code", "openai-api", "cursor");
    JsonNode alice = rows.get("email:alice@example.com");
    assertThat(alice.path("totalTokens").asLong()).isEqualTo(sum(team.tokens, "email:alice@example.com", aliceTools));
    assertThat(alice.path("requests").asLong()).isEqualTo(sum(team.requests, "email:alice@example.com", aliceTools));
    assertThat(alice.path("tools")).extracting(t -> t.path("tool").asText())
        .containsExactlyInAnyOrder("Claude Code", "OpenAI API", "Cursor");

    // Where the provider reported money (Cursor cents, OpenRouter dollars) that figure is the cost.
    JsonNode sam = rows.get("email:sam@example.com");
    assertThat(sam.path("cost").decimalValue())
        .isEqualByComparingTo(Money.dollars(team.reportedMicros.get("email:sam@example.com|cursor")));
    JsonNode carol = rows.get("email:carol@example.com");
    assertThat(carol.path("tools")).extracting(t -> t.path("tool").asText()).containsExactlyInAnyOrder("OpenAI API", "OpenRouter");
    assertThat(rows).containsKeys("github:alice-park", "openai-user:user-nomail", "email:dana@example.com");

    long everyone = team.tokens.values().stream().mapToLong(Long::longValue).sum();
    assertThat(root.path("totals").path("totalTokens").asLong()).isEqualTo(everyone);
    assertThat(root.path("platforms")).hasSize(5);
    assertThat(root.path("notes").toString()).contains("not ready");
    assertThat(root.path("totals").path("cost").decimalValue()).isGreaterThan(BigDecimal.ZERO);
  }

  @Test
  void csvHasOneLinePerPersonAndTool() {
    Cli.Run run = cli(team.env()).run("leaderboard", "--days", "7", "-z", "UTC", "--csv", "--sort", "requests");

    assertThat(run.exitCode()).isZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines.get(0)).isEqualTo("rank,user,tool,requests,tokens,cost_usd");
    long slotsWithData = team.tokens.keySet().size();
    assertThat(lines).hasSize((int) slotsWithData + 1);
    assertThat(lines.get(1)).startsWith("1,carol@example.com,OpenRouter,58,");
  }

  @Test
  void withoutAnyAdminKeyTheLocalLeaderboardIsUsed() {
    Cli.Run run = cli(Map.of()).run("leaderboard", "--days", "7", "-z", "UTC");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).doesNotContain("From the admin APIs");
    Cli.Run forced = cli(Map.of()).run("leaderboard", "--source", "admin-api");
    assertThat(forced.exitCode()).isEqualTo(2);
    assertThat(forced.err()).contains("no admin API key is set");
  }
}
