package dev.tally.sources.logs;

/**
 * Where a log reader stopped in one file, so the next scan reads only what was appended.
 *
 * @param path absolute path of the file (or database) read
 * @param agent which reader owns it: claude, codex, opencode, gemini
 * @param fileKey the file's identity (inode and device where the OS has them); a change means the
 *     file was replaced (rotation) and is read again from the start
 * @param size file size when last read
 * @param mtimeMs modification time when last read
 * @param offset byte offset just after the last complete line consumed
 * @param state reader-specific carry-over needed to resume mid-file (Codex: the previous
 *     cumulative totals and current model), as a small JSON string; null when none
 * @param lines complete lines consumed so far
 * @param malformedLines lines that could not be parsed (counted and skipped)
 */
public record FileCursor(
    String path,
    String agent,
    String fileKey,
    long size,
    long mtimeMs,
    long offset,
    String state,
    long lines,
    long malformedLines) {}
