package dev.tally.budgets;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class BurnDownTest {
  static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
  static final Instant END = Instant.parse("2026-12-01T00:00:00Z");
  static final long USD = 1_000_000;

  @Test
  void projectsTheDayTheRunRateReachesTheLimit() {
    // $100 in 10 days = $10 a day; $290 is reached 19 days later
    BurnDown b = BurnDown.of(100 * USD, 290 * USD, START, END, Instant.parse("2026-11-11T00:00:00Z"));
    assertThat(b.status()).isEqualTo("projected");
    assertThat(b.date()).isEqualTo(LocalDate.parse("2026-11-30"));
    assertThat(b.dailyRateMicros()).isEqualTo(10 * USD);
    assertThat(b.text()).isEqualTo("projected to reach 100% on 30 Nov 2026");
  }

  @Test
  void staysUnderWhenThePaceDoesNotReachTheLimitThisPeriod() {
    BurnDown b = BurnDown.of(100 * USD, 1000 * USD, START, END, Instant.parse("2026-11-11T00:00:00Z"));
    assertThat(b.status()).isEqualTo("under");
    assertThat(b.date()).isNull();
    assertThat(b.projectedMicros()).isEqualTo(300 * USD);
    assertThat(b.text()).startsWith("on track: ");
  }

  @Test
  void saysWhenTheLimitIsAlreadyReachedAndWhenThereIsNoPeriod() {
    assertThat(BurnDown.of(500 * USD, 300 * USD, START, END, Instant.parse("2026-11-11T00:00:00Z")).status()).isEqualTo("reached");
    assertThat(BurnDown.of(0, 300 * USD, START, END, START).status()).isEqualTo("under");
    assertThat(BurnDown.of(10 * USD, 300 * USD, null, null, START).status()).isEqualTo("none");
  }
}
