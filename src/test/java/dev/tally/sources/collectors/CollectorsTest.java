package dev.tally.sources.collectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.ledger.Money;
import dev.tally.ledger.ReportedUsage;
import dev.tally.ledger.Seat;
import dev.tally.sources.collectors.FakeApi.Answer;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The five collectors against fake providers on loopback, run the way the CLI and server run them. */
class CollectorsTest {
  private final FakeTeam team = new FakeTeam();
  private final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());
  private final ApiClient.Policy policy = new ApiClient.Policy(3, Duration.ofSeconds(1), Duration.ofSeconds(120),
      Duration.ofSeconds(10));

  @AfterEach
  void stop() {
    team.close();
  }

  private List<Collectors.Outcome> run(CollectorState state, Instant from) {
    Collectors.Setup setup = Collectors.fromEnv(team.env(), FakeTeam.CLOCK, waits::add, policy);
    assertThat(setup.skipped()).isEmpty();
    return Collectors.runAll(setup.collectors(), from, FakeTeam.NOW, state, FakeTeam.CLOCK);
  }

  private static Map<String, Collectors.Outcome> byProvider(List<Collectors.Outcome> outcomes) {
    return outcomes.stream().collect(java.util.stream.Collectors.toMap(Collectors.Outcome::provider, o -> o, (a, b) -> a, HashMap::new));
  }

  /** Sums per "identity|tool" of what the collectors reported. */
  private static Map<String, Long> sum(List<Collectors.Outcome> outcomes, java.util.function.ToLongFunction<ReportedUsage> f) {
    Map<String, Long> m = new HashMap<>();
    for (Collectors.Outcome o : outcomes) {
      if (o.ok()) {
        for (ReportedUsage r : o.collected().usage()) {
          m.merge(r.identity() + "|" + r.tool(), f.applyAsLong(r), Long::sum);
        }
      }
    }
    return m;
  }

  private static Map<String, Long> reported(List<Collectors.Outcome> outcomes) {
    Map<String, Long> m = new HashMap<>();
    for (Collectors.Outcome o : outcomes) {
      for (ReportedUsage r : o.collected().usage()) {
        if (r.reportedCostMicros() != null) {
          m.merge(r.identity() + "|" + r.tool(), r.reportedCostMicros(), Long::sum);
        }
      }
    }
    return m;
  }

  @Test
  void everyProviderIsReadAndPeopleMergeByEmailAcrossThem() {
    List<Collectors.Outcome> outcomes = run(CollectorState.inMemory(), FakeTeam.FROM);

    assertThat(outcomes).allSatisfy(o -> assertThat(o.error()).isNull());
    assertThat(sum(outcomes, r -> r.tokens().total())).isEqualTo(team.tokens);
    assertThat(sum(outcomes, ReportedUsage::requests)).isEqualTo(team.requests);
    assertThat(reported(outcomes)).isEqualTo(team.reportedMicros);

    // Alice is one identity in Anthropic (via her key's creator), OpenAI (email in another case) and Cursor.
    List<String> aliceTools = outcomes.stream().flatMap(o -> o.collected().usage().stream())
        .filter(r -> r.identity().equals("email:alice@example.com")).map(ReportedUsage::tool).distinct().sorted().toList();
    assertThat(aliceTools).containsExactly("claude-code", "cursor", "openai-api");
    // The OpenAI user without an email keeps the user id.
    assertThat(team.requests).containsKey("openai-user:user-nomail|openai-api");
  }

  @Test
  void billedTotalsSeatsAndNotesComeBackBesideTheUsage() {
    Map<String, Collectors.Outcome> o = byProvider(run(CollectorState.inMemory(), FakeTeam.FROM));

    // Cost report amounts are decimal strings of cents; OpenAI costs are dollars.
    assertThat(o.get("anthropic").collected().billedMicros())
        .isEqualTo(Money.micros(new BigDecimal("1234.50").add(new BigDecimal("99.5")).movePointLeft(2)));
    assertThat(o.get("openai").collected().billedMicros()).isEqualTo(Money.micros(new BigDecimal("3.1825").add(new BigDecimal("0.5"))));

    List<Seat> cursorSeats = o.get("cursor").collected().seats();
    assertThat(cursorSeats).extracting(Seat::identity).containsExactly("email:alice@example.com", "email:sam@example.com");
    assertThat(cursorSeats.get(0).cycleSpendMicros()).isEqualTo(62_105_000L);
    List<Seat> copilotSeats = o.get("github").collected().seats();
    assertThat(copilotSeats).extracting(Seat::identity).containsExactly("github:alice-park", "github:sam-lee");
    assertThat(copilotSeats.get(0).lastActivity()).isEqualTo(Instant.parse("2026-09-03T17:42:10Z"));
    assertThat(copilotSeats.get(1).lastActivity()).as("an idle seat").isNull();
    assertThat(o.get("anthropic").collected().seats()).extracting(Seat::identity, Seat::plan)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("email:dana@example.com", "claude-team"));

    assertThat(o.get("github").collected().notes()).anyMatch(n -> n.contains("not ready") && n.contains("2026-09-02"))
        .contains("GitHub Copilot business: 2 seats, 1 active this cycle, 1 inactive, 0 added, 0 pending cancellation, "
            + "0 pending invitation")
        .contains("GitHub Copilot premium requests 2026-09: 500, $4.80 billed beyond the seats ($20.00 gross, $15.20 included)");
    assertThat(team.github.log()).anyMatch(l -> l.endsWith("premium_request/usage?year=2026&month=9"));
    assertThat(o.get("openrouter").collected().notes()).anyMatch(n -> n.contains("$87.12 left of $500.00"))
        .contains("OpenRouter key limits: carol@example.com $12.50 left of $50.00 monthly");
  }

  @Test
  void everyPageIsFollowed() {
    run(CollectorState.inMemory(), FakeTeam.FROM);

    // Lists page one item at a time, reports two buckets at a time, Cursor two events at a time.
    assertThat(team.anthropic.count("/v1/organizations/api_keys")).isEqualTo(3);
    assertThat(team.anthropic.count("/v1/organizations/usage_report/messages")).isEqualTo(2); // 4 days
    assertThat(team.openai.count("/organization/users")).isEqualTo(2);
    assertThat(team.cursor.count("/teams/filtered-usage-events")).isEqualTo(3); // 5 events
    assertThat(team.cursor.count("/teams/spend")).isEqualTo(2);
    assertThat(team.github.count("/orgs/acme-corp/copilot/billing/seats")).isEqualTo(2);
    // Dana's two Claude Code rows of one day come on two pages and are both kept.
    assertThat(team.tokens.get("email:dana@example.com|claude-code")).isPositive();
  }

  @Test
  void a429IsRetriedAfterTheTimeTheProviderAsksFor() {
    team.anthropic.failNext("/v1/organizations/usage_report/messages", 1,
        new Answer(429, Map.of("retry-after", "7"), "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}"));
    team.openrouter.failNext("/credits", 1, new Answer(429,
        Map.of("X-RateLimit-Reset", Long.toString(FakeTeam.NOW.plusSeconds(3).toEpochMilli())), "{}"));

    List<Collectors.Outcome> outcomes = run(CollectorState.inMemory(), FakeTeam.FROM);

    assertThat(outcomes).allSatisfy(o -> assertThat(o.error()).isNull());
    assertThat(waits).contains(Duration.ofSeconds(7), Duration.ofSeconds(3));
    assertThat(sum(outcomes, r -> r.tokens().total())).isEqualTo(team.tokens);
  }

  @Test
  void serverErrorsAreRetriedWithBackoffAndThenGiveUpOnThatProviderOnly() {
    team.openai.failNext("/organization/costs", 1, Answer.status(502, "<html>bad gateway</html>"));
    team.cursor.down(Answer.status(503, "{\"error\":\"maintenance\"}"));

    Map<String, Collectors.Outcome> o = byProvider(run(CollectorState.inMemory(), FakeTeam.FROM));

    assertThat(o.get("openai").ok()).as("one 502 is retried").isTrue();
    assertThat(o.get("cursor").error()).contains("cursor", "/teams/members", "HTTP 503", "3 attempts");
    assertThat(team.cursor.count("/teams/members")).isEqualTo(policy.maxAttempts());
    assertThat(waits).contains(Duration.ofSeconds(1), Duration.ofSeconds(2));
  }

  @Test
  void oneProvidersOutageLeavesTheOthersNumbersIntact() {
    Map<String, Long> healthy = sum(run(CollectorState.inMemory(), FakeTeam.FROM), r -> r.tokens().total());
    team.anthropic.down(Answer.status(500, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"overloaded\"}}"));

    List<Collectors.Outcome> outcomes = run(CollectorState.inMemory(), FakeTeam.FROM);

    assertThat(byProvider(outcomes).get("anthropic").ok()).isFalse();
    Map<String, Long> withoutAnthropic = new HashMap<>(healthy);
    withoutAnthropic.keySet().removeIf(k -> k.endsWith("|claude-code") || k.endsWith("|anthropic-api"));
    assertThat(sum(outcomes, r -> r.tokens().total())).isEqualTo(withoutAnthropic);
  }

  @Test
  void malformedJsonFailsThatProviderWithAClearMessage() {
    team.openrouter.failNext("/keys", 1, new Answer(200, Map.of(), "{\"data\": [ {\"hash\": "));

    Map<String, Collectors.Outcome> o = byProvider(run(CollectorState.inMemory(), FakeTeam.FROM));

    assertThat(o.get("openrouter").error()).contains("openrouter", "/keys", "malformed JSON");
    assertThat(o.get("openai").ok()).isTrue();
    assertThat(o.get("openai").collected().usage()).isNotEmpty();
  }

  @Test
  void keysNeverAppearInErrors() {
    team.anthropic.down(Answer.status(401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}"));
    team.github.down(Answer.status(403, "{\"message\":\"Resource not accessible by personal access token\"}"));
    Map<String, String> env = team.env();
    env.put("OPENAI_ADMIN_BASE_URL", "http://127.0.0.1:1/v1"); // nothing listens there

    List<Collectors.Outcome> outcomes = Collectors.runAll(
        Collectors.fromEnv(env, FakeTeam.CLOCK, waits::add, policy).collectors(), FakeTeam.FROM, FakeTeam.NOW,
        CollectorState.inMemory(), FakeTeam.CLOCK);

    List<String> errors = outcomes.stream().filter(o -> !o.ok()).map(Collectors.Outcome::error).toList();
    assertThat(errors).hasSize(3).anyMatch(e -> e.contains("invalid x-api-key")).anyMatch(e -> e.contains("ConnectException"));
    for (String key : FakeTeam.keys()) {
      assertThat(errors).noneMatch(e -> e.contains(key));
    }
  }

  @Test
  void watermarksStopRefetchingClosedBucketsButKeepOpenOnes() {
    CollectorState state = CollectorState.inMemory();
    run(state, FakeTeam.FROM);
    int claudeCodeDays = team.anthropic.count("/v1/organizations/usage_report/claude_code");
    int copilotDays = team.github.count("/orgs/acme-corp/copilot/metrics/reports/users-1-day");
    assertThat(state.watermark("anthropic")).isEqualTo(FakeTeam.TODAY.atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
    assertThat(state.watermark("github")).as("the day not ready stays open")
        .isEqualTo(FakeTeam.D2.atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
    team.anthropic.resetCounts();
    team.github.resetCounts();
    team.openrouter.resetCounts();
    team.github.ready(FakeTeam.D2);

    List<Collectors.Outcome> second = run(state, FakeTeam.FROM);

    // Only today is asked for again (4 days of Claude Code the first time, D1's three rows on three pages)...
    assertThat(claudeCodeDays).isEqualTo(3 + 1 + 1 + 1);
    assertThat(team.anthropic.count("/v1/organizations/usage_report/claude_code")).isEqualTo(1);
    assertThat(team.anthropic.log()).filteredOn(l -> l.contains("usage_report/messages"))
        .allMatch(l -> l.contains("starting_at=2026-09-04T00:00:00Z"));
    assertThat(team.openrouter.count("/activity")).as("no completed day is left to fetch").isZero();
    // ...and GitHub picks up from the day that was not ready.
    assertThat(copilotDays).isEqualTo(3);
    assertThat(team.github.log()).filteredOn(l -> l.contains("users-1-day"))
        .extracting(l -> l.substring(l.indexOf("day=") + 4)).containsExactly("2026-09-02", "2026-09-03");
    assertThat(byProvider(second).get("github").collected().usage()).isNotEmpty();
    assertThat(state.watermark("github")).isEqualTo(FakeTeam.TODAY.atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
    assertThat(state.statuses().get("github").lastSuccess()).isEqualTo(FakeTeam.NOW);
  }

  @Test
  void cursorIsCappedAtNinetyDaysInThirtyDayWindows() {
    Instant from = FakeTeam.NOW.minus(Duration.ofDays(200));

    Map<String, Collectors.Outcome> o = byProvider(run(CollectorState.inMemory(), from));

    assertThat(o.get("cursor").collected().notes()).singleElement().asString().contains("90 days");
    assertThat(team.cursor.count("/teams/filtered-usage-events")).as("3 windows of 30 days, last one with 3 pages")
        .isGreaterThanOrEqualTo(4);
    assertThat(o.get("cursor").collected().usage()).hasSize(5);
    assertThat(o.get("openrouter").collected().notes()).anyMatch(n -> n.contains("30 days"));
  }

  @Test
  void missingKeysAreSkippedWithAReason() {
    Map<String, String> env = new HashMap<>(team.env());
    env.remove("CURSOR_ADMIN_API_KEY");
    env.remove("GITHUB_ORG");
    env.remove("OPENAI_ADMIN_KEY");
    env.put("OPENAI_ORG_API_KEY", FakeOpenAi.KEY);

    Collectors.Setup setup = Collectors.fromEnv(env, FakeTeam.CLOCK, waits::add, policy);

    assertThat(setup.collectors()).extracting(Collector::provider).containsExactly("anthropic", "openai", "openrouter");
    assertThat(setup.skipped()).containsExactly("CURSOR_ADMIN_API_KEY is not set: skipping Cursor",
        "GITHUB_ORG is not set: skipping GitHub Copilot");
    assertThat(Collectors.anyKey(Map.of())).isFalse();
  }

  @Test
  void cursorDailyUsageIsActivityOnlyAndInactiveDaysAreLeftOut() {
    Map<String, Collectors.Outcome> o = byProvider(run(CollectorState.inMemory(), FakeTeam.FROM));

    List<Activity> activity = o.get("cursor").collected().activity();
    // Two members x four days come back (inactive days as zeros); only the two active days are kept.
    assertThat(activity).extracting(a -> a.day() + " " + a.identity())
        .containsExactlyInAnyOrder("2026-09-01 email:alice@example.com", "2026-09-02 email:sam@example.com");
    Activity alice = activity.stream().filter(a -> a.identity().equals("email:alice@example.com")).findFirst().orElseThrow();
    assertThat(alice.count("totalLinesAdded")).isEqualTo(1543);
    assertThat(alice.count("acceptedLinesAdded")).isEqualTo(1102);
    assertThat(alice.count("totalTabsAccepted")).isEqualTo(289);
    assertThat(alice.count("chatRequests")).isEqualTo(128);
    assertThat(alice.count("agentRequests")).isEqualTo(12);
    assertThat(alice.count("totalLinesDeleted")).as("zeros are left out").isZero();
    assertThat(alice.counts()).doesNotContainKey("totalLinesDeleted");
    assertThat(alice.model()).isEqualTo("claude-4.5-sonnet");
    assertThat(team.cursor.count("/teams/daily-usage-data")).as("one member per page").isEqualTo(2);
    // The events alone feed the ledger: Alice's 5 usage-based requests of the day add nothing.
    assertThat(sum(List.of(o.get("cursor")), ReportedUsage::requests))
        .containsEntry("email:alice@example.com|cursor", 3L).containsEntry("email:sam@example.com|cursor", 2L);
  }

  @Test
  void copilotDaysAreSplitByModelAndEditorWithoutChangingTheTotals() {
    Map<String, Collectors.Outcome> o = byProvider(run(CollectorState.inMemory(), FakeTeam.FROM));

    Map<String, Long> byModel = new HashMap<>();
    o.get("github").collected().usage().stream().filter(r -> r.identity().equals("github:alice-park")
        && r.start().equals(FakeTeam.FROM)).forEach(r -> byModel.merge(r.model(), r.requests(), Long::sum));
    // 27 interactions: 15 on Claude over two features, 6 on GPT, the other 6 claimed by no model.
    assertThat(byModel).containsExactlyInAnyOrderEntriesOf(Map.of("claude-sonnet-4.5", 15L, "gpt-5.1", 6L, "copilot", 6L));
    assertThat(o.get("github").collected().activity()).extracting(a -> a.day() + " " + a.identity() + " " + a.editor()
        + " " + a.count("loc_added_sum") + " " + a.count("code_acceptance_activity_count"))
        .containsExactly("2026-09-01 github:alice-park vscode 212 31", "2026-09-01 github:alice-park intellij 20 3");
    // The retired metrics API is never asked; billing once per run.
    assertThat(team.github.count("/orgs/acme-corp/copilot/metrics")).isZero();
    assertThat(team.github.count("/orgs/acme-corp/copilot/billing")).isEqualTo(1);
  }

  @Test
  void copilotBillingThatTheTokenMayNotReadIsANoteNotAFailure() {
    team.github.failNext("/orgs/acme-corp/copilot/billing", 1,
        Answer.status(403, "{\"message\":\"Must have admin rights to Repository.\"}"));
    team.github.failNext("/organizations/acme-corp/settings/billing/premium_request/usage", 1,
        Answer.status(404, "{\"message\":\"Not Found\"}")); // no enhanced billing platform

    Map<String, Collectors.Outcome> o = byProvider(run(CollectorState.inMemory(), FakeTeam.FROM));

    assertThat(o.get("github").ok()).isTrue();
    assertThat(o.get("github").collected().notes()).anyMatch(n -> n.contains("billing not readable"))
        .noneMatch(n -> n.contains("premium requests"));
    assertThat(o.get("github").collected().seats()).hasSize(2);
  }

  @Test
  void openRouterShowsTheCurrentKeysUsageAndLimitAndFallsBackToTheLegacyPath() {
    String expected = "OpenRouter key sk-or-v1-9c1...e42: $38.73 used this month, $1.93 today, $412.88 in all; "
        + "$61.27 left of its monthly limit of $100.00";
    assertThat(byProvider(run(CollectorState.inMemory(), FakeTeam.FROM)).get("openrouter").collected().notes())
        .contains(expected);
    assertThat(team.openrouter.count("/auth/key")).isZero();

    team.openrouter.legacyKeyPath();
    assertThat(byProvider(run(CollectorState.inMemory(), FakeTeam.FROM)).get("openrouter").collected().notes())
        .contains(expected);
    assertThat(team.openrouter.count("/auth/key")).isEqualTo(1);

    team.openrouter.failNext("/key", 1, Answer.status(403, "{\"error\":{\"code\":403,\"message\":\"forbidden\"}}"));
    Collectors.Outcome o = byProvider(run(CollectorState.inMemory(), FakeTeam.FROM)).get("openrouter");
    assertThat(o.ok()).as("a key that may not read itself is no failure").isTrue();
    assertThat(o.collected().notes()).noneMatch(n -> n.startsWith("OpenRouter key sk-"));
  }

  @Test
  void emptyDaysAddNothingAndStillClose() {
    // D2 is empty for Anthropic (a bucket with results: []), OpenRouter (data: []) and Copilot
    // (a report whose file has no lines); Cursor answers every member's inactive days with zeros.
    team.github.ready(FakeTeam.D2);
    team.github.emptyDay(FakeTeam.D2);
    ApiClient raw = new ApiClient("anthropic", team.anthropic.baseUrl(), Map.of("x-api-key", FakeAnthropic.KEY,
        "anthropic-version", "2023-06-01"), java.net.http.HttpClient.newHttpClient(), waits::add, FakeTeam.CLOCK, policy);
    com.fasterxml.jackson.databind.JsonNode bucket = raw.get("/v1/organizations/usage_report/messages",
        ApiClient.Query.of("starting_at", "2026-09-02T00:00:00Z", "ending_at", "2026-09-03T00:00:00Z",
            "bucket_width", "1d", "group_by[]", "api_key_id")).path("data").get(0);
    assertThat(bucket.path("starting_at").asText()).isEqualTo("2026-09-02T00:00:00Z");
    assertThat(bucket.path("results")).as("the fake sends the empty day as an empty bucket").isEmpty();
    CollectorState state = CollectorState.inMemory();

    List<Collectors.Outcome> outcomes = run(state, FakeTeam.FROM);

    assertThat(outcomes).allSatisfy(o -> assertThat(o.error()).isNull());
    Instant d2 = FakeTeam.D2.atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
    for (String p : List.of("anthropic", "github", "openrouter")) {
      assertThat(byProvider(outcomes).get(p).collected().usage()).as(p).noneMatch(r -> r.start().equals(d2));
    }
    assertThat(byProvider(outcomes).get("cursor").collected().activity())
        .noneMatch(a -> a.day().equals(FakeTeam.D3)); // nobody active on D3: zeros only
    assertThat(byProvider(outcomes).get("github").collected().notes()).noneMatch(n -> n.contains("not ready"));
    // An empty day is a closed day: every watermark moves past it.
    Instant today = FakeTeam.TODAY.atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
    for (String p : List.of("anthropic", "openai", "cursor", "github", "openrouter")) {
      assertThat(state.watermark(p)).as(p).isEqualTo(today);
    }
    // The totals are still exactly the fixture's.
    assertThat(sum(outcomes, r -> r.tokens().total())).isEqualTo(team.tokens);
    assertThat(sum(outcomes, ReportedUsage::requests)).isEqualTo(team.requests);
  }

  static String slots(List<ReportedUsage> rows) {
    return rows.stream().map(r -> r.identity() + "|" + r.tool()).distinct().sorted().collect(java.util.stream.Collectors.joining(","));
  }
}
