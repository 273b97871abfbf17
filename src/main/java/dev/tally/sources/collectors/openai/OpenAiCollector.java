package dev.tally.sources.collectors.openai;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * OpenAI organization APIs: completions and embeddings usage grouped by user, API key, project and
 * model; costs (billed total, for reconciliation: costs cannot be grouped by user); the users list
 * (user id → email) and the projects' API keys (key id → owner email).
 *
 * <p>Identity, first that applies: the user's email, the user id ({@code openai-user:…}, kept when
 * the users list has no email for it), the key owner's email, the key ({@code openai-key:…}), the
 * project, else the organization. OpenAI counts cached and cache-write tokens inside
 * {@code input_tokens}; they are taken out so no token is counted twice.
 */
public final class OpenAiCollector implements Collector {
  public static final String PROVIDER = "openai";
  private static final List<String> KINDS = List.of("completions", "embeddings");

  private final ApiClient api;
  private final Clock clock;

  public OpenAiCollector(ApiClient api, Clock clock) {
    this.api = api;
    this.clock = clock;
  }

  @Override
  public String provider() {
    return PROVIDER;
  }

  @Override
  public Collected collect(Instant from, Instant to) {
    Map<String, String> userEmails = new HashMap<>();
    list("/organization/users", Query.of("limit", 100), u -> {
      String email = Fields.text(u, "email");
      if (email != null) {
        userEmails.put(Fields.text(u, "id"), email);
      }
    });
    Map<String, String> keyOwnerEmails = new HashMap<>();
    List<String> projects = new ArrayList<>();
    list("/organization/projects", Query.of("limit", 100), p -> projects.add(Fields.text(p, "id")));
    for (String project : projects) {
      if (project == null) {
        continue;
      }
      list("/organization/projects/" + project + "/api_keys", Query.of("limit", 100), k -> {
        String email = Fields.text(k.path("owner").path("user"), "email");
        if (email != null) {
          keyOwnerEmails.put(Fields.text(k, "id"), email);
        }
      });
    }

    List<ReportedUsage> usage = new ArrayList<>();
    long start = Fields.startOfDay(from).getEpochSecond();
    for (String kind : KINDS) {
      Query q = Query.of("start_time", start, "end_time", Fields.endOfDay(to).getEpochSecond(), "bucket_width", "1d",
          "group_by", "user_id", "group_by", "api_key_id", "group_by", "project_id", "group_by", "model",
          "limit", 31);
      report("/organization/usage/" + kind, q, bucket -> {
        Instant bStart = Instant.ofEpochSecond(bucket.path("start_time").asLong());
        Instant bEnd = Instant.ofEpochSecond(bucket.path("end_time").asLong());
        for (JsonNode r : bucket.path("results")) {
          usage.add(row(kind, bStart, bEnd, r, userEmails, keyOwnerEmails));
        }
      });
    }

    BigDecimal[] dollars = {BigDecimal.ZERO};
    report("/organization/costs", Query.of("start_time", start, "end_time", Fields.endOfDay(to).getEpochSecond(),
        "bucket_width", "1d", "limit", 180), bucket -> {
          for (JsonNode r : bucket.path("results")) {
            BigDecimal v = Fields.decimal(r.path("amount").path("value"));
            if (v != null) {
              dollars[0] = dollars[0].add(v);
            }
          }
        });
    return new Collected(usage, List.of(), Fields.microsFromDollars(dollars[0]),
        Fields.earlier(to, Fields.startOfDay(clock.instant())), List.of());
  }

  private static ReportedUsage row(String kind, Instant start, Instant end, JsonNode r,
      Map<String, String> userEmails, Map<String, String> keyOwnerEmails) {
    String userId = Fields.text(r, "user_id");
    String keyId = Fields.text(r, "api_key_id");
    String projectId = Fields.text(r, "project_id");
    String model = Fields.text(r, "model");
    String identity;
    if (userId != null) {
      String email = userEmails.get(userId);
      identity = email != null ? Fields.emailIdentity(email) : "openai-user:" + userId;
    } else if (keyId != null) {
      String email = keyOwnerEmails.get(keyId);
      identity = email != null ? Fields.emailIdentity(email) : "openai-key:" + keyId;
    } else if (projectId != null) {
      identity = "openai-project:" + projectId;
    } else {
      identity = "openai-org";
    }
    long input = Fields.count(r, "input_tokens");
    long cached = Fields.count(r, "input_cached_tokens");
    long cacheWrite = Fields.count(r, "input_cache_write_tokens");
    // Newer rows give the uncached figure; older ones only the total with the cached part inside.
    long uncached = r.has("input_uncached_tokens") && !r.path("input_uncached_tokens").isNull()
        ? Fields.count(r, "input_uncached_tokens") : Math.max(0, input - cached - cacheWrite);
    Tokens tokens = Tokens.of(uncached, Fields.count(r, "output_tokens"), cacheWrite, 0, cached);
    return new ReportedUsage(start, end, PROVIDER, "openai-api", identity, keyId, model == null ? "unknown" : model,
        Fields.count(r, "num_model_requests"), tokens, null,
        String.join("|", kind, start.toString(), String.valueOf(userId), String.valueOf(keyId),
            String.valueOf(projectId), String.valueOf(model), String.valueOf(Fields.text(r, "service_tier")),
            String.valueOf(Fields.text(r, "batch"))));
  }

  private void report(String path, Query query, Consumer<JsonNode> each) {
    String page = null;
    int guard = 0;
    do {
      JsonNode body = api.get(path, query.copy().add("page", page));
      body.path("data").forEach(each);
      page = body.path("has_more").asBoolean(false) ? Fields.text(body, "next_page") : null;
    } while (page != null && ++guard < 10_000);
  }

  private void list(String path, Query query, Consumer<JsonNode> each) {
    String after = null;
    int guard = 0;
    do {
      JsonNode body = api.get(path, query.copy().add("after", after));
      body.path("data").forEach(each);
      after = body.path("has_more").asBoolean(false) ? Fields.text(body, "last_id") : null;
    } while (after != null && ++guard < 10_000);
  }
}
