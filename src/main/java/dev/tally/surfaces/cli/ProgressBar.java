package dev.tally.surfaces.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.Locale;

/** A one-line progress bar on a terminal, shown only when the work takes more than a second. */
final class ProgressBar {
  private static final long SHOW_AFTER_MS = 1_000;
  private final PrintWriter err;
  private final boolean terminal;
  private final long startedMs;
  private final Clock clock;
  private boolean shown;
  private int lastPercent = -1;

  ProgressBar(PrintWriter err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
    this.clock = Clock.systemUTC(); // wall time on purpose: this is about what a person waits for
    this.startedMs = this.clock.millis();
  }

  synchronized void update(long done, long total) {
    if (!terminal || total <= 0) {
      return;
    }
    long elapsed = clock.millis() - startedMs;
    if (elapsed < SHOW_AFTER_MS && done < total) {
      return;
    }
    int percent = (int) (100 * done / total);
    if (percent == lastPercent) {
      return;
    }
    lastPercent = percent;
    shown = true;
    int width = 30;
    int filled = percent * width / 100;
    double mb = done / 1e6;
    err.print(String.format(Locale.ROOT, "\rReading agent logs [%s%s] %3d%%  %,.0f MB  %,.0f MB/s ",
        "█".repeat(filled), "░".repeat(width - filled), percent, mb, mb / Math.max(0.001, elapsed / 1000.0)));
    err.flush();
  }

  synchronized void finish() {
    if (shown) {
      err.print("\r" + " ".repeat(78) + "\r");
      err.flush();
    }
  }
}
