package dev.tally.surfaces.http;

import dev.tally.sources.gateway.Proxy;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The provider-compatible routes, answered on Jetty's own request and response in front of
 * Javalin, so the proxy can relay answers from its HTTP client's callbacks instead of parking a
 * thread per request. Every other request passes on to Javalin, which nests itself in here.
 */
final class GatewayRoutes extends Handler.Wrapper {
  /** What the access log and the request metrics need, as Javalin's routes log theirs. */
  interface Finished {
    void request(String method, String path, int status, long nanos);
  }

  private static final String MODELS = "/v1/models";

  private final Proxy proxy;
  private final Finished finished;

  GatewayRoutes(Proxy proxy, Finished finished) {
    this.proxy = proxy;
    this.finished = finished;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    String method = request.getMethod();
    if (method.equals("HEAD") && path.equals("/")) { // Claude Code's connectivity probe
      response.setStatus(200);
      callback.succeeded();
      return true;
    }
    String route = route(method, path);
    if (route == null) {
      return super.handle(request, response, callback);
    }
    long started = System.nanoTime();
    proxy.handle(request, response, callback, route.isEmpty() ? null : route,
        status -> finished.request(method, path, status, System.nanoTime() - started));
    return true;
  }

  /** "" for a protocol's default upstream, the name in {@code /NAME/v1/...}, null when not a gateway path. */
  static String route(String method, String path) {
    String rest = path;
    String route = "";
    if (!path.startsWith("/v1/")) {
      int slash = path.indexOf('/', 1);
      if (slash < 0) {
        return null;
      }
      route = path.substring(1, slash);
      rest = path.substring(slash);
      if (route.equals("api") || !rest.startsWith("/v1/")) {
        return null; // the admin API and the dashboard stay Javalin's
      }
    }
    boolean gateway = switch (method) {
      case "POST" -> Proxy.POST_PATHS.contains(rest);
      case "GET" -> rest.equals(MODELS)
          || (rest.startsWith(MODELS + "/") && rest.length() > MODELS.length() + 1 && rest.indexOf('/', MODELS.length() + 1) < 0);
      default -> false;
    };
    return gateway ? route : null;
  }
}
