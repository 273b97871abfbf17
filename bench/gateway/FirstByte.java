import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * First streamed byte: time from sending a streaming request to receiving the first byte of the
 * first SSE event (after the response headers and, when chunked, the chunk-size line), for several
 * targets over persistent connections, interleaved request by request so drift hits every target
 * alike. Usage: java FirstByte.java KEY N name=host:port [name=host:port ...]
 * Prints one line per target: "FIRSTBYTE name n=.. p50=.. p90=.. p99=.. mean=.." (microseconds).
 */
public class FirstByte {
  record Target(String name, String host, int port) {}

  static final class Conn {
    final Target t;
    Socket s;
    InputStream in;
    OutputStream out;
    final long[] samples;

    Conn(Target t, int n) {
      this.t = t;
      this.samples = new long[n];
    }

    void open() throws IOException {
      s = new Socket(t.host(), t.port());
      s.setTcpNoDelay(true);
      in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
      out = s.getOutputStream();
    }
  }

  public static void main(String[] args) throws Exception {
    String key = args[0];
    int n = Integer.parseInt(args[1]);
    int warmup = Math.min(500, n);
    List<Conn> conns = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      String[] nv = args[i].split("=", 2);
      String[] hp = nv[1].split(":");
      Conn c = new Conn(new Target(nv[0], hp[0], Integer.parseInt(hp[1])), n);
      c.open();
      conns.add(c);
    }
    String body = "{\"model\":\"claude-sonnet-4-5-20250929\",\"max_tokens\":1024,\"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Summarise the build log in one sentence.\"}]}";
    byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
    for (int i = -warmup; i < n; i++) {
      for (Conn c : conns) {
        String head = "POST /v1/messages HTTP/1.1\r\nHost: " + c.t.host() + ":" + c.t.port()
            + "\r\ncontent-type: application/json\r\nanthropic-version: 2023-06-01\r\nx-api-key: " + key
            + "\r\nx-bench-stream: 1\r\ncontent-length: " + bodyBytes.length + "\r\n\r\n";
        byte[] req = new byte[head.length() + bodyBytes.length];
        System.arraycopy(head.getBytes(StandardCharsets.ISO_8859_1), 0, req, 0, head.length());
        System.arraycopy(bodyBytes, 0, req, head.length(), bodyBytes.length);
        long t0 = System.nanoTime();
        c.out.write(req);
        c.out.flush();
        long first = exchange(c.in, t0);
        if (i >= 0) {
          c.samples[i] = first;
        }
      }
    }
    for (Conn c : conns) {
      long[] s = c.samples.clone();
      Arrays.sort(s);
      double mean = Arrays.stream(s).average().orElse(0) / 1000.0;
      System.out.printf("FIRSTBYTE %s n=%d p50=%d p90=%d p99=%d mean=%.0f%n", c.t.name(), n, pct(s, 50), pct(s, 90),
          pct(s, 99), mean);
      c.s.close();
    }
  }

  static long pct(long[] sorted, double p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1000; // microseconds
  }

  /** Reads one whole response; returns nanoseconds from t0 to the first byte of the body's data. */
  static long exchange(InputStream in, long t0) throws IOException {
    String status = line(in);
    if (!status.startsWith("HTTP/1.1 200")) {
      throw new IOException("unexpected status: " + status);
    }
    long length = -1;
    boolean chunked = false;
    String h;
    while (!(h = line(in)).isEmpty()) {
      String lower = h.toLowerCase();
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(lower.substring(15).trim());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      }
    }
    long first;
    if (chunked) {
      long size = Long.parseLong(line(in).split(";")[0].trim(), 16);
      if (in.read() < 0) {
        throw new IOException("eof");
      }
      first = System.nanoTime() - t0;
      skip(in, size - 1);
      line(in);
      while ((size = Long.parseLong(line(in).split(";")[0].trim(), 16)) > 0) {
        skip(in, size);
        line(in);
      }
      while (!line(in).isEmpty()) {
        // trailers
      }
    } else {
      if (length <= 0 || in.read() < 0) {
        throw new IOException("no body");
      }
      first = System.nanoTime() - t0;
      skip(in, length - 1);
    }
    return first;
  }

  static void skip(InputStream in, long n) throws IOException {
    while (n > 0) {
      long k = in.skip(n);
      if (k <= 0) {
        if (in.read() < 0) {
          throw new IOException("eof");
        }
        k = 1;
      }
      n -= k;
    }
  }

  static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        int len = sb.length();
        return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
      }
      sb.append((char) b);
    }
    throw new IOException("eof");
  }
}
