package dev.tally.pricing;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tally's price-file format, shared by the shipped table, the imported LiteLLM table and the
 * user's overrides:
 *
 * <pre>{@code
 * {
 *   "version": "2026-11-23.1",              // optional in override files
 *   "source": "where the prices come from", // optional
 *   "models": {
 *     "claude-sonnet-4-5": {
 *       "provider": "anthropic",            // optional in override files
 *       "aliases": ["claude-sonnet-4-5-20250929"],
 *       "input": "3", "output": "15",       // required; USD per million tokens
 *       "cacheWrite5m": "3.75", "cacheWrite1h": "6", "cacheRead": "0.3",  // optional
 *       "webSearch": "0.01",                // optional; USD per search request
 *       "longContext": {"threshold": 200000, "input": "6", "output": "22.5",
 *                       "cacheWrite5m": "7.5", "cacheWrite1h": "12", "cacheRead": "0.6"},
 *       "note": "free text"
 *     }
 *   }
 * }
 * }</pre>
 *
 * Prices are decimal strings (JSON numbers are accepted and read exactly). Unknown fields are
 * errors, so a typo in an override file is reported instead of silently ignored.
 */
final class PriceFiles {

  static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(SerializationFeature.INDENT_OUTPUT);

  private static final Set<String> TOP_FIELDS = Set.of("version", "source", "models");
  private static final Set<String> MODEL_FIELDS = Set.of("provider", "aliases", "input", "output",
      "cacheWrite5m", "cacheWrite1h", "cacheRead", "webSearch", "longContext", "note");
  private static final Set<String> TIER_FIELDS =
      Set.of("threshold", "input", "output", "cacheWrite5m", "cacheWrite1h", "cacheRead");

  record Parsed(String version, String source, List<ModelPrice> models) {}

  private PriceFiles() {}

  static Parsed parse(String json, String origin) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      throw new PriceFileException(origin + ": not valid JSON (line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + "): "
          + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new PriceFileException(origin + ": expected a JSON object with a \"models\" object");
    }
    unknownFields(root, TOP_FIELDS, origin, "top level");
    String version = text(root, "version", origin, "top level");
    String source = text(root, "source", origin, "top level");
    JsonNode models = root.get("models");
    if (models == null || !models.isObject()) {
      throw new PriceFileException(origin + ": \"models\" must be an object of model key → prices");
    }
    List<ModelPrice> list = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : models.properties()) {
      list.add(model(e.getKey(), e.getValue(), origin));
    }
    return new Parsed(version, source, list);
  }

  private static ModelPrice model(String key, JsonNode n, String origin) {
    String where = "model '" + key + "'";
    if (!n.isObject()) {
      throw new PriceFileException(origin + ": " + where + " must be an object of prices");
    }
    unknownFields(n, MODEL_FIELDS, origin, where);
    Rates rates = rates(n, origin, where);
    if (rates.input() == null || rates.output() == null) {
      throw new PriceFileException(origin + ": " + where
          + " needs both \"input\" and \"output\" (USD per million tokens as decimal strings)");
    }
    List<String> aliases = new ArrayList<>();
    JsonNode a = n.get("aliases");
    if (a != null && !a.isNull()) {
      if (!a.isArray()) {
        throw new PriceFileException(origin + ": " + where + ": \"aliases\" must be a list of names");
      }
      for (JsonNode x : a) {
        if (!x.isTextual() || x.asText().isBlank()) {
          throw new PriceFileException(origin + ": " + where + ": aliases must be non-empty strings");
        }
        aliases.add(x.asText());
      }
    }
    LongContext tier = null;
    JsonNode t = n.get("longContext");
    if (t != null && !t.isNull()) {
      String tw = where + ", longContext";
      if (!t.isObject()) {
        throw new PriceFileException(origin + ": " + tw + " must be an object");
      }
      unknownFields(t, TIER_FIELDS, origin, tw);
      JsonNode th = t.get("threshold");
      if (th == null || !th.canConvertToLong() || !th.isIntegralNumber() || th.asLong() <= 0) {
        throw new PriceFileException(origin + ": " + tw
            + ": \"threshold\" must be a positive whole number of prompt tokens, e.g. 200000");
      }
      tier = new LongContext(th.asLong(), rates(t, origin, tw));
    }
    try {
      return new ModelPrice(key, text(n, "provider", origin, where), aliases, rates, tier,
          text(n, "note", origin, where));
    } catch (IllegalArgumentException e) {
      throw new PriceFileException(origin + ": " + where + ": " + e.getMessage(), e);
    }
  }

  private static Rates rates(JsonNode n, String origin, String where) {
    return new Rates(decimal(n, "input", origin, where), decimal(n, "output", origin, where),
        decimal(n, "cacheWrite5m", origin, where), decimal(n, "cacheWrite1h", origin, where),
        decimal(n, "cacheRead", origin, where), decimal(n, "webSearch", origin, where));
  }

  private static BigDecimal decimal(JsonNode n, String field, String origin, String where) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    BigDecimal d;
    if (v.isNumber()) {
      d = v.decimalValue();
    } else if (v.isTextual()) {
      try {
        d = new BigDecimal(v.asText().strip());
      } catch (NumberFormatException e) {
        throw new PriceFileException(origin + ": " + where + ": \"" + field + "\" is '"
            + v.asText() + "', not a decimal number (write USD per million tokens, e.g. \"3.75\")");
      }
    } else {
      throw new PriceFileException(origin + ": " + where + ": \"" + field
          + "\" must be a decimal string such as \"3.75\"");
    }
    if (d.signum() < 0) {
      throw new PriceFileException(origin + ": " + where + ": \"" + field
          + "\" cannot be negative (" + d.toPlainString() + ")");
    }
    return d;
  }

  private static String text(JsonNode n, String field, String origin, String where) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new PriceFileException(origin + ": " + where + ": \"" + field + "\" must be a string");
    }
    return v.asText();
  }

  private static void unknownFields(JsonNode n, Set<String> known, String origin, String where) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        throw new PriceFileException(origin + ": " + where + ": unknown field \"" + f
            + "\" (expected one of " + known.stream().sorted().toList() + ")");
      }
    }
  }

  // ---- writing ------------------------------------------------------------------------------

  static String write(String version, String source, List<ModelPrice> models) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", version);
    if (source != null) {
      root.put("source", source);
    }
    ObjectNode ms = root.putObject("models");
    for (ModelPrice m : models) {
      ObjectNode o = ms.putObject(m.key());
      if (m.provider() != null) {
        o.put("provider", m.provider());
      }
      if (!m.aliases().isEmpty()) {
        ArrayNode a = o.putArray("aliases");
        m.aliases().forEach(a::add);
      }
      putRates(o, m.rates());
      if (m.longContext() != null) {
        ObjectNode t = o.putObject("longContext");
        t.put("threshold", m.longContext().threshold());
        putRates(t, m.longContext().rates());
      }
      if (m.note() != null) {
        o.put("note", m.note());
      }
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JacksonException e) {
      throw new IllegalStateException("cannot write price table", e);
    }
  }

  private static void putRates(ObjectNode o, Rates r) {
    for (String f : Rates.FIELDS) {
      BigDecimal v = r.get(f);
      if (v != null) {
        o.put(f, plain(v));
      }
    }
  }

  /** "3.75", "15", "0.003625": no exponent, no trailing zeros. */
  static String plain(BigDecimal v) {
    BigDecimal s = v.stripTrailingZeros();
    return (s.scale() < 0 ? s.setScale(0) : s).toPlainString();
  }
}
