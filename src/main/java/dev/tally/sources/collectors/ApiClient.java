package dev.tally.sources.collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * JSON over HTTP for one provider: its base URL and auth headers, retries with backoff on 429, 5xx
 * and network errors (honouring {@code Retry-After} and rate-limit reset headers), and errors that
 * say what failed without ever showing a key (keys travel only in headers; messages name the path).
 */
public final class ApiClient {
  /** Waits between attempts; tests pass one that records instead of sleeping. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    Sleeper REAL = d -> Thread.sleep(d.toMillis());
  }

  /** How a collector's HTTP behaves; the defaults suit the real providers. */
  public record Policy(int maxAttempts, Duration firstBackoff, Duration maxWait, Duration timeout) {
    public static final Policy DEFAULT = new Policy(4, Duration.ofSeconds(1), Duration.ofSeconds(120), Duration.ofSeconds(60));
  }

  static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final String provider;
  private final String base;
  private final Map<String, String> headers;
  private final HttpClient http;
  private final Sleeper sleeper;
  private final Clock clock;
  private final Policy policy;

  /**
   * @param base the provider's base URL, e.g. {@code https://api.openai.com/v1} (trailing slash ignored)
   * @param headers sent on every call to {@code base} (auth, version); never logged
   */
  public ApiClient(String provider, String base, Map<String, String> headers, HttpClient http, Sleeper sleeper,
      Clock clock, Policy policy) {
    this.provider = Objects.requireNonNull(provider);
    this.base = stripSlash(Objects.requireNonNull(base));
    this.headers = Map.copyOf(headers);
    this.http = Objects.requireNonNull(http);
    this.sleeper = Objects.requireNonNull(sleeper);
    this.clock = Objects.requireNonNull(clock);
    this.policy = Objects.requireNonNull(policy);
  }

  /** A JSON response and its headers. */
  public record Reply(int status, JsonNode body, HttpHeaders headers) {}

  public JsonNode get(String path, Query query) {
    return send("GET", path, query, null, false).body();
  }

  /** GET that answers empty on 404 (a report day not processed yet, a retired endpoint). */
  public Optional<Reply> getUnless404(String path, Query query) {
    Reply r = send("GET", path, query, null, true);
    return r.status() == 404 ? Optional.empty() : Optional.of(r);
  }

  public Reply getReply(String path, Query query) {
    return send("GET", path, query, null, false);
  }

  public JsonNode post(String path, JsonNode body) {
    return send("POST", path, Query.of(), body, false).body();
  }

  /**
   * Downloads a text file from an absolute URL without the auth headers (signed links, which the
   * provider's own storage serves: sending the token there would leak it).
   */
  public String download(String url) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(policy.timeout()).GET();
    return execute(b, "GET", redact(url), false).body();
  }

  private Reply send(String method, String path, Query query, JsonNode body, boolean allow404) {
    String target = path + query.encoded();
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + target)).timeout(policy.timeout());
    headers.forEach(b::header);
    b.header("Accept", "application/json");
    if (body != null) {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> response = execute(b, method, path, allow404);
    if (response.statusCode() == 404 && allow404) {
      return new Reply(404, null, response.headers());
    }
    try {
      return new Reply(response.statusCode(), JSON.readTree(response.body()), response.headers());
    } catch (JsonProcessingException e) {
      throw new CollectorException(provider, method + " " + path + " answered malformed JSON ("
          + e.getOriginalMessage() + ")");
    }
  }

  private HttpResponse<String> execute(HttpRequest.Builder b, String method, String what, boolean allow404) {
    HttpRequest request = b.build();
    for (int attempt = 1; ; attempt++) {
      HttpResponse<String> response;
      try {
        response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (IOException e) {
        if (attempt >= policy.maxAttempts()) {
          throw new CollectorException(provider, method + " " + what + " failed after " + attempt
              + " attempts: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
        pause(backoff(attempt));
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CollectorException(provider, method + " " + what + " interrupted", e);
      }
      int status = response.statusCode();
      if (status / 100 == 2 || (status == 404 && allow404)) {
        return response;
      }
      if (retryable(response) && attempt < policy.maxAttempts()) {
        pause(waitFor(response, attempt));
        continue;
      }
      throw new CollectorException(provider, method + " " + what + " answered HTTP " + status
          + errorDetail(response.body()) + (retryable(response) ? " after " + attempt + " attempts" : ""));
    }
  }

  private static boolean retryable(HttpResponse<?> r) {
    int s = r.statusCode();
    // GitHub signals an exhausted primary rate limit as 403 with no requests remaining.
    boolean githubLimit = s == 403 && "0".equals(r.headers().firstValue("x-ratelimit-remaining").orElse(null));
    return s == 429 || s == 500 || s == 502 || s == 503 || s == 504 || githubLimit;
  }

  /** Retry-After (seconds or HTTP date), else a rate-limit reset header, else exponential backoff. */
  Duration waitFor(HttpResponse<?> r, int attempt) {
    Optional<String> retryAfter = r.headers().firstValue("retry-after");
    if (retryAfter.isPresent()) {
      String v = retryAfter.get().trim();
      try {
        return clamp(Duration.ofMillis((long) (Double.parseDouble(v) * 1000)));
      } catch (NumberFormatException e) {
        try {
          Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
          return clamp(Duration.between(clock.instant(), at));
        } catch (DateTimeParseException ignored) {
          // fall through to the reset header or backoff
        }
      }
    }
    Optional<String> reset = r.headers().firstValue("x-ratelimit-reset");
    if (reset.isPresent()) {
      try {
        long v = Long.parseLong(reset.get().trim());
        // GitHub sends epoch seconds, OpenRouter epoch milliseconds.
        Instant at = v > 100_000_000_000L ? Instant.ofEpochMilli(v) : Instant.ofEpochSecond(v);
        return clamp(Duration.between(clock.instant(), at));
      } catch (NumberFormatException ignored) {
        // fall through to backoff
      }
    }
    return backoff(attempt);
  }

  private Duration backoff(int attempt) {
    return clamp(policy.firstBackoff().multipliedBy(1L << Math.min(attempt - 1, 10)));
  }

  private Duration clamp(Duration d) {
    if (d.isNegative()) {
      return Duration.ZERO;
    }
    return d.compareTo(policy.maxWait()) > 0 ? policy.maxWait() : d;
  }

  private void pause(Duration d) {
    try {
      sleeper.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CollectorException(provider, "interrupted while waiting to retry", e);
    }
  }

  /** The provider's own error message, when the body has one, kept short. */
  private static String errorDetail(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    String message = null;
    try {
      JsonNode n = JSON.readTree(body);
      JsonNode error = n.path("error");
      message = error.isTextual() ? error.asText() : error.path("message").asText(null);
      if (message == null) {
        message = n.path("message").asText(null);
      }
    } catch (JsonProcessingException ignored) {
      // not JSON: say nothing rather than echo an HTML page
    }
    if (message == null || message.isBlank()) {
      return "";
    }
    return ": " + (message.length() > 200 ? message.substring(0, 200) + "…" : message);
  }

  /** A signed URL's query carries its signature: keep only scheme, host and path in messages. */
  private static String redact(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  /** Query parameters in order; a name may repeat (arrays are sent as repeated names). */
  public static final class Query {
    private final StringBuilder sb = new StringBuilder();

    private Query() {}

    public static Query of(Object... nameValuePairs) {
      Query q = new Query();
      for (int i = 0; i + 1 < nameValuePairs.length; i += 2) {
        q.add(String.valueOf(nameValuePairs[i]), nameValuePairs[i + 1]);
      }
      return q;
    }

    /** Adds {@code name=value}; a null value is left out. */
    public Query add(String name, Object value) {
      if (value != null) {
        sb.append(sb.isEmpty() ? '?' : '&').append(enc(name)).append('=').append(enc(String.valueOf(value)));
      }
      return this;
    }

    public Query copy() {
      Query q = new Query();
      q.sb.append(sb);
      return q;
    }

    String encoded() {
      return sb.toString();
    }

    private static String enc(String s) {
      return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
  }

  /** A JSON object for request bodies. */
  public static com.fasterxml.jackson.databind.node.ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** Parses one line of NDJSON; null when the line is not JSON. */
  public static JsonNode parseLine(String line) {
    try {
      return JSON.readTree(line);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  static Map<String, String> headers(String... nameValue) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < nameValue.length; i += 2) {
      m.put(nameValue[i], nameValue[i + 1]);
    }
    return m;
  }
}
