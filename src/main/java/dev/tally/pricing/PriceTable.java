package dev.tally.pricing;

import dev.tally.ledger.Cost;
import dev.tally.ledger.Tokens;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable table of model prices with a version, and the one place Tally turns tokens into
 * money. Thread-safe; lookups are memoised per (provider, model), so pricing an event in the
 * ingest loop costs a hash lookup and a few {@link BigDecimal} multiplications.
 *
 * <h2>How a model name finds its price</h2>
 *
 * <ol>
 *   <li>exact key or declared alias ({@code claude-sonnet-4-5-20250929});
 *   <li>with a provider hint, {@code <provider>/<model>} as a key or alias ({@code
 *       openrouter/anthropic/claude-sonnet-4.5});
 *   <li>the normalised name equals a normalised key or alias (see {@link ModelNames}: case,
 *       provider prefixes, Bedrock/Vertex decorations, dates, {@code 4.5} → {@code 4-5});
 *   <li>the longest normalised key or alias found inside the normalised name, starting on a word
 *       boundary and followed only by dates or price-neutral words such as {@code thinking}. This
 *       is ccusage's boundary rule, made stricter: {@code claude-opus-4} never matches {@code
 *       claude-opus-4-1}, {@code gpt-5} never matches {@code gpt-5-mini}, and a short known name
 *       never matches the other way round (a query inside a longer key).
 * </ol>
 *
 * When several entries share the winning name, a later layer wins (overrides over imported over
 * shipped), then an entry of the hinted provider, then a first-party provider (anthropic, openai,
 * gemini, ...), then a key without a route prefix, then the shortest key. A name that matches
 * nothing stays unpriced: Tally never guesses a price. {@code <synthetic>} (Claude Code's
 * placeholder for local errors) is never priced.
 */
public final class PriceTable {

  /** Claude Code's model name for messages that never reached a model. */
  public static final String SYNTHETIC_MODEL = "<synthetic>";

  private static final String SHIPPED_RESOURCE = "/pricing/prices.json";
  private static final int MEMO_LIMIT = 100_000;
  private static final Set<String> FIRST_PARTY = Set.of(
      "anthropic", "openai", "gemini", "deepseek", "moonshot", "zai", "xai", "mistral", "dashscope");

  private final String version;
  private final List<Entry> entries;
  private final Map<String, Hit> exact;
  private final Map<String, List<Entry>> normalized;
  private final ConcurrentHashMap<String, Found> memo = new ConcurrentHashMap<>();

  private PriceTable(String version, List<Entry> entries) {
    this.version = Objects.requireNonNull(version, "version");
    this.entries = List.copyOf(entries);
    this.exact = buildExact(this.entries);
    this.normalized = buildNormalized(this.entries);
  }

  // ---- construction -------------------------------------------------------------------------

  /** A table of one layer. Keys and aliases must be unique across the given models. */
  public static PriceTable of(String version, Collection<ModelPrice> models) {
    return of(version, models, PriceLayer.SHIPPED);
  }

  static PriceTable of(String version, Collection<ModelPrice> models, PriceLayer layer) {
    Map<String, String> seen = new HashMap<>();
    List<Entry> list = new ArrayList<>();
    for (ModelPrice m : models) {
      for (String name : names(m)) {
        String previous = seen.putIfAbsent(name, m.key());
        if (previous != null) {
          throw new IllegalArgumentException("model name '" + name + "' is used by both '"
              + previous + "' and '" + m.key() + "'");
        }
      }
      list.add(new Entry(m, layer));
    }
    return new PriceTable(version, list);
  }

  /** The price table inside the Tally jar. */
  public static PriceTable shipped() {
    return Shipped.TABLE;
  }

  /**
   * Parses a price file in Tally's own format (see {@code pricing/prices.json}).
   *
   * @param origin the file name or URL, used in error messages
   * @param layer what the prices are (shipped, imported, override)
   * @throws PriceFileException when the file is not valid JSON or breaks the format
   */
  public static PriceTable parse(String json, String origin, PriceLayer layer) {
    PriceFiles.Parsed p = PriceFiles.parse(json, origin);
    try {
      return of(p.version() == null ? "unversioned" : p.version(), p.models(), layer);
    } catch (IllegalArgumentException e) {
      throw new PriceFileException(origin + ": " + e.getMessage(), e);
    }
  }

  /**
   * Stacks tables: for the same key a later table replaces the prices of an earlier one (aliases
   * are merged, the provider is kept when the later entry has none).
   */
  static PriceTable layered(String version, List<PriceTable> tables) {
    Map<String, Entry> byKey = new LinkedHashMap<>();
    for (PriceTable t : tables) {
      for (Entry e : t.entries) {
        Entry lower = byKey.get(e.price.key());
        if (lower == null) {
          byKey.put(e.price.key(), e);
        } else {
          Set<String> aliases = new LinkedHashSet<>(e.price.aliases());
          aliases.addAll(lower.price.aliases());
          ModelPrice merged = e.price.withAliases(List.copyOf(aliases));
          if (merged.provider() == null) {
            merged = merged.withProvider(lower.price.provider());
          }
          byKey.remove(e.price.key());
          byKey.put(e.price.key(), new Entry(merged, e.layer));
        }
      }
    }
    return new PriceTable(version, new ArrayList<>(byKey.values()));
  }

  // ---- queries ------------------------------------------------------------------------------

  /** The version recorded with every cost computed from this table. */
  public String version() {
    return version;
  }

  /** Every model, sorted by key. */
  public List<ModelPrice> models() {
    return entries.stream().map(e -> e.price).sorted(Comparator.comparing(ModelPrice::key)).toList();
  }

  /** The layer each model comes from, by key. */
  public Map<String, PriceLayer> layers() {
    Map<String, PriceLayer> m = new LinkedHashMap<>();
    entries.stream().sorted(Comparator.comparing(e -> e.price.key()))
        .forEach(e -> m.put(e.price.key(), e.layer));
    return m;
  }

  public int size() {
    return entries.size();
  }

  /** Finds the price of a model without a provider hint. */
  public Optional<PriceMatch> lookup(String model) {
    return lookup(null, model);
  }

  /**
   * Finds the price of a model (see the class comment for the rules).
   *
   * @param provider where the request went (anthropic, openai, google, openrouter, bedrock, ...),
   *     or null; it only breaks ties and allows {@code <provider>/<model>} keys
   * @param model the model id as the source reported it
   * @return the match, or empty for an unknown model (never a guessed price)
   */
  public Optional<PriceMatch> lookup(String provider, String model) {
    Found f = find(provider, model);
    return f == null ? Optional.empty() : Optional.of(f.match);
  }

  /**
   * The cost of one request: uncached input, cache writes (5 minutes, 1 hour), cache reads and
   * output, each times its price, plus web searches times the per-search price; reasoning tokens
   * are part of output and are not billed again. The sum is exact and rounded half-up to whole
   * micro-dollars once.
   *
   * <p>Long context: when the request's prompt ({@link Tokens#prompt()}) is over the model's
   * threshold, <b>every</b> token of that request is billed at the tier's rates, as Anthropic and
   * Google document it. ccusage instead bills only the tokens past 200k (per token kind) at the
   * higher rate, so for such requests Tally's cost is higher than ccusage's.
   *
   * @return the cost with this table's version and the matched key, or {@link
   *     Cost#unpriced(String)} (0, flagged by a null {@code pricedAs}) for an unknown model
   */
  public Cost price(String provider, String model, Tokens tokens) {
    Objects.requireNonNull(tokens, "tokens");
    Found f = find(provider, model);
    if (f == null) {
      return Cost.unpriced(version);
    }
    return new Cost(f.formula.micros(tokens), version, f.match.key());
  }

  /** The exact, unrounded cost in micro-dollars, or null for an unknown model. */
  BigDecimal exactMicros(String provider, String model, Tokens tokens) {
    Found f = find(provider, model);
    return f == null ? null : f.formula.exactMicros(tokens);
  }

  /** True when the request would be billed at the model's long-context rates. */
  public boolean usesLongContext(String provider, String model, Tokens tokens) {
    Found f = find(provider, model);
    return f != null && f.formula.usesLongContext(tokens);
  }

  /** This table in Tally's price-file format. */
  public String toJson(String source) {
    return PriceFiles.write(version, source, models());
  }

  @Override
  public String toString() {
    return "PriceTable[" + version + ", " + entries.size() + " models]";
  }

  // ---- lookup internals ---------------------------------------------------------------------

  private Found find(String provider, String model) {
    if (model == null || model.isBlank() || SYNTHETIC_MODEL.equals(model.strip())) {
      return null;
    }
    String memoKey = provider == null ? model : provider + '\u0000' + model;
    Found f = memo.get(memoKey);
    if (f == null) {
      f = resolve(provider, model);
      if (memo.size() < MEMO_LIMIT) {
        memo.putIfAbsent(memoKey, f);
      }
    }
    return f == Found.NONE ? null : f;
  }

  private Found resolve(String provider, String model) {
    String hint = providerHint(provider);
    Hit hit = exact.get(model);
    if (hit != null) {
      return found(model, hit.entry, hit.kind, model);
    }
    if (hint != null) {
      String prefixed = hint + "/" + model;
      hit = exact.get(prefixed);
      if (hit != null) {
        return found(model, hit.entry, MatchKind.PROVIDER_KEY, prefixed);
      }
    }
    String norm = ModelNames.normalize(model);
    List<Entry> same = normalized.get(norm);
    if (same != null) {
      return found(model, choose(same, hint), MatchKind.NORMALIZED, norm);
    }
    // Longest known name inside the normalised name, on word boundaries.
    for (int len = norm.length() - 1; len >= ModelNames.MIN_BOUNDARY_MATCH_LENGTH; len--) {
      for (int start = 0; start + len <= norm.length(); start++) {
        if (!ModelNames.startsWord(norm, start)
            || !ModelNames.neutralSuffix(norm.substring(start + len))) {
          continue;
        }
        String part = norm.substring(start, start + len);
        List<Entry> candidates = normalized.get(part);
        if (candidates != null) {
          return found(model, choose(candidates, hint), MatchKind.BOUNDARY, part);
        }
      }
    }
    return Found.NONE;
  }

  private static Found found(String query, Entry e, MatchKind kind, String matchedName) {
    return new Found(new PriceMatch(query, e.price, e.layer, kind, matchedName), e.formula);
  }

  /** The list is sorted best-first without a hint; a hint picks within the top layer. */
  private static Entry choose(List<Entry> candidates, String hint) {
    Entry best = candidates.get(0);
    if (hint != null) {
      for (Entry e : candidates) {
        if (e.layer != best.layer) {
          break;
        }
        if (e.providerMatches(hint)) {
          return e;
        }
      }
    }
    return best;
  }

  /** Tally's provider names mapped to LiteLLM's route names. */
  static String providerHint(String provider) {
    if (provider == null || provider.isBlank()) {
      return null;
    }
    String p = provider.strip().toLowerCase(Locale.ROOT);
    return switch (p) {
      case "google", "google-ai-studio", "gemini-api" -> "gemini";
      case "vertex", "vertex-ai", "google-vertex" -> "vertex_ai";
      case "aws", "amazon-bedrock" -> "bedrock";
      case "azure-openai" -> "azure";
      default -> p;
    };
  }

  private static Map<String, Hit> buildExact(List<Entry> entries) {
    Map<String, Hit> map = new HashMap<>();
    for (Entry e : entries) {
      put(map, e.price.key(), new Hit(e, MatchKind.KEY));
      for (String alias : e.price.aliases()) {
        put(map, alias, new Hit(e, MatchKind.ALIAS));
      }
    }
    return Map.copyOf(map);
  }

  private static void put(Map<String, Hit> map, String name, Hit hit) {
    map.merge(name, hit, (old, neu) -> {
      int byLayer = Integer.compare(neu.entry.layer.ordinal(), old.entry.layer.ordinal());
      if (byLayer != 0) {
        return byLayer > 0 ? neu : old;
      }
      return old.kind == MatchKind.KEY ? old : neu;
    });
  }

  private static Map<String, List<Entry>> buildNormalized(List<Entry> entries) {
    Map<String, List<Entry>> map = new HashMap<>();
    for (Entry e : entries) {
      for (String name : names(e.price)) {
        List<Entry> list = map.computeIfAbsent(ModelNames.normalize(name), k -> new ArrayList<>());
        if (!list.contains(e)) {
          list.add(e);
        }
      }
    }
    Map<String, List<Entry>> sorted = new HashMap<>();
    map.forEach((k, v) -> sorted.put(k, v.stream().sorted(PREFERENCE).toList()));
    return Map.copyOf(sorted);
  }

  private static final Comparator<Entry> PREFERENCE = Comparator
      .comparing((Entry e) -> -e.layer.ordinal())
      .thenComparing(e -> !FIRST_PARTY.contains(e.price.provider()))
      .thenComparing(e -> e.price.key().contains("/"))
      .thenComparingInt(e -> e.price.key().length())
      .thenComparing(e -> e.price.key());

  private static List<String> names(ModelPrice m) {
    List<String> names = new ArrayList<>(m.aliases().size() + 1);
    names.add(m.key());
    names.addAll(m.aliases());
    return names;
  }

  private static final class Entry {
    final ModelPrice price;
    final PriceLayer layer;
    final CostFormula formula;

    Entry(ModelPrice price, PriceLayer layer) {
      this.price = price;
      this.layer = layer;
      this.formula = new CostFormula(price);
    }

    boolean providerMatches(String hint) {
      String p = price.provider();
      return p != null && p.toLowerCase(Locale.ROOT).startsWith(hint);
    }
  }

  private record Hit(Entry entry, MatchKind kind) {}

  private record Found(PriceMatch match, CostFormula formula) {
    static final Found NONE = new Found(null, null);
  }

  /** Loaded on first use, once. */
  private static final class Shipped {
    static final PriceTable TABLE = load();

    private static PriceTable load() {
      try (InputStream in = PriceTable.class.getResourceAsStream(SHIPPED_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("price table " + SHIPPED_RESOURCE + " missing from the jar");
        }
        return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8),
            "shipped price table (" + SHIPPED_RESOURCE + ")", PriceLayer.SHIPPED);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
