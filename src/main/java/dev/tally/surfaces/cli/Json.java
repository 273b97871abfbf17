package dev.tally.surfaces.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.ledger.Money;
import dev.tally.query.CostMode;
import dev.tally.store.Totals;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** JSON output helpers: token fields named as ccusage names them, money as exact decimal dollars. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Json() {}

  static void putTotals(ObjectNode n, Totals t, CostMode mode, String costField) {
    var k = t.tokens();
    n.put("inputTokens", k.input());
    n.put("outputTokens", k.output());
    n.put("cacheCreationTokens", k.cacheWrite());
    n.put("cacheReadTokens", k.cacheRead());
    n.put("totalTokens", k.total());
    n.put(costField, Money.dollars(mode.cost(t)));
    n.put("cacheCreation5mTokens", k.cacheWrite5m());
    n.put("cacheCreation1hTokens", k.cacheWrite1h());
    n.put("reasoningTokens", k.reasoning());
    n.put("webSearchRequests", k.webSearches());
    n.put("requests", t.events());
    if (t.unpricedEvents() > 0) {
      n.put("unpricedRequests", t.unpricedEvents());
    }
  }

  static void print(PrintWriter out, Object node) {
    try {
      out.println(MAPPER.writeValueAsString(node));
      out.flush();
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
