package dev.tally.surfaces.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.Tally;
import dev.tally.ledger.Money;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The gateway's admin commands, talking to a running server: providers, keys, budgets. */
final class GatewayCommands {
  private static final ObjectMapper JSON = new ObjectMapper();

  private GatewayCommands() {}

  // ---------------------------------------------------------------- providers

  @Command(name = "providers", mixinStandardHelpOptions = true,
      description = "Provider keys the gateway forwards with (stored encrypted; only their last four characters are ever shown).",
      subcommands = {Providers.Add.class, Providers.ListProviders.class, Providers.Remove.class},
      footer = {"", "Examples (with TALLY_SERVER and TALLY_TOKEN set):",
          "  ANTHROPIC_API_KEY=sk-ant-... tally providers add anthropic",
          "  tally providers add openrouter --key-env OPENROUTER_API_KEY",
          "  pass show corp/llm | tally providers add openai-compatible --name corp-llm \\",
          "      --base-url https://llm.corp/v1 --key-stdin",
          "  tally providers list", "  tally providers remove corp-llm"})
  static final class Providers {
    @ParentCommand Tally tally;

    @Command(name = "add", mixinStandardHelpOptions = true,
        description = {"Store a provider key, read from an environment variable or stdin.",
            "Never from the command line, which shell history and process lists keep."})
    static final class Add implements Callable<Integer> {
      @ParentCommand Providers parent;
      @Mixin AdminCommands.ServerOptions server;
      @Spec CommandSpec spec;

      @Parameters(index = "0", paramLabel = "PROVIDER", description = "anthropic, openai, openrouter or openai-compatible")
      String provider;

      @Option(names = "--name", paramLabel = "NAME",
          description = "Route name (default: the provider). Tools reach a named provider at <server>/NAME/v1/...")
      String name;

      @Option(names = "--base-url", paramLabel = "URL",
          description = "Default: the provider's own (Anthropic without /v1; OpenAI-style ones with /v1).")
      String baseUrl;

      @Option(names = "--key-env", paramLabel = "VAR",
          description = "Environment variable holding the key (default: ANTHROPIC_API_KEY, OPENAI_API_KEY or OPENROUTER_API_KEY).")
      String keyEnv;

      @Option(names = "--key-stdin", description = "Read the key from standard input.")
      boolean keyStdin;

      @Override
      public Integer call() throws Exception {
        Map<String, String> env = parent.tally.context().env();
        String key;
        if (keyStdin) {
          key = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } else {
          String var = keyEnv != null ? keyEnv : switch (provider.toLowerCase(Locale.ROOT)) {
            case "anthropic" -> "ANTHROPIC_API_KEY";
            case "openrouter" -> "OPENROUTER_API_KEY";
            default -> "OPENAI_API_KEY";
          };
          key = env.get(var);
          if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("no key: set " + var + " (or name another variable with --key-env, or pipe it with --key-stdin)");
          }
        }
        ObjectNode body = JSON.createObjectNode().put("provider", provider).put("key", key == null ? "" : key.trim());
        if (name != null) {
          body.put("name", name);
        }
        if (baseUrl != null) {
          body.put("baseUrl", baseUrl);
        }
        JsonNode c = server.call(parent.tally.context(), "POST", "/api/v1/providers", body);
        spec.commandLine().getOut().println(server.json ? c.toPrettyString()
            : "provider '" + c.get("name").asText() + "' (" + c.get("provider").asText() + ", " + c.get("baseUrl").asText()
                + ", key " + c.get("key").asText() + ") stored encrypted");
        return 0;
      }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Provider keys (masked).")
    static final class ListProviders implements Callable<Integer> {
      @ParentCommand Providers parent;
      @Mixin AdminCommands.ServerOptions server;
      @Spec CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        JsonNode list = server.call(parent.tally.context(), "GET", "/api/v1/providers", null);
        PrintWriter out = spec.commandLine().getOut();
        if (server.json) {
          out.println(list.toPrettyString());
          return 0;
        }
        TextTable t = new TextTable("Name", "Provider", "Base URL", "Key", "Added");
        list.forEach(c -> t.row(c.get("name").asText(), c.get("provider").asText(), c.get("baseUrl").asText(),
            c.get("key").asText(), c.get("created").asText().substring(0, 10)));
        t.print(out);
        return 0;
      }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Forget a provider key; the gateway stops using it at once.")
    static final class Remove implements Callable<Integer> {
      @ParentCommand Providers parent;
      @Mixin AdminCommands.ServerOptions server;
      @Spec CommandSpec spec;

      @Parameters(index = "0", paramLabel = "NAME")
      String name;

      @Override
      public Integer call() throws Exception {
        server.call(parent.tally.context(), "DELETE", "/api/v1/providers/" + name, null);
        spec.commandLine().getOut().println("provider '" + name + "' removed");
        return 0;
      }
    }
  }

  // ---------------------------------------------------------------- keys

  @Command(name = "keys", mixinStandardHelpOptions = true,
      description = "Personal gateway keys for people, projects and CI runners (on the server).",
      subcommands = {Keys.Create.class, Keys.ListKeys.class, Keys.Revoke.class, Keys.Rotate.class, Keys.Snippet.class},
      footer = {"", "Examples (with TALLY_SERVER and TALLY_TOKEN set):",
          "  tally keys create --name alice-laptop --email alice@corp.com --team web \\",
          "      --budget 50/month",
          "  tally keys create --name ci-payments --project payments --rpm 60 \\",
          "      --models 'claude-haiku-*'",
          "  tally keys list", "  tally keys rotate 7", "  tally keys revoke 7",
          "  tally keys snippet sk-tly-... --tool claude-code"})
  static final class Keys {
    @ParentCommand Tally tally;

    @Command(name = "create", mixinStandardHelpOptions = true, description = "A new key; its secret is printed once.")
    static final class Create implements Callable<Integer> {
      @ParentCommand Keys parent;
      @Mixin AdminCommands.ServerOptions server;
      @Spec CommandSpec spec;

      @Option(names = "--name", required = true, description = "What the key is for: a person's machine, a project, a CI runner.")
      String name;

      @Option(names = "--email", description = "Whose key it is; their usage joins the person with that email.")
      String email;

      @Option(names = "--team", description = "The person's team (for a new person).")
      String team;

      @Option(names = "--project", description = "Project the key's requests count towards (a request may name another with x-tally-project).")
      String project;

      @Option(names = "--tags", split = ",", description = "Comma-separated tags.")
      List<String> tags = List.of();

      @Option(names = "--models", split = ",", paramLabel = "MODEL", description = "Allowed models (a trailing * matches a prefix). Default: all.")
      List<String> models = List.of();

      @Option(names = "--budget", paramLabel = "USD/PERIOD", description = "A hard budget for the key, e.g. 50/month, 5/day, 200/week, 1000/total.")
      String budget;

      @Option(names = "--rpm", description = "Requests per minute.")
      Integer rpm;

      @Option(names = "--tpm", description = "Tokens per minute.")
      Integer tpm;

      @Option(names = "--concurrency", description = "Requests in flight.")
      Integer concurrency;

      @Option(names = "--expires", paramLabel = "INSTANT", description = "When the key stops working, e.g. 2027-01-31T00:00:00Z.")
      String expires;

      @Option(names = "--snippet", paramLabel = "TOOL", description = "Also print the setup for a tool (see `tally keys snippet --help`).")
      String snippet;

      @Override
      public Integer call() throws Exception {
        Tally.Context ctx = parent.tally.context();
        String[] budgetParts = budget == null ? null : parseBudget(budget);
        ObjectNode body = JSON.createObjectNode().put("name", name);
        putIf(body, "email", email);
        putIf(body, "team", team);
        putIf(body, "project", project);
        putIf(body, "expires", expires);
        tags.forEach(body.withArray("tags")::add);
        models.forEach(body.withArray("allowedModels")::add);
        if (rpm != null) {
          body.put("rpm", rpm);
        }
        if (tpm != null) {
          body.put("tpm", tpm);
        }
        if (concurrency != null) {
          body.put("concurrency", concurrency);
        }
        JsonNode k = server.call(ctx, "POST", "/api/v1/keys", body);
        PrintWriter out = spec.commandLine().getOut();
        if (budgetParts != null) {
          server.call(ctx, "POST", "/api/v1/budgets", JSON.createObjectNode().put("scope", "key").put("target", k.get("id").asText())
              .put("usd", budgetParts[0]).put("period", budgetParts[1]));
        }
        if (server.json) {
          out.println(k.toPrettyString());
          return 0;
        }
        out.println(k.get("secret").asText());
        out.println("(key " + k.get("id") + " '" + name + "'" + (budgetParts == null ? "" : ", budget $" + budgetParts[0] + " " + budgetParts[1])
            + "; shown once: store it now)");
        if (snippet != null) {
          out.println();
          out.print(Snippets.of(snippet, server.base(ctx), k.get("secret").asText()));
          out.flush();
        }
        return 0;
      }
    }

    /** "50/month" → {"50", "monthly"}. */
    static String[] parseBudget(String s) {
      String[] parts = s.split("/", 2);
      if (parts.length != 2) {
        throw new IllegalArgumentException("a budget is USD/PERIOD, e.g. 50/month: " + s);
      }
      try {
        new java.math.BigDecimal(parts[0].replace("$", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not an amount in dollars: " + parts[0]);
      }
      String period = dev.tally.budgets.Period.parse(parts[1]).wireName();
      return new String[] {parts[0].replace("$", ""), period};
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Keys (never their secrets), with last use.")
    static final class ListKeys implements Callable<Integer> {
      @ParentCommand Keys parent;
      @Mixin AdminCommands.ServerOptions server;
      @Spec CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        JsonNode keys = server.call(parent.tally.context(), "GET", "/api/v1/keys", null);
        PrintWriter out = spec.commandLine().getOut();
        if (server.json) {
          out.println(keys.toPrettyString());
          return 0;
        }
        TextTable t = new TextTable(">Id", "Name", "Prefix", "Person", "Project", "Last used", "State");
        keys.forEach(k -> t.row(k.get("id").asText(), k.get("name").asText(), k.get("prefix").asText(), k.path("person").asText(""),
            k.path("project").asText(""), k.path("lastUsed").asText("never").replace('T', ' ').replaceAll("\\.\\d+Z$|Z$", ""),
            k.get("revoked").asBoolean() ? "revoked" : k.has("expires") ? "expires " + k.get("expires").asText().substring(0, 10) : "active"));
        t.print(out);
        return 0;
      }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key; every replica refuses it within a second.")
    static final class Revoke implements Callable<Integer> {
      @ParentCommand Keys parent;
      @Mixin AdminCommands.ServerOptions server;
      @Spec CommandSpec spec;

      @Parameters(index = "0", paramLabel = "ID")
      long id;

      @Override
      public Integer call() throws Exception {
        server.call(parent.tally.context(), "POST", "/api/v1/keys/" + id + "/revoke", null);
        spec.commandLine().getOut().println("key " + id + " revoked");
        return 0;
      }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
        description = "A new secret for a key (same name, person and settings); the old one is revoked. History stays with the person.")
    static final class Rotate implements Callable<Integer> {
      @ParentCommand Keys parent;
      @Mixin AdminCommands.ServerOptions server;
      @Spec CommandSpec spec;

      @Parameters(index = "0", paramLabel = "ID")
      long id;

      @Override
      public Integer call() throws Exception {
        JsonNode k = server.call(parent.tally.context(), "POST", "/api/v1/keys/" + id + "/rotate", null);
        spec.commandLine().getOut().println(k.get("secret").asText() + "\n(key " + k.get("id") + " replaces key " + id
            + "; shown once: store it now)");
        return 0;
      }
    }

    @Command(name = "snippet", mixinStandardHelpOptions = true,
        description = {"Copy-paste setup for a tool, using a gateway key.", "",
            "Tools: " + Snippets.TOOLS})
    static final class Snippet implements Callable<Integer> {
      @ParentCommand Keys parent;
      @Mixin AdminCommands.ServerOptions server;
      @Spec CommandSpec spec;

      @Parameters(index = "0", paramLabel = "KEY", description = "The gateway key's secret (sk-tly-...).")
      String key;

      @Option(names = "--tool", required = true, description = "One of: " + Snippets.TOOLS)
      String tool;

      @Override
      public Integer call() {
        spec.commandLine().getOut().print(Snippets.of(tool, server.base(parent.tally.context()), key));
        spec.commandLine().getOut().flush();
        return 0;
      }
    }
  }

  // ---------------------------------------------------------------- budgets

  @Command(name = "budgets", mixinStandardHelpOptions = true,
      description = "Spending caps for a key, person, team or the organisation (UTC calendar periods).",
      subcommands = {Budgets.Set.class, Budgets.ListBudgets.class, Budgets.Remove.class},
      footer = {"", "Examples:", "  tally budgets set team web 500/month", "  tally budgets set org 5000/month --soft",
          "  tally budgets set person 3 20/day", "  tally budgets list"})
  static final class Budgets {
    @ParentCommand Tally tally;

    @Command(name = "set", mixinStandardHelpOptions = true,
        description = {"Create or change a budget.",
            "A hard budget (the default) refuses gateway requests with 429 once reached; every budget raises",
            "alerts at 50, 80 and 100%."})
    static final class Set implements Callable<Integer> {
      @ParentCommand Budgets parent;
      @Mixin AdminCommands.ServerOptions server;
      @Spec CommandSpec spec;

      @Parameters(index = "0", paramLabel = "SCOPE", description = "key, person, team or org")
      String scope;

      @Parameters(index = "1..2", paramLabel = "TARGET USD/PERIOD", arity = "1..2",
          description = "The key id, person id or team name (none for org), then e.g. 500/month.")
      List<String> rest;

      @Option(names = "--soft", description = "Alert only; never refuse requests.")
      boolean soft;

      @Override
      public Integer call() throws Exception {
        boolean org = scope.equalsIgnoreCase("org");
        if (rest.size() != (org ? 1 : 2)) {
          throw new IllegalArgumentException(org ? "usage: tally budgets set org USD/PERIOD" : "usage: tally budgets set " + scope + " TARGET USD/PERIOD");
        }
        String[] b = Keys.parseBudget(rest.get(rest.size() - 1));
        JsonNode r = server.call(parent.tally.context(), "POST", "/api/v1/budgets", JSON.createObjectNode().put("scope", scope)
            .put("target", org ? "*" : rest.get(0)).put("usd", b[0]).put("period", b[1]).put("hard", !soft));
        spec.commandLine().getOut().println("budget " + r.get("id") + ": " + Format.money(Money.micros(new java.math.BigDecimal(b[0])))
            + " " + b[1] + " for " + scope
            + (org ? "" : " " + rest.get(0)) + (soft ? " (alerts only)" : ""));
        return 0;
      }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Budgets with this period's spend.")
    static final class ListBudgets implements Callable<Integer> {
      @ParentCommand Budgets parent;
      @Mixin AdminCommands.ServerOptions server;
      @Spec CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        JsonNode list = server.call(parent.tally.context(), "GET", "/api/v1/budgets", null);
        PrintWriter out = spec.commandLine().getOut();
        if (server.json) {
          out.println(list.toPrettyString());
          return 0;
        }
        TextTable t = new TextTable(">Id", "Scope", "Target", "Period", ">Limit", ">Spent", ">Used", "Kind", "Resets");
        list.forEach(b -> {
          var limit = b.get("limit").decimalValue();
          var spent = b.get("spent").decimalValue();
          String used = limit.signum() == 0 ? "" : spent.multiply(java.math.BigDecimal.valueOf(100))
              .divide(limit, 0, java.math.RoundingMode.HALF_UP) + "%";
          t.row(b.get("id").asText(), b.get("scope").asText(), b.get("target").asText(), b.get("period").asText(),
              Format.money(Money.micros(limit)), Format.money(Money.micros(spent)), used,
              b.get("hard").asBoolean() ? "hard" : "soft", b.path("resets").asText("never").replace('T', ' ').replace("Z", " UTC"));
        });
        t.print(out);
        return 0;
      }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a budget.")
    static final class Remove implements Callable<Integer> {
      @ParentCommand Budgets parent;
      @Mixin AdminCommands.ServerOptions server;
      @Spec CommandSpec spec;

      @Parameters(index = "0", paramLabel = "ID")
      long id;

      @Override
      public Integer call() throws Exception {
        server.call(parent.tally.context(), "DELETE", "/api/v1/budgets/" + id, null);
        spec.commandLine().getOut().println("budget " + id + " removed");
        return 0;
      }
    }
  }

  private static void putIf(ObjectNode n, String field, String value) {
    if (value != null && !value.isBlank()) {
      n.put(field, value);
    }
  }
}
