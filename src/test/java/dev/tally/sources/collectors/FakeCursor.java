package dev.tally.sources.collectors;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Cursor Admin API as shared/reference/provider-apis.md §3 describes it (Basic auth, POST bodies). */
public final class FakeCursor extends FakeApi {
  public static final String KEY = "key_cursor_test_secret";
  private final List<ObjectNode> members = new ArrayList<>();
  private final List<ObjectNode> events = new ArrayList<>();
  private final List<ObjectNode> spend = new ArrayList<>();
  private final java.util.Map<String, ObjectNode> daily = new java.util.HashMap<>();

  public FakeCursor() {
    super("", "Basic " + Base64.getEncoder().encodeToString((KEY + ":").getBytes(StandardCharsets.UTF_8)));
  }

  public FakeCursor member(String email, String role, double overallSpendCents) {
    members.add(object().put("id", "user_" + email.hashCode()).put("name", email).put("email", email).put("role", role)
        .put("isRemoved", false));
    spend.add(object().put("userId", "user_" + email.hashCode()).put("name", email).put("email", email)
        .put("role", role).put("spendCents", 0).put("overallSpendCents", overallSpendCents));
    return this;
  }

  public FakeCursor event(Instant at, String email, String model, long input, long output, long cacheWrite,
      long cacheRead, double chargedCents) {
    ObjectNode e = object().put("timestamp", Long.toString(at.toEpochMilli())).put("userEmail", email)
        .put("model", model).put("kind", "Usage-based").put("maxMode", false).put("requestsCosts", 1)
        .put("isTokenBasedCall", true).put("isChargeable", true).put("chargedCents", chargedCents);
    e.putObject("tokenUsage").put("inputTokens", input).put("outputTokens", output)
        .put("cacheWriteTokens", cacheWrite).put("cacheReadTokens", cacheRead).put("totalCents", chargedCents);
    events.add(e);
    return this;
  }

  /** A member's daily usage row (§3.3) for {@code day}; other days of members come back as zeros. */
  public FakeCursor daily(java.time.LocalDate day, String email, long linesAdded, long acceptedLinesAdded,
      long tabsAccepted, long chatRequests, long agentRequests, long usageBasedReqs) {
    daily.put(day + "|" + email, dailyRow(day, email).put("isActive", true).put("totalLinesAdded", linesAdded)
        .put("acceptedLinesAdded", acceptedLinesAdded).put("totalTabsShown", tabsAccepted * 2)
        .put("totalTabsAccepted", tabsAccepted).put("chatRequests", chatRequests).put("agentRequests", agentRequests)
        .put("usageBasedReqs", usageBasedReqs).put("mostUsedModel", "claude-4.5-sonnet"));
    return this;
  }

  private static ObjectNode dailyRow(java.time.LocalDate day, String email) {
    ObjectNode r = object().put("userId", Math.abs(email.hashCode())).put("day", day.toString())
        .put("date", day.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli()).put("email", email)
        .put("isActive", false);
    for (String f : List.of("totalLinesAdded", "totalLinesDeleted", "acceptedLinesAdded", "acceptedLinesDeleted",
        "totalApplies", "totalAccepts", "totalRejects", "totalTabsShown", "totalTabsAccepted", "composerRequests",
        "chatRequests", "agentRequests", "cmdkUsages", "subscriptionIncludedReqs", "apiKeyReqs", "usageBasedReqs",
        "bugbotUsages")) {
      r.put(f, 0);
    }
    return r.putNull("mostUsedModel").putNull("applyMostUsedExtension").putNull("tabMostUsedExtension")
        .putNull("clientVersion");
  }

  @Override
  protected Answer route(Call c) {
    return switch (c.path()) {
      case "/teams/members" -> {
        ObjectNode body = object();
        members.forEach(body.putArray("teamMembers")::add);
        yield Answer.json(body);
      }
      case "/teams/filtered-usage-events" -> events(c);
      case "/teams/daily-usage-data" -> daily(c);
      case "/teams/spend" -> {
        int page = c.body().path("page").asInt(1);
        ObjectNode body = object();
        ArrayNode rows = body.putArray("teamMemberSpend");
        if (page - 1 < spend.size()) {
          rows.add(spend.get(page - 1));
        }
        body.put("subscriptionCycleStart", 1787011200000L).put("totalMembers", spend.size())
            .put("totalPages", spend.size());
        yield Answer.json(body);
      }
      default -> Answer.status(404, "{\"error\":\"not found\"}");
    };
  }

  /**
   * All-members mode when page and pageSize are given: one member per page (whatever pageSize says),
   * every day of the range, inactive days as zeros; without them only active rows and no pagination.
   */
  private Answer daily(Call c) {
    long from = c.body().path("startDate").asLong();
    long to = c.body().path("endDate").asLong();
    if (to - from > 30L * 86_400_000L) {
      return Answer.status(400, "{\"error\":\"date range cannot exceed 30 days\"}");
    }
    java.time.LocalDate first = java.time.LocalDate.ofInstant(Instant.ofEpochMilli(from), java.time.ZoneOffset.UTC);
    java.time.LocalDate last = java.time.LocalDate.ofInstant(Instant.ofEpochMilli(to), java.time.ZoneOffset.UTC);
    boolean paged = c.body().has("page") && c.body().has("pageSize");
    int page = c.body().path("page").asInt(1);
    ObjectNode body = object();
    ArrayNode data = body.putArray("data");
    for (int i = 0; i < members.size(); i++) {
      if (paged && i != page - 1) {
        continue;
      }
      String email = members.get(i).path("email").asText();
      for (java.time.LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
        ObjectNode row = daily.get(d + "|" + email);
        if (row != null || paged) {
          data.add(row != null ? row : dailyRow(d, email));
        }
      }
    }
    body.putObject("period").put("startDate", from).put("endDate", to);
    if (paged) {
      body.putObject("pagination").put("page", page).put("pageSize", 1).put("totalUsers", members.size())
          .put("totalPages", members.size()).put("hasNextPage", page < members.size()).put("hasPreviousPage", page > 1);
    }
    return Answer.json(body);
  }

  /** Inclusive [startDate, endDate] in ms; at most 30 days; two events per page. */
  private Answer events(Call c) {
    long from = c.body().path("startDate").asLong();
    long to = c.body().path("endDate").asLong();
    if (to - from > 30L * 86_400_000L) {
      return Answer.status(400, "{\"error\":\"date range cannot exceed 30 days\"}");
    }
    List<ObjectNode> in = new ArrayList<>();
    for (ObjectNode e : events) {
      long t = Long.parseLong(e.path("timestamp").asText());
      if (t >= from && t <= to) {
        in.add(e);
      }
    }
    int page = c.body().path("page").asInt(1);
    int size = 2;
    int pages = Math.max(1, (in.size() + size - 1) / size);
    ObjectNode body = object().put("totalUsageEventsCount", in.size());
    body.putObject("pagination").put("numPages", pages).put("currentPage", page).put("pageSize", size)
        .put("hasNextPage", page < pages).put("hasPreviousPage", page > 1);
    ArrayNode out = body.putArray("usageEvents");
    for (int i = (page - 1) * size; i < Math.min(in.size(), page * size); i++) {
      out.add(in.get(i));
    }
    body.putObject("period").put("startDate", from).put("endDate", to);
    return Answer.json(body);
  }
}
