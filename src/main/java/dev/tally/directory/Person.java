package dev.tally.directory;

import java.util.List;

/** Someone whose usage Tally attributes: the identities (emails, keys, accounts) they own. */
public record Person(long id, String name, String team, List<String> identities) {
  public String key() {
    return "person:" + id;
  }
}
