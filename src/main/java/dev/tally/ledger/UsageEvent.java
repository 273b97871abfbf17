package dev.tally.ledger;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * One model request (one API response), as a source saw it. Sources build these; ingest normalizes,
 * prices and deduplicates them. Optional fields are null when the source does not know them.
 *
 * @param dedupKey provider + the provider's request id when known (see {@link DedupKeys}), else a
 *     source-specific key; the same request seen twice must produce the same key
 * @param timestamp when the request happened (UTC instant; the first copy's time wins on merge)
 * @param provider anthropic, openai, google, openrouter, ...
 * @param model the model id as the source reported it
 * @param tool the agent or client: claude-code, codex, opencode, gemini-cli, ...
 * @param identity who, as the source knows them: {@code email:a@b.c}, {@code key:<id>},
 *     {@code anthropic-user:<uuid>}, {@code local:<user>@<host>}; mapped to a person at query time
 * @param keyId the Tally or provider key the request used, if known
 * @param project the repository or directory name the work was in
 * @param reportedCostMicros the cost the source itself reported for this request, if any
 * @param reportedCostIsShare true when that cost is this request's share of a larger figure the
 *     source reported (Claude Code's per-session cost-state) rather than the request's own cost;
 *     "auto" mode then uses it only for models the price table lacks
 * @param tags the request's tags, normalized by {@link Tags#of} (sorted, deduplicated, trimmed, no
 *     blanks, no commas); empty when it has none
 */
public record UsageEvent(
    String dedupKey,
    Instant timestamp,
    Source source,
    String provider,
    String model,
    String tool,
    String identity,
    String keyId,
    String project,
    String sessionId,
    String requestId,
    String messageId,
    boolean sidechain,
    Tokens tokens,
    Long reportedCostMicros,
    boolean reportedCostIsShare,
    List<String> tags) {

  /** An untagged event (what every source but the gateway and the ingest API produces). */
  public UsageEvent(String dedupKey, Instant timestamp, Source source, String provider, String model, String tool,
      String identity, String keyId, String project, String sessionId, String requestId, String messageId,
      boolean sidechain, Tokens tokens, Long reportedCostMicros, boolean reportedCostIsShare) {
    this(dedupKey, timestamp, source, provider, model, tool, identity, keyId, project, sessionId, requestId,
        messageId, sidechain, tokens, reportedCostMicros, reportedCostIsShare, List.of());
  }

  /** An event whose reported cost, if any, is the request's own. */
  public UsageEvent(String dedupKey, Instant timestamp, Source source, String provider, String model, String tool,
      String identity, String keyId, String project, String sessionId, String requestId, String messageId,
      boolean sidechain, Tokens tokens, Long reportedCostMicros) {
    this(dedupKey, timestamp, source, provider, model, tool, identity, keyId, project, sessionId, requestId,
        messageId, sidechain, tokens, reportedCostMicros, false, List.of());
  }

  public UsageEvent {
    Objects.requireNonNull(dedupKey, "dedupKey");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(tokens, "tokens");
    if (dedupKey.isBlank()) {
      throw new IllegalArgumentException("dedupKey must not be blank");
    }
    tags = Tags.of(tags);
  }

  public UsageEvent withTokens(Tokens newTokens) {
    return new UsageEvent(dedupKey, timestamp, source, provider, model, tool, identity, keyId,
        project, sessionId, requestId, messageId, sidechain, newTokens, reportedCostMicros, reportedCostIsShare, tags);
  }

  public UsageEvent withReportedCost(Long micros, boolean isShare) {
    return new UsageEvent(dedupKey, timestamp, source, provider, model, tool, identity, keyId,
        project, sessionId, requestId, messageId, sidechain, tokens, micros, isShare, tags);
  }

  public UsageEvent withIdentity(String newIdentity) {
    return new UsageEvent(dedupKey, timestamp, source, provider, model, tool, newIdentity, keyId,
        project, sessionId, requestId, messageId, sidechain, tokens, reportedCostMicros, reportedCostIsShare, tags);
  }

  /** The same event with these tags instead (normalized as {@link Tags#of} does). */
  public UsageEvent withTags(Collection<String> newTags) {
    return new UsageEvent(dedupKey, timestamp, source, provider, model, tool, identity, keyId,
        project, sessionId, requestId, messageId, sidechain, tokens, reportedCostMicros, reportedCostIsShare,
        List.copyOf(newTags));
  }
}
