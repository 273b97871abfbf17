package dev.tally.query;

import dev.tally.store.Dimension;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/** Which events a report covers: a set of allowed values per dimension (none = all). */
public record Filter(Map<Dimension, Set<String>> values) {
  public static final Filter NONE = new Filter(Map.of());

  public Filter {
    values = Map.copyOf(values);
  }

  /**
   * Narrows {@code d} to {@code allowed}: intersected with what the filter already asks for, so a
   * caller can never widen it (how roles scope what someone may see).
   */
  public Filter restrict(Dimension d, Set<String> allowed) {
    Set<String> current = values.get(d);
    if (current == null || current.isEmpty()) {
      return and(d, allowed);
    }
    Set<String> both = new java.util.HashSet<>(current);
    both.retainAll(allowed);
    Map<Dimension, Set<String>> m = new EnumMap<>(Dimension.class);
    m.putAll(values);
    // an empty intersection must match nothing, not everything
    m.put(d, both.isEmpty() ? Set.of("\uffffno-match") : Set.copyOf(both));
    return new Filter(m);
  }

  public Filter and(Dimension d, Set<String> allowed) {
    if (allowed == null || allowed.isEmpty()) {
      return this;
    }
    Map<Dimension, Set<String>> m = new EnumMap<>(Dimension.class);
    m.putAll(values);
    m.put(d, Set.copyOf(allowed));
    return new Filter(m);
  }
}
