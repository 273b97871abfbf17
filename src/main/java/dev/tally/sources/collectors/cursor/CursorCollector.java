package dev.tally.sources.collectors.cursor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.ledger.ReportedUsage;
import dev.tally.ledger.Seat;
import dev.tally.ledger.Tokens;
import dev.tally.sources.collectors.ApiClient;
import dev.tally.sources.collectors.Collected;
import dev.tally.sources.collectors.Collector;
import dev.tally.sources.collectors.Fields;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cursor Admin API: team members (seats), filtered usage events (per request: tokens and the cents
 * charged) and the current cycle's spend per member.
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
    for (Instant w = from; w.isBefore(end); w = w.plus(WINDOW)) {
      Instant wEnd = Fields.earlier(w.plus(WINDOW), end);
      events(w, wEnd, usage);
    }
    return new Collected(usage, List.copyOf(seats.values()), null,
        Fields.earlier(to, Fields.startOfDay(now)), notes);
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
