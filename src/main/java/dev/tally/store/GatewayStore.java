package dev.tally.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Storage of what the gateway needs: provider credentials, personal keys, budgets and their alerts. */
public interface GatewayStore {
  /** A provider credential; {@code secretEnc} is ciphertext, decrypted only by the gateway. */
  record CredentialRow(long id, String name, String provider, String baseUrl, String secretEnc, String last4, long createdMs) {}

  record KeyRow(long id, String name, String prefix, Long personId, String project, String tags, String allowedModels,
      Integer rpm, Integer tpm, Integer concurrency, Long expiresMs, long createdMs, Long revokedMs, Long lastUsedMs,
      Long rotatedFrom) {}

  record NewKey(String name, String prefix, String secretHash, Long personId, String project, String tags,
      String allowedModels, Integer rpm, Integer tpm, Integer concurrency, Long expiresMs, Long rotatedFrom) {}

  record BudgetRow(long id, String scope, String target, String period, long limitMicros, boolean hard, long createdMs) {}

  long addCredential(String name, String provider, String baseUrl, String secretEnc, String last4, long nowMs);

  List<CredentialRow> credentials();

  boolean removeCredential(String name);

  long createKey(NewKey key, long nowMs);

  Optional<KeyRow> keyBySecretHash(String secretHash);

  Optional<KeyRow> key(long id);

  List<KeyRow> keys();

  /** Revoked keys' ids, so every replica can drop them from its cache quickly. */
  List<Long> revokedKeyIds();

  void revokeKey(long id, long nowMs);

  /** Records when keys were last used (one statement per call, whatever the number of keys). */
  void touchKeys(java.util.Map<Long, Long> lastUsedMsById);

  /** Creates or replaces the budget for (scope, target, period). */
  long putBudget(String scope, String target, String period, long limitMicros, boolean hard, long nowMs);

  List<BudgetRow> budgets();

  boolean removeBudget(long id);

  /** Records an alert once per budget, period and threshold; false when it was recorded before. */
  boolean recordAlert(long budgetId, long periodStartMs, int threshold, long spentMicros, long nowMs);

  /** One replica's rate-limit counts for a key: requests and tokens in {@code minute}, requests in flight. */
  record LimitCounts(long keyId, long minute, long requests, long tokens, int inFlight) {}

  /**
   * Publishes this replica's counts and returns, per key, the sum of the other replicas' counts for
   * {@code minute}; in-flight requests count only from replicas heard from since {@code aliveSinceMs}
   * (a replica that died mid-request must not hold slots forever).
   */
  Map<Long, LimitCounts> shareLimits(String replica, long minute, List<LimitCounts> mine, long nowMs, long aliveSinceMs);
}
