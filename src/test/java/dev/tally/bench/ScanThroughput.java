package dev.tally.bench;

import dev.tally.ledger.UsageEvent;
import dev.tally.sources.logs.FileCursor;
import dev.tally.sources.logs.LogScanner;
import dev.tally.sources.logs.claude.ClaudeCodeLogs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Reader speed alone (no ingest): {@code ScanThroughput CLAUDE_DIR [repeats]}. */
public final class ScanThroughput {
  public static void main(String[] args) {
    Path root = Path.of(args[0]);
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    for (int r = 0; r < repeats; r++) {
      AtomicLong events = new AtomicLong();
      long t0 = System.nanoTime();
      var result = new LogScanner(List.of(new ClaudeCodeLogs(List.of(root), null)), Map::<String, FileCursor>of,
          (List<UsageEvent> ev, List<FileCursor> c) -> events.addAndGet(ev.size()), LogScanner.Progress.NONE).scan();
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("%d files, %.1f MB, %,d events in %.2f s: %.0f MB/s%n", result.filesRead(), result.bytesRead() / 1e6,
          events.get(), s, result.bytesRead() / 1e6 / s);
    }
  }
}
