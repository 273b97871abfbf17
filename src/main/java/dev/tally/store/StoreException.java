package dev.tally.store;

import java.sql.SQLException;
import java.util.Set;

/** A storage failure, with what was being done when it happened. */
public final class StoreException extends RuntimeException {
  /** Unique violation, deadlock, serialization failure: another writer got there first; try again. */
  private static final Set<String> CLASHES = Set.of("23505", "40P01", "40001");

  public StoreException(String doing, Throwable cause) {
    super("store: " + doing + " failed: " + cause.getMessage(), cause);
  }

  /** True when the write clashed with a concurrent one and may succeed when done again. */
  public boolean retryable() {
    for (Throwable t = getCause(); t != null; t = t.getCause()) {
      if (t instanceof SQLException e && e.getSQLState() != null && CLASHES.contains(e.getSQLState())) {
        return true;
      }
    }
    return false;
  }
}
