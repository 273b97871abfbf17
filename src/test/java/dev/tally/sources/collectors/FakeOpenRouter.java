package dev.tally.sources.collectors;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** OpenRouter's management endpoints as shared/reference/provider-apis.md §5 describes them, under {@code /api/v1}. */
public final class FakeOpenRouter extends FakeApi {
  public static final String KEY = "sk-or-v1-management-test-secret";
  private final List<ObjectNode> keys = new ArrayList<>();
  private final Map<String, List<ObjectNode>> activity = new HashMap<>();

  public FakeOpenRouter() {
    super("/api/v1", "Bearer " + KEY);
  }

  public FakeOpenRouter key(String hash, String name) {
    keys.add(object().put("hash", hash).put("name", name).put("label", "sk-or-v1-0e6...a1b").put("disabled", false)
        .put("usage", 0).put("creator_user_id", "user_x"));
    return this;
  }

  /** Gives the last key added a spending limit. */
  public FakeOpenRouter limit(double limit, double remaining, String reset) {
    keys.get(keys.size() - 1).put("limit", limit).put("limit_remaining", remaining).put("limit_reset", reset);
    return this;
  }

  public FakeOpenRouter activity(LocalDate day, String hash, String model, long requests, long prompt, long completion,
      double dollars) {
    activity.computeIfAbsent(day + "|" + hash, k -> new ArrayList<>()).add(object().put("date", day.toString())
        .put("model", model).put("endpoint_id", "ep-1").put("provider_name", "Anthropic").put("usage", dollars)
        .put("byok_usage_inference", 0).put("requests", requests).put("prompt_tokens", prompt)
        .put("completion_tokens", completion).put("reasoning_tokens", 0));
    return this;
  }

  private volatile boolean legacyKeyPath;

  /** Answers the current key only on the legacy {@code /auth/key} path (404 on {@code /key}). */
  public FakeOpenRouter legacyKeyPath() {
    legacyKeyPath = true;
    return this;
  }

  @Override
  protected Answer route(Call c) {
    if (c.path().equals(legacyKeyPath ? "/auth/key" : "/key")) {
      ObjectNode body = object();
      body.putObject("data").put("label", "sk-or-v1-9c1...e42").put("limit", 100).put("limit_remaining", 61.27)
          .put("limit_reset", "monthly").put("include_byok_in_limit", false).put("usage", 412.88)
          .put("usage_daily", 1.93).put("usage_weekly", 14.02).put("usage_monthly", 38.73).put("byok_usage", 0)
          .put("is_free_tier", false).put("is_management_key", true).put("is_provisioning_key", true)
          .putNull("creator_user_id").putNull("expires_at").putObject("rate_limit").put("requests", -1)
          .put("interval", "10s").put("note", "This field is deprecated and safe to ignore.");
      return Answer.json(body);
    }
    return switch (c.path()) {
      case "/keys" -> {
        int offset = Integer.parseInt(c.param("offset") == null ? "0" : c.param("offset"));
        ObjectNode body = object();
        ArrayNode data = body.putArray("data");
        for (int i = offset; i < Math.min(keys.size(), offset + 100); i++) {
          data.add(keys.get(i));
        }
        yield Answer.json(body);
      }
      case "/credits" -> {
        ObjectNode body = object();
        body.putObject("data").put("total_credits", 500.0).put("total_usage", 412.88);
        yield Answer.json(body);
      }
      case "/activity" -> {
        ObjectNode body = object();
        ArrayNode data = body.putArray("data");
        activity.getOrDefault(c.param("date") + "|" + c.param("api_key_hash"), List.of()).forEach(data::add);
        yield Answer.json(body);
      }
      default -> Answer.status(404, "{\"error\":{\"code\":404,\"message\":\"not found\"}}");
    };
  }
}
