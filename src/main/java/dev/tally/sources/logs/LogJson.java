package dev.tally.sources.logs;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The readers' JSON tree mapper, built the first time a reader needs it: a report with nothing new
 * to read then never pays the ~20 ms an ObjectMapper takes to set up.
 */
public final class LogJson {
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private LogJson() {}
}
