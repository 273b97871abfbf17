package dev.tally.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.directory.Directory;
import dev.tally.store.GatewayStore;
import dev.tally.store.SqliteStore;
import dev.tally.store.Store;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GatewayKeysTest {
  // not @TempDir: a key lookup starts GatewayKeys' background revalidation, which may still be
  // writing last-used times when the test ends; the folder is removed as far as it can be
  Path dir;
  Store store;
  final AtomicInteger lookups = new AtomicInteger();
  final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
  GatewayKeys keys;

  static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @BeforeEach
  void open() throws java.io.IOException {
    dir = java.nio.file.Files.createTempDirectory("tally-keys-test");
    store = SqliteStore.open(dir.resolve("t.db"));
    GatewayStore real = store.gateway();
    // the real store, counting the secret lookups that reach it
    GatewayStore counted = (GatewayStore) Proxy.newProxyInstance(GatewayStore.class.getClassLoader(),
        new Class<?>[] {GatewayStore.class}, (proxy, method, args) -> {
          if (method.getName().equals("keyBySecretHash")) {
            lookups.incrementAndGet();
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    keys = new GatewayKeys(counted, store.directory(), new Directory(store.directory(), clock), clock);
  }

  @AfterEach
  void close() {
    store.close();
    try (var files = java.nio.file.Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      // a file the background revalidation wrote just now: left for the OS's temp cleaning
    }
  }

  static GatewayKeys.Spec spec(String name) {
    return new GatewayKeys.Spec(name, null, null, null, List.of(), List.of(), null, null, null, null);
  }

  @Test
  void aWrongKeyTriedAgainIsRefusedWithoutAskingTheDatabaseForAMinute() {
    String wrong = GatewayKeys.SECRET_PREFIX + "x".repeat(40);
    for (int i = 0; i < 50; i++) {
      assertThat(keys.authenticate(wrong)).isEmpty();
    }
    assertThat(lookups.get()).isEqualTo(1);

    clock.now = clock.now.plus(Duration.ofMillis(GatewayKeys.UNKNOWN_MS));
    assertThat(keys.authenticate(wrong)).isEmpty();
    assertThat(lookups.get()).isEqualTo(2);
  }

  @Test
  void aRevokedKeyStaysRefusedAndANewKeyIsAcceptedAtOnce() {
    var old = keys.create(spec("ci-runner"));
    keys.revoke(old.key().id());
    assertThat(keys.authenticate(old.secret())).isEmpty();
    assertThat(keys.authenticate(old.secret())).isEmpty();

    var fresh = keys.create(spec("ci-runner-2"));
    assertThat(keys.authenticate(fresh.secret())).map(GatewayStore.KeyRow::id).contains(fresh.key().id());
    int before = lookups.get();
    assertThat(keys.authenticate(fresh.secret())).isPresent(); // known keys come from memory too
    assertThat(lookups.get()).isEqualTo(before);
  }
}
