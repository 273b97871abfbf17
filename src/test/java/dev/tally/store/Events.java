package dev.tally.store;

import dev.tally.ledger.Cost;
import dev.tally.ledger.LedgerEvent;
import dev.tally.ledger.Source;
import dev.tally.ledger.Tokens;
import dev.tally.ledger.UsageEvent;
import java.time.Instant;

/** Test events, built tersely. */
public final class Events {
  private Events() {}

  public static UsageEvent event(String key, String time, String model, Tokens tokens) {
    return new UsageEvent(key, Instant.parse(time), Source.LOCAL_LOG, "anthropic", model, "claude-code",
        "email:dev@example.com", null, "app", "s1", null, null, false, tokens, null);
  }

  /** Priced at 1 micro-dollar per token, so costs are easy to check by eye. */
  public static LedgerEvent priced(UsageEvent e) {
    return new LedgerEvent(e, e.model(), new Cost(e.tokens().total(), "test", e.model()));
  }
}
