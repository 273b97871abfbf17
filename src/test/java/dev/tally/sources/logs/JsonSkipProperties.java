package dev.tally.sources.logs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** The skips find exactly the value a JSON parser reads, whatever its strings hold. */
class JsonSkipProperties {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Characters that matter to the skips (quotes, backslashes, brackets) and some that do not. */
  private static final String ALPHABET = "\"\\{}[],: a\n\u00e9\u20ac";

  @Property(tries = 2000)
  void valueEndIsTheEndOfTheValue(@ForAll long seed) throws Exception {
    Random random = new Random(seed);
    byte[] value = JSON.writeValueAsBytes(value(random, 3));
    byte[] line = concat(value, ",\"next\":1}");
    assertThat(JsonSkip.valueEnd(line, 0, line.length)).isEqualTo(value.length);
  }

  @Property(tries = 1000)
  void aValueCutShortHasNoEnd(@ForAll long seed) throws Exception {
    Random random = new Random(seed);
    byte[] value = JSON.writeValueAsBytes(random.nextBoolean() ? object(random, 3) : string(random));
    int cut = random.nextInt(value.length);
    assertThat(JsonSkip.valueEnd(value, 0, cut)).isEqualTo(-1);
  }

  @Property(tries = 2000)
  void fieldValueFindsTheKeysValueAtItsOwnLevel(@ForAll long seed) throws Exception {
    Random random = new Random(seed);
    Map<String, Object> object = new LinkedHashMap<>();
    Object content = value(random, 3);
    for (int i = random.nextInt(4); i > 0; i--) {
      // the key also appears nested and inside strings before it: only the top-level one counts
      object.put(string(random), random.nextBoolean() ? Map.of("content", 1) : "\"content\":[");
    }
    object.put("content", content);
    object.put(string(random), value(random, 2));
    byte[] json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(object);
    byte[] key = "content".getBytes(StandardCharsets.US_ASCII);
    int start = JsonSkip.fieldValue(json, 0, json.length, key);
    int end = JsonSkip.valueEnd(json, start, json.length);
    assertThat(JSON.readTree(new String(json, start, end - start, StandardCharsets.UTF_8)))
        .isEqualTo(JSON.valueToTree(content));
  }

  @Property(tries = 500)
  void fieldValueOfAMissingKeyIsMinusOne(@ForAll long seed) throws Exception {
    Random random = new Random(seed);
    byte[] json = JSON.writeValueAsBytes(Map.of("message", object(random, 2), "x", "content"));
    assertThat(JsonSkip.fieldValue(json, 0, json.length, "content".getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
  }

  private static Object value(Random random, int depth) {
    return switch (depth <= 0 ? random.nextInt(3) : random.nextInt(5)) {
      case 0 -> string(random);
      case 1 -> random.nextInt(3) == 0 ? null : random.nextBoolean() ? random.nextLong() : random.nextDouble();
      case 2 -> random.nextBoolean();
      case 3 -> object(random, depth);
      default -> {
        List<Object> list = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
          list.add(value(random, depth - 1));
        }
        yield list;
      }
    };
  }

  private static Map<String, Object> object(Random random, int depth) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = random.nextInt(4); i > 0; i--) {
      map.put(string(random), value(random, depth - 1));
    }
    return map;
  }

  private static String string(Random random) {
    StringBuilder s = new StringBuilder();
    for (int i = random.nextInt(20); i > 0; i--) {
      s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return s.toString();
  }

  private static byte[] concat(byte[] a, String b) {
    byte[] tail = b.getBytes(StandardCharsets.UTF_8);
    byte[] all = java.util.Arrays.copyOf(a, a.length + tail.length);
    System.arraycopy(tail, 0, all, a.length, tail.length);
    return all;
  }
}
