package dev.tally.surfaces.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Clock;

/** Structured logs: one JSON object per line (time, level, message, fields). Never a secret. */
final class Log {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final PrintStream out;
  private final Clock clock;

  Log(PrintStream out, Clock clock) {
    this.out = out;
    this.clock = clock;
  }

  ObjectNode line(String level, String message) {
    return JSON.createObjectNode().put("time", clock.instant().toString()).put("level", level).put("msg", message);
  }

  void write(ObjectNode line) {
    if (out != null) {
      out.println(line);
    }
  }
}
