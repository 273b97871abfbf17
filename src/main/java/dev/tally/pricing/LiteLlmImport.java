package dev.tally.pricing;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads LiteLLM's {@code model_prices_and_context_window.json} into Tally's price format.
 *
 * <p>Each entry is read on its own: one odd entry is skipped and counted, never fatal. Kept: chat
 * and responses models (or no mode) with an {@code input_cost_per_token}. Per-token prices become
 * per-million decimal strings exactly (the JSON literal is read as a {@link BigDecimal}).
 * {@code *_above_<N>k_tokens} prices become the long-context tier (threshold N × 1000); the
 * per-query web-search price is the {@code search_context_size_medium} one. Service tiers
 * ({@code _priority}, {@code _flex}, {@code _batches}), {@code tiered_pricing}, multipliers and
 * non-token units are not imported.
 */
final class LiteLlmImport {

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final Set<String> NOT_MODELS = Set.of("sample_spec", "fallback_generalizations");
  private static final Set<String> MODES = Set.of("chat", "responses");
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000L);
  private static final Pattern TIER_FIELD = Pattern.compile(
      "(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost"
          + "|cache_creation_input_token_cost|cache_creation_input_token_cost_above_1hr)"
          + "_above_(\\d+)k_tokens");

  /** Why entries were skipped, as counted in {@link Result#skipped()}. */
  static final String NOT_A_MODEL = "not a model";
  static final String OTHER_MODE = "not a chat/responses model";
  static final String NO_INPUT_PRICE = "no input_cost_per_token";
  static final String NO_OUTPUT_PRICE = "no output_cost_per_token";
  static final String MALFORMED = "malformed entry";

  record Result(List<ModelPrice> models, Map<String, Integer> skipped) {
    int skippedCount() {
      return skipped.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  private LiteLlmImport() {}

  static Result parse(String json, String origin) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      throw new PriceFileException(origin + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new PriceFileException(origin
          + ": expected LiteLLM's price file (one JSON object of model name → fields)");
    }
    List<ModelPrice> models = new ArrayList<>();
    Map<String, Integer> skipped = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      String reason;
      try {
        reason = convert(e.getKey(), e.getValue(), models);
      } catch (RuntimeException ex) {
        reason = MALFORMED;
      }
      if (reason != null) {
        skipped.merge(reason, 1, Integer::sum);
      }
    }
    if (models.isEmpty()) {
      throw new PriceFileException(origin + ": no chat model with prices found; is this LiteLLM's"
          + " model_prices_and_context_window.json?");
    }
    return new Result(models, skipped);
  }

  /** Adds the model and returns null, or returns why it was skipped. */
  private static String convert(String key, JsonNode n, List<ModelPrice> out) {
    if (NOT_MODELS.contains(key) || !n.isObject()) {
      return NOT_A_MODEL;
    }
    JsonNode mode = n.get("mode");
    if (mode != null && !mode.isNull() && !MODES.contains(mode.asText())) {
      return OTHER_MODE;
    }
    BigDecimal input = perMillion(n.get("input_cost_per_token"));
    if (input == null) {
      return NO_INPUT_PRICE;
    }
    BigDecimal output = perMillion(n.get("output_cost_per_token"));
    if (output == null) {
      return NO_OUTPUT_PRICE;
    }
    BigDecimal cacheRead = perMillion(n.get("cache_read_input_token_cost"));
    if (cacheRead == null) {
      cacheRead = perMillion(n.get("input_cost_per_token_cache_hit"));
    }
    BigDecimal webSearch = null;
    JsonNode search = n.get("search_context_cost_per_query");
    if (search != null && search.isObject()) {
      webSearch = exact(search.get("search_context_size_medium"));
    }
    Rates rates = new Rates(input, output,
        perMillion(n.get("cache_creation_input_token_cost")),
        perMillion(n.get("cache_creation_input_token_cost_above_1hr")),
        cacheRead, webSearch);
    JsonNode provider = n.get("litellm_provider");
    out.add(new ModelPrice(key, provider == null || provider.isNull() ? null : provider.asText(),
        List.of(), rates, tier(n), null));
    return null;
  }

  /** The lowest {@code _above_<N>k_tokens} threshold's prices, or null. */
  private static LongContext tier(JsonNode n) {
    Map<Long, Map<String, BigDecimal>> byThreshold = new TreeMap<>();
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      Matcher m = TIER_FIELD.matcher(f);
      if (m.matches()) {
        long threshold = Long.parseLong(m.group(2)) * 1000;
        BigDecimal v = perMillion(n.get(f));
        if (v != null) {
          byThreshold.computeIfAbsent(threshold, k -> new LinkedHashMap<>()).put(m.group(1), v);
        }
      }
    }
    if (byThreshold.isEmpty()) {
      return null;
    }
    Map.Entry<Long, Map<String, BigDecimal>> first = byThreshold.entrySet().iterator().next();
    Map<String, BigDecimal> p = first.getValue();
    return new LongContext(first.getKey(), new Rates(
        p.get("input_cost_per_token"), p.get("output_cost_per_token"),
        p.get("cache_creation_input_token_cost"),
        p.get("cache_creation_input_token_cost_above_1hr"),
        p.get("cache_read_input_token_cost"), null));
  }

  private static BigDecimal perMillion(JsonNode v) {
    BigDecimal d = exact(v);
    return d == null ? null : d.multiply(MILLION);
  }

  /** The number exactly as written in the file; null when absent or not a number. */
  private static BigDecimal exact(JsonNode v) {
    if (v == null || !v.isNumber()) {
      return null;
    }
    BigDecimal d = v.decimalValue();
    if (d.signum() < 0) {
      throw new IllegalArgumentException("negative price " + d);
    }
    return d;
  }
}
