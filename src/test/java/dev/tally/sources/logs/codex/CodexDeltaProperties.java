package dev.tally.sources.logs.codex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.sources.logs.Collected;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Codex's cumulative totals become per-call deltas that add up to the last total, re-emits or not. */
class CodexDeltaProperties {
  record Call(long input, long cachedPercent, long output, long reasoningPercent, boolean reEmitted) {}

  @Provide
  Arbitrary<List<Call>> calls() {
    return Combinators.combine(Arbitraries.longs().between(1, 50_000), Arbitraries.longs().between(0, 100),
        Arbitraries.longs().between(0, 20_000), Arbitraries.longs().between(0, 100), Arbitraries.of(true, false, false))
        .as(Call::new).list().ofMinSize(1).ofMaxSize(30);
  }

  @Property(tries = 100)
  void deltasAddUpToTheFinalTotalAndAreNeverNegative(@ForAll("calls") List<Call> calls) throws Exception {
    Path home = Files.createTempDirectory("codex-prop");
    try {
      Path file = Files.createDirectories(home.resolve("sessions/2026/11/20")).resolve("rollout-x.jsonl");
      List<String> lines = new ArrayList<>();
      lines.add("{\"timestamp\":\"2026-11-20T10:00:00.000Z\",\"type\":\"session_meta\",\"payload\":{\"id\":\"t1\",\"cwd\":\"/w/app\"}}");
      lines.add("{\"timestamp\":\"2026-11-20T10:00:00.000Z\",\"type\":\"turn_context\",\"payload\":{\"model\":\"gpt-5.1-codex\"}}");
      long[] total = new long[4];
      Instant t = Instant.parse("2026-11-20T10:00:01Z");
      for (Call c : calls) {
        long cached = c.input() * c.cachedPercent() / 100;
        long reasoning = c.output() * c.reasoningPercent() / 100;
        long[] last = {c.input(), cached, c.output(), reasoning};
        for (int i = 0; i < 4; i++) {
          total[i] += last[i];
        }
        t = t.plusSeconds(7);
        lines.add(tokenCount(t, total, last));
        if (c.reEmitted()) {
          lines.add(tokenCount(t.plusMillis(300), total, last));
        }
      }
      Files.write(file, lines);
      Collected got = new Collected();
      new CodexLogs(List.of(home)).read(file, null, got::add);
      assertThat(got.raw).hasSize(calls.size());
      assertThat(got.raw).allSatisfy(e -> assertThat(e.tokens().input()).isNotNegative());
      var sum = got.total(null);
      assertThat(sum.input() + sum.cacheRead()).isEqualTo(total[0]);
      assertThat(sum.cacheRead()).isEqualTo(total[1]);
      assertThat(sum.output()).isEqualTo(total[2]);
      assertThat(sum.reasoning()).isEqualTo(total[3]);
    } finally {
      try (var s = Files.walk(home)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static String tokenCount(Instant t, long[] total, long[] last) {
    return "{\"timestamp\":\"" + t + "\",\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\",\"info\":{"
        + "\"total_token_usage\":" + usage(total) + ",\"last_token_usage\":" + usage(last) + "},\"rate_limits\":{}}}";
  }

  private static String usage(long[] u) {
    return "{\"input_tokens\":" + u[0] + ",\"cached_input_tokens\":" + u[1] + ",\"output_tokens\":" + u[2]
        + ",\"reasoning_output_tokens\":" + u[3] + ",\"total_tokens\":" + (u[0] + u[2]) + "}";
  }
}
