package dev.tally.surfaces.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.Tally;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/** Runs tally commands in-process, the way a user would type them, with a controlled environment. */
final class Cli {
  record Run(int exitCode, String out, String err) {
    JsonNode json() {
      try {
        return new ObjectMapper().readTree(out);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + out + err, e);
      }
    }
  }

  final Map<String, String> env = new HashMap<>();
  final Path home;
  Clock clock = Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC);

  Cli(Path home) {
    this.home = home;
    env.put("TALLY_DATA_DIR", home.resolve("data").toString());
    env.put("TALLY_CONFIG_DIR", home.resolve("config").toString());
    env.put("USER", "dev");
    env.put("HOSTNAME", "laptop");
  }

  Cli env(String name, String value) {
    env.put(name, value);
    return this;
  }

  Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = Tally.commandLine(new Tally.Context(Map.copyOf(env), home, clock), args);
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** The shared fixtures folder. */
  static Path shared() {
    return dev.tally.TestData.shared();
  }
}
