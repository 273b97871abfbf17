package dev.tally.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WrittenKeysTest {
  @Test
  void aWrittenKeyIsAlwaysFoundAndFewOthersAreMistakenForOne() {
    WrittenKeys keys = new WrittenKeys();
    List<String> written = new ArrayList<>();
    for (int i = 0; i < WrittenKeys.LIMIT; i++) {
      String key = "anthropic:req:req_" + UUID.randomUUID();
      written.add(key);
      keys.add(key);
    }
    assertThat(written).allMatch(keys::mightContain); // a miss would store a request twice
    assertThat(keys.full()).isFalse();

    int mistaken = 0;
    for (int i = 0; i < 100_000; i++) {
      if (keys.mightContain("anthropic:req:req_" + UUID.randomUUID())) {
        mistaken++;
      }
    }
    assertThat(mistaken).as("new keys looked up in vain, of 100,000").isLessThan(1_000); // ~0.5% expected

    keys.add("one more");
    assertThat(keys.full()).isTrue();
  }
}
