package dev.tally.surfaces.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.TallyHome;
import dev.tally.pricing.ModelPrice;
import dev.tally.pricing.PriceFileException;
import dev.tally.pricing.PriceLayer;
import dev.tally.pricing.PriceMatch;
import dev.tally.pricing.PriceTable;
import dev.tally.pricing.PriceTables;
import dev.tally.pricing.Rates;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code tally prices show|list|import}: the price table Tally computes costs with. */
@Command(
    name = "prices",
    mixinStandardHelpOptions = true,
    usageHelpWidth = 100,
    description = {
      "Show, list and import the model prices Tally computes costs with.",
      "",
      "Prices come from three layers; a later one wins for the same model:",
      "  1. the table shipped inside Tally,",
      "  2. LiteLLM prices you imported (tally prices import),",
      "  3. your own overrides in <config dir>/price-overrides.json.",
      "Every cost is stored with the version of the table that priced it."
    },
    subcommands = {
      PricesCommand.Show.class,
      PricesCommand.ListPrices.class,
      PricesCommand.Import.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Examples:",
      "  tally prices show claude-sonnet-4-5-20250929",
      "  tally prices list claude",
      "  tally prices import litellm",
      "",
      "Override a price (USD per million tokens) in <config dir>/price-overrides.json",
      "(~/.config/tally unless TALLY_CONFIG_DIR or XDG_CONFIG_HOME says otherwise):",
      "  {\"models\": {\"my-model\": {\"input\": \"3\", \"output\": \"15\", \"cacheRead\": \"0.3\"}}}"
    })
public final class PricesCommand implements Runnable {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final TallyHome home;

  @Spec CommandSpec spec;

  public PricesCommand(TallyHome home) {
    this.home = home;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  TallyHome home() {
    return home;
  }

  // ---- show ---------------------------------------------------------------------------------

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = {
        "Show the price of a model and how its name matched.",
        "",
        "Prints which table entry matched and why, every rate in USD per million tokens",
        "(derived defaults marked *), the long-context tier and the price table version.",
        "Exits 1 when no price is known: such requests are recorded at $0 and flagged."
      },
      footer = {
        "",
        "Examples:",
        "  tally prices show claude-sonnet-4.5",
        "  tally prices show us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "  tally prices show --provider openrouter anthropic/claude-sonnet-4.5 --json"
      })
  static final class Show implements Callable<Integer> {
    @ParentCommand PricesCommand parent;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "Model id as a log or API reports it.")
    String model;

    @Option(names = "--provider", paramLabel = "PROVIDER",
        description = "Where the request went (anthropic, openai, google, openrouter, bedrock, ...);"
            + " only breaks ties between routes.")
    String provider;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      return guarded(spec, () -> {
        PriceTable table = PriceTables.load(parent.home());
        Optional<PriceMatch> match = table.lookup(provider, model);
        if (match.isEmpty()) {
          spec.commandLine().getErr().println("tally prices: no price for model '" + model
              + "' in price table " + table.version() + "; costs of its requests are recorded as 0 and"
              + " flagged. Add it to " + PriceTables.overridesFile(parent.home())
              + " as {\"models\": {\"" + model + "\": {\"input\": \"<USD per 1M>\", \"output\": \"<USD"
              + " per 1M>\"}}} or run: tally prices import " + PriceTables.LITELLM_URL);
          List<ModelPrice> near = containing(table, model);
          if (!near.isEmpty()) {
            spec.commandLine().getErr().println("Models whose name contains '" + model + "': "
                + String.join(", ", near.stream().limit(5).map(ModelPrice::key).toList())
                + (near.size() > 5 ? " and " + (near.size() - 5) + " more (tally prices list " + model + ")" : ""));
          }
          return 1;
        }
        PriceMatch m = match.get();
        if (json) {
          out.println(JSON.writeValueAsString(showJson(m, table.version())));
        } else {
          printShow(out, m, table.version());
        }
        return 0;
      });
    }

    private ObjectNode showJson(PriceMatch m, String version) {
      ModelPrice p = m.price();
      ObjectNode o = JSON.createObjectNode();
      o.put("query", m.query());
      o.put("providerHint", provider);
      o.put("key", p.key());
      o.put("matchedBy", m.kind().name().toLowerCase(Locale.ROOT));
      o.put("matchedName", m.matchedName());
      o.put("layer", m.layer().label());
      o.put("provider", p.provider());
      ArrayNode aliases = o.putArray("aliases");
      p.aliases().forEach(aliases::add);
      o.put("priceVersion", version);
      o.put("unit", "USD per million tokens; webSearch in USD per request");
      o.set("rates", ratesJson(p.effectiveRates()));
      ArrayNode defaulted = o.putArray("defaulted");
      defaulted(p.rates()).forEach(defaulted::add);
      if (p.longContext() != null) {
        ObjectNode t = o.putObject("longContext");
        t.put("threshold", p.longContext().threshold());
        t.put("appliesTo", "every token of a request whose prompt is over the threshold");
        ObjectNode r = ratesJson(p.effectiveLongContextRates());
        r.remove("webSearch");
        t.set("rates", r);
      } else {
        o.putNull("longContext");
      }
      o.put("note", p.note());
      return o;
    }

    private void printShow(PrintWriter out, PriceMatch m, String version) {
      ModelPrice p = m.price();
      out.printf("%s  ->  %s%n", m.query(), p.key());
      out.printf("  matched by   %s%s%n", m.kind().description(),
          m.matchedName().equals(p.key()) ? "" : " ('" + m.matchedName() + "')");
      out.printf("  provider     %s%n", p.provider() == null ? "-" : p.provider());
      if (!p.aliases().isEmpty()) {
        out.printf("  aliases      %s%n", String.join(", ", p.aliases()));
      }
      out.printf("  from         %s prices, table version %s%n", m.layer().label(), version);
      out.println();
      Rates base = p.effectiveRates();
      Rates tier = p.effectiveLongContextRates();
      List<String> defaulted = defaulted(p.rates());
      String tierHeader = tier == null ? "" : String.format("  %16s",
          "prompt > " + String.format(Locale.ROOT, "%,d", p.longContext().threshold()));
      out.printf("  %-26s %10s%s%n", "USD per million tokens", "base", tierHeader);
      String[][] rows = {{"input", "input"}, {"output", "output (incl. reasoning)"},
          {"cacheWrite5m", "cache write 5m"}, {"cacheWrite1h", "cache write 1h"},
          {"cacheRead", "cache read"}};
      for (String[] row : rows) {
        String mark = defaulted.contains(row[0]) ? "*" : " ";
        String t = tier == null ? "" : String.format(" %16s", money(rate(tier, row[0])));
        out.printf("  %-26s %10s%s%s%n", row[1], money(rate(base, row[0])), mark, t);
      }
      out.printf("  %-26s %10s%s%n", "web search (USD per call)", money(base.webSearch()),
          defaulted.contains("webSearch") ? "*" : " ");
      if (!defaulted.isEmpty()) {
        out.println();
        out.println("  * not in the price file; derived: cache write 5m = 1.25 x input, cache write"
            + " 1h = 2 x input, cache read = 0.1 x input, web search = 0.");
      }
      if (tier != null) {
        out.println();
        out.printf("  Long context: once a request's prompt (input + cache writes + cache reads) is"
            + " over %,d tokens, every token of that request is billed at the right-hand rates.%n",
            p.longContext().threshold());
      }
      if (p.note() != null) {
        out.println();
        out.println("  Note: " + p.note());
      }
    }
  }

  // ---- list ---------------------------------------------------------------------------------

  /** Models whose key or an alias contains {@code text}, case-insensitively. */
  private static List<ModelPrice> containing(PriceTable table, String text) {
    String t = text.toLowerCase(Locale.ROOT);
    return table.models().stream()
        .filter(m -> m.key().toLowerCase(Locale.ROOT).contains(t)
            || m.aliases().stream().anyMatch(a -> a.toLowerCase(Locale.ROOT).contains(t)))
        .toList();
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the models with prices (USD per million tokens), optionally filtered.",
      footer = {
        "",
        "Examples:",
        "  tally prices list",
        "  tally prices list opus",
        "  tally prices list gpt-5 --json"
      })
  static final class ListPrices implements Callable<Integer> {
    @ParentCommand PricesCommand parent;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILTER", arity = "0..1",
        description = "Only models whose key or an alias contains this text (case-insensitive).")
    String filter;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      return guarded(spec, () -> {
        PriceTable table = PriceTables.load(parent.home());
        Map<String, PriceLayer> layers = table.layers();
        List<ModelPrice> models = filter == null ? table.models() : containing(table, filter);
        if (json) {
          ObjectNode root = JSON.createObjectNode();
          root.put("priceVersion", table.version());
          root.put("unit", "USD per million tokens; webSearch in USD per request");
          ArrayNode arr = root.putArray("models");
          for (ModelPrice m : models) {
            ObjectNode o = arr.addObject();
            o.put("key", m.key());
            o.put("provider", m.provider());
            o.put("layer", layers.get(m.key()).label());
            ArrayNode al = o.putArray("aliases");
            m.aliases().forEach(al::add);
            o.set("rates", ratesJson(m.effectiveRates()));
            if (m.longContext() != null) {
              ObjectNode t = o.putObject("longContext");
              t.put("threshold", m.longContext().threshold());
              ObjectNode r = ratesJson(m.effectiveLongContextRates());
              r.remove("webSearch");
              t.set("rates", r);
            }
          }
          out.println(JSON.writeValueAsString(root));
          return 0;
        }
        int w = Math.max(5, models.stream().mapToInt(m -> m.key().length()).max().orElse(5));
        String fmt = "%-" + w + "s  %-12s %9s %9s %9s %9s %9s  %-8s %s%n";
        out.printf(fmt, "MODEL", "PROVIDER", "INPUT", "OUTPUT", "WRITE 5M", "WRITE 1H", "READ",
            "LAYER", "LONG CONTEXT");
        for (ModelPrice m : models) {
          Rates r = m.effectiveRates();
          String tier = m.longContext() == null ? "" : String.format(Locale.ROOT, "> %,d: %s / %s",
              m.longContext().threshold(), money(m.effectiveLongContextRates().input()),
              money(m.effectiveLongContextRates().output()));
          out.printf(fmt, m.key(), m.provider() == null ? "-" : m.provider(), money(r.input()),
              money(r.output()), money(r.cacheWrite5m()), money(r.cacheWrite1h()),
              money(r.cacheRead()), layers.get(m.key()).label(), tier);
        }
        out.printf("%n%,d of %,d models; USD per million tokens; price table %s%n", models.size(),
            table.size(), table.version());
        return 0;
      });
    }
  }

  // ---- import -------------------------------------------------------------------------------

  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      usageHelpWidth = 100,
      description = {
        "Import LiteLLM's model prices from a file or an http(s) URL.",
        "",
        "Reads model_prices_and_context_window.json; chat and responses models with token",
        "prices are kept. The result replaces any earlier import and sits between the shipped",
        "prices and your overrides. 'litellm' stands for LiteLLM's current file on GitHub."
      },
      footer = {
        "",
        "Examples:",
        "  tally prices import litellm",
        "  tally prices import ./model_prices_and_context_window.json",
        "",
        "'litellm' downloads:",
        "  " + PriceTables.LITELLM_URL
      })
  static final class Import implements Callable<Integer> {
    @ParentCommand PricesCommand parent;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE_OR_URL",
        description = "LiteLLM price file path or http(s) URL, or 'litellm' (its file on GitHub).")
    String source;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      return guarded(spec, () -> {
        TallyHome h = parent.home();
        String from = "litellm".equalsIgnoreCase(source) && !java.nio.file.Files.exists(
            java.nio.file.Path.of(source)) ? PriceTables.LITELLM_URL : source;
        byte[] content = PriceTables.readSource(from);
        PriceTables.ImportResult r = PriceTables.importLiteLlm(h, content, from);
        out.printf("Imported %,d models from %s (price version imp:%s).%n", r.imported(), from,
            r.table().version());
        StringBuilder why = new StringBuilder();
        r.skipped().forEach((reason, n) -> why.append(why.isEmpty() ? "" : ", ")
            .append(String.format(Locale.ROOT, "%,d %s", n, reason)));
        out.printf("Skipped %,d entries%s.%n", r.skippedCount(),
            why.isEmpty() ? "" : " (" + why + ")");
        out.printf("Wrote %s%n", r.file());
        out.printf("Price table now: %s%n", PriceTables.load(h).version());
        return 0;
      });
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  interface Body {
    int run() throws Exception;
  }

  /** One clear line on stderr and exit code 1 instead of a stack trace. */
  static int guarded(CommandSpec spec, Body body) {
    try {
      return body.run();
    } catch (PriceFileException | IOException e) {
      spec.commandLine().getErr().println("tally prices: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      spec.commandLine().getErr().println("tally prices: " + e);
      return 1;
    }
  }

  private static List<String> defaulted(Rates declared) {
    List<String> d = new ArrayList<>();
    for (String f : List.of("cacheWrite5m", "cacheWrite1h", "cacheRead", "webSearch")) {
      if (rate(declared, f) == null) {
        d.add(f);
      }
    }
    return d;
  }

  private static BigDecimal rate(Rates r, String field) {
    return switch (field) {
      case "input" -> r.input();
      case "output" -> r.output();
      case "cacheWrite5m" -> r.cacheWrite5m();
      case "cacheWrite1h" -> r.cacheWrite1h();
      case "cacheRead" -> r.cacheRead();
      case "webSearch" -> r.webSearch();
      default -> throw new IllegalArgumentException(field);
    };
  }

  private static ObjectNode ratesJson(Rates r) {
    ObjectNode o = JSON.createObjectNode();
    for (String f : List.of("input", "output", "cacheWrite5m", "cacheWrite1h", "cacheRead", "webSearch")) {
      o.put(f, plain(rate(r, f)));
    }
    return o;
  }

  private static String plain(BigDecimal v) {
    BigDecimal s = v.stripTrailingZeros();
    return (s.scale() < 0 ? s.setScale(0) : s).toPlainString();
  }

  /** At least two decimals, never fewer than the value needs: 3.00, 0.003625. */
  private static String money(BigDecimal v) {
    BigDecimal s = v.stripTrailingZeros();
    return s.setScale(Math.max(2, s.scale()), RoundingMode.UNNECESSARY).toPlainString();
  }
}
