package dev.tally.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.ledger.UsageEvent;
import dev.tally.sources.logs.CursorStore;
import dev.tally.sources.logs.FileCursor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A durable outbox of events, used by the agent (events read from local logs, before the file
 * cursors move on, until the server acknowledged them) and by the gateway (each finished request's
 * usage, before it is batched into the store). An event leaves only once its receiver has it: a
 * crash at any point at worst delivers an event twice, which dedup absorbs. Nothing is lost.
 *
 * <p>Files in its directory: {@code events.jsonl} (one event per line), {@code acked} (how many
 * bytes of it the server has), {@code cursors.json} (where each log file was read up to).
 */
public final class Spool implements EventSink, CursorStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path dir;
  private final Path events;
  private final Path acked;
  private final Path cursors;
  private FileChannel appender;

  public Spool(Path dir) {
    this.dir = dir;
    this.events = dir.resolve("events.jsonl");
    this.acked = dir.resolve("acked");
    this.cursors = dir.resolve("cursors.json");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the agent spool " + dir, e);
    }
  }

  /** Appends the events durably, then records the cursors. */
  @Override
  public synchronized void accept(List<UsageEvent> batch, List<FileCursor> moved) {
    try {
      if (!batch.isEmpty()) {
        java.io.ByteArrayOutputStream lines = new java.io.ByteArrayOutputStream();
        for (UsageEvent e : batch) {
          lines.write(EventJson.line(e));
        }
        try (FileChannel ch = FileChannel.open(events, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND)) {
          ByteBuffer buf = ByteBuffer.wrap(lines.toByteArray());
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
          ch.force(true);
        }
      }
      if (!moved.isEmpty()) {
        Map<String, FileCursor> all = new HashMap<>(cursors());
        moved.forEach(c -> all.put(c.path(), c));
        ObjectNode root = JSON.createObjectNode();
        all.values().forEach(c -> root.set(c.path(), JSON.valueToTree(c)));
        writeAtomically(cursors, root.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the agent spool in " + dir, e);
    }
  }

  /**
   * Appends one event without waiting for the disk: once this returns the event survives the
   * process being killed (the kernel holds it); {@link #sync} makes it survive a power cut too.
   */
  public synchronized void append(UsageEvent event) {
    byte[] line = EventJson.line(event);
    try {
      if (appender == null) {
        appender = FileChannel.open(events, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      }
      ByteBuffer buf = ByteBuffer.wrap(line);
      while (buf.hasRemaining()) {
        appender.write(buf);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the spool in " + dir, e);
    }
  }

  /**
   * Forces appended events to disk. The flush runs outside the lock, so appends (a request's last
   * step) never wait for the disk: force covers every write completed before it started.
   */
  public void sync() throws IOException {
    FileChannel ch;
    synchronized (this) {
      ch = appender;
    }
    if (ch != null) {
      try {
        ch.force(false);
      } catch (java.nio.channels.ClosedChannelException replaced) {
        // acknowledge() emptied the spool meanwhile: nothing of that file is needed any more
      }
    }
  }

  @Override
  public synchronized Map<String, FileCursor> cursors() {
    if (!Files.exists(cursors)) {
      return Map.of();
    }
    try {
      Map<String, FileCursor> result = new HashMap<>();
      JsonNode root = JSON.readTree(cursors.toFile());
      for (var e : root.properties()) {
        result.put(e.getKey(), JSON.treeToValue(e.getValue(), FileCursor.class));
      }
      return result;
    } catch (IOException e) {
      // unreadable cursors only mean reading the logs again: the server drops the duplicates
      return Map.of();
    }
  }

  /** A batch of spooled events (lines of JSON, see {@link EventJson}) not yet acknowledged, and where it ends. */
  public record Pending(List<String> lines, long endOffset) {}

  /** Up to {@code max} unacknowledged events from the oldest. */
  public Pending pending(int max) throws IOException {
    long from;
    long end;
    FileChannel ch;
    List<String> list = new ArrayList<>();
    // the lock covers only where the complete lines end; reading and parsing them happens outside
    // it, so appends (a request's last step) do not wait for a batch of thousands of lines
    synchronized (this) {
      from = ackedOffset();
      if (!Files.exists(events) || (end = Files.size(events)) <= from) {
        return new Pending(list, from);
      }
      ch = FileChannel.open(events, StandardOpenOption.READ);
    }
    long offset = from;
    try (ch) {
      ch.position(from);
      var in = new java.io.BufferedReader(new java.io.InputStreamReader(
          limited(java.nio.channels.Channels.newInputStream(ch), end - from), StandardCharsets.UTF_8), 1 << 16);
      String line;
      while (list.size() < max && (line = in.readLine()) != null) {
        offset += line.getBytes(StandardCharsets.UTF_8).length + 1;
        if (!line.isBlank()) {
          list.add(line);
        }
      }
    }
    return new Pending(list, offset);
  }

  /** Marks everything before {@code offset} as acknowledged; empties the spool when all is. */
  public void acknowledge(long offset) throws IOException {
    synchronized (this) {
      if (Files.exists(events) && offset >= Files.size(events)) {
        if (appender != null) {
          appender.close(); // the next append starts a new file; writing on into a deleted one would lose events
          appender = null;
        }
        Files.delete(events);
        writeAtomically(acked, "0");
        return;
      }
    }
    // only the drain moves the acknowledged offset: appends need not wait for this file's fsync
    writeAtomically(acked, Long.toString(offset));
  }

  /** The first {@code limit} bytes of {@code in}: lines appended after the size was read are left for next time. */
  private static java.io.InputStream limited(java.io.InputStream in, long limit) {
    return new java.io.FilterInputStream(in) {
      private long left = limit;

      @Override
      public int read() throws IOException {
        if (left <= 0) {
          return -1;
        }
        int b = super.read();
        if (b >= 0) {
          left--;
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) {
          return -1;
        }
        int n = super.read(b, off, (int) Math.min(len, left));
        if (n > 0) {
          left -= n;
        }
        return n;
      }
    };
  }

  /** Bytes still waiting for the server. */
  public synchronized long pendingBytes() throws IOException {
    return Files.exists(events) ? Math.max(0, Files.size(events) - ackedOffset()) : 0;
  }

  private long ackedOffset() throws IOException {
    return Files.exists(acked) ? Long.parseLong(Files.readString(acked).trim()) : 0;
  }

  private static void writeAtomically(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
