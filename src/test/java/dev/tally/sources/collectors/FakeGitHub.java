package dev.tally.sources.collectors;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * GitHub Copilot as shared/reference/provider-apis.md §4 describes it: seats paged with a
 * {@code Link} header, per-user daily reports as signed NDJSON downloads, 404 for a day not ready.
 */
public final class FakeGitHub extends FakeApi {
  public static final String KEY = "ghp_test_secret";
  public static final String ORG = "acme-corp";
  private final List<ObjectNode> seats = new ArrayList<>();
  private final Map<LocalDate, List<ObjectNode>> users = new TreeMap<>();
  private final Set<LocalDate> notReady = new HashSet<>();

  public FakeGitHub() {
    super("", "Bearer " + KEY);
  }

  @Override
  protected boolean requiresAuth(String path) {
    return !path.startsWith("/download/"); // signed links carry their own signature
  }

  public FakeGitHub seat(String login, String lastActivity) {
    ObjectNode s = object().put("created_at", "2026-01-12T09:00:00Z").putNull("pending_cancellation_date")
        .put("last_activity_at", lastActivity).put("plan_type", "business");
    s.putObject("assignee").put("login", login).put("id", login.hashCode()).put("type", "User");
    seats.add(s);
    return this;
  }

  public FakeGitHub activity(LocalDate day, String login, long interactions) {
    users.computeIfAbsent(day, d -> new ArrayList<>()).add(object().put("day", day.toString())
        .put("user_id", login.hashCode()).put("user_login", login).put("organization_id", "81234")
        .put("user_initiated_interaction_count", interactions).put("code_generation_activity_count", 5)
        .put("used_chat", true));
    return this;
  }

  /** Splits the last row of {@code login} and {@code day} by model (totals_by_model_feature). */
  public FakeGitHub byModel(LocalDate day, String login, String model, String feature, long interactions) {
    last(day, login).withArray("totals_by_model_feature").addObject().put("model", model).put("feature", feature)
        .put("user_initiated_interaction_count", interactions);
    return this;
  }

  /** Adds an editor to the last row of {@code login} and {@code day} (totals_by_ide). */
  public FakeGitHub byIde(LocalDate day, String login, String ide, long locSuggested, long locAdded, long acceptances) {
    last(day, login).withArray("totals_by_ide").addObject().put("ide", ide).put("loc_suggested_to_add_sum", locSuggested)
        .put("loc_added_sum", locAdded).put("code_acceptance_activity_count", acceptances).put("loc_deleted_sum", 0);
    return this;
  }

  private ObjectNode last(LocalDate day, String login) {
    List<ObjectNode> rows = users.get(day);
    for (int i = rows.size() - 1; i >= 0; i--) {
      if (rows.get(i).path("user_login").asText().equals(login)) {
        return rows.get(i);
      }
    }
    throw new IllegalArgumentException(login + " has no row on " + day);
  }

  /** An empty day: the report exists and its file has no lines. */
  public FakeGitHub emptyDay(LocalDate day) {
    users.put(day, new ArrayList<>());
    return this;
  }

  public FakeGitHub notReady(LocalDate day) {
    notReady.add(day);
    return this;
  }

  public void ready(LocalDate day) {
    notReady.remove(day);
  }

  @Override
  protected Answer route(Call c) {
    String p = c.path();
    if (p.equals("/orgs/" + ORG + "/copilot/billing/seats")) {
      int page = Integer.parseInt(c.param("page") == null ? "1" : c.param("page"));
      ObjectNode body = object().put("total_seats", seats.size());
      if (page - 1 < seats.size()) {
        body.putArray("seats").add(seats.get(page - 1));
      } else {
        body.putArray("seats");
      }
      if (page < seats.size()) {
        return new Answer(200, Map.of("Link", "<" + baseUrl() + p + "?per_page=1&page=" + (page + 1) + ">; rel=\"next\", <"
            + baseUrl() + p + "?per_page=1&page=" + seats.size() + ">; rel=\"last\""), body.toString());
      }
      return Answer.json(body);
    }
    if (p.equals("/orgs/" + ORG + "/copilot/billing")) {
      ObjectNode body = object().put("seat_management_setting", "assign_selected").put("public_code_suggestions", "block")
          .put("ide_chat", "enabled").put("platform_chat", "enabled").put("cli", "enabled").put("plan_type", "business");
      long active = seats.stream().filter(s -> !s.path("last_activity_at").isNull()).count();
      body.putObject("seat_breakdown").put("total", seats.size()).put("added_this_cycle", 0)
          .put("pending_cancellation", 0).put("pending_invitation", 0).put("active_this_cycle", active)
          .put("inactive_this_cycle", seats.size() - active);
      return Answer.json(body);
    }
    if (p.equals("/organizations/" + ORG + "/settings/billing/premium_request/usage")) {
      ObjectNode body = object().put("organization", ORG);
      body.putObject("timePeriod").put("year", Integer.parseInt(c.param("year"))).put("month", Integer.parseInt(c.param("month")));
      var items = body.putArray("usageItems");
      items.addObject().put("product", "Copilot").put("sku", "Copilot Premium Request").put("model", "Claude Sonnet 4.5")
          .put("unitType", "requests").put("pricePerUnit", 0.04).put("grossQuantity", 420).put("grossAmount", 16.8)
          .put("discountQuantity", 300).put("discountAmount", 12.0).put("netQuantity", 120).put("netAmount", 4.8);
      items.addObject().put("product", "Copilot").put("sku", "Copilot Premium Request").put("model", "GPT-5.1")
          .put("unitType", "requests").put("pricePerUnit", 0.04).put("grossQuantity", 80).put("grossAmount", 3.2)
          .put("discountQuantity", 80).put("discountAmount", 3.2).put("netQuantity", 0).put("netAmount", 0);
      return Answer.json(body);
    }
    if (p.equals("/orgs/" + ORG + "/copilot/metrics")) { // the legacy API, closed on 2026-04-02
      return Answer.status(404, "{\"message\":\"Not Found\",\"status\":\"404\"}");
    }
    if (p.equals("/orgs/" + ORG + "/copilot/metrics/reports/users-1-day")) {
      LocalDate day = LocalDate.parse(c.param("day"));
      if (notReady.contains(day)) {
        return Answer.status(404, "{\"message\":\"Not Found\",\"status\":\"404\"}");
      }
      ObjectNode body = object().put("report_day", day.toString());
      body.putArray("download_links").add(baseUrl() + "/download/" + day + "-1.ndjson?sig=s3cr3t");
      return Answer.json(body);
    }
    if (p.startsWith("/download/")) {
      LocalDate day = LocalDate.parse(p.substring("/download/".length(), "/download/".length() + 10));
      StringBuilder sb = new StringBuilder();
      for (ObjectNode n : users.getOrDefault(day, List.of())) {
        sb.append(n).append('\n');
      }
      return new Answer(200, Map.of(), sb.toString());
    }
    return Answer.status(404, "{\"message\":\"Not Found\",\"status\":\"404\"}");
  }
}
