package dev.tally;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * User settings from {@code <config dir>/tally.properties} (all optional):
 *
 * <pre>
 * # keep raw events this many days; hourly and daily rollups are kept for ever (0 = keep all)
 * retention.raw-days = 400
 * </pre>
 */
public record Settings(int rawRetentionDays) {
  public static final Settings DEFAULTS = new Settings(0);

  public static Settings load(TallyHome home) {
    Path file = home.configDir().resolve("tally.properties");
    if (!Files.isRegularFile(file)) {
      return DEFAULTS;
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    String days = p.getProperty("retention.raw-days", "0").trim();
    try {
      int d = Integer.parseInt(days);
      if (d < 0) {
        throw new NumberFormatException();
      }
      return new Settings(d);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(file + ": retention.raw-days must be a whole number of days >= 0, not '" + days + "'");
    }
  }
}
