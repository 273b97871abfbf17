import java.nio.ByteBuffer;
import java.util.Set;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The ceiling of Tally's HTTP stack as a proxy: the same Jetty server and client, the same
 * non-blocking relay as the gateway (body read and upstream called from callbacks, each upstream
 * chunk written before the next is asked for), and nothing else: no key check, no usage parsing,
 * no spool, no ledger, no log line. Only the provider key is put in place of the caller's.
 * {@code bench/gateway.sh} runs it as the "jetty" target beside nginx and Tally.
 *
 * <pre>java -cp target/tally.jar bench/gateway/PassThrough.java PORT UPSTREAM_URL PROVIDER_KEY</pre>
 */
public class PassThrough extends Handler.Abstract {
  private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "connection", "x-api-key",
      "authorization", "accept-encoding");
  private static final Set<String> NOT_RETURNED = Set.of("content-length", "connection", "transfer-encoding");

  private final HttpClient client;
  private final String upstream;
  private final String providerKey;

  PassThrough(HttpClient client, String upstream, String providerKey) {
    this.client = client;
    this.upstream = upstream;
    this.providerKey = providerKey;
  }

  public static void main(String[] args) throws Exception {
    HttpClient client = new HttpClient(); // set up as Proxy.upstreamClient() sets up the gateway's
    client.setFollowRedirects(false);
    client.setUserAgentField(null);
    client.setHttpCookieStore(new HttpCookieStore.Empty());
    client.setMaxConnectionsPerDestination(16_384);
    client.start();
    client.getProtocolHandlers().clear();
    client.getContentDecoderFactories().clear();
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(Integer.parseInt(args[0]));
    server.addConnector(connector);
    server.setHandler(new PassThrough(client, args[1], args[2]));
    server.start();
    System.out.println("pass-through proxy on 127.0.0.1:" + args[0] + " -> " + args[1]);
    server.join();
  }

  @Override
  public boolean handle(Request req, Response res, Callback callback) {
    Content.Source.asByteArrayAsync(req, 64 * 1024 * 1024).whenComplete((body, failure) -> {
      if (failure != null) {
        Response.writeError(req, res, callback, failure);
        return;
      }
      var out = client.newRequest(upstream + Request.getPathInContext(req)).method(req.getMethod());
      out.headers(h -> {
        for (HttpField f : req.getHeaders()) {
          if (!NOT_FORWARDED.contains(f.getLowerCaseName())) {
            h.add(f);
          }
        }
        h.put("x-api-key", providerKey);
      });
      out.body(new BytesRequestContent(body));
      out.send(new Relay(res, callback));
    });
    return true;
  }

  /** The upstream's answer, relayed as it arrives. */
  private static final class Relay implements org.eclipse.jetty.client.Response.Listener {
    private final Response res;
    private final Callback callback;

    Relay(Response res, Callback callback) {
      this.res = res;
      this.callback = callback;
    }

    @Override
    public void onHeaders(org.eclipse.jetty.client.Response response) {
      res.setStatus(response.getStatus());
      for (HttpField f : response.getHeaders()) {
        if (f.getLowerCaseName().equals("date")) {
          res.getHeaders().put(f);
        } else if (!NOT_RETURNED.contains(f.getLowerCaseName())) {
          res.getHeaders().add(f);
        }
      }
    }

    @Override
    public void onContent(org.eclipse.jetty.client.Response response, Content.Chunk chunk, Runnable demander) {
      ByteBuffer copy = ByteBuffer.allocate(chunk.getByteBuffer().remaining()).put(chunk.getByteBuffer()).flip();
      res.write(false, copy, Callback.from(demander, response::abort));
    }

    @Override
    public void onComplete(Result result) {
      if (result.getFailure() != null) {
        callback.failed(result.getFailure());
      } else {
        res.write(true, null, callback);
      }
    }
  }
}
