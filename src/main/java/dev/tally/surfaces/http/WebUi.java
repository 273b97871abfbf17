package dev.tally.surfaces.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.directory.Directory;
import dev.tally.directory.Person;
import dev.tally.directory.Principal;
import dev.tally.directory.Role;
import dev.tally.ledger.Money;
import dev.tally.query.CostMode;
import dev.tally.query.Filter;
import dev.tally.query.Range;
import dev.tally.query.UsageQueries;
import dev.tally.store.Dimension;
import dev.tally.store.Store;
import dev.tally.store.Totals;
import dev.tally.surfaces.cli.Snippets;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Clock;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The read endpoints the web dashboard needs beyond the query API: who is signed in (with the
 * session's CSRF token), the people the caller may see, KPI figures and per-day series, filter
 * values, the chargeback export, setup snippets for a new key, and a live-change stream. Every
 * figure comes from {@link UsageQueries}: the browser formats, it never adds up money.
 */
final class WebUi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<Dimension> OPTION_DIMENSIONS = List.of(Dimension.TEAM, Dimension.PERSON, Dimension.MODEL,
      Dimension.TOOL, Dimension.SOURCE, Dimension.PROJECT, Dimension.PROVIDER, Dimension.KEY, Dimension.TAG);

  private final Store store;
  private final Directory directory;
  private final Clock clock;
  private final Sessions sessions;
  private final Supplier<Map<String, String>> keyNames;
  private final List<SseClient> listeners = new CopyOnWriteArrayList<>();
  private ScheduledExecutorService ticker;
  private volatile String fingerprint;

  /** @param keyNames gateway key names by id, or null without a gateway */
  WebUi(Store store, Directory directory, Clock clock, Sessions sessions, Supplier<Map<String, String>> keyNames) {
    this.store = store;
    this.directory = directory;
    this.clock = clock;
    this.sessions = sessions;
    this.keyNames = keyNames != null ? keyNames : Map::of;
  }

  void routes(RoutesConfig routes) {
    routes.get("/api/v1/web/session", this::session);
    routes.get("/api/v1/web/people", ctx -> ctx.json(visiblePeople(Server.requireReader(ctx)).values()));
    routes.get("/api/v1/web/summary", this::summary);
    routes.get("/api/v1/web/options", this::options);
    routes.get("/api/v1/web/blocks", this::blocks);
    routes.post("/api/v1/web/snippets", this::snippets);
    routes.get("/api/v1/export.csv", ctx -> export(ctx, false));
    routes.get("/api/v1/export.json", ctx -> export(ctx, true));
    routes.sse("/api/v1/web/live", this::live);
  }

  // ---------------------------------------------------------------- session and people

  private void session(Context ctx) {
    Principal p = Server.principal(ctx);
    ObjectNode n = JSON.createObjectNode().put("name", p.name()).put("role", p.role().wireName());
    if (p.personId() != null) {
      n.put("person", "person:" + p.personId());
    }
    ArrayNode teams = n.putArray("teams");
    p.teams().stream().sorted().forEach(teams::add);
    String cookie = ctx.cookie(Sessions.COOKIE);
    sessions.find(cookie == null ? "" : cookie).ifPresent(s -> n.put("csrfToken", s.csrf()));
    ctx.json(n);
  }

  /** The people a caller may see, by key ("person:7"): admins everyone, leads their teams, members themselves. */
  private Map<String, ObjectNode> visiblePeople(Principal p) {
    Map<String, ObjectNode> result = new LinkedHashMap<>();
    for (Person person : directory.people()) {
      boolean visible = p.isAdmin()
          || (p.role() == Role.LEAD && person.team() != null && p.teams().contains(person.team()))
          || (p.personId() != null && p.personId() == person.id());
      if (visible) {
        ObjectNode n = JSON.createObjectNode().put("id", person.key()).put("name", person.name()).put("team", person.team());
        person.identities().stream().filter(i -> i.startsWith("email:")).findFirst()
            .ifPresent(e -> n.put("email", e.substring("email:".length())));
        result.put(person.key(), n);
      }
    }
    return result;
  }

  // ---------------------------------------------------------------- KPIs and series

  private void summary(Context ctx) {
    Server.UsageRequest req = Server.usageRequest(ctx, clock);
    CostMode mode = req.mode();
    LocalDate since = req.range().since();
    LocalDate end = req.end();
    long days = ChronoUnit.DAYS.between(since, end) + 1;
    LocalDate previousStart = since.minusDays(days);
    List<UsageQueries.Row> rows = new UsageQueries(store, clock, mode)
        .table(new Range(previousStart, end, req.zone()), req.filter(), List.of(Dimension.PERSON, Dimension.TEAM));

    Totals now = Totals.EMPTY;
    Totals before = Totals.EMPTY;
    Set<String> activeNow = new HashSet<>();
    Set<String> activeBefore = new HashSet<>();
    Map<LocalDate, Totals> perDay = new TreeMap<>();
    Map<LocalDate, Set<String>> usersPerDay = new TreeMap<>();
    Map<String, Map<LocalDate, Totals>> perTeam = new TreeMap<>();
    for (UsageQueries.Row row : rows) {
      String person = row.keys().get(0);
      String team = row.keys().get(1);
      Totals n = row.between(since, end);
      Totals b = row.between(previousStart, since.minusDays(1));
      now = now.plus(n);
      before = before.plus(b);
      if (!n.isEmpty()) {
        activeNow.add(person);
      }
      if (!b.isEmpty()) {
        activeBefore.add(person);
      }
      row.daily().forEach((day, t) -> {
        if (!day.isBefore(since) && !day.isAfter(end) && !t.isEmpty()) {
          perDay.merge(day, t, Totals::plus);
          usersPerDay.computeIfAbsent(day, k -> new HashSet<>()).add(person);
          perTeam.computeIfAbsent(team, k -> new TreeMap<>()).merge(day, t, Totals::plus);
        }
      });
    }
    ObjectNode answer = JSON.createObjectNode().put("from", since.toString()).put("to", end.toString())
        .put("previousFrom", previousStart.toString()).put("timezone", req.zone().getId());
    ObjectNode kpis = answer.putObject("kpis");
    kpi(kpis, "activeUsers", activeNow.size(), activeBefore.size());
    double avgNow = activeNow.isEmpty() ? 0 : (double) now.events() / activeNow.size();
    double avgBefore = activeBefore.isEmpty() ? 0 : (double) before.events() / activeBefore.size();
    ObjectNode avg = kpis.putObject("avgRequestsPerUser").put("value", Math.round(avgNow * 10) / 10.0)
        .put("previous", Math.round(avgBefore * 10) / 10.0);
    change(avg, avgNow, avgBefore);
    kpi(kpis, "requests", now.events(), before.events());
    kpi(kpis, "totalTokens", now.tokens().total(), before.tokens().total());
    ObjectNode cost = kpis.putObject("cost").put("value", Money.dollars(mode.cost(now)))
        .put("previous", Money.dollars(mode.cost(before)));
    change(cost, mode.cost(now), mode.cost(before));

    ArrayNode dayList = answer.putArray("days");
    ObjectNode series = answer.putObject("series");
    ArrayNode users = series.putArray("activeUsers");
    ArrayNode requests = series.putArray("requests");
    ArrayNode tokens = series.putArray("tokens");
    ArrayNode costs = series.putArray("cost");
    ArrayNode teams = answer.putArray("teams");
    Map<String, ObjectNode> teamNodes = new LinkedHashMap<>();
    perTeam.forEach((team, byDay) -> {
      ObjectNode t = teams.addObject().put("team", team);
      t.putArray("cost");
      t.putArray("tokens");
      t.putArray("requests");
      teamNodes.put(team, t);
    });
    for (LocalDate day = since; !day.isAfter(end); day = day.plusDays(1)) {
      dayList.add(day.toString());
      Totals t = perDay.getOrDefault(day, Totals.EMPTY);
      users.add(usersPerDay.getOrDefault(day, Set.of()).size());
      requests.add(t.events());
      tokens.add(t.tokens().total());
      costs.add(Money.dollars(mode.cost(t)));
      for (var e : teamNodes.entrySet()) {
        Totals tt = perTeam.get(e.getKey()).getOrDefault(day, Totals.EMPTY);
        ((ArrayNode) e.getValue().get("cost")).add(Money.dollars(mode.cost(tt)));
        ((ArrayNode) e.getValue().get("tokens")).add(tt.tokens().total());
        ((ArrayNode) e.getValue().get("requests")).add(tt.events());
      }
    }
    ctx.json(answer);
  }

  private static void kpi(ObjectNode kpis, String name, long now, long before) {
    change(kpis.putObject(name).put("value", now).put("previous", before), now, before);
  }

  private static void change(ObjectNode n, double now, double before) {
    if (before > 0) {
      n.put("change", (now - before) / before);
    } else {
      n.putNull("change");
    }
  }

  /**
   * Claude Code's 5-hour billing blocks in the range and filters (Claude Code only unless a tool
   * filter says otherwise), computed as {@code tally blocks} does and in its JSON shape, newest first.
   */
  private void blocks(Context ctx) {
    Server.UsageRequest req = Server.usageRequest(ctx, clock);
    Filter filter = req.filter();
    if (!filter.values().containsKey(Dimension.TOOL)) {
      filter = filter.and(Dimension.TOOL, Set.of(dev.tally.surfaces.cli.BlocksJson.DEFAULT_TOOL));
    }
    UsageQueries queries = new UsageQueries(store, clock, req.mode());
    List<dev.tally.query.Block> blocks = new ArrayList<>(queries.blocks(req.range(), filter, java.time.Duration.ofHours(5)));
    java.util.Collections.reverse(blocks);
    ObjectNode answer = JSON.createObjectNode().put("from", req.range().since().toString()).put("to", req.end().toString())
        .put("hours", 5).put("now", clock.instant().toString());
    ArrayNode arr = answer.putArray("blocks");
    for (dev.tally.query.Block b : blocks) {
      if (!b.gap()) {
        dev.tally.surfaces.cli.BlocksJson.block(arr.addObject(), b, req.mode(), null);
      }
    }
    ctx.json(answer);
  }

  /**
   * Reads what the Usage page's first load reads (30 days and the 30 before them by person and team,
   * the filter values over 90 days), so that the first person to open the dashboard after a start
   * does not wait for the JIT compiler and cold rollup pages (1.7 s instead of 0.5 s at 10M events).
   */
  void warmUp() {
    LocalDate today = LocalDate.now(clock.withZone(java.time.ZoneOffset.UTC));
    UsageQueries queries = new UsageQueries(store, clock, CostMode.AUTO);
    Range twoMonths = new Range(today.minusDays(59), today, java.time.ZoneOffset.UTC);
    queries.table(twoMonths, Filter.NONE, List.of(Dimension.PERSON, Dimension.TEAM));
    queries.table(twoMonths, Filter.NONE, List.of(Dimension.PERSON));
    for (Dimension d : OPTION_DIMENSIONS) {
      queries.table(optionsRange(), Filter.NONE, List.of(d));
    }
  }

  /**
   * The 90 days whose usage the filters offer values from: a closed range, so that its days are
   * cached (an open-ended one would read all 90 days again on every call).
   */
  private Range optionsRange() {
    LocalDate today = LocalDate.now(clock.withZone(java.time.ZoneOffset.UTC));
    return new Range(today.minusDays(89), today, java.time.ZoneOffset.UTC);
  }

  /** The values each filter can take in the last 90 days, among what the caller may see. */
  private void options(Context ctx) {
    Principal p = Server.requireReader(ctx);
    Range range = optionsRange();
    Filter scope = Server.scope(p, Filter.NONE);
    UsageQueries queries = new UsageQueries(store, clock, CostMode.AUTO);
    Map<String, ObjectNode> people = visiblePeople(p);
    Map<String, String> keys = keyNames.get();
    ObjectNode answer = JSON.createObjectNode();
    for (Dimension d : OPTION_DIMENSIONS) {
      ArrayNode values = answer.putArray(d.name().toLowerCase(Locale.ROOT));
      List<String> seen = new ArrayList<>();
      for (UsageQueries.Row row : queries.table(range, scope, List.of(d))) {
        seen.add(row.keys().get(0));
      }
      seen.stream().distinct().sorted().forEach(v -> {
        String label = switch (d) {
          case PERSON -> people.containsKey(v) ? people.get(v).get("name").asText() : v;
          case KEY -> keys.getOrDefault(v, v);
          default -> v;
        };
        values.addObject().put("value", v).put("label", v.isEmpty() ? "(none)" : label);
      });
    }
    ctx.json(answer);
  }

  // ---------------------------------------------------------------- export

  private static final List<Dimension> CHARGEBACK = List.of(Dimension.PERSON, Dimension.TEAM, Dimension.PROJECT,
      Dimension.KEY, Dimension.PROVIDER, Dimension.MODEL);
  private static final String[] COLUMNS = {"period", "person", "email", "team", "project", "key", "provider", "model",
      "requests", "input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens", "total_tokens", "cost_usd"};

  /** Chargeback rows for the range and filters: one per person, team, project, key, provider and model. */
  private void export(Context ctx, boolean json) throws IOException {
    Principal p = Server.principal(ctx);
    Server.UsageRequest req = Server.usageRequest(ctx, clock);
    CostMode mode = req.mode();
    LocalDate since = req.range().since();
    LocalDate end = req.end();
    Map<String, ObjectNode> people = visiblePeople(p);
    Map<String, String> keys = keyNames.get();
    record Line(List<String> keys, Totals totals) {}
    List<Line> lines = new ArrayList<>();
    for (UsageQueries.Row row : new UsageQueries(store, clock, mode).table(new Range(since, end, req.zone()), req.filter(), CHARGEBACK)) {
      Totals t = row.between(since, end);
      if (!t.isEmpty()) {
        lines.add(new Line(row.keys(), t));
      }
    }
    lines.sort(Comparator.comparing((Line l) -> name(people, l.keys().get(0)).toLowerCase(Locale.ROOT))
        .thenComparing(Comparator.comparingLong((Line l) -> mode.cost(l.totals())).reversed())
        .thenComparing(l -> String.join("\u0000", l.keys())));
    String period = since + ".." + end;
    List<List<Object>> records = new ArrayList<>();
    for (Line l : lines) {
      String person = l.keys().get(0);
      ObjectNode who = people.get(person);
      var k = l.totals().tokens();
      String key = l.keys().get(3);
      records.add(List.of(period, name(people, person), who != null && who.has("email") ? who.get("email").asText() : "",
          l.keys().get(1), l.keys().get(2), key.isEmpty() ? "" : keys.getOrDefault(key, key), l.keys().get(4), l.keys().get(5),
          l.totals().events(), k.input(), k.output(), k.cacheWrite(), k.cacheRead(), k.total(),
          Money.dollars(mode.cost(l.totals())).toPlainString()));
    }
    String file = "tally-chargeback-" + since + "-to-" + end;
    if (json) {
      ArrayNode arr = JSON.createArrayNode();
      for (List<Object> r : records) {
        ObjectNode n = arr.addObject();
        for (int i = 0; i < COLUMNS.length; i++) {
          Object v = r.get(i);
          if (v instanceof Long x) {
            n.put(COLUMNS[i], x);
          } else if (i == COLUMNS.length - 1) {
            n.put(COLUMNS[i], new java.math.BigDecimal((String) v));
          } else {
            n.put(COLUMNS[i], String.valueOf(v));
          }
        }
      }
      ctx.header("Content-Disposition", "attachment; filename=\"" + file + ".json\"").json(arr);
      return;
    }
    StringWriter out = new StringWriter();
    try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.DEFAULT.builder().setHeader(COLUMNS).get())) {
      for (List<Object> r : records) {
        csv.printRecord(r);
      }
    }
    ctx.header("Content-Disposition", "attachment; filename=\"" + file + ".csv\"")
        .contentType("text/csv; charset=utf-8").result(out.toString());
  }

  private static String name(Map<String, ObjectNode> people, String person) {
    ObjectNode n = people.get(person);
    return n != null ? n.get("name").asText() : person;
  }

  // ---------------------------------------------------------------- snippets

  /** Setup snippets for a key just created: POSTed so the secret stays out of URLs and logs. */
  private void snippets(Context ctx) {
    Server.requireReader(ctx);
    String secret = Server.body(ctx).path("secret").asText("");
    if (secret.isBlank()) {
      throw new Server.ApiError(400, "secret is required");
    }
    String forwarded = ctx.header("X-Forwarded-Proto");
    String server = (forwarded != null ? forwarded : ctx.scheme()) + "://" + ctx.host();
    ObjectNode answer = JSON.createObjectNode();
    for (String tool : Snippets.TOOLS.split(",\\s*")) {
      answer.put(tool, Snippets.of(tool, server, secret));
    }
    ctx.json(answer);
  }

  // ---------------------------------------------------------------- live

  /** Sends "changed" whenever the ledger's figures for today move; the page then fetches again. */
  private void live(SseClient client) {
    Server.requireReader(client.ctx());
    client.keepAlive();
    client.onClose(() -> listeners.remove(client));
    listeners.add(client);
    client.sendEvent("hello", "{}");
    synchronized (this) {
      if (ticker == null) {
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "tally-web-live");
          t.setDaemon(true);
          return t;
        });
        ticker.scheduleWithFixedDelay(this::tick, 500, 700, TimeUnit.MILLISECONDS);
      }
    }
  }

  private void tick() {
    if (listeners.isEmpty()) {
      return;
    }
    String now;
    try {
      LocalDate today = LocalDate.now(clock.withZone(java.time.ZoneOffset.UTC));
      Totals t = Totals.EMPTY;
      for (UsageQueries.Row row : new UsageQueries(store, clock, CostMode.AUTO)
          .table(new Range(today.minusDays(1), null, java.time.ZoneOffset.UTC), Filter.NONE, List.of(Dimension.SOURCE))) {
        t = t.plus(row.between(null, null));
      }
      now = t.events() + ":" + t.tokens().total() + ":" + t.lastMs();
    } catch (RuntimeException e) {
      return; // database down: try again on the next tick
    }
    String previous = fingerprint;
    fingerprint = now;
    if (previous != null && !previous.equals(now)) {
      for (SseClient c : listeners) {
        try {
          c.sendEvent("changed", now);
        } catch (RuntimeException e) {
          listeners.remove(c);
        }
      }
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (ticker != null) {
        ticker.shutdownNow();
      }
    }
    for (SseClient c : listeners) {
      try {
        c.close();
      } catch (RuntimeException e) {
        // already gone
      }
    }
    listeners.clear();
  }
}
