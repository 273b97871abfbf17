package dev.tally.sources.gateway;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.ledger.DedupKeys;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tags;
import dev.tally.ledger.UsageEvent;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The metering gateway: forwards a developer's request to the provider with the organisation's key,
 * relays the answer unchanged (a stream event by event, as it arrives), and records its usage under
 * the developer's gateway key. Only authentication differs from calling the provider directly.
 */
public final class Proxy {
  /** Where finished requests' usage goes: a durable append, before the request counts as done. */
  @FunctionalInterface
  public interface Recorder {
    void record(UsageEvent event);
  }

  /** Counts of what passed, for metrics. */
  public interface Observer {
    void request(String provider, int status, boolean streamed, long nanos);

    Observer NONE = (provider, status, streamed, nanos) -> { };
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory FACTORY = JSON.getFactory();
  /** Headers that belong to one hop, or that the gateway sets itself. */
  private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "connection", "keep-alive",
      "transfer-encoding", "te", "trailer", "upgrade", "expect", "proxy-authorization", "proxy-connection",
      "authorization", "x-api-key", "accept-encoding", "cookie", "http2-settings");
  private static final Set<String> NOT_RETURNED = Set.of("content-length", "connection", "keep-alive",
      "transfer-encoding", "te", "trailer", "upgrade", "content-encoding", "set-cookie");

  private final Gatekeeper gate;
  private final Function<String, Optional<Upstream>> upstreams;
  private final Recorder recorder;
  private final Clock clock;
  private final Observer observer;
  private final HttpClient client;
  private final Duration upstreamTimeout;

  /** @param upstreamTimeout how long to wait for a provider's response headers */
  public Proxy(Gatekeeper gate, Function<String, Optional<Upstream>> upstreams, Recorder recorder, Clock clock,
      Observer observer, Duration upstreamTimeout) {
    this.upstreamTimeout = upstreamTimeout;
    this.gate = gate;
    this.upstreams = upstreams;
    this.recorder = recorder;
    this.clock = clock;
    this.observer = observer;
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** The gateway's routes, relative to a base ({@code ""} or {@code /{route}} for a named upstream). */
  public static final List<String> POST_PATHS = List.of("/v1/messages", "/v1/messages/count_tokens",
      "/v1/chat/completions", "/v1/responses", "/v1/embeddings");
  public static final List<String> GET_PATHS = List.of("/v1/models", "/v1/models/{model}");

  /** Handles one gateway request; {@code route} names the upstream, or is null for the protocol's default. */
  public void handle(Context ctx, String route) throws IOException {
    long started = System.nanoTime();
    String path = route == null ? ctx.path() : ctx.path().substring(route.length() + 1);
    boolean anthropicApi = path.startsWith("/v1/messages")
        || (path.startsWith("/v1/models") && ctx.header("anthropic-version") != null);
    Meter.Api api = switch (path) {
      case "/v1/messages" -> Meter.Api.MESSAGES;
      case "/v1/chat/completions" -> Meter.Api.CHAT;
      case "/v1/responses" -> Meter.Api.RESPONSES;
      case "/v1/embeddings" -> Meter.Api.EMBEDDINGS;
      default -> Meter.Api.OTHER;
    };

    String secret = credential(ctx);
    Optional<Caller> who = secret == null ? Optional.empty() : gate.authenticate(secret);
    if (who.isEmpty()) {
      refuse(ctx, anthropicApi, new Gatekeeper.Refusal(401, "authentication_error",
          secret == null ? "missing gateway key: send it as x-api-key or Authorization: Bearer"
              : "invalid, revoked or expired gateway key", null));
      return;
    }
    Caller caller = who.get();
    String name = route != null ? route : anthropicApi ? "anthropic" : "openai";
    Upstream upstream = upstreams.apply(name).orElse(null);
    if (upstream == null) {
      refuse(ctx, anthropicApi, new Gatekeeper.Refusal(503, "api_error",
          "no provider key is configured for '" + name + "': an admin adds one with `tally providers add`", null));
      return;
    }

    byte[] body = ctx.bodyAsBytes();
    RequestFacts facts = RequestFacts.of(body, ctx.method().name());
    if (api != Meter.Api.OTHER && facts.model == null) {
      refuse(ctx, anthropicApi, new Gatekeeper.Refusal(400, "invalid_request_error", "the request body has no \"model\"", null));
      return;
    }
    Gatekeeper.Refusal refusal = gate.admit(caller, facts.model);
    if (refusal != null) {
      refuse(ctx, anthropicApi, refusal);
      return;
    }

    Instant at = clock.instant();
    boolean strip = false;
    if (api == Meter.Api.CHAT && facts.stream && !facts.includeUsage && !upstream.provider().equals("openrouter")) {
      body = withUsageRequested(body); // usage only comes in a stream that asks for it
      strip = true;
    }
    Meter meter = new Meter(api, strip);
    // The usage record goes to the spool before the client sees the end of the answer (the body, or
    // the stream's final usage event): once a client has a complete answer its record survives kill -9.
    UsageEvent[] recorded = {null};
    String[] requestId = {null};
    Runnable record = () -> {
      if (recorded[0] == null) {
        recorded[0] = usage(meter, ctx, caller, upstream, requestId[0], facts.model, at);
        if (recorded[0] != null) {
          recorder.record(recorded[0]);
        }
      }
    };
    int status = 502;
    boolean streamed = false;
    try {
      HttpResponse<InputStream> response;
      try {
        response = client.send(upstreamRequest(ctx, upstream, path, body), HttpResponse.BodyHandlers.ofInputStream());
      } catch (java.net.http.HttpTimeoutException e) {
        status = 504;
        refuse(ctx, anthropicApi, new Gatekeeper.Refusal(504, "timeout_error",
            upstream.name() + " did not answer within " + upstreamTimeout.toSeconds() + " s", null));
        return;
      } catch (IOException e) {
        refuse(ctx, anthropicApi, new Gatekeeper.Refusal(502, "api_error",
            "the gateway could not reach " + upstream.name() + ": " + e.getClass().getSimpleName(), null));
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      status = response.statusCode();
      requestId[0] = response.headers().firstValue("request-id").or(() -> response.headers().firstValue("x-request-id")).orElse(null);
      ctx.status(status);
      response.headers().map().forEach((header, values) -> {
        String lower = header.toLowerCase(Locale.ROOT);
        if (lower.equals("content-type")) {
          ctx.res().setContentType(values.get(0)); // replaces Javalin's default rather than adding a second
        } else if (lower.equals("date")) {
          ctx.res().setHeader(header, values.get(0)); // the provider's, in place of the one Jetty sets
        } else if (!header.startsWith(":") && !NOT_RETURNED.contains(lower)) {
          values.forEach(v -> ctx.res().addHeader(header, v));
        }
      });
      String type = response.headers().firstValue("content-type").orElse("");
      streamed = type.startsWith("text/event-stream");
      try (InputStream in = response.body()) {
        if (streamed) {
          relayStream(in, ctx.res().getOutputStream(), meter, record);
        } else {
          byte[] answer = in.readAllBytes();
          if (status < 400 && type.contains("json")) {
            try {
              meter.onBody(JSON.readTree(answer));
            } catch (IOException notJson) {
              // relayed as it came; nothing to meter
            }
          }
          record.run();
          ctx.res().setContentLength(answer.length); // as the provider framed it, not in chunks
          OutputStream out = ctx.res().getOutputStream();
          out.write(answer);
          out.flush();
        }
      }
    } finally {
      try {
        record.run(); // a stream that broke off: what was generated so far
      } finally {
        gate.finished(caller, recorded[0]);
        observer.request(upstream.ledgerProvider(), status, streamed, System.nanoTime() - started);
      }
    }
  }

  /**
   * Relays events as they complete and flushes after each read, so the client sees every event as
   * soon as the upstream sent it. When the client goes away the upstream is closed (generation
   * stops) and what was generated so far is still metered.
   */
  private static void relayStream(InputStream in, OutputStream out, Meter meter, Runnable beforeLastEvent) throws IOException {
    Sse sse = new Sse();
    byte[] buf = new byte[16 * 1024];
    boolean[] clientGone = {false};
    int n;
    while ((n = in.read(buf)) >= 0) {
      sse.feed(buf, n, e -> {
        boolean forward = meter.onEvent(e);
        if (meter.ended()) {
          beforeLastEvent.run();
        }
        if (forward && !clientGone[0]) {
          try {
            out.write(e.raw());
          } catch (IOException gone) {
            clientGone[0] = true;
          }
        }
      });
      if (clientGone[0]) {
        return; // closing the stream (try-with-resources) cancels the upstream request
      }
      try {
        out.flush();
      } catch (IOException gone) {
        return;
      }
    }
    byte[] rest = sse.rest();
    if (rest.length > 0) {
      try {
        out.write(rest);
        out.flush();
      } catch (IOException gone) {
        // nothing left to tell
      }
    }
  }

  private UsageEvent usage(Meter meter, Context ctx, Caller caller, Upstream upstream, String headerRequestId,
      String requestModel, Instant at) {
    if (meter.api() == Meter.Api.OTHER || !meter.anyUsage()) {
      return null;
    }
    String provider = upstream.ledgerProvider();
    // Anthropic's request id is a header (Claude Code's transcript keeps the same one); OpenAI's is
    // the response or completion id (Codex logs the response id)
    String requestId = upstream.anthropic() ? headerRequestId : meter.id != null ? meter.id : headerRequestId;
    String messageId = upstream.anthropic() ? meter.id : null;
    String key = requestId != null ? DedupKeys.request(provider, requestId)
        : messageId != null ? DedupKeys.message(provider, messageId)
        : DedupKeys.sourceSpecific("gateway", UUID.randomUUID().toString());
    String project = firstHeader(ctx, "x-tally-project", "helicone-property-project");
    return new UsageEvent(key, at, Source.GATEWAY, provider, meter.model != null ? meter.model : requestModel,
        tool(ctx), caller.identity(), Long.toString(caller.keyId()), project != null ? project : caller.project(),
        firstHeader(ctx, "x-claude-code-session-id", "session-id", "session_id", "x-tally-session", "helicone-session-id"),
        requestId, messageId, ctx.header("x-claude-code-agent-id") != null, meter.tokens(), meter.reportedCostMicros,
        false, tags(ctx, caller));
  }

  /**
   * The key's tags, those of {@code x-tally-tags} (comma-separated, the header may repeat), each
   * {@code Helicone-Property-<Name>: <value>} as {@code <name>:<value>} (but the project one, which
   * names the project) and {@code Helicone-User-Id: <id>} as {@code user:<id>}. The user id is only
   * a tag: the request stays the key owner's, whoever the client says the end user is.
   */
  static List<String> tags(Context ctx, Caller caller) {
    List<String> tags = new java.util.ArrayList<>(caller.tags());
    for (var names = ctx.req().getHeaderNames(); names.hasMoreElements(); ) {
      String header = names.nextElement();
      String lower = header.toLowerCase(Locale.ROOT);
      for (var values = ctx.req().getHeaders(header); values.hasMoreElements(); ) {
        String value = values.nextElement();
        if (value == null || value.isBlank()) {
          continue;
        }
        if (lower.equals("x-tally-tags")) {
          tags.addAll(List.of(value.split(",")));
        } else if (lower.equals("helicone-user-id")) {
          tags.add("user:" + Tags.clean(value));
        } else if (lower.startsWith(HELICONE_PROPERTY) && !lower.equals("helicone-property-project")
            && lower.length() > HELICONE_PROPERTY.length()) {
          tags.add(Tags.clean(lower.substring(HELICONE_PROPERTY.length())) + ":" + Tags.clean(value));
        }
      }
    }
    return Tags.of(tags);
  }

  private static final String HELICONE_PROPERTY = "helicone-property-";

  private HttpRequest upstreamRequest(Context ctx, Upstream upstream, String path, byte[] body) {
    String target = upstream.anthropic() ? path : path.substring("/v1".length());
    String query = ctx.queryString();
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream.baseUrl() + target + (query == null ? "" : "?" + query)))
        .timeout(upstreamTimeout);
    for (String header : ctx.headerMap().keySet()) {
      String lower = header.toLowerCase(Locale.ROOT);
      if (NOT_FORWARDED.contains(lower) || lower.startsWith("x-tally-") || lower.startsWith("helicone-")) {
        continue;
      }
      for (var values = ctx.req().getHeaders(header); values.hasMoreElements(); ) {
        b.header(header, values.nextElement());
      }
    }
    if (upstream.anthropic()) {
      b.header("x-api-key", upstream.secret());
    } else {
      b.header("Authorization", "Bearer " + upstream.secret());
    }
    b.header("Accept-Encoding", "identity"); // usage is read from the body: keep it uncompressed
    b.method(ctx.method().name(), body.length == 0 && ctx.method().name().equals("GET")
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    return b.build();
  }

  /** The gateway key, from whichever header the client uses; never forwarded. */
  private static String credential(Context ctx) {
    String auth = ctx.header("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).trim();
    }
    String key = ctx.header("x-api-key");
    return key == null || key.isBlank() ? null : key.trim();
  }

  /** An error in the provider's own format, so clients show it as they would the provider's. */
  static void refuse(Context ctx, boolean anthropic, Gatekeeper.Refusal r) {
    ObjectNode body = JSON.createObjectNode();
    if (anthropic) {
      body.put("type", "error").putObject("error").put("type", r.type()).put("message", r.message());
    } else {
      String type = switch (r.status()) {
        case 401 -> "invalid_request_error";
        case 429 -> r.type().equals("budget_exceeded") ? "insufficient_quota" : "rate_limit_exceeded";
        default -> r.type();
      };
      ObjectNode error = body.putObject("error").put("message", r.message()).put("type", type).putNull("param");
      error.put("code", r.status() == 401 ? "invalid_api_key" : r.type());
    }
    if (r.retryAfterSeconds() != null) {
      ctx.header("Retry-After", Long.toString(r.retryAfterSeconds()));
    }
    if (r.status() == 429 && r.type().equals("budget_exceeded")) {
      ctx.header("x-should-retry", "false"); // SDKs retry 429s; a spent budget does not come back in seconds
    }
    ctx.status(r.status()).contentType("application/json").result(body.toString());
  }

  private static String firstHeader(Context ctx, String... names) {
    for (String n : names) {
      String v = ctx.header(n);
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }

  /** User-Agent fragment → tool, first match wins. */
  private static final String[][] KNOWN_CLIENTS = {{"claude-cli", "claude-code"}, {"codex", "codex"}, {"aider", "aider"},
      {"cline", "cline"}, {"continue", "continue"}, {"cursor", "cursor"}, {"opencode", "opencode"},
      {"anthropic/", "anthropic-sdk"}, {"openai/", "openai-sdk"}, {"curl/", "curl"}};

  /** The client, from an explicit header or its User-Agent. */
  static String tool(Context ctx) {
    String explicit = ctx.header("x-tally-tool");
    if (explicit != null && !explicit.isBlank()) {
      return explicit.trim();
    }
    String ua = Optional.ofNullable(ctx.header("User-Agent")).orElse("").toLowerCase(Locale.ROOT);
    String originator = Optional.ofNullable(ctx.header("originator")).orElse("");
    if (originator.startsWith("codex")) {
      return "codex";
    }
    for (String[] known : KNOWN_CLIENTS) {
      if (ua.contains(known[0])) {
        return known[1];
      }
    }
    return "api";
  }

  /** What the gateway needs from a request body, read without building the whole tree. */
  record RequestFacts(String model, boolean stream, boolean includeUsage) {
    static RequestFacts of(byte[] body, String method) {
      if (body.length == 0 || method.equals("GET")) {
        return new RequestFacts(null, false, false);
      }
      String model = null;
      boolean stream = false;
      boolean includeUsage = false;
      try (JsonParser p = FACTORY.createParser(body)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return new RequestFacts(null, false, false);
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken value = p.nextToken();
          switch (field) {
            case "model" -> model = value == JsonToken.VALUE_STRING ? p.getText() : null;
            case "stream" -> stream = value == JsonToken.VALUE_TRUE;
            case "stream_options" -> {
              if (value == JsonToken.START_OBJECT) {
                JsonNode options = JSON.readTree(p);
                includeUsage = options.path("include_usage").asBoolean(false);
              }
            }
            default -> p.skipChildren();
          }
        }
      } catch (IOException malformed) {
        // forwarded as it is: the provider explains what is wrong with it
      }
      return new RequestFacts(model, stream, includeUsage);
    }
  }

  private static byte[] withUsageRequested(byte[] body) {
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(body);
      JsonNode options = root.path("stream_options");
      (options.isObject() ? (ObjectNode) options : root.putObject("stream_options")).put("include_usage", true);
      return JSON.writeValueAsBytes(root);
    } catch (IOException | ClassCastException e) {
      return body;
    }
  }
}
