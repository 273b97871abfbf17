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
  SOURCE("source");

  final String column;

  Dimension(String column) {
    this.column = column;
  }
}
