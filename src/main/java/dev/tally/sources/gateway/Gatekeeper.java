package dev.tally.sources.gateway;

import dev.tally.ledger.UsageEvent;
import java.util.Optional;

/** Decides who may use the gateway and how much: keys, allowed models, budgets and rate limits. */
public interface Gatekeeper {
  /** Why a request is refused, in words a developer can act on. */
  record Refusal(int status, String type, String message, Long retryAfterSeconds) {}

  /** The caller a gateway key belongs to; empty for an unknown, revoked or expired key. */
  Optional<Caller> authenticate(String secret);

  /** Null when the request may go ahead; then {@link #finished} must follow exactly once. */
  Refusal admit(Caller caller, String model);

  /** The request ended; {@code usage} is what it used, or null when nothing was metered. */
  void finished(Caller caller, UsageEvent usage);
}
