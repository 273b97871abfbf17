package dev.tally.surfaces.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web dashboard in a real browser: a real server on SQLite with 60 days of seeded usage, driven
 * in Debian's headless Chromium by playwright-core from Node ({@code src/test/browser/dashboard.mjs}),
 * which checks what the pages show against the query API and saves a screenshot of every page
 * under {@code docs/screenshots/}. playwright-core is installed from npm into
 * {@code ~/.cache/tally-browser-tests} once (it never downloads a browser); Chromium comes from
 * apt-get when it is missing. Without Node, npm or Chromium the test is skipped and says why.
 */
class DashboardBrowserTest {
  static final String PLAYWRIGHT = "playwright-core@1.64.1";

  @TempDir Path dir;

  @Test
  void theDashboardWorksInARealBrowser() throws Exception {
    String chromium = chromium();
    Path modules = playwright();
    Path shots = Path.of("docs/screenshots").toAbsolutePath();
    Files.createDirectories(shots);
    try (DashboardFixture fixture = new DashboardFixture(dir)) {
      ProcessBuilder pb = new ProcessBuilder("node", Path.of("src/test/browser/dashboard.mjs").toAbsolutePath().toString())
          .redirectErrorStream(true);
      pb.environment().put("TALLY_GATEWAY_KEY", fixture.aliceGatewayKey);
      pb.environment().putAll(Map.of("TALLY_BASE", fixture.base, "TALLY_TOKEN", fixture.adminToken,
          "PW_MODULES", modules.toString(), "SHOTS", shots.toString(), "CHROMIUM", chromium));
      Process p = pb.start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      boolean done = p.waitFor(5, TimeUnit.MINUTES);
      System.out.println(output);
      if (!done) {
        p.destroyForcibly();
      }
      assertThat(done).as("the browser run finished in time").isTrue();
      assertThat(p.exitValue()).as(output).isZero();
      assertThat(output).contains("checks passed");
    }
  }

  /** The system Chromium, installed with apt-get when missing and possible; else the test is skipped. */
  static String chromium() {
    for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
      if (Files.isExecutable(Path.of(c))) {
        return c;
      }
    }
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root && Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
      System.out.println("DashboardBrowserTest: installing Debian's chromium with apt-get");
      run(List.of("apt-get", "install", "-y", "-q", "chromium"), null, 600);
      if (Files.isExecutable(Path.of("/usr/bin/chromium"))) {
        return "/usr/bin/chromium";
      }
    }
    return skip("no Chromium at /usr/bin/chromium and it could not be installed (apt-get install chromium, as root)");
  }

  /** playwright-core from npm in a cache folder shared by runs; returns the folder holding node_modules. */
  static Path playwright() throws IOException {
    if (run(List.of("node", "--version"), null, 30) != 0) {
      skip("Node.js is not installed (needed to drive the browser with playwright-core)");
    }
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "tally-browser-tests");
    if (Files.isDirectory(cache.resolve("node_modules/playwright-core"))) {
      return cache;
    }
    Files.createDirectories(cache);
    System.out.println("DashboardBrowserTest: installing " + PLAYWRIGHT + " into " + cache);
    if (run(List.of("npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", cache.toString(), PLAYWRIGHT), cache, 600) != 0
        || !Files.isDirectory(cache.resolve("node_modules/playwright-core"))) {
      skip("could not install " + PLAYWRIGHT + " with npm into " + cache);
    }
    return cache;
  }

  private static int run(List<String> command, Path cwd, int seconds) {
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      if (cwd != null) {
        pb.directory(cwd.toFile());
      }
      pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
      Process p = pb.start();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static <T> T skip(String reason) {
    System.out.println("DashboardBrowserTest skipped: " + reason);
    Assumptions.abort(reason);
    return null;
  }
}
