package dev.tally.sources.collectors.github;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.ledger.ReportedUsage;
import dev.tally.ledger.Seat;
import dev.tally.ledger.Tokens;
import dev.tally.sources.collectors.Activity;
import dev.tally.sources.collectors.ApiClient;
import dev.tally.sources.collectors.ApiClient.Query;
import dev.tally.sources.collectors.Collected;
import dev.tally.sources.collectors.Collector;
import dev.tally.sources.collectors.CollectorException;
import dev.tally.sources.collectors.Fields;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GitHub Copilot for one organization: seats with their last activity, the organization's Copilot
 * billing (seat breakdown and plan, as a note: the API gives no price per seat), the month's
 * premium-request billing (a note: dollars beyond the seats' allowance), and the per-user
 * daily usage-metrics report (a signed NDJSON download per day). Copilot reports activity, not
 * tokens or money: a row's requests are the user-initiated interactions, split by model where the
 * report splits them ({@code totals_by_model_feature}, the rest stays model {@code copilot}); its
 * cost comes from the seat. Per editor ({@code totals_by_ide}) the report's counters are kept as
 * {@link Activity}.
 *
 * <p>The legacy {@code /orgs/{org}/copilot/metrics} API closed on 2026-04-02 (404): it is not called;
 * the reports above are what replaced it.
 *
 * <p>A day whose report is not ready answers 404: it is skipped, stays open for the next run, and a
 * note says so. GitHub has logins, never emails; identities are {@code github:<login>}.
 */
public final class CopilotCollector implements Collector {
  public static final String PROVIDER = "github";
  private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");

  private final ApiClient api;
  private final String org;
  private final Clock clock;

  public CopilotCollector(ApiClient api, String org, Clock clock) {
    this.api = api;
    this.org = org;
    this.clock = clock;
  }

  @Override
  public String provider() {
    return PROVIDER;
  }

  @Override
  public Collected collect(Instant from, Instant to) {
    List<String> notes = new ArrayList<>();
    List<Seat> seats = seats(); // first: a token that cannot read seats fails here, with the seats' path
    String plan = billing(notes);
    premiumRequests(notes);
    if (plan != null) {
      seats = seats.stream().map(st -> st.plan() == null || st.plan().equals("unknown")
          ? new Seat(st.provider(), st.identity(), plan, st.lastActivity(), st.cycleSpendMicros()) : st).toList();
    }
    List<ReportedUsage> usage = new ArrayList<>();
    List<Activity> activity = new ArrayList<>();
    List<String> pending = new ArrayList<>();
    Instant now = clock.instant();
    Instant closed = Fields.earlier(to, Fields.startOfDay(now));
    for (LocalDate day : Fields.days(from, to)) {
      Instant start = Fields.atStart(day);
      if (start.plus(Duration.ofDays(1)).isAfter(now)) {
        break; // today is never in a report yet
      }
      Optional<ApiClient.Reply> reply = api.getUnless404(
          "/orgs/" + org + "/copilot/metrics/reports/users-1-day", Query.of("day", day));
      if (reply.isEmpty()) {
        pending.add(day.toString());
        closed = Fields.earlier(closed, start);
        continue;
      }
      for (JsonNode link : reply.get().body().path("download_links")) {
        for (String line : api.download(link.asText()).split("\n")) {
          JsonNode n = line.isBlank() ? null : ApiClient.parseLine(line);
          if (n != null && Fields.text(n, "user_login") != null) {
            rows(day, n, usage);
            editors(day, n, activity);
          }
        }
      }
    }
    if (!pending.isEmpty()) {
      notes.add("GitHub Copilot report not ready yet for " + pending.size() + " day"
          + (pending.size() == 1 ? "" : "s") + " (" + pending.get(0)
          + (pending.size() > 1 ? " … " + pending.get(pending.size() - 1) : "") + ")");
    }
    return new Collected(usage, seats, null, closed, notes, activity);
  }

  /**
   * One row per model of the user's day (interactions summed over features), and one of model
   * {@code copilot} for the interactions no model claims; together they add up to the day's total.
   */
  private static void rows(LocalDate day, JsonNode n, List<ReportedUsage> out) {
    String login = Fields.text(n, "user_login");
    Instant start = Fields.atStart(day);
    Map<String, Long> byModel = new LinkedHashMap<>();
    for (JsonNode m : n.path("totals_by_model_feature")) {
      String model = Fields.text(m, "model");
      long c = Fields.count(m, "user_initiated_interaction_count");
      if (model != null && c > 0) {
        byModel.merge(model, c, Long::sum);
      }
    }
    long rest = Fields.count(n, "user_initiated_interaction_count");
    for (Map.Entry<String, Long> e : byModel.entrySet()) {
      out.add(new ReportedUsage(start, start.plus(Duration.ofDays(1)), PROVIDER, "copilot", "github:" + login, null,
          e.getKey(), e.getValue(), Tokens.ZERO, 0L, String.join("|", "users-1-day", day.toString(), login, e.getKey())));
      rest -= e.getValue();
    }
    if (rest > 0 || byModel.isEmpty()) {
      out.add(new ReportedUsage(start, start.plus(Duration.ofDays(1)), PROVIDER, "copilot", "github:" + login, null,
          "copilot", Math.max(0, rest), Tokens.ZERO, 0L, String.join("|", "users-1-day", day.toString(), login)));
    }
  }

  /** Per editor, the report's numeric counters (lines suggested and added, acceptances…). */
  private static void editors(LocalDate day, JsonNode n, List<Activity> out) {
    String identity = "github:" + Fields.text(n, "user_login");
    for (JsonNode ide : n.path("totals_by_ide")) {
      Map<String, Long> counts = new LinkedHashMap<>();
      ide.fields().forEachRemaining(f -> {
        if (f.getValue().isNumber() && f.getValue().asLong() > 0) {
          counts.put(f.getKey(), f.getValue().asLong());
        }
      });
      if (!counts.isEmpty()) {
        out.add(new Activity(day, PROVIDER, "copilot", identity, null, Fields.text(ide, "ide"), counts));
      }
    }
  }

  /**
   * The organization's Copilot billing: a note with the seat breakdown, and the plan. Only org
   * owners may read it; without the right it is a note, not a failure (seats and reports still count).
   */
  private String billing(List<String> notes) {
    Optional<ApiClient.Reply> reply;
    try {
      reply = api.getUnless404("/orgs/" + org + "/copilot/billing", Query.of());
    } catch (CollectorException e) {
      if (e.getMessage() != null && e.getMessage().contains("HTTP 403")
          && !e.getMessage().contains("attempts")) {
        notes.add("GitHub Copilot billing not readable with this token (org owners only)");
        return null;
      }
      throw e;
    }
    if (reply.isEmpty()) {
      notes.add("GitHub Copilot billing not found for " + org);
      return null;
    }
    JsonNode b = reply.get().body();
    String plan = Fields.text(b, "plan_type");
    JsonNode s = b.path("seat_breakdown");
    if (s.isObject()) {
      notes.add("GitHub Copilot" + (plan == null ? "" : " " + plan) + ": " + Fields.count(s, "total") + " seats, "
          + Fields.count(s, "active_this_cycle") + " active this cycle, " + Fields.count(s, "inactive_this_cycle")
          + " inactive, " + Fields.count(s, "added_this_cycle") + " added, " + Fields.count(s, "pending_cancellation")
          + " pending cancellation, " + Fields.count(s, "pending_invitation") + " pending invitation");
    }
    return plan;
  }

  /**
   * The organization's premium-request billing lines for the current month, summed into a note:
   * net dollars (what is paid beyond the seats' allowance), gross and included. Needs the enhanced
   * billing platform and owner rights; without them (403, 404) there is no note.
   */
  private void premiumRequests(List<String> notes) {
    LocalDate today = LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.UTC);
    Optional<ApiClient.Reply> reply;
    try {
      reply = api.getUnless404("/organizations/" + org + "/settings/billing/premium_request/usage",
          Query.of("year", today.getYear(), "month", today.getMonthValue()));
    } catch (CollectorException e) {
      if (e.getMessage() != null && e.getMessage().contains("HTTP 403") && !e.getMessage().contains("attempts")) {
        return;
      }
      throw e;
    }
    if (reply.isEmpty() || reply.get().body().path("usageItems").isEmpty()) {
      return;
    }
    java.math.BigDecimal net = java.math.BigDecimal.ZERO;
    java.math.BigDecimal gross = java.math.BigDecimal.ZERO;
    java.math.BigDecimal discount = java.math.BigDecimal.ZERO;
    long requests = 0;
    for (JsonNode i : reply.get().body().path("usageItems")) {
      net = net.add(orZero(Fields.decimal(i.path("netAmount"))));
      gross = gross.add(orZero(Fields.decimal(i.path("grossAmount"))));
      discount = discount.add(orZero(Fields.decimal(i.path("discountAmount"))));
      requests += Fields.count(i, "grossQuantity");
    }
    notes.add("GitHub Copilot premium requests " + today.toString().substring(0, 7) + ": " + requests + ", $"
        + money(net) + " billed beyond the seats ($" + money(gross) + " gross, $" + money(discount) + " included)");
  }

  private static java.math.BigDecimal orZero(java.math.BigDecimal d) {
    return d == null ? java.math.BigDecimal.ZERO : d;
  }

  private static String money(java.math.BigDecimal d) {
    return d.setScale(2, java.math.RoundingMode.HALF_UP).toPlainString();
  }

  /** Seats, following the {@code Link: rel="next"} header. */
  private List<Seat> seats() {
    List<Seat> seats = new ArrayList<>();
    String path = "/orgs/" + org + "/copilot/billing/seats";
    Query q = Query.of("per_page", 100, "page", 1);
    for (int page = 1; page < 10_000; page++) {
      ApiClient.Reply reply = api.getReply(path, q);
      for (JsonNode s : reply.body().path("seats")) {
        String login = Fields.text(s.path("assignee"), "login");
        if (login == null) {
          continue;
        }
        String last = Fields.text(s, "last_activity_at");
        seats.add(new Seat(PROVIDER, "github:" + login, Fields.text(s, "plan_type"),
            last == null ? null : Instant.parse(last), null));
      }
      Optional<String> link = reply.headers().firstValue("link");
      Matcher m = link.isEmpty() ? null : NEXT.matcher(link.get());
      if (m == null || !m.find()) {
        break;
      }
      q = Query.of("per_page", 100, "page", page + 1);
    }
    return seats;
  }
}
