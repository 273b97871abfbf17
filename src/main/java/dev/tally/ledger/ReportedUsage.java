package dev.tally.ledger;

import java.time.Instant;
import java.util.Objects;

/**
 * Usage an aggregate source reported for a slice of time (an admin-API bucket: one day × identity ×
 * model, or one provider-side event without an id). Unlike {@link UsageEvent} it may stand for many
 * requests; {@code requests} says how many when the provider tells (0 when it does not).
 *
 * @param start inclusive start of the bucket (UTC)
 * @param end exclusive end of the bucket (UTC); equal to {@code start} for a single provider event
 * @param provider who reported it: anthropic, openai, cursor, github, openrouter
 * @param tool the product the usage came through: claude-code, anthropic-api, openai-api, cursor, copilot, openrouter
 * @param identity {@code email:a@b.c} when the provider gave or led to an email, else a provider id
 *     such as {@code openai-user:user-…} or {@code github:login}
 * @param keyId the provider's API key id or hash, when the row is per key
 * @param reportedCostMicros the provider's own cost for the slice, if it gave one (null: price the tokens)
 * @param sliceKey what makes this slice unique within the provider (so a re-fetched open bucket
 *     replaces, rather than adds to, the earlier copy)
 */
public record ReportedUsage(
    Instant start,
    Instant end,
    String provider,
    String tool,
    String identity,
    String keyId,
    String model,
    long requests,
    Tokens tokens,
    Long reportedCostMicros,
    String sliceKey) {

  public ReportedUsage {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(sliceKey, "sliceKey");
    if (requests < 0) {
      throw new IllegalArgumentException("requests cannot be negative: " + requests);
    }
  }

  /**
   * The slice as a ledger event of source admin-api. Its dedup key depends only on the slice, so
   * fetching a bucket again while it is still open updates the one stored event (ingest keeps the
   * larger value per token field) instead of counting it twice.
   */
  public UsageEvent toEvent() {
    return new UsageEvent(DedupKeys.sourceSpecific(provider + "-admin", sliceKey), start, Source.ADMIN_API,
        provider, model, tool, identity, keyId, null, null, null, null, false, tokens, reportedCostMicros);
  }
}
