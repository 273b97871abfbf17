package dev.tally;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** {@code tally serve} in a process of its own (on the test class path), for tests that kill it. */
public final class ServerProcess {
  private ServerProcess() {}

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * Starts the server on loopback and waits until it is ready. Its output is appended to
   * {@code work/server.log}; {@code work/server-config} is its config folder.
   */
  public static Process start(Path data, int port, String adminPassword, Path work) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.tally.Tally", "serve", "--host", "127.0.0.1",
        "--port", Integer.toString(port), "--data-dir", data.toString());
    pb.environment().put("TALLY_ADMIN_PASSWORD", adminPassword);
    pb.environment().put("TALLY_CONFIG_DIR", work.resolve("server-config").toString());
    Path log = work.resolve("server.log");
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process p = pb.start();
    HttpClient http = HttpClient.newHttpClient();
    Instant deadline = Instant.now().plusSeconds(60);
    while (Instant.now().isBefore(deadline)) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
          return p;
        }
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    p.destroyForcibly();
    throw new AssertionError("server did not start: " + Files.readString(log));
  }
}
