package dev.tally.sources.gateway;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a server-sent-event stream into whole events as bytes arrive, so each can be metered and
 * relayed on its own, unchanged. An event ends at a blank line ({@code \n\n} or {@code \r\n\r\n}).
 */
final class Sse {
  /** One event: its exact bytes (blank line included), its {@code event:} name and joined {@code data:}. */
  record Event(byte[] raw, String name, String data) {}

  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private int newlines; // consecutive line ends seen at the tail of pending

  void feed(byte[] buf, int len, Consumer<Event> sink) {
    int start = 0;
    for (int i = 0; i < len; i++) {
      byte b = buf[i];
      if (b == '\n') {
        if (++newlines == 2) {
          pending.write(buf, start, i + 1 - start);
          start = i + 1;
          newlines = 0;
          byte[] raw = pending.toByteArray();
          pending.reset();
          sink.accept(parse(raw));
        }
      } else if (b != '\r') {
        newlines = 0;
      }
    }
    pending.write(buf, start, len - start);
  }

  /** What is left when the stream ends without a final blank line. */
  byte[] rest() {
    byte[] raw = pending.toByteArray();
    pending.reset();
    return raw;
  }

  static Event parse(byte[] raw) {
    String text = new String(raw, StandardCharsets.UTF_8);
    String name = null;
    StringBuilder data = null;
    for (String line : text.split("\r?\n")) {
      if (line.startsWith("event:")) {
        name = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        String d = line.length() > 5 && line.charAt(5) == ' ' ? line.substring(6) : line.substring(5);
        data = data == null ? new StringBuilder(d) : data.append('\n').append(d);
      }
    }
    return new Event(raw, name, data == null ? null : data.toString());
  }
}
