package dev.tally.sources.logs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Finds log files under a folder without a {@code stat} per file: entries whose path the filter
 * takes are listed as they are (the scanner reads their size and time anyway, and skips what is not
 * a regular file), the others are looked at only to find the folders to go into. A report with
 * nothing new is mostly this walk, so each system call counts (Files.walk makes two per file).
 * Like Files.walk, it does not follow links to folders.
 */
public final class LogFiles {
  private LogFiles() {}

  /** The paths under {@code dir} (at any depth) that {@code wanted} takes; empty when dir is no folder. */
  public static List<Path> under(Path dir, Predicate<Path> wanted) throws IOException {
    List<Path> found = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      walk(dir, wanted, found);
    }
    return found;
  }

  private static void walk(Path dir, Predicate<Path> wanted, List<Path> found) throws IOException {
    List<Path> folders = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        if (wanted.test(p)) {
          found.add(p);
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          folders.add(p);
        }
      }
    }
    for (Path f : folders) { // after the stream is closed: one open folder at a time, however deep
      walk(f, wanted, found);
    }
  }

  /** A filter on the file name's ending. */
  public static Predicate<Path> named(String... suffixes) {
    return p -> {
      String n = p.getFileName().toString();
      for (String s : suffixes) {
        if (n.endsWith(s)) {
          return true;
        }
      }
      return false;
    };
  }
}
