package dev.tally.ledger;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The tags of a request: free labels (a key's tags, {@code x-tally-tags}, Helicone properties as
 * {@code name:value}). A set is kept as a sorted, deduplicated, unmodifiable list of trimmed,
 * non-blank tags; a comma never occurs inside a tag, because the store keeps a set as its tags
 * joined with commas ({@code ""} = no tags), and that string is part of the rollup keys.
 */
public final class Tags {
  private Tags() {}

  /** The normalized set; a tag containing a comma is refused (it would read back as two). */
  public static List<String> of(Collection<String> tags) {
    if (tags == null || tags.isEmpty()) {
      return List.of();
    }
    TreeSet<String> set = new TreeSet<>();
    for (String t : tags) {
      if (t == null || t.isBlank()) {
        continue;
      }
      String tag = t.trim();
      if (tag.indexOf(',') >= 0) {
        throw new IllegalArgumentException("a tag must not contain a comma: '" + tag + "'");
      }
      set.add(tag);
    }
    return List.copyOf(set);
  }

  /** Free text made into one tag: commas (the stored separator) become semicolons. */
  public static String clean(String text) {
    return text == null ? null : text.replace(',', ';').trim();
  }

  /** The stored form: the sorted tags joined with commas, "" for none. */
  public static String join(List<String> tags) {
    return String.join(",", tags);
  }

  /** The set a stored string stands for. */
  public static List<String> split(String joined) {
    return joined == null || joined.isEmpty() ? List.of() : List.of(joined.split(","));
  }

  /** Both sets together (a request seen by two sources carries every tag either gave it). */
  public static List<String> union(List<String> a, List<String> b) {
    if (b.isEmpty() || a.equals(b)) {
      return a;
    }
    if (a.isEmpty()) {
      return b;
    }
    TreeSet<String> set = new TreeSet<>(a);
    set.addAll(b);
    return List.copyOf(set);
  }
}
