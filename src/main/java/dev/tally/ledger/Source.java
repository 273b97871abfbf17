package dev.tally.ledger;

/** Where a usage event was seen. The order is the precedence for token counts: earlier is more exact. */
public enum Source {
  GATEWAY("gateway"),
  OTEL("otel"),
  LOCAL_LOG("local-log"),
  ADMIN_API("admin-api");

  private final String wireName;

  Source(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in the API, the database and exports. */
  public String wireName() {
    return wireName;
  }

  public static Source fromWireName(String name) {
    for (Source s : values()) {
      if (s.wireName.equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown source '" + name + "' (expected gateway, otel, local-log or admin-api)");
  }

  /** True when this source's token counts should win over {@code other}'s for the same request. */
  public boolean moreExactThan(Source other) {
    return ordinal() < other.ordinal();
  }
}
