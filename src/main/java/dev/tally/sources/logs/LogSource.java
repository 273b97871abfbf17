package dev.tally.sources.logs;

import dev.tally.ledger.UsageEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * One agent's local usage logs (Claude Code, Codex, OpenCode, Gemini CLI). A source finds its
 * files and turns what is new in them into usage events; it never prices, aggregates or stores.
 */
public interface LogSource {

  /** Short agent name used in cursors, reports and {@code --agent}: claude, codex, opencode, gemini. */
  String agent();

  /** The files (or databases) to read, under this source's roots; a missing root is no error. */
  List<Path> discover() throws IOException;

  /**
   * Reads what is new in {@code file} since {@code cursor} and hands each event to {@code out}.
   *
   * @param cursor where the last read stopped, or null when the file was never read; when the
   *     file was replaced or truncated the caller passes null
   * @return the cursor to save once the events are stored
   */
  FileCursor read(Path file, FileCursor cursor, Consumer<UsageEvent> out) throws IOException;
}
