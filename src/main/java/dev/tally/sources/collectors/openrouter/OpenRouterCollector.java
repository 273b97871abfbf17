package dev.tally.sources.collectors.openrouter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.ledger.ReportedUsage;
import dev.tally.ledger.Tokens;
import dev.tally.sources.collectors.ApiClient;
import dev.tally.sources.collectors.ApiClient.Query;
import dev.tally.sources.collectors.Collected;
import dev.tally.sources.collectors.Collector;
import dev.tally.sources.collectors.Fields;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenRouter with a management key: the keys list (100 per page, by offset; the limits of keys that
 * have one as a note), the credits balance
 * and the current key's usage and limit ({@code /key}, legacy {@code /auth/key}; both as notes, for
 * status), and per key and day the activity rows (requests, tokens, dollars), which exist only for the last
 * 30 completed UTC days. A key named like an email is that person's; otherwise the identity is the
 * key's name ({@code openrouter-key:<name>}), which teams usually give per developer.
 */
public final class OpenRouterCollector implements Collector {
  public static final String PROVIDER = "openrouter";
  private static final int KEYS_PAGE = 100;
  private static final int ACTIVITY_DAYS = 30;

  private final ApiClient api;
  private final Clock clock;

  public OpenRouterCollector(ApiClient api, Clock clock) {
    this.api = api;
    this.clock = clock;
  }

  @Override
  public String provider() {
    return PROVIDER;
  }

  private record Key(String hash, String identity) {}

  @Override
  public Collected collect(Instant from, Instant to) {
    List<Key> keys = new ArrayList<>();
    List<String> limits = new ArrayList<>();
    for (int offset = 0; offset < 1_000_000; offset += KEYS_PAGE) {
      JsonNode data = api.get("/keys", Query.of("include_disabled", "true", "offset", offset)).path("data");
      for (JsonNode k : data) {
        String hash = Fields.text(k, "hash");
        if (hash != null) {
          keys.add(new Key(hash, identity(k)));
          BigDecimal limit = Fields.decimal(k.path("limit"));
          if (limit != null && !k.path("disabled").asBoolean(false)) {
            String reset = Fields.text(k, "limit_reset");
            String name = Fields.text(k, "name");
            limits.add((name != null ? name : hash.substring(0, Math.min(12, hash.length()))) + " "
                + dollars(k.path("limit_remaining")) + " left of " + dollars(k.path("limit"))
                + (reset == null ? "" : " " + reset));
          }
        }
      }
      if (data.size() < KEYS_PAGE) {
        break;
      }
    }
    JsonNode credits = api.get("/credits", Query.of()).path("data");
    List<String> notes = new ArrayList<>();
    if (!limits.isEmpty()) {
      notes.add("OpenRouter key limits: " + String.join("; ", limits));
    }
    BigDecimal total = Fields.decimal(credits.path("total_credits"));
    BigDecimal used = Fields.decimal(credits.path("total_usage"));
    if (total != null && used != null) {
      notes.add("OpenRouter credits: $" + total.subtract(used).setScale(2, java.math.RoundingMode.HALF_UP)
          + " left of $" + total.setScale(2, java.math.RoundingMode.HALF_UP));
    }

    currentKey(notes);

    Instant now = clock.instant();
    LocalDate today = LocalDate.ofInstant(now, java.time.ZoneOffset.UTC);
    LocalDate oldest = today.minusDays(ACTIVITY_DAYS);
    List<ReportedUsage> usage = new ArrayList<>();
    boolean capped = false;
    for (LocalDate day : Fields.days(from, to)) {
      if (!day.isBefore(today)) {
        break; // activity covers completed days only
      }
      if (day.isBefore(oldest)) {
        capped = true;
        continue;
      }
      for (Key key : keys) {
        JsonNode rows = api.get("/activity", Query.of("date", day, "api_key_hash", key.hash())).path("data");
        for (JsonNode r : rows) {
          usage.add(row(day, key, r));
        }
      }
    }
    if (capped) {
      notes.add("OpenRouter keeps " + ACTIVITY_DAYS + " days of activity: showing from " + oldest);
    }
    return new Collected(usage, List.of(), null, Fields.earlier(to, Fields.startOfDay(now)), notes);
  }

  /**
   * The key Tally calls with: its usage and limit as a note. {@code /key} is the current path; some
   * deployments still only answer the legacy {@code /auth/key}. A key that may not read itself is
   * no failure: the note is left out.
   */
  private void currentKey(List<String> notes) {
    JsonNode data;
    try {
      java.util.Optional<ApiClient.Reply> reply = api.getUnless404("/key", Query.of());
      if (reply.isEmpty()) {
        reply = api.getUnless404("/auth/key", Query.of());
      }
      if (reply.isEmpty()) {
        return;
      }
      data = reply.get().body().path("data");
    } catch (dev.tally.sources.collectors.CollectorException e) {
      String m = String.valueOf(e.getMessage());
      if ((m.contains("HTTP 401") || m.contains("HTTP 403")) && !m.contains("attempts")) {
        return;
      }
      throw e;
    }
    if (!data.isObject()) {
      return;
    }
    StringBuilder sb = new StringBuilder("OpenRouter key");
    String label = Fields.text(data, "label");
    if (label != null) {
      sb.append(' ').append(label);
    }
    sb.append(": ").append(dollars(data.path("usage_monthly"))).append(" used this month, ")
        .append(dollars(data.path("usage_daily"))).append(" today, ").append(dollars(data.path("usage"))).append(" in all");
    BigDecimal limit = Fields.decimal(data.path("limit"));
    if (limit == null) {
      sb.append("; no limit");
    } else {
      String reset = Fields.text(data, "limit_reset");
      sb.append("; ").append(dollars(data.path("limit_remaining"))).append(" left of its ")
          .append(reset == null ? "" : reset + " ").append("limit of ").append(dollars(data.path("limit")));
    }
    String expires = Fields.text(data, "expires_at");
    if (expires != null) {
      sb.append("; expires ").append(expires);
    }
    notes.add(sb.toString());
  }

  private static String dollars(JsonNode v) {
    BigDecimal d = Fields.decimal(v);
    return "$" + (d == null ? BigDecimal.ZERO : d).setScale(2, java.math.RoundingMode.HALF_UP);
  }

  private static String identity(JsonNode k) {
    String name = Fields.text(k, "name");
    if (Fields.looksLikeEmail(name)) {
      return Fields.emailIdentity(name);
    }
    return "openrouter-key:" + (name != null ? name : Fields.text(k, "hash").substring(0, 12));
  }

  private static ReportedUsage row(LocalDate day, Key key, JsonNode r) {
    Instant start = Fields.atStart(day);
    String model = Fields.text(r, "model");
    long completion = Fields.count(r, "completion_tokens");
    Tokens tokens = new Tokens(Fields.count(r, "prompt_tokens"), completion, 0, 0, 0,
        Math.min(completion, Fields.count(r, "reasoning_tokens")), 0);
    BigDecimal dollars = Fields.decimal(r.path("usage"));
    return new ReportedUsage(start, start.plus(Duration.ofDays(1)), PROVIDER, "openrouter", key.identity(), key.hash(),
        model == null ? "unknown" : model, Fields.count(r, "requests"), tokens,
        Fields.microsFromDollars(dollars == null ? BigDecimal.ZERO : dollars),
        String.join("|", "activity", day.toString(), key.hash(), String.valueOf(model),
            String.valueOf(Fields.text(r, "endpoint_id"))));
  }
}
