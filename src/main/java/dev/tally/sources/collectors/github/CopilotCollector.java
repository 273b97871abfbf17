package dev.tally.sources.collectors.github;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.ledger.ReportedUsage;
import dev.tally.ledger.Seat;
import dev.tally.ledger.Tokens;
import dev.tally.sources.collectors.ApiClient;
import dev.tally.sources.collectors.ApiClient.Query;
import dev.tally.sources.collectors.Collected;
import dev.tally.sources.collectors.Collector;
import dev.tally.sources.collectors.Fields;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GitHub Copilot for one organization: seats with their last activity, and the per-user daily
 * usage-metrics report (a signed NDJSON download per day). Copilot reports activity, not tokens or
 * money: a row's requests are the user-initiated interactions, its cost comes from the seat.
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
    List<Seat> seats = seats();
    List<ReportedUsage> usage = new ArrayList<>();
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
            usage.add(row(day, n));
          }
        }
      }
    }
    List<String> notes = pending.isEmpty() ? List.of()
        : List.of("GitHub Copilot report not ready yet for " + pending.size() + " day"
            + (pending.size() == 1 ? "" : "s") + " (" + pending.get(0)
            + (pending.size() > 1 ? " … " + pending.get(pending.size() - 1) : "") + ")");
    return new Collected(usage, seats, null, closed, notes);
  }

  private static ReportedUsage row(LocalDate day, JsonNode n) {
    String login = Fields.text(n, "user_login");
    Instant start = Fields.atStart(day);
    return new ReportedUsage(start, start.plus(Duration.ofDays(1)), PROVIDER, "copilot", "github:" + login, null,
        "copilot", Fields.count(n, "user_initiated_interaction_count"), Tokens.ZERO, 0L,
        String.join("|", "users-1-day", day.toString(), login));
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
