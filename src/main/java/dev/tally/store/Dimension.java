package dev.tally.store;

/** What usage can be grouped and filtered by. */
public enum Dimension {
  IDENTITY("identity"),
  KEY("key_id"),
  PROVIDER("provider"),
  MODEL("model"),
  MODEL_ID("model_id"),
  TOOL("tool"),
  PROJECT("project"),
  SESSION("session_id"),
  SOURCE("source"),
  /**
   * One tag of the request's tag set ("" when it has none). Grouping splits a request over its
   * tags, so rows grouped by tag add up to more than the total when requests have several; a
   * filter on tags keeps requests having any of them.
   */
  TAG("tags"),
  /** The person owning the identity ("person:<id>"), or the identity itself while unmapped. */
  PERSON(null),
  /** The team of that person ("" when none). */
  TEAM(null);

  final String column;

  Dimension(String column) {
    this.column = column;
  }

  /** The SQL for this dimension over a rollup or event table aliased {@code r}. */
  String expr() {
    return switch (this) {
      case PERSON -> "COALESCE('person:' || CAST(p.id AS TEXT), r.identity, '')";
      case TEAM -> "COALESCE(t.name, '')";
      default -> "r." + column;
    };
  }

  boolean needsDirectory() {
    return this == PERSON || this == TEAM;
  }
}
