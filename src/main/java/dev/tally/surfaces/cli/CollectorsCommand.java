package dev.tally.surfaces.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.Tally;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code tally collectors status|run}: the provider admin-API collectors of a running server. */
@Command(name = "collectors", mixinStandardHelpOptions = true,
    description = "The provider admin-API collectors polled by `tally serve` (admin token).",
    subcommands = {CollectorsCommand.Status.class, CollectorsCommand.Run.class},
    footer = {"", "Examples (with TALLY_SERVER and TALLY_TOKEN set):", "  tally collectors status", "  tally collectors run"})
final class CollectorsCommand {
  @ParentCommand Tally tally;

  /** Prints one line per provider from the server's answer. */
  static void print(JsonNode answer, PrintWriter out) {
    TextTable t = new TextTable("Provider", "State", "Last success", "Watermark", "Next run", "Last error");
    for (JsonNode c : answer.path("collectors")) {
      String state = !c.path("enabled").asBoolean() ? "off" : c.path("lastRun").isNull() ? "not run yet"
          : c.path("ok").asBoolean() ? "ok" : "failing";
      t.row(c.path("provider").asText(), state, text(c, "lastSuccess"), text(c, "watermark"), text(c, "nextRun"),
          text(c, "lastError"));
    }
    t.print(out);
    for (JsonNode s : answer.path("skipped")) {
      out.println("note: " + s.asText());
    }
    if (answer.path("every").isTextual()) {
      out.println("Polling every " + answer.path("every").asText().substring(2).toLowerCase(java.util.Locale.ROOT)
          + (answer.path("every").asText().equals("PT0S") ? " (off: only on `tally collectors run`)" : ""));
    } else {
      out.println("No provider admin key is set on the server.");
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isMissingNode() || v.isNull() ? "-" : v.asText();
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Per provider: last success, last error, watermark (collected up to) and next run.")
  static final class Status implements Callable<Integer> {
    @ParentCommand CollectorsCommand parent;
    @Mixin AdminCommands.ServerOptions server;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      JsonNode answer = server.call(parent.tally.context(), "GET", "/api/v1/collectors", null);
      PrintWriter out = spec.commandLine().getOut();
      if (server.json) {
        out.println(answer.toPrettyString());
      } else {
        print(answer, out);
      }
      return 0;
    }
  }

  @Command(name = "run", mixinStandardHelpOptions = true, description = "Polls every configured provider now and waits for it.")
  static final class Run implements Callable<Integer> {
    @ParentCommand CollectorsCommand parent;
    @Mixin AdminCommands.ServerOptions server;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      JsonNode answer = server.call(parent.tally.context(), "POST", "/api/v1/collectors/run", null);
      PrintWriter out = spec.commandLine().getOut();
      if (server.json) {
        out.println(answer.toPrettyString());
        return 0;
      }
      boolean failed = false;
      for (JsonNode r : answer.path("runs")) {
        failed |= !r.path("ok").asBoolean();
        out.println(r.path("provider").asText() + ": " + (r.path("ok").asBoolean()
            ? r.path("rows").asLong() + " report rows, " + r.path("seats").asLong() + " seats"
            : "failed: " + r.path("error").asText()));
      }
      print(answer, out);
      return failed ? 1 : 0;
    }
  }
}
