package dev.tally.sources.logs;

import java.time.Duration;
import java.util.List;

/**
 * What one scan did.
 *
 * @param filesSeen log files found under the roots
 * @param filesRead files that had something new (the others were skipped unopened)
 * @param problems paths that could not be read, each with the reason
 */
public record ScanResult(
    int filesSeen,
    int filesRead,
    long bytesRead,
    long lines,
    long events,
    long malformedLines,
    List<String> problems,
    Duration elapsed) {}
