package dev.tally.sources.logs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A file's identity and size, to tell "grew" from "replaced" between scans; {@code regular} is false
 * for what is not a file at all (a folder named like a log).
 */
public record FileKeys(String fileKey, long size, long mtimeMs, boolean regular) {

  public static FileKeys of(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    Object key = a.fileKey(); // "(dev=..,ino=..)" on Unix
    String id = key != null ? key.toString() : "created:" + a.creationTime().toMillis();
    return new FileKeys(id, a.size(), a.lastModifiedTime().toMillis(), a.isRegularFile());
  }

  /** True when {@code cursor} was taken of this same file at this same size and time. */
  public boolean unchangedSince(FileCursor cursor) {
    return cursor != null && fileKey.equals(cursor.fileKey()) && size == cursor.size() && mtimeMs == cursor.mtimeMs();
  }

  /** True when the file was replaced or shrank since {@code cursor}: read it again from the start. */
  public boolean replacedSince(FileCursor cursor) {
    return cursor != null && (!fileKey.equals(cursor.fileKey()) || size < cursor.offset());
  }
}
