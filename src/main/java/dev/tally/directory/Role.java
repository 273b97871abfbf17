package dev.tally.directory;

import java.util.Locale;

/** What a signed-in user or a token may see and do. */
public enum Role {
  /** Everything. */
  ADMIN,
  /** Their teams' usage, read only. */
  LEAD,
  /** Only their own usage. */
  MEMBER;

  public static Role parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown role '" + s + "' (expected admin, lead or member)");
    }
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
