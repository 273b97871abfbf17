package dev.tally.sources.logs;

import java.util.Map;

/** Read side of the saved file cursors (they are written together with events, through ingest). */
public interface CursorStore {
  /** Every saved cursor, by absolute path. */
  Map<String, FileCursor> cursors();
}
