package dev.tally.sources.collectors.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.ledger.ReportedUsage;
import dev.tally.ledger.Seat;
import dev.tally.ledger.Tokens;
import dev.tally.sources.collectors.ApiClient;
import dev.tally.sources.collectors.ApiClient.Query;
import dev.tally.sources.collectors.Collected;
import dev.tally.sources.collectors.Collector;
import dev.tally.sources.collectors.Fields;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Anthropic Admin API: the messages usage report (per API key, workspace and model, every token
 * kind), the cost report (billed total, for reconciliation), the Claude Code report (per user, one
 * day per call), and the users and API keys lists that lead from a key to its creator's email.
 *
 * <p>Double counting rule: Claude Code on an API organization ({@code customer_type: api}) runs on
 * API keys, so its tokens are already in the messages report; those rows only relabel their keys'
 * usage as tool {@code claude-code}. Only subscription rows (team/enterprise plans, which the messages
 * report does not cover) add usage, priced at the report's estimated cost.
 */
public final class AnthropicCollector implements Collector {
  public static final String PROVIDER = "anthropic";
  /** Console logins run Claude Code on auto-created keys named like this (observed, not a contract). */
  private static final String CLAUDE_CODE_KEY_PREFIX = "claude_code_key_";

  private final ApiClient api;
  private final Clock clock;

  public AnthropicCollector(ApiClient api, Clock clock) {
    this.api = api;
    this.clock = clock;
  }

  @Override
  public String provider() {
    return PROVIDER;
  }

  private record Key(String name, String creatorId) {}

  @Override
  public Collected collect(Instant from, Instant to) {
    Map<String, String> emails = new HashMap<>();
    list("/v1/organizations/users", u -> {
      String email = Fields.text(u, "email");
      if (email != null) {
        emails.put(Fields.text(u, "id"), email);
      }
    });
    Map<String, Key> keys = new HashMap<>();
    list("/v1/organizations/api_keys", k -> keys.put(Fields.text(k, "id"),
        new Key(Fields.text(k, "name"), Fields.text(k.path("created_by"), "id"))));

    List<ReportedUsage> usage = new ArrayList<>();
    List<Seat> seats = new ArrayList<>();
    Set<String> claudeCodeKeyNames = new HashSet<>();
    claudeCode(from, to, usage, seats, claudeCodeKeyNames);
    messages(from, to, emails, keys, claudeCodeKeyNames, usage);
    Long billed = billed(from, to);
    Instant closed = Fields.earlier(to, Fields.startOfDay(clock.instant()));
    return new Collected(usage, seats, billed, closed, List.of());
  }

  private void messages(Instant from, Instant to, Map<String, String> emails, Map<String, Key> keys,
      Set<String> claudeCodeKeyNames, List<ReportedUsage> out) {
    Query q = Query.of("starting_at", Fields.startOfDay(from), "ending_at", Fields.endOfDay(to), "bucket_width", "1d",
        "group_by[]", "api_key_id", "group_by[]", "workspace_id", "group_by[]", "model", "limit", 31);
    report("/v1/organizations/usage_report/messages", q, bucket -> {
      Instant start = Instant.parse(bucket.path("starting_at").asText());
      Instant end = Instant.parse(bucket.path("ending_at").asText());
      for (JsonNode r : bucket.path("results")) {
        String keyId = Fields.text(r, "api_key_id");
        Key key = keyId == null ? null : keys.get(keyId);
        String email = key == null || key.creatorId() == null ? null : emails.get(key.creatorId());
        String identity = email != null ? Fields.emailIdentity(email)
            : keyId != null ? "anthropic-key:" + keyId : "anthropic-console";
        boolean claudeCode = key != null && key.name() != null
            && (key.name().startsWith(CLAUDE_CODE_KEY_PREFIX) || claudeCodeKeyNames.contains(key.name()));
        JsonNode cache = r.path("cache_creation");
        Tokens tokens = new Tokens(Fields.count(r, "uncached_input_tokens"), Fields.count(r, "output_tokens"),
            Fields.count(cache, "ephemeral_5m_input_tokens"), Fields.count(cache, "ephemeral_1h_input_tokens"),
            Fields.count(r, "cache_read_input_tokens"), 0, Fields.count(r.path("server_tool_use"), "web_search_requests"));
        String model = Fields.text(r, "model");
        String workspace = Fields.text(r, "workspace_id");
        out.add(new ReportedUsage(start, end, PROVIDER, claudeCode ? "claude-code" : "anthropic-api", identity, keyId,
            model == null ? "unknown" : model, 0, tokens, null,
            String.join("|", "messages", start.toString(), String.valueOf(keyId), String.valueOf(workspace),
                String.valueOf(model))));
      }
    });
  }

  private void claudeCode(Instant from, Instant to, List<ReportedUsage> out, List<Seat> seats, Set<String> keyNames) {
    Map<String, Seat> seatByEmail = new LinkedHashMap<>();
    for (LocalDate day : Fields.days(from, to)) {
      Instant start = Fields.atStart(day);
      if (!start.isBefore(clock.instant())) {
        break;
      }
      // Rows of one actor and day may be split by terminal and across pages: each keeps its own slice key.
      int[] row = {0};
      report("/v1/organizations/usage_report/claude_code", Query.of("starting_at", day, "limit", 1000), r -> {
        row[0]++;
        JsonNode actor = r.path("actor");
        String email = Fields.text(actor, "email_address");
        String keyName = Fields.text(actor, "api_key_name");
        if (keyName != null) {
          keyNames.add(keyName);
        }
        if (!"subscription".equals(Fields.text(r, "customer_type")) || email == null) {
          return; // API-key usage: already in the messages report
        }
        String identity = Fields.emailIdentity(email);
        String plan = Fields.text(r, "subscription_type");
        seatByEmail.put(identity, new Seat(PROVIDER, identity, "claude-" + (plan == null ? "subscription" : plan),
            start, null));
        for (JsonNode m : r.path("model_breakdown")) {
          JsonNode t = m.path("tokens");
          BigDecimal cents = Fields.decimal(m.path("estimated_cost").path("amount"));
          String model = Fields.text(m, "model");
          out.add(new ReportedUsage(start, start.plus(java.time.Duration.ofDays(1)), PROVIDER, "claude-code", identity,
              null, model == null ? "unknown" : model, 0,
              Tokens.of(Fields.count(t, "input"), Fields.count(t, "output"), Fields.count(t, "cache_creation"), 0,
                  Fields.count(t, "cache_read")),
              Fields.microsFromCents(cents),
              String.join("|", "claude_code", day.toString(), identity, String.valueOf(Fields.text(r, "terminal_type")),
                  String.valueOf(r.path("is_remote").asBoolean()), String.valueOf(plan), String.valueOf(model))));
        }
      });
    }
    seats.addAll(seatByEmail.values());
  }

  private Long billed(Instant from, Instant to) {
    BigDecimal[] cents = {BigDecimal.ZERO};
    report("/v1/organizations/cost_report", Query.of("starting_at", Fields.startOfDay(from), "ending_at", Fields.endOfDay(to),
        "bucket_width", "1d", "limit", 31), bucket -> {
          for (JsonNode r : bucket.path("results")) {
            BigDecimal a = Fields.decimal(r.path("amount")); // a decimal STRING of cents
            if (a != null) {
              cents[0] = cents[0].add(a);
            }
          }
        });
    return Fields.microsFromCents(cents[0]);
  }

  /** Report pagination: the same query plus {@code page=<next_page>} until {@code has_more} is false. */
  private void report(String path, Query query, Consumer<JsonNode> each) {
    String page = null;
    int guard = 0;
    do {
      JsonNode body = api.get(path, query.copy().add("page", page));
      body.path("data").forEach(each);
      page = body.path("has_more").asBoolean(false) ? Fields.text(body, "next_page") : null;
    } while (page != null && ++guard < 10_000);
  }

  /** List pagination: {@code after_id=<last_id>} while {@code has_more}. */
  private void list(String path, Consumer<JsonNode> each) {
    String after = null;
    int guard = 0;
    do {
      JsonNode body = api.get(path, Query.of("limit", 1000).add("after_id", after));
      body.path("data").forEach(each);
      after = body.path("has_more").asBoolean(false) ? Fields.text(body, "last_id") : null;
    } while (after != null && ++guard < 10_000);
  }
}
