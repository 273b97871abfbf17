package dev.tally.sources.collectors;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** OpenAI organization APIs as shared/reference/provider-apis.md §2 describes them, under {@code /v1}. */
public final class FakeOpenAi extends FakeApi {
  public static final String KEY = "sk-admin-test-secret";
  private final List<ObjectNode> users = new ArrayList<>();
  private final List<ObjectNode> projects = new ArrayList<>();
  private final Map<String, List<ObjectNode>> projectKeys = new HashMap<>();
  private final Map<String, Map<LocalDate, List<ObjectNode>>> usage = new HashMap<>();
  private final Map<LocalDate, List<ObjectNode>> costs = new TreeMap<>();

  public FakeOpenAi() {
    super("/v1", "Bearer " + KEY);
  }

  /** A user; a null email is a user the list knows without one. */
  public FakeOpenAi user(String id, String email) {
    ObjectNode u = object().put("object", "organization.user").put("id", id).put("name", id).put("role", "reader")
        .put("added_at", 1735689600);
    if (email == null) {
      u.putNull("email");
    } else {
      u.put("email", email);
    }
    users.add(u);
    return this;
  }

  public FakeOpenAi projectKey(String project, String keyId, String ownerEmail) {
    if (projectKeys.get(project) == null) {
      projects.add(object().put("id", project).put("object", "organization.project").put("name", project)
          .put("status", "active"));
    }
    ObjectNode k = object().put("object", "organization.project.api_key").put("id", keyId).put("name", keyId);
    k.putObject("owner").put("type", "user").putObject("user").put("id", "user-" + keyId).put("email", ownerEmail);
    projectKeys.computeIfAbsent(project, p -> new ArrayList<>()).add(k);
    return this;
  }

  /** One completions row (input includes cached, as OpenAI reports it); user or key may be null. */
  public FakeOpenAi completions(LocalDate day, String userId, String keyId, String model, long input, long cached,
      long output, long requests) {
    ObjectNode r = object().put("object", "organization.usage.completions.result").put("input_tokens", input)
        .put("input_cached_tokens", cached).put("output_tokens", output).put("num_model_requests", requests)
        .put("user_id", userId).put("api_key_id", keyId).putNull("project_id").put("model", model)
        .putNull("batch").putNull("service_tier");
    usage.computeIfAbsent("completions", k -> new TreeMap<>()).computeIfAbsent(day, d -> new ArrayList<>()).add(r);
    return this;
  }

  public FakeOpenAi cost(LocalDate day, double dollars) {
    ObjectNode r = object().put("object", "organization.costs.result").putNull("line_item").putNull("project_id");
    r.putObject("amount").put("value", dollars).put("currency", "usd");
    costs.computeIfAbsent(day, d -> new ArrayList<>()).add(r);
    return this;
  }

  @Override
  protected Answer route(Call c) {
    String p = c.path();
    if (p.equals("/organization/users")) {
      return list(users, c);
    }
    if (p.equals("/organization/projects")) {
      return list(projects, c);
    }
    if (p.startsWith("/organization/projects/") && p.endsWith("/api_keys")) {
      String project = p.substring("/organization/projects/".length(), p.length() - "/api_keys".length());
      return list(projectKeys.getOrDefault(project, List.of()), c);
    }
    if (p.startsWith("/organization/usage/")) {
      return buckets(c, usage.getOrDefault(p.substring("/organization/usage/".length()), Map.of()));
    }
    if (p.equals("/organization/costs")) {
      return buckets(c, costs);
    }
    return Answer.status(404, "{\"error\":{\"message\":\"no route\",\"type\":\"invalid_request_error\"}}");
  }

  private static Answer list(List<ObjectNode> items, Call c) {
    int start = 0;
    String after = c.param("after");
    if (after != null) {
      for (int i = 0; i < items.size(); i++) {
        if (items.get(i).path("id").asText().equals(after)) {
          start = i + 1;
        }
      }
    }
    ObjectNode body = object().put("object", "list");
    ArrayNode data = body.putArray("data");
    if (start < items.size()) {
      data.add(items.get(start));
    }
    body.put("first_id", data.isEmpty() ? null : data.get(0).path("id").asText());
    body.put("last_id", data.isEmpty() ? null : data.get(0).path("id").asText());
    body.put("has_more", start + 1 < items.size());
    return Answer.json(body);
  }

  /** Day buckets in [start_time, end_time) (Unix seconds), two per page. */
  private static Answer buckets(Call c, Map<LocalDate, List<ObjectNode>> byDay) {
    LocalDate from = LocalDate.ofInstant(Instant.ofEpochSecond(Long.parseLong(c.param("start_time"))), ZoneOffset.UTC);
    Instant end = Instant.ofEpochSecond(Long.parseLong(c.param("end_time")));
    int skip = c.param("page") == null ? 0 : Integer.parseInt(c.param("page").substring(5));
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = from; d.atStartOfDay(ZoneOffset.UTC).toInstant().isBefore(end); d = d.plusDays(1)) {
      days.add(d);
    }
    ObjectNode body = object().put("object", "page");
    ArrayNode data = body.putArray("data");
    int stop = Math.min(days.size(), skip + 2);
    for (int i = skip; i < stop; i++) {
      LocalDate d = days.get(i);
      ObjectNode b = data.addObject().put("object", "bucket")
          .put("start_time", d.atStartOfDay(ZoneOffset.UTC).toEpochSecond())
          .put("end_time", d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond());
      ArrayNode results = b.putArray("results");
      byDay.getOrDefault(d, List.of()).forEach(results::add);
    }
    body.put("has_more", stop < days.size());
    body.put("next_page", stop < days.size() ? "page_" + stop : null);
    return Answer.json(body);
  }
}
