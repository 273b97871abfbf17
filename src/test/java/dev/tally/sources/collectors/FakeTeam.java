package dev.tally.sources.collectors;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/**
 * One small team across the five fakes: Alice uses Claude Code on an API key, OpenAI (her email in
 * another case) and Cursor; Bob an Anthropic key; Carol OpenAI through a project key and OpenRouter
 * under a key named after her email; Dana Claude Code on a team plan; Sam Cursor and Copilot; an
 * OpenAI user without an email. Some days are empty, one Copilot day is not processed yet.
 *
 * <p>Every figure handed to a fake is also added to {@link #tokens}, {@link #requests} and
 * {@link #reportedMicros} per identity, so tests compare against the data, not against typed-in totals.
 */
public final class FakeTeam implements AutoCloseable {
  public static final Instant NOW = Instant.parse("2026-09-04T12:00:00Z");
  public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  public static final LocalDate D1 = LocalDate.parse("2026-09-01");
  public static final LocalDate D2 = D1.plusDays(1);
  public static final LocalDate D3 = D1.plusDays(2);
  public static final LocalDate TODAY = D1.plusDays(3);
  public static final Instant FROM = D1.atStartOfDay(ZoneOffset.UTC).toInstant();

  public final FakeAnthropic anthropic = new FakeAnthropic();
  public final FakeOpenAi openai = new FakeOpenAi();
  public final FakeCursor cursor = new FakeCursor();
  public final FakeGitHub github = new FakeGitHub();
  public final FakeOpenRouter openrouter = new FakeOpenRouter();

  /** Expected per identity and tool, "identity|tool". */
  public final Map<String, Long> tokens = new HashMap<>();
  public final Map<String, Long> requests = new HashMap<>();
  public final Map<String, Long> reportedMicros = new HashMap<>();

  public FakeTeam() {
    anthropic.user("user_alice", "alice@example.com").user("user_bob", "bob@example.com")
        .apiKey("apikey_alice", "claude_code_key_alice_x7qz", "user_alice")
        .apiKey("apikey_bob", "bob-ci", "user_bob")
        .apiKey("apikey_legacy", "legacy", "user_gone");
    anthropicUsage(D1, "apikey_alice", "email:alice@example.com|claude-code", 1000, 200, 50, 5000, 300, 1);
    anthropicUsage(D1, "apikey_bob", "email:bob@example.com|anthropic-api", 400, 0, 0, 0, 80, 0);
    anthropicUsage(D3, "apikey_alice", "email:alice@example.com|claude-code", 700, 0, 0, 2000, 120, 0);
    anthropicUsage(D3, "apikey_legacy", "anthropic-key:apikey_legacy|anthropic-api", 90, 0, 0, 0, 10, 0);
    anthropicUsage(TODAY, "apikey_alice", "email:alice@example.com|claude-code", 30, 0, 0, 0, 5, 0);
    anthropic.cost(D1, "1234.50").cost(D3, "99.5");
    // Alice's API-key Claude Code rows are already in the messages report: they must not add.
    anthropic.claudeCode(D1, "alice@example.com", "api", "vscode", "claude-sonnet-4-5-20250929", 1000, 300, 5000, 250, 900);
    claudeCodeSubscription(D1, "dana@example.com", "vscode", 100, 40, 1000, 10, 55.5);
    claudeCodeSubscription(D1, "dana@example.com", "iTerm.app", 60, 20, 0, 0, 12.25);

    openai.user("user-alice", "Alice@Example.com").user("user-nomail", null)
        .projectKey("proj_1", "key_carol", "carol@example.com");
    openaiUsage(D1, "user-alice", null, "email:alice@example.com|openai-api", 5000, 3000, 700, 12);
    openaiUsage(D2, "user-nomail", null, "openai-user:user-nomail|openai-api", 800, 0, 100, 3);
    openaiUsage(D3, null, "key_carol", "email:carol@example.com|openai-api", 1200, 200, 150, 4);
    openai.cost(D1, 3.1825).cost(D2, 0.5);

    cursor.member("alice@example.com", "member", 6210.5).member("sam@example.com", "owner", 120);
    cursorEvent(D1.atTime(9, 0), "alice@example.com", 3120, 910, 6112, 48210, 10.62);
    cursorEvent(D1.atTime(10, 0), "alice@example.com", 100, 50, 0, 0, 0.5);
    cursorEvent(D2.atTime(11, 0), "sam@example.com", 200, 20, 0, 0, 1.25);
    cursorEvent(D2.atTime(12, 0), "sam@example.com", 300, 30, 0, 10, 2);
    cursorEvent(D3.atTime(23, 59, 59), "alice@example.com", 10, 5, 0, 0, 0.125);
    // Daily usage data describes the same work as the events: activity only, never more requests.
    cursor.daily(D1, "alice@example.com", 1543, 1102, 289, 128, 12, 5)
        .daily(D2, "sam@example.com", 40, 30, 10, 3, 0, 2);

    github.seat("alice-park", "2026-09-03T17:42:10Z").seat("sam-lee", null);
    copilot(D1, "alice-park", 27);
    github.byModel(D1, "alice-park", "claude-sonnet-4.5", "chat_panel_agent_mode", 11)
        .byModel(D1, "alice-park", "claude-sonnet-4.5", "agent_edit", 4)
        .byModel(D1, "alice-park", "gpt-5.1", "chat_panel_ask_mode", 6)
        .byIde(D1, "alice-park", "vscode", 420, 212, 31).byIde(D1, "alice-park", "intellij", 50, 20, 3);
    copilot(D1, "sam-lee", 4);
    github.notReady(D2);
    copilot(D3, "alice-park", 9);

    openrouter.key("f01d52606dc8", "carol@example.com").limit(50, 12.5, "monthly").key("a9b8c7d6e5f4", "shared-bot");
    openrouterActivity(D1, "f01d52606dc8", "email:carol@example.com|openrouter", 58, 612300, 40210, 3.214);
    openrouterActivity(D3, "a9b8c7d6e5f4", "openrouter-key:shared-bot|openrouter", 7, 1000, 100, 0.01);
  }

  /** The environment a user would set, pointing every provider at its fake. */
  public Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("ANTHROPIC_ADMIN_API_KEY", FakeAnthropic.KEY);
    env.put("ANTHROPIC_ADMIN_BASE_URL", anthropic.baseUrl());
    env.put("OPENAI_ADMIN_KEY", FakeOpenAi.KEY);
    env.put("OPENAI_ADMIN_BASE_URL", openai.baseUrl());
    env.put("CURSOR_ADMIN_API_KEY", FakeCursor.KEY);
    env.put("CURSOR_ADMIN_BASE_URL", cursor.baseUrl());
    env.put("GITHUB_TOKEN", FakeGitHub.KEY);
    env.put("GITHUB_ORG", FakeGitHub.ORG);
    env.put("GITHUB_API_URL", github.baseUrl());
    env.put("OPENROUTER_MANAGEMENT_KEY", FakeOpenRouter.KEY);
    env.put("OPENROUTER_BASE_URL", openrouter.baseUrl());
    return env;
  }

  public static String[] keys() {
    return new String[] {FakeAnthropic.KEY, FakeOpenAi.KEY, FakeCursor.KEY, FakeGitHub.KEY, FakeOpenRouter.KEY};
  }

  private void expect(String slot, long tokenCount, long requestCount, Long micros) {
    tokens.merge(slot, tokenCount, Long::sum);
    requests.merge(slot, requestCount, Long::sum);
    if (micros != null) {
      reportedMicros.merge(slot, micros, Long::sum);
    }
  }

  private void anthropicUsage(LocalDate day, String key, String slot, long uncached, long cw5m, long cw1h, long read,
      long output, long web) {
    anthropic.usage(day, key, "claude-sonnet-4-5-20250929", uncached, cw5m, cw1h, read, output, web);
    expect(slot, uncached + cw5m + cw1h + read + output, 0, null);
  }

  private void claudeCodeSubscription(LocalDate day, String email, String terminal, long in, long out, long read,
      long creation, double cents) {
    anthropic.claudeCode(day, email, "subscription", terminal, "claude-opus-4-1-20250805", in, out, read, creation, cents);
    expect("email:" + email + "|claude-code", in + out + read + creation, 0, Math.round(cents * 10_000));
  }

  private void openaiUsage(LocalDate day, String user, String key, String slot, long input, long cached, long output,
      long reqs) {
    openai.completions(day, user, key, "gpt-5.1", input, cached, output, reqs);
    expect(slot, input + output, reqs, null); // cached is inside input: counted once
  }

  private void cursorEvent(java.time.LocalDateTime at, String email, long in, long out, long cw, long cr, double cents) {
    cursor.event(at.toInstant(ZoneOffset.UTC), email, "claude-4.5-sonnet", in, out, cw, cr, cents);
    expect("email:" + email + "|cursor", in + out + cw + cr, 1, Math.round(cents * 10_000));
  }

  private void copilot(LocalDate day, String login, long interactions) {
    github.activity(day, login, interactions);
    expect("github:" + login + "|copilot", 0, interactions, 0L);
  }

  private void openrouterActivity(LocalDate day, String hash, String slot, long reqs, long prompt, long completion,
      double dollars) {
    openrouter.activity(day, hash, "anthropic/claude-sonnet-4.5", reqs, prompt, completion, dollars);
    expect(slot, prompt + completion, reqs, Math.round(dollars * 1_000_000));
  }

  @Override
  public void close() {
    anthropic.close();
    openai.close();
    cursor.close();
    github.close();
    openrouter.close();
  }
}
