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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The metering gateway: forwards a developer's request to the provider with the organisation's key,
 * relays the answer unchanged (a stream chunk by chunk, as it arrives), and records its usage under
 * the developer's gateway key. Only authentication differs from calling the provider directly.
 *
 * <p>Nothing here blocks a thread: the request body, the upstream call and the relayed answer all
 * continue from Jetty's callbacks, and the next upstream chunk is only asked for once the previous
 * one reached the client. A proxy that parks a thread per request spent twice the CPU on this
 * machine, mostly handing requests between threads (README, "Gateway").
 */
public final class Proxy implements AutoCloseable {
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
  /** Bodies above this size are refused. */
  static final int MAX_BODY = 64 * 1024 * 1024;
  /** A stream that sends nothing for this long is given up (providers send pings every few seconds). */
  private static final Duration STREAM_IDLE = Duration.ofMinutes(10);

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
    this.client = upstreamClient();
  }

  /**
   * Jetty's client, so the answer can be relayed from its callbacks. Everything the provider answers
   * reaches the client as it is: no redirects followed, no authentication or 100-continue handling,
   * no cookies kept, no decompression.
   */
  private static HttpClient upstreamClient() {
    HttpClient client = new HttpClient();
    client.setFollowRedirects(false);
    client.setUserAgentField(null); // the caller's own User-Agent is forwarded
    client.setHttpCookieStore(new HttpCookieStore.Empty());
    client.setConnectTimeout(10_000);
    // one connection per request in flight: a burst of long streams must not queue behind each other
    client.setMaxConnectionsPerDestination(16_384);
    client.setMaxRequestsQueuedPerDestination(16_384);
    try {
      client.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the gateway's HTTP client", e);
    }
    client.getProtocolHandlers().clear();
    client.getContentDecoderFactories().clear();
    return client;
  }

  @Override
  public void close() {
    try {
      client.stop();
    } catch (Exception e) {
      // shutting down: open upstream connections are closed either way
    }
  }

  /** The gateway's POST routes, relative to a base ({@code ""} or {@code /{route}} for a named upstream). */
  public static final Set<String> POST_PATHS = Set.of("/v1/messages", "/v1/messages/count_tokens",
      "/v1/chat/completions", "/v1/responses", "/v1/embeddings");

  /** How a request ended, for the access log: its status. */
  @FunctionalInterface
  public interface Done {
    void done(int status);
  }

  /**
   * Handles one gateway request; {@code route} names the upstream, or is null for the protocol's
   * default. Returns at once; {@code callback} completes when the answer is sent, then {@code done}.
   */
  public void handle(Request req, Response res, Callback callback, String route, Done done) {
    long started = System.nanoTime();
    String fullPath = Request.getPathInContext(req);
    String path = route == null ? fullPath : fullPath.substring(route.length() + 1);
    boolean anthropicApi = path.startsWith("/v1/messages")
        || (path.startsWith("/v1/models") && header(req, "anthropic-version") != null);
    Meter.Api api = switch (path) {
      case "/v1/messages" -> Meter.Api.MESSAGES;
      case "/v1/chat/completions" -> Meter.Api.CHAT;
      case "/v1/responses" -> Meter.Api.RESPONSES;
      case "/v1/embeddings" -> Meter.Api.EMBEDDINGS;
      default -> Meter.Api.OTHER;
    };

    String secret = credential(req);
    Optional<Caller> who = secret == null ? Optional.empty() : gate.authenticate(secret);
    if (who.isEmpty()) {
      refuse(res, callback, done, anthropicApi, new Gatekeeper.Refusal(401, "authentication_error",
          secret == null ? "missing gateway key: send it as x-api-key or Authorization: Bearer"
              : "invalid, revoked or expired gateway key", null));
      return;
    }
    Caller caller = who.get();
    String name = route != null ? route : anthropicApi ? "anthropic" : "openai";
    Upstream upstream = upstreams.apply(name).orElse(null);
    if (upstream == null) {
      refuse(res, callback, done, anthropicApi, new Gatekeeper.Refusal(503, "api_error",
          "no provider key is configured for '" + name + "': an admin adds one with `tally providers add`", null));
      return;
    }
    if (req.getLength() > MAX_BODY) {
      refuse(res, callback, done, anthropicApi, new Gatekeeper.Refusal(413, "request_too_large",
          "the request body is larger than " + MAX_BODY / (1024 * 1024) + " MB", null));
      return;
    }
    Content.Source.asByteArrayAsync(req, MAX_BODY).whenComplete((body, failure) -> {
      if (failure != null) {
        Response.writeError(req, res, callback, failure);
        done.done(400);
        return;
      }
      try {
        forward(req, res, callback, done, api, anthropicApi, caller, upstream, path, body, started);
      } catch (RuntimeException e) {
        Response.writeError(req, res, callback, e);
        done.done(500);
      }
    });
  }

  private void forward(Request req, Response res, Callback callback, Done done, Meter.Api api, boolean anthropicApi,
      Caller caller, Upstream upstream, String path, byte[] requestBody, long started) {
    byte[] body = requestBody;
    RequestFacts facts = RequestFacts.of(body, req.getMethod());
    if (api != Meter.Api.OTHER && facts.model == null) {
      refuse(res, callback, done, anthropicApi,
          new Gatekeeper.Refusal(400, "invalid_request_error", "the request body has no \"model\"", null));
      return;
    }
    Gatekeeper.Refusal refusal = gate.admit(caller, facts.model);
    if (refusal != null) {
      refuse(res, callback, done, anthropicApi, refusal);
      return;
    }
    Instant at = clock.instant();
    boolean strip = false;
    if (api == Meter.Api.CHAT && facts.stream && !facts.includeUsage && !upstream.provider().equals("openrouter")) {
      body = withUsageRequested(body); // usage only comes in a stream that asks for it
      strip = true;
    }
    Exchange exchange = new Exchange(req, res, callback, done, caller, upstream, new Meter(api, strip), facts.model, at,
        anthropicApi, started);
    org.eclipse.jetty.client.Request out;
    try {
      out = upstreamRequest(req, upstream, path, body);
    } catch (RuntimeException e) {
      gate.finished(caller, null); // admitted, never sent
      throw e;
    }
    // how long the provider may take to answer with its headers; a stream may then run for long
    exchange.headerTimeout = client.getScheduler().schedule(() -> {
      if (!exchange.headersSeen) {
        out.abort(new TimeoutException("no answer within " + upstreamTimeout.toSeconds() + " s"));
      }
    }, upstreamTimeout.toMillis(), TimeUnit.MILLISECONDS);
    out.send(exchange);
  }

  /** One proxied request: the upstream's answer, relayed to the client as it arrives. */
  private final class Exchange implements org.eclipse.jetty.client.Response.Listener {
    private final Request req;
    private final Response res;
    private final Callback callback;
    private final Done done;
    private final Caller caller;
    private final Upstream upstream;
    private final Meter meter;
    private final String requestModel;
    private final Instant at;
    private final boolean anthropicApi;
    private final long started;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final Sse sse = new Sse();
    private final ByteArrayOutputStream whole = new ByteArrayOutputStream();
    volatile boolean headersSeen;
    volatile org.eclipse.jetty.util.thread.Scheduler.Task headerTimeout;
    private volatile int status = 502;
    private volatile boolean streamed;
    private volatile String requestId;
    private volatile UsageEvent recorded;
    private volatile boolean clientGone;

    Exchange(Request req, Response res, Callback callback, Done done, Caller caller, Upstream upstream, Meter meter,
        String requestModel, Instant at, boolean anthropicApi, long started) {
      this.req = req;
      this.res = res;
      this.callback = callback;
      this.done = done;
      this.caller = caller;
      this.upstream = upstream;
      this.meter = meter;
      this.requestModel = requestModel;
      this.at = at;
      this.anthropicApi = anthropicApi;
      this.started = started;
    }

    @Override
    public void onHeaders(org.eclipse.jetty.client.Response response) {
      headersSeen = true;
      cancelHeaderTimeout();
      status = response.getStatus();
      HttpFields headers = response.getHeaders();
      requestId = headers.get("request-id") != null ? headers.get("request-id") : headers.get("x-request-id");
      res.setStatus(status);
      for (HttpField field : headers) {
        String lower = field.getLowerCaseName();
        if (lower.equals("date")) {
          res.getHeaders().put(field); // the provider's, in place of the one Jetty sets
        } else if (!NOT_RETURNED.contains(lower)) {
          res.getHeaders().add(field);
        }
      }
      String type = headers.get(HttpHeader.CONTENT_TYPE);
      streamed = type != null && type.startsWith("text/event-stream");
    }

    @Override
    public void onContent(org.eclipse.jetty.client.Response response, Content.Chunk chunk, Runnable demander) {
      ByteBuffer bytes = chunk.getByteBuffer();
      byte[] buf = new byte[bytes.remaining()];
      bytes.get(buf);
      if (!streamed) {
        whole.write(buf, 0, buf.length); // metered and sent whole, with its length
        demander.run();
        return;
      }
      ByteArrayOutputStream forward = new ByteArrayOutputStream(buf.length + 64);
      sse.feed(buf, buf.length, e -> {
        boolean keep = meter.onEvent(e);
        if (meter.ended()) {
          record(); // before the client sees the end of the answer: a complete answer survives kill -9
        }
        if (keep) {
          forward.write(e.raw(), 0, e.raw().length);
        }
      });
      if (forward.size() == 0) {
        demander.run();
        return;
      }
      res.write(false, ByteBuffer.wrap(forward.toByteArray()), Callback.from(demander, gone -> {
        clientGone = true; // the client left: stop the upstream (generation stops); what came so far is recorded
        response.abort(gone);
      }));
    }

    @Override
    public void onComplete(Result result) {
      cancelHeaderTimeout(); // an exchange that failed before any answer must not keep its timer for minutes
      Throwable failure = result.getFailure();
      if (failure != null && !headersSeen) { // nothing was metered yet: only the refusal to send
        boolean timedOut = failure instanceof TimeoutException;
        if (timedOut) {
          status = 504;
        }
        Gatekeeper.Refusal refusal = timedOut
            ? new Gatekeeper.Refusal(504, "timeout_error", upstream.name() + " did not answer within " + upstreamTimeout.toSeconds() + " s", null)
            : new Gatekeeper.Refusal(502, "api_error", "the gateway could not reach " + upstream.name() + ": "
                + failure.getClass().getSimpleName(), null);
        refuse(res, Callback.from(() -> finish(null), this::finish), s -> { }, anthropicApi, refusal);
        return;
      }
      if (failure != null || clientGone) {
        record(); // a stream that broke off: what was generated so far
        finish(failure != null ? failure : new IOException("the client went away"));
        return;
      }
      byte[] last;
      if (streamed) {
        last = sse.rest();
      } else {
        last = whole.toByteArray();
        String type = res.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (status < 400 && type != null && type.contains("json")) {
          try {
            meter.onBody(JSON.readTree(last));
          } catch (IOException notJson) {
            // relayed as it came; nothing to meter
          }
        }
        res.getHeaders().put(HttpHeader.CONTENT_LENGTH, last.length); // as the provider framed it, not in chunks
      }
      record();
      res.write(true, ByteBuffer.wrap(last), Callback.from(() -> finish(null), this::finish));
    }

    private void cancelHeaderTimeout() {
      var timeout = headerTimeout;
      if (timeout != null) {
        timeout.cancel();
      }
    }

    private void record() {
      if (recorded == null) {
        recorded = usage(meter, req, caller, upstream, requestId, requestModel, at);
        if (recorded != null) {
          recorder.record(recorded);
        }
      }
    }

    private void finish(Throwable failure) {
      if (!finished.compareAndSet(false, true)) {
        return;
      }
      try {
        gate.finished(caller, recorded);
        observer.request(upstream.ledgerProvider(), status, streamed, System.nanoTime() - started);
      } finally {
        if (failure == null) {
          callback.succeeded();
        } else {
          callback.failed(failure);
        }
        done.done(status);
      }
    }
  }

  private UsageEvent usage(Meter meter, Request req, Caller caller, Upstream upstream, String headerRequestId,
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
    String project = firstHeader(req, "x-tally-project", "helicone-property-project");
    return new UsageEvent(key, at, Source.GATEWAY, provider, meter.model != null ? meter.model : requestModel,
        tool(req), caller.identity(), Long.toString(caller.keyId()), project != null ? project : caller.project(),
        firstHeader(req, "x-claude-code-session-id", "session-id", "session_id", "x-tally-session", "helicone-session-id"),
        requestId, messageId, header(req, "x-claude-code-agent-id") != null, meter.tokens(), meter.reportedCostMicros,
        false, tags(req, caller));
  }

  /**
   * The key's tags, those of {@code x-tally-tags} (comma-separated, the header may repeat), each
   * {@code Helicone-Property-<Name>: <value>} as {@code <name>:<value>} (but the project one, which
   * names the project) and {@code Helicone-User-Id: <id>} as {@code user:<id>}. The user id is only
   * a tag: the request stays the key owner's, whoever the client says the end user is.
   */
  static List<String> tags(Request req, Caller caller) {
    List<String> tags = new java.util.ArrayList<>(caller.tags());
    for (HttpField field : req.getHeaders()) {
      String lower = field.getLowerCaseName();
      String value = field.getValue();
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
    return Tags.of(tags);
  }

  private static final String HELICONE_PROPERTY = "helicone-property-";

  private org.eclipse.jetty.client.Request upstreamRequest(Request req, Upstream upstream, String path, byte[] body) {
    String target = upstream.anthropic() ? path : path.substring("/v1".length());
    String query = req.getHttpURI().getQuery();
    String method = req.getMethod();
    org.eclipse.jetty.client.Request out = client.newRequest(upstream.baseUrl() + target + (query == null ? "" : "?" + query))
        .method(method)
        .idleTimeout(STREAM_IDLE.toMillis(), TimeUnit.MILLISECONDS);
    out.headers(h -> {
      for (HttpField field : req.getHeaders()) {
        String lower = field.getLowerCaseName();
        if (NOT_FORWARDED.contains(lower) || lower.startsWith("x-tally-") || lower.startsWith("helicone-")) {
          continue;
        }
        h.add(field);
      }
      if (upstream.anthropic()) {
        h.put("x-api-key", upstream.secret());
      } else {
        h.put("Authorization", "Bearer " + upstream.secret());
      }
      h.put("Accept-Encoding", "identity"); // usage is read from the body: keep it uncompressed
    });
    if (body.length > 0 || !method.equals("GET")) {
      out.body(new BytesRequestContent((String) null, body)); // the client's Content-Type is forwarded as a header
    }
    return out;
  }

  /** The gateway key, from whichever header the client uses; never forwarded. */
  private static String credential(Request req) {
    String auth = header(req, "Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).trim();
    }
    String key = header(req, "x-api-key");
    return key == null || key.isBlank() ? null : key.trim();
  }

  /** An error in the provider's own format, so clients show it as they would the provider's. */
  static void refuse(Response res, Callback callback, Done done, boolean anthropic, Gatekeeper.Refusal r) {
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
      res.getHeaders().put("Retry-After", Long.toString(r.retryAfterSeconds()));
    }
    if (r.status() == 429 && r.type().equals("budget_exceeded")) {
      res.getHeaders().put("x-should-retry", "false"); // SDKs retry 429s; a spent budget does not come back in seconds
    }
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    res.setStatus(r.status());
    res.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    res.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    res.write(true, ByteBuffer.wrap(bytes), callback);
    done.done(r.status());
  }

  private static String header(Request req, String name) {
    return req.getHeaders().get(name);
  }

  private static String firstHeader(Request req, String... names) {
    for (String n : names) {
      String v = header(req, n);
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
  static String tool(Request req) {
    String explicit = header(req, "x-tally-tool");
    if (explicit != null && !explicit.isBlank()) {
      return explicit.trim();
    }
    String ua = Optional.ofNullable(header(req, "User-Agent")).orElse("").toLowerCase(Locale.ROOT);
    String originator = Optional.ofNullable(header(req, "originator")).orElse("");
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
