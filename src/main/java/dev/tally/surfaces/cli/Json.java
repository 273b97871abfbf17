package dev.tally.surfaces.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.ledger.Money;
import dev.tally.query.CostMode;
import dev.tally.store.Totals;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * JSON output helpers: token fields named as ccusage names them, money as exact decimal dollars.
 * Trees are built from the node factory and written with a plain generator: an ObjectMapper costs a
 * report ~60 ms to set up and introspect before its first line (measured with the class cache).
 */
final class Json {
  private static final JsonFactory FACTORY = JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();

  private Json() {}

  static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

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

  /** Prints {@code node} indented as ObjectMapper's INDENT_OUTPUT does, then a newline. */
  static void print(PrintWriter out, JsonNode node) {
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.useDefaultPrettyPrinter();
      write(g, node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.println();
    out.flush();
  }

  private static void write(JsonGenerator g, JsonNode n) throws IOException {
    switch (n.getNodeType()) {
      case OBJECT -> {
        g.writeStartObject();
        for (var field : n.properties()) {
          g.writeFieldName(field.getKey());
          write(g, field.getValue());
        }
        g.writeEndObject();
      }
      case ARRAY -> {
        g.writeStartArray();
        for (JsonNode item : n) {
          write(g, item);
        }
        g.writeEndArray();
      }
      case STRING -> g.writeString(n.textValue());
      case BOOLEAN -> g.writeBoolean(n.booleanValue());
      case NUMBER -> {
        switch (n.numberType()) {
          case INT -> g.writeNumber(n.intValue());
          case LONG -> g.writeNumber(n.longValue());
          case BIG_INTEGER -> g.writeNumber(n.bigIntegerValue());
          case BIG_DECIMAL -> g.writeNumber(n.decimalValue());
          case FLOAT -> g.writeNumber(n.floatValue());
          case DOUBLE -> g.writeNumber(n.doubleValue());
        }
      }
      default -> g.writeNull(); // NULL (reports hold no binary or POJO nodes)
    }
  }
}
