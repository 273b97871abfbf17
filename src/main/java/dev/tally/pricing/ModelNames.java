package dev.tally.pricing;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Model-name normalisation and the boundary rule of the fuzzy lookup stage.
 *
 * <p>Normalising maps the many spellings of one model onto one name: lower case; everything up to
 * the last {@code /} dropped ({@code anthropic/}, {@code openai/}, {@code openrouter/<vendor>/},
 * {@code bedrock/<region>/}, {@code vertex_ai/}, {@code azure/}, ...); a Bedrock geography and
 * vendor namespace dropped ({@code us.anthropic.}, {@code global.anthropic.}, {@code
 * anthropic.}); Vertex {@code @date} and Bedrock {@code -v1:0} suffixes dropped; an Anthropic
 * {@code -YYYYMMDD} or OpenAI {@code -YYYY-MM-DD} date dropped; a {@code .} between digits turned
 * into {@code -} ({@code claude-sonnet-4.5} → {@code claude-sonnet-4-5}, {@code gpt-5.1} → {@code
 * gpt-5-1}). Keys and queries go through the same function, so both sides meet in the middle.
 */
final class ModelNames {

  private static final Pattern NAMESPACE = Pattern.compile(
      "^(?:(?:us|eu|jp|au|apac|global|us-gov|ca|uk)\\.)?"
          + "(?:anthropic|openai|google|amazon|meta|mistral|cohere|deepseek|qwen|moonshot|moonshotai|zai|xai)\\.");
  private static final Pattern VERTEX_DATE = Pattern.compile("@.*$");
  private static final Pattern BEDROCK_VERSION = Pattern.compile("-v\\d+(?::\\d+)?$|:\\d+$");
  private static final Pattern DATE = Pattern.compile("-20\\d{6}$|-20\\d{2}-\\d{2}-\\d{2}$");
  private static final Pattern VERSION_DOT = Pattern.compile("(?<=\\d)\\.(?=\\d)");

  /**
   * Words that may follow a known name without changing its price: thinking or effort variants
   * and release channels. Anything else after a name (a version digit, {@code mini}, {@code pro},
   * {@code fast}, ...) is a different model or a different price and blocks the match.
   */
  private static final Set<String> NEUTRAL_SUFFIX_WORDS = Set.of(
      "thinking", "latest", "preview", "exp", "experimental", "beta", "stable", "minimal", "low",
      "medium", "high", "xhigh", "1m");

  /** Fuzzy matches must be at least this long, so names like {@code o3} never match by accident. */
  static final int MIN_BOUNDARY_MATCH_LENGTH = 4;

  private ModelNames() {}

  static String normalize(String name) {
    String s = name.strip().toLowerCase(Locale.ROOT);
    int slash = s.lastIndexOf('/');
    if (slash >= 0) {
      s = s.substring(slash + 1);
    }
    s = NAMESPACE.matcher(s).replaceFirst("");
    s = VERTEX_DATE.matcher(s).replaceFirst("");
    s = BEDROCK_VERSION.matcher(s).replaceFirst("");
    s = DATE.matcher(s).replaceFirst("");
    return VERSION_DOT.matcher(s).replaceAll("-");
  }

  /** True when {@code s.charAt(i)} starts a name: the start, or after a non-alphanumeric char. */
  static boolean startsWord(String s, int i) {
    return i == 0 || !Character.isLetterOrDigit(s.charAt(i - 1));
  }

  /**
   * True when the text after a matched name keeps the match: nothing, or separators followed only
   * by 8-digit dates and {@link #NEUTRAL_SUFFIX_WORDS}. So {@code claude-sonnet-4-5} matches inside
   * {@code claude-sonnet-4-5-20250929-thinking}, but {@code claude-opus-4} never matches inside
   * {@code claude-opus-4-1}.
   */
  static boolean neutralSuffix(String suffix) {
    if (suffix.isEmpty()) {
      return true;
    }
    if (Character.isLetterOrDigit(suffix.charAt(0))) {
      return false;
    }
    for (String word : suffix.split("[^a-z0-9]+")) {
      if (!word.isEmpty() && !NEUTRAL_SUFFIX_WORDS.contains(word) && !isDate(word)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDate(String word) {
    return word.length() == 8 && word.startsWith("20") && word.chars().allMatch(Character::isDigit);
  }
}
