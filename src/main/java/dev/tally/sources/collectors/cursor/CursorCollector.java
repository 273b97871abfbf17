package dev.tally.sources.collectors.cursor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.ledger.ReportedUsage;
import dev.tally.ledger.Seat;
import dev.tally.ledger.Tokens;
import dev.tally.sources.collectors.Activity;
import dev.tally.sources.collectors.ApiClient;
import dev.tally.sources.collectors.Collected;
import dev.tally.sources.collectors.Collector;
import dev.tally.sources.collectors.Fields;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cursor Admin API: team members (seats), filtered usage events (per request: tokens and the cents
 * charged), daily usage data (per member and day: lines, tabs, requests by kind) and the current
 * cycle's spend per member.
 *
 * <p>Only the usage events feed the ledger: they carry tokens and the cents actually charged. The
 * daily usage data counts the same work again (its {@code *Reqs} counters are raw event counts, not
 * billable units), so it is kept as {@link Activity} only — lines added and accepted, tabs, composer,
 * chat, agent and cmd-K requests — and never adds requests, tokens or dollars.
 *
 * <p>Cursor keeps usage for a limited time and takes at most 30 days per call: the range is capped
 * at {@link #MAX_HISTORY} (with a note) and fetched in 30-day windows. Events have no id; the slice
 * key is (timestamp, email, model, conversation, token counts), as the reference suggests.
 */
public final class CursorCollector implements Collector {
  public static final String PROVIDER = "cursor";
  public static final Duration MAX_HISTORY = Duration.ofDays(90);
  private static final Duration WINDOW = Duration.ofDays(30);
  private static final int PAGE_SIZE = 1000;

  private final ApiClient api;
  private final Clock clock;

  public CursorCollector(ApiClient api, Clock clock) {
    this.api = api;
    this.clock = clock;
  }

  @Override
  public String provider() {
    return PROVIDER;
  }

  @Override
  public Collected collect(Instant from, Instant to) {
    Instant now = clock.instant();
    List<String> notes = new ArrayList<>();
    Instant earliest = Fields.startOfDay(now).minus(MAX_HISTORY);
    if (from.isBefore(earliest)) {
      notes.add("Cursor keeps " + MAX_HISTORY.toDays() + " days of usage: showing from "
          + earliest.toString().substring(0, 10));
      from = earliest;
    }
    Instant end = Fields.earlier(to, now);

    Map<String, Seat> seats = new LinkedHashMap<>();
    for (JsonNode m : api.get("/teams/members", ApiClient.Query.of()).path("teamMembers")) {
      String email = Fields.text(m, "email");
      if (email != null && !m.path("isRemoved").asBoolean(false)) {
        String id = Fields.emailIdentity(email);
        seats.put(id, new Seat(PROVIDER, id, Fields.text(m, "role"), null, null));
      }
    }
    spend(seats);

    List<ReportedUsage> usage = new ArrayList<>();
    List<Activity> activity = new ArrayList<>();
    for (Instant w = from; w.isBefore(end); w = w.plus(WINDOW)) {
      Instant wEnd = Fields.earlier(w.plus(WINDOW), end);
      events(w, wEnd, usage);
      daily(w, wEnd, activity);
    }
    return new Collected(usage, List.copyOf(seats.values()), null,
        Fields.earlier(to, Fields.startOfDay(now)), notes, activity);
  }

  /** Daily usage counters Tally keeps as activity, by Cursor's names. */
  static final List<String> DAILY_COUNTERS = List.of("totalLinesAdded", "totalLinesDeleted", "acceptedLinesAdded",
      "acceptedLinesDeleted", "totalApplies", "totalAccepts", "totalRejects", "totalTabsShown", "totalTabsAccepted",
      "composerRequests", "chatRequests", "agentRequests", "cmdkUsages", "subscriptionIncludedReqs", "apiKeyReqs",
      "usageBasedReqs", "bugbotUsages");

  /**
   * {@code /teams/daily-usage-data} in "all members" mode (page and pageSize given, so it pages by
   * member); members' inactive days come back as zeros and are left out.
   */
  private void daily(Instant from, Instant to, List<Activity> out) {
    for (int page = 1; ; page++) {
      ObjectNode body = ApiClient.object();
      body.put("startDate", from.toEpochMilli());
      body.put("endDate", to.toEpochMilli() - 1);
      body.put("page", page);
      body.put("pageSize", 500);
      JsonNode reply = api.post("/teams/daily-usage-data", body);
      for (JsonNode r : reply.path("data")) {
        Activity a = dailyRow(r);
        if (a != null) {
          out.add(a);
        }
      }
      JsonNode p = reply.path("pagination");
      boolean more = p.path("hasNextPage").asBoolean(false)
          || (p.has("totalPages") && page < p.path("totalPages").asInt(0));
      if (!more || page >= 10_000) {
        return;
      }
    }
  }

  private static Activity dailyRow(JsonNode r) {
    String email = Fields.text(r, "email");
    LocalDate day = null;
    String d = Fields.text(r, "day");
    if (d != null) {
      try {
        day = LocalDate.parse(d);
      } catch (java.time.format.DateTimeParseException ignored) {
        // fall back to the epoch-ms date
      }
    }
    if (day == null && r.path("date").isNumber()) {
      day = LocalDate.ofInstant(Instant.ofEpochMilli(r.path("date").asLong()), ZoneOffset.UTC);
    }
    if (email == null || day == null) {
      return null;
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String c : DAILY_COUNTERS) {
      long v = Fields.count(r, c);
      if (v > 0) {
        counts.put(c, v);
      }
    }
    if (counts.isEmpty()) {
      return null; // an inactive day: nothing to keep
    }
    return new Activity(day, PROVIDER, "cursor", Fields.emailIdentity(email), Fields.text(r, "mostUsedModel"), null,
        counts);
  }

  private void events(Instant from, Instant to, List<ReportedUsage> out) {
    for (int page = 1; ; page++) {
      ObjectNode body = ApiClient.object();
      body.put("startDate", from.toEpochMilli());
      body.put("endDate", to.toEpochMilli() - 1); // Cursor's endDate is inclusive
      body.put("page", page);
      body.put("pageSize", PAGE_SIZE);
      JsonNode reply = api.post("/teams/filtered-usage-events", body);
      for (JsonNode e : reply.path("usageEvents")) {
        ReportedUsage r = event(e);
        if (r != null) {
          out.add(r);
        }
      }
      JsonNode p = reply.path("pagination");
      boolean more = p.path("hasNextPage").asBoolean(false)
          || (p.has("numPages") && page < p.path("numPages").asInt(0));
      if (!more || page >= 10_000) {
        return;
      }
    }
  }

  private static ReportedUsage event(JsonNode e) {
    String email = Fields.text(e, "userEmail");
    String ts = Fields.text(e, "timestamp"); // a STRING of epoch milliseconds
    if (email == null || ts == null) {
      return null;
    }
    Instant at;
    try {
      at = Instant.ofEpochMilli(Long.parseLong(ts.trim()));
    } catch (NumberFormatException ex) {
      return null;
    }
    JsonNode t = e.path("tokenUsage");
    Tokens tokens = Tokens.of(Fields.count(t, "inputTokens"), Fields.count(t, "outputTokens"),
        Fields.count(t, "cacheWriteTokens"), 0, Fields.count(t, "cacheReadTokens"));
    BigDecimal cents = Fields.decimal(e.path("chargedCents"));
    if (cents == null) {
      cents = Fields.decimal(t.path("totalCents"));
    }
    String model = Fields.text(e, "model");
    String identity = Fields.emailIdentity(email);
    return new ReportedUsage(at, at, PROVIDER, "cursor", identity, null, model == null ? "unknown" : model, 1, tokens,
        Fields.microsFromCents(cents == null ? BigDecimal.ZERO : cents),
        String.join("|", "event", ts, identity, String.valueOf(model), String.valueOf(Fields.text(e, "conversationId")),
            Long.toString(tokens.input()), Long.toString(tokens.output()), Long.toString(tokens.cacheWrite5m()),
            Long.toString(tokens.cacheRead())));
  }

  /** Current-cycle spend per member; {@code overallSpendCents} (included + on-demand) when present. */
  private void spend(Map<String, Seat> seats) {
    for (int page = 1; ; page++) {
      ObjectNode body = ApiClient.object();
      body.put("page", page);
      body.put("pageSize", 100);
      JsonNode reply = api.post("/teams/spend", body);
      for (JsonNode s : reply.path("teamMemberSpend")) {
        String email = Fields.text(s, "email");
        if (email == null) {
          continue;
        }
        String id = Fields.emailIdentity(email);
        BigDecimal cents = Fields.decimal(s.path("overallSpendCents"));
        if (cents == null) {
          cents = Fields.decimal(s.path("spendCents"));
        }
        Seat before = seats.get(id);
        seats.put(id, new Seat(PROVIDER, id, before != null ? before.plan() : Fields.text(s, "role"), null,
            Fields.microsFromCents(cents)));
      }
      if (page >= reply.path("totalPages").asInt(1) || page >= 10_000) {
        return;
      }
    }
  }
}
