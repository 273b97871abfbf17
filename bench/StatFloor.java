import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The least a warm re-run must do, as a Java program: list the folders under a root and read the
 * size and time of every {@code .jsonl} file in them (how a re-run learns that nothing changed),
 * then print one line. No ledger, no report. {@code bench/scan.sh} starts it the way the launcher
 * starts a report (same JDK, flags and an AOT cache of its own): its time is the floor under any
 * warm re-run written for the JVM on this machine.
 *
 * <pre>java StatFloor DIR</pre>
 */
public class StatFloor {
  public static void main(String[] args) throws IOException {
    long files = 0;
    long stamp = 0;
    Deque<Path> folders = new ArrayDeque<>();
    folders.add(Path.of(args[0]));
    while (!folders.isEmpty()) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(folders.poll())) {
        for (Path p : entries) {
          if (p.getFileName().toString().endsWith(".jsonl")) {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            files++;
            stamp += a.size() ^ a.lastModifiedTime().toMillis() ^ a.fileKey().hashCode();
          } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            folders.add(p);
          }
        }
      }
    }
    System.out.println(files + " files, stamp " + Long.toHexString(stamp));
  }
}
