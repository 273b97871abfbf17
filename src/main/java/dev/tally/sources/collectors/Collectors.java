package dev.tally.sources.collectors;

import dev.tally.sources.collectors.anthropic.AnthropicCollector;
import dev.tally.sources.collectors.cursor.CursorCollector;
import dev.tally.sources.collectors.github.CopilotCollector;
import dev.tally.sources.collectors.openai.OpenAiCollector;
import dev.tally.sources.collectors.openrouter.OpenRouterCollector;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Which collectors the environment enables, and running them: in parallel, each isolated (one
 * provider failing or hanging never blocks or spoils another), each starting at its watermark.
 *
 * <p>Keys come from {@code ANTHROPIC_ADMIN_API_KEY}, {@code OPENAI_ADMIN_KEY} (or
 * {@code OPENAI_ORG_API_KEY}), {@code CURSOR_ADMIN_API_KEY}, {@code GITHUB_TOKEN} with
 * {@code GITHUB_ORG}, and {@code OPENROUTER_MANAGEMENT_KEY}; base URLs from
 * {@code ANTHROPIC_ADMIN_BASE_URL}, {@code OPENAI_ADMIN_BASE_URL}, {@code CURSOR_ADMIN_BASE_URL},
 * {@code GITHUB_API_URL} and {@code OPENROUTER_BASE_URL}. Callers pass the environment merged with
 * {@code tally.properties} ({@link dev.tally.Settings#withProviders}), which may set the base URLs and
 * {@code GITHUB_ORG} but never the keys.
 */
public final class Collectors {
  private static final String USER_AGENT = "Tally/1.0 (AI spend ledger)";

  private Collectors() {}

  /** The enabled collectors and, for each provider left out, a line saying why. */
  public record Setup(List<Collector> collectors, List<String> skipped) {}

  /** One provider's run: its data, or the reason it failed (then {@code collected} is null). */
  public record Outcome(String provider, Collected collected, String error) {
    public boolean ok() {
      return error == null;
    }
  }

  /** True when any admin key is set (standalone reports then default to the admin APIs). */
  public static boolean anyKey(Map<String, String> env) {
    return set(env, "ANTHROPIC_ADMIN_API_KEY") || set(env, "OPENAI_ADMIN_KEY") || set(env, "OPENAI_ORG_API_KEY")
        || set(env, "CURSOR_ADMIN_API_KEY") || set(env, "GITHUB_TOKEN") || set(env, "OPENROUTER_MANAGEMENT_KEY");
  }

  public static Setup fromEnv(Map<String, String> env, Clock clock, ApiClient.Sleeper sleeper, ApiClient.Policy policy) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15))
        .followRedirects(HttpClient.Redirect.NORMAL).build();
    List<Collector> on = new ArrayList<>();
    List<String> skipped = new ArrayList<>();

    String anthropic = env.get("ANTHROPIC_ADMIN_API_KEY");
    if (isSet(anthropic)) {
      on.add(new AnthropicCollector(new ApiClient(AnthropicCollector.PROVIDER,
          base(env, "ANTHROPIC_ADMIN_BASE_URL", "https://api.anthropic.com"),
          ApiClient.headers("x-api-key", anthropic, "anthropic-version", "2023-06-01", "User-Agent", USER_AGENT),
          http, sleeper, clock, policy), clock));
    } else {
      skipped.add("ANTHROPIC_ADMIN_API_KEY is not set: skipping Anthropic");
    }

    String openai = isSet(env.get("OPENAI_ADMIN_KEY")) ? env.get("OPENAI_ADMIN_KEY") : env.get("OPENAI_ORG_API_KEY");
    if (isSet(openai)) {
      on.add(new OpenAiCollector(new ApiClient(OpenAiCollector.PROVIDER,
          base(env, "OPENAI_ADMIN_BASE_URL", "https://api.openai.com/v1"),
          ApiClient.headers("Authorization", "Bearer " + openai, "User-Agent", USER_AGENT),
          http, sleeper, clock, policy), clock));
    } else {
      skipped.add("OPENAI_ADMIN_KEY is not set: skipping OpenAI");
    }

    String cursor = env.get("CURSOR_ADMIN_API_KEY");
    if (isSet(cursor)) {
      String basic = Base64.getEncoder().encodeToString((cursor + ":").getBytes(StandardCharsets.UTF_8));
      on.add(new CursorCollector(new ApiClient(CursorCollector.PROVIDER,
          base(env, "CURSOR_ADMIN_BASE_URL", "https://api.cursor.com"),
          ApiClient.headers("Authorization", "Basic " + basic, "User-Agent", USER_AGENT),
          http, sleeper, clock, policy), clock));
    } else {
      skipped.add("CURSOR_ADMIN_API_KEY is not set: skipping Cursor");
    }

    String github = env.get("GITHUB_TOKEN");
    String org = env.get("GITHUB_ORG");
    if (isSet(github) && isSet(org)) {
      on.add(new CopilotCollector(new ApiClient(CopilotCollector.PROVIDER,
          base(env, "GITHUB_API_URL", "https://api.github.com"),
          ApiClient.headers("Authorization", "Bearer " + github, "Accept", "application/vnd.github+json",
              "X-GitHub-Api-Version", "2026-03-10", "User-Agent", USER_AGENT),
          http, sleeper, clock, policy), org.trim(), clock));
    } else if (isSet(github)) {
      skipped.add("GITHUB_ORG is not set: skipping GitHub Copilot");
    } else {
      skipped.add("GITHUB_TOKEN and GITHUB_ORG are not set: skipping GitHub Copilot");
    }

    String openrouter = env.get("OPENROUTER_MANAGEMENT_KEY");
    if (isSet(openrouter)) {
      on.add(new OpenRouterCollector(new ApiClient(OpenRouterCollector.PROVIDER,
          base(env, "OPENROUTER_BASE_URL", "https://openrouter.ai/api/v1"),
          ApiClient.headers("Authorization", "Bearer " + openrouter, "User-Agent", USER_AGENT),
          http, sleeper, clock, policy), clock));
    } else {
      skipped.add("OPENROUTER_MANAGEMENT_KEY is not set: skipping OpenRouter");
    }
    return new Setup(List.copyOf(on), List.copyOf(skipped));
  }

  /**
   * Runs every collector at once over [from, to), each from its watermark when that is later, and
   * records success (advancing the watermark) or failure in {@code state}. Returns one outcome per
   * collector, in the given order.
   */
  public static List<Outcome> runAll(List<Collector> collectors, Instant from, Instant to, CollectorState state,
      Clock clock) {
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Collected>> futures = new ArrayList<>();
      for (Collector c : collectors) {
        Instant mark = state.watermark(c.provider());
        Instant start = mark != null && mark.isAfter(from) ? mark : from;
        futures.add(pool.submit(() -> start.isBefore(to) ? c.collect(start, to)
            : new Collected(List.of(), List.of(), null, mark, List.of())));
      }
      List<Outcome> outcomes = new ArrayList<>();
      for (int i = 0; i < collectors.size(); i++) {
        String provider = collectors.get(i).provider();
        try {
          Collected c = futures.get(i).get();
          Instant mark = state.watermark(provider);
          Instant next = c.closedUntil() == null ? mark
              : mark != null && mark.isAfter(c.closedUntil()) ? mark : c.closedUntil();
          state.succeeded(provider, clock.instant(), next);
          outcomes.add(new Outcome(provider, c, null));
        } catch (ExecutionException e) {
          String error = describe(e.getCause());
          state.failed(provider, clock.instant(), error);
          outcomes.add(new Outcome(provider, null, error));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          outcomes.add(new Outcome(provider, null, "interrupted"));
        }
      }
      return outcomes;
    }
  }

  private static String describe(Throwable t) {
    if (t instanceof CollectorException) {
      return t.getMessage();
    }
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  private static String base(Map<String, String> env, String name, String fallback) {
    String v = env.get(name);
    return isSet(v) ? v.trim() : fallback;
  }

  private static boolean set(Map<String, String> env, String name) {
    return isSet(env.get(name));
  }

  private static boolean isSet(String v) {
    return v != null && !v.isBlank();
  }
}
