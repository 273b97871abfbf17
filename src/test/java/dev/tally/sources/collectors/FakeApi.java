package dev.tally.sources.collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider's API on loopback, for tests: routes by path, counts requests, checks the auth header,
 * and can be told to answer the next calls to a path with a fault (429 with Retry-After, 5xx,
 * malformed JSON) or to be down altogether.
 */
public abstract class FakeApi implements AutoCloseable {
  public static final ObjectMapper JSON = new ObjectMapper();

  /** A parsed request as a handler sees it. */
  public record Call(String method, String path, Map<String, List<String>> query, JsonNode body) {
    public String param(String name) {
      List<String> v = query.get(name);
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** Array parameters in both forms providers accept: {@code name[]=a&name[]=b} and {@code name=a&name=b}. */
    public List<String> params(String name) {
      List<String> all = new ArrayList<>(query.getOrDefault(name, List.of()));
      all.addAll(query.getOrDefault(name + "[]", List.of()));
      return all;
    }
  }

  /** A canned answer. */
  public record Answer(int status, Map<String, String> headers, String body) {
    public static Answer json(JsonNode n) {
      return new Answer(200, Map.of(), n.toString());
    }

    public static Answer status(int status, String body) {
      return new Answer(status, Map.of(), body);
    }
  }

  private final HttpServer server;
  private final String prefix;
  private final String expectedAuth;
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Deque<Answer>> faults = new ConcurrentHashMap<>();
  private volatile Answer down;

  protected FakeApi(String prefix, String expectedAuthHeader) {
    this.prefix = prefix;
    this.expectedAuth = expectedAuthHeader;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext("/", this::handle);
    server.start();
  }

  /** The base URL a client should be configured with. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + prefix;
  }

  /** Requests seen for {@code path} (without the prefix and query). */
  public int count(String path) {
    AtomicInteger c = counts.get(path);
    return c == null ? 0 : c.get();
  }

  public int total() {
    return counts.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** Every request as "METHOD path?query", in order. */
  public List<String> log() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  public void resetCounts() {
    counts.clear();
    log.clear();
  }

  /** The next {@code times} calls to {@code path} get {@code answer} instead of the data. */
  public FakeApi failNext(String path, int times, Answer answer) {
    Deque<Answer> q = faults.computeIfAbsent(path, p -> new ArrayDeque<>());
    synchronized (q) {
      for (int i = 0; i < times; i++) {
        q.add(answer);
      }
    }
    return this;
  }

  /** Every call gets {@code answer} (null: up again). */
  public void down(Answer answer) {
    this.down = answer;
  }

  protected abstract Answer route(Call call);

  private void handle(HttpExchange ex) throws IOException {
    Answer a;
    String path = ex.getRequestURI().getRawPath();
    try {
      if (path.startsWith(prefix)) {
        path = path.substring(prefix.length());
      }
      counts.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      String rawQuery = ex.getRequestURI().getRawQuery();
      log.add(ex.getRequestMethod() + " " + path + (rawQuery == null ? "" : "?" + decode(rawQuery)));
      Deque<Answer> q = faults.get(path);
      Answer fault = null;
      if (q != null) {
        synchronized (q) {
          fault = q.poll();
        }
      }
      byte[] in = ex.getRequestBody().readAllBytes();
      if (down != null) {
        a = down;
      } else if (fault != null) {
        a = fault;
      } else if (expectedAuth != null && requiresAuth(path) && !expectedAuth.equals(ex.getRequestHeaders().getFirst(authHeaderName()))) {
        a = Answer.status(401, "{\"error\":{\"message\":\"invalid key\"}}");
      } else {
        JsonNode body = in.length == 0 ? null : JSON.readTree(in);
        a = route(new Call(ex.getRequestMethod(), path, parse(rawQuery), body));
      }
    } catch (RuntimeException e) {
      a = Answer.status(500, "{\"error\":{\"message\":\"fake failed: " + e + "\"}}");
    }
    byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
    a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
    if (out.length > 0) {
      ex.getResponseBody().write(out);
    }
    ex.close();
  }

  protected boolean requiresAuth(String path) {
    return true;
  }

  protected String authHeaderName() {
    return "Authorization";
  }

  private static Map<String, List<String>> parse(String raw) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return m;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = decode(eq < 0 ? pair : pair.substring(0, eq));
      String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
      m.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return m;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  protected static ObjectNode object() {
    return JSON.createObjectNode();
  }

  protected static ArrayNode array() {
    return JSON.createArrayNode();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
