package dev.tally.sources.collectors;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Anthropic Admin API as shared/reference/provider-apis.md §1 describes it; small pages to force pagination. */
public final class FakeAnthropic extends FakeApi {
  public static final String KEY = "sk-ant-admin01-test-secret";
  private final List<ObjectNode> users = new ArrayList<>();
  private final List<ObjectNode> keys = new ArrayList<>();
  private final Map<LocalDate, List<ObjectNode>> messages = new TreeMap<>();
  private final Map<LocalDate, List<String>> costs = new TreeMap<>();
  private final Map<LocalDate, List<ObjectNode>> claudeCode = new TreeMap<>();

  public FakeAnthropic() {
    super("", KEY);
  }

  @Override
  protected String authHeaderName() {
    return "x-api-key";
  }

  public FakeAnthropic user(String id, String email) {
    users.add(object().put("type", "user").put("id", id).put("email", email).put("name", email).put("role", "developer")
        .put("added_at", "2025-03-14T09:12:00Z"));
    return this;
  }

  public FakeAnthropic apiKey(String id, String name, String createdBy) {
    ObjectNode k = object().put("type", "api_key").put("id", id).put("name", name).put("status", "active")
        .put("created_at", "2025-06-02T10:00:00Z");
    k.putObject("created_by").put("id", createdBy).put("type", "user");
    keys.add(k);
    return this;
  }

  /** One messages-report row; a day listed with no rows is an empty bucket. */
  public FakeAnthropic usage(LocalDate day, String keyId, String model, long uncached, long cw5m, long cw1h, long read,
      long output, long webSearches) {
    ObjectNode r = object().put("uncached_input_tokens", uncached);
    r.putObject("cache_creation").put("ephemeral_5m_input_tokens", cw5m).put("ephemeral_1h_input_tokens", cw1h);
    r.put("cache_read_input_tokens", read).put("output_tokens", output);
    r.putObject("server_tool_use").put("web_search_requests", webSearches);
    r.put("api_key_id", keyId).putNull("workspace_id").putNull("account_id").put("model", model)
        .putNull("service_tier").putNull("context_window").putNull("inference_geo");
    messages.computeIfAbsent(day, d -> new ArrayList<>()).add(r);
    return this;
  }

  public FakeAnthropic cost(LocalDate day, String cents) {
    costs.computeIfAbsent(day, d -> new ArrayList<>()).add(cents);
    return this;
  }

  /** One Claude Code report row: {@code customerType} api or subscription. */
  public FakeAnthropic claudeCode(LocalDate day, String email, String customerType, String terminal, String model,
      long input, long output, long read, long creation, double costCents) {
    ObjectNode r = object().put("date", day + "T00:00:00Z");
    r.putObject("actor").put("type", "user_actor").put("email_address", email);
    r.put("organization_id", "4c1f2a9e").put("customer_type", customerType);
    if ("subscription".equals(customerType)) {
      r.put("subscription_type", "team");
    } else {
      r.putNull("subscription_type");
    }
    r.put("terminal_type", terminal).put("is_remote", false);
    ObjectNode core = r.putObject("core_metrics").put("num_sessions", 2);
    core.putObject("lines_of_code").put("added", 10).put("removed", 2);
    r.putObject("tool_actions").putObject("edit_tool").put("accepted", 3).put("rejected", 1);
    ObjectNode m = r.putArray("model_breakdown").addObject().put("model", model);
    m.putObject("tokens").put("input", input).put("output", output).put("cache_read", read).put("cache_creation", creation);
    m.putObject("estimated_cost").put("currency", "USD").put("amount", costCents);
    claudeCode.computeIfAbsent(day, d -> new ArrayList<>()).add(r);
    return this;
  }

  @Override
  protected Answer route(Call c) {
    return switch (c.path()) {
      case "/v1/organizations/users" -> list(users, c);
      case "/v1/organizations/api_keys" -> list(keys, c);
      case "/v1/organizations/usage_report/messages" -> buckets(c, messages, (day, rows) -> rows);
      case "/v1/organizations/cost_report" -> buckets(c, costs, (day, amounts) -> {
        List<ObjectNode> out = new ArrayList<>();
        for (String a : amounts) {
          out.add(object().put("currency", "USD").put("amount", a).putNull("workspace_id").putNull("description"));
        }
        return out;
      });
      case "/v1/organizations/usage_report/claude_code" -> claudeCode(c);
      default -> Answer.status(404, "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"no route\"}}");
    };
  }

  /** List endpoints: one item per page, {@code after_id} cursor. */
  private static Answer list(List<ObjectNode> items, Call c) {
    int start = 0;
    String after = c.param("after_id");
    if (after != null) {
      for (int i = 0; i < items.size(); i++) {
        if (items.get(i).path("id").asText().equals(after)) {
          start = i + 1;
        }
      }
    }
    ObjectNode body = object();
    ArrayNode data = body.putArray("data");
    if (start < items.size()) {
      data.add(items.get(start));
    }
    body.put("has_more", start + 1 < items.size());
    body.put("first_id", data.isEmpty() ? null : data.get(0).path("id").asText());
    body.put("last_id", data.isEmpty() ? null : data.get(0).path("id").asText());
    return Answer.json(body);
  }

  interface Rows<T> {
    List<ObjectNode> of(LocalDate day, List<T> values);
  }

  /** Report endpoints: one bucket per day in [starting_at, ending_at), two buckets per page. */
  private static <T> Answer buckets(Call c, Map<LocalDate, List<T>> byDay, Rows<T> rows) {
    LocalDate from = LocalDate.ofInstant(Instant.parse(c.param("starting_at")), ZoneOffset.UTC);
    LocalDate to = LocalDate.ofInstant(Instant.parse(c.param("ending_at")), ZoneOffset.UTC);
    if (!c.params("group_by").isEmpty() && !c.params("group_by").contains("api_key_id")
        && c.path().endsWith("messages")) {
      return Answer.status(400, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"group_by\"}}");
    }
    int skip = c.param("page") == null ? 0
        : Integer.parseInt(new String(Base64.getDecoder().decode(c.param("page").substring(5)), StandardCharsets.UTF_8));
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = from; d.isBefore(to); d = d.plusDays(1)) {
      days.add(d);
    }
    ObjectNode body = object();
    ArrayNode data = body.putArray("data");
    int end = Math.min(days.size(), skip + 2);
    for (int i = skip; i < end; i++) {
      LocalDate d = days.get(i);
      ObjectNode b = data.addObject().put("starting_at", d + "T00:00:00Z").put("ending_at", d.plusDays(1) + "T00:00:00Z");
      ArrayNode results = b.putArray("results");
      rows.of(d, byDay.getOrDefault(d, List.of())).forEach(results::add);
    }
    body.put("has_more", end < days.size());
    body.put("next_page", end < days.size()
        ? "page_" + Base64.getEncoder().encodeToString(Integer.toString(end).getBytes(StandardCharsets.UTF_8)) : null);
    return Answer.json(body);
  }

  /** One day per call, one row per page. */
  private Answer claudeCode(Call c) {
    LocalDate day = LocalDate.parse(c.param("starting_at"));
    List<ObjectNode> rows = claudeCode.getOrDefault(day, List.of());
    int at = c.param("page") == null ? 0 : Integer.parseInt(c.param("page").substring(5));
    ObjectNode body = object();
    ArrayNode data = body.putArray("data");
    if (at < rows.size()) {
      data.add(rows.get(at));
    }
    body.put("has_more", at + 1 < rows.size());
    body.put("next_page", at + 1 < rows.size() ? "page_" + (at + 1) : null);
    return Answer.json(body);
  }
}
