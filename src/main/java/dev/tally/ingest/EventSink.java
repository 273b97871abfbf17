package dev.tally.ingest;

import dev.tally.ledger.UsageEvent;
import dev.tally.sources.logs.FileCursor;
import java.util.List;

/**
 * Where sources hand their events. Implemented by ingest: events are priced, deduplicated and
 * written together with the cursors in one transaction, so a crash never loses an event whose
 * cursor was saved, and re-reading after a crash only produces duplicates (which merge).
 */
public interface EventSink {
  void accept(List<UsageEvent> events, List<FileCursor> cursors);
}
