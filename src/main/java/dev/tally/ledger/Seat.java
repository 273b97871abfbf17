package dev.tally.ledger;

import java.time.Instant;
import java.util.Objects;

/**
 * A paid seat or subscription (Cursor member, Copilot seat, Claude team plan), kept apart from
 * metered spend so reports can show both: cost per seat, active against idle seats.
 *
 * @param identity who holds the seat ({@code email:…} or {@code github:login})
 * @param plan the provider's plan or role name, when known
 * @param lastActivity the provider's last-activity time, null when it has none or never saw any
 * @param cycleSpendMicros spend the provider reported for the current billing cycle, if any
 */
public record Seat(String provider, String identity, String plan, Instant lastActivity, Long cycleSpendMicros) {
  public Seat {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(identity, "identity");
  }
}
