package dev.tally.sources.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.directory.Directory;
import dev.tally.pricing.PriceTable;
import dev.tally.store.PostgresStore;
import dev.tally.store.Store;
import dev.tally.store.TestPostgres;
import dev.tally.surfaces.http.Server;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway replicas on one real PostgreSQL (as `tally serve` plus `tally gateway` run them): a
 * key's rate limit holds across both, not per replica.
 */
class GatewayReplicasTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String MASTER_KEY = Base64.getEncoder().encodeToString(new byte[32]);

  @TempDir Path dir;
  TestPostgres postgres;
  FakeProvider provider;
  Store storeA;
  Store storeB;
  Server main;
  Server replica;
  String mainUrl;
  String replicaUrl;
  String admin;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    postgres = TestPostgres.start();
    String url = postgres.freshDatabase("replicas");
    provider = new FakeProvider();
    storeA = PostgresStore.open(url, "postgres", "postgres");
    storeB = PostgresStore.open(url, "postgres", "postgres");
    main = new Server(storeA, PriceTable.shipped()::price, Clock.systemUTC(), 4, null)
        .withGateway(dir.resolve("a"), MASTER_KEY, true);
    admin = main.directory().createToken("ops", Directory.Scope.ADMIN, null).secret();
    mainUrl = "http://127.0.0.1:" + main.start("127.0.0.1", 0);
    replica = new Server(storeB, PriceTable.shipped()::price, Clock.systemUTC(), 4, null)
        .withGateway(dir.resolve("b"), MASTER_KEY, true).gatewayOnly();
    replicaUrl = "http://127.0.0.1:" + replica.start("127.0.0.1", 0);
    admin("/api/v1/providers", Map.of("provider", "anthropic", "baseUrl", provider.anthropicBase(), "key", FakeProvider.ANTHROPIC_KEY));
  }

  @AfterEach
  void stop() throws Exception {
    replica.close();
    main.close();
    storeB.close();
    storeA.close();
    provider.close();
    postgres.close();
  }

  JsonNode admin(String path, Object body) throws Exception {
    var r = http.send(HttpRequest.newBuilder(URI.create(mainUrl + path)).header("Authorization", "Bearer " + admin)
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isLessThan(300);
    return JSON.readTree(r.body());
  }

  HttpResponse<String> ask(String base, String key) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + "/v1/messages")).header("x-api-key", key)
        .header("anthropic-version", "2023-06-01").header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":1,\"messages\":[]}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aRequestsPerMinuteLimitHoldsAcrossReplicas() throws Exception {
    String key = admin("/api/v1/keys", Map.of("name", "ci runner", "email", "ci@corp.com", "rpm", 4)).path("secret").asText();
    // a limit counts per minute: start early in one, so that all of this happens within it
    long intoMinute = System.currentTimeMillis() % 60_000;
    if (intoMinute > 55_000) {
      Thread.sleep(60_000 - intoMinute + 100);
    }
    assertThat(ask(mainUrl, key).statusCode()).isEqualTo(200);
    assertThat(ask(mainUrl, key).statusCode()).isEqualTo(200);
    assertThat(ask(replicaUrl, key).statusCode()).as("the replica knows the key from the shared database").isEqualTo(200);
    assertThat(ask(replicaUrl, key).statusCode()).isEqualTo(200);
    Thread.sleep(1_000); // the replicas exchange their counts four times a second

    for (String base : new String[] {mainUrl, replicaUrl}) {
      HttpResponse<String> limited = ask(base, key);
      assertThat(limited.statusCode()).as(base + ": 4 of 4 used, 2 on each replica").isEqualTo(429);
      assertThat(JSON.readTree(limited.body()).path("error").path("message").asText()).contains("requests-per-minute limit of 4");
    }
  }
}
