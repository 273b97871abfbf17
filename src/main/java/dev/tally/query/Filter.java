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
