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
    subcommands = {CollectorsCommand.Status.class, CollectorsCommand.Run.class, CollectorsCommand.Seats.class},
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
    for (JsonNode c : answer.path("collectors")) {
      for (JsonNode n : c.path("notes")) {
        out.println(c.path("provider").asText() + ": " + n.asText());
      }
    }
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
                + (r.path("activity").asLong() > 0 ? ", " + r.path("activity").asLong() + " activity rows (not stored)" : "")
            : "failed: " + r.path("error").asText()));
      }
      print(answer, out);
      return failed ? 1 : 0;
    }
  }

  @Command(name = "seats", mixinStandardHelpOptions = true,
      description = {"Paid seats per provider (Cursor, Copilot, Claude plans), kept apart from metered spend.",
          "Active (used in the last 30 days) against idle, and what they cost per month when TALLY_SEAT_PRICES",
          "(on the server, e.g. cursor=40,github=19) gives the price of a seat."},
      footer = {"", "Examples:", "  tally collectors seats", "  tally collectors seats --idle      (who pays for a seat they do not use)"})
  static final class Seats implements Callable<Integer> {
    @ParentCommand CollectorsCommand parent;
    @Mixin AdminCommands.ServerOptions server;
    @Spec CommandSpec spec;

    @picocli.CommandLine.Option(names = "--idle", description = "List the idle seats, one per line.")
    boolean idle;

    @Override
    public Integer call() throws Exception {
      JsonNode seats = server.call(parent.tally.context(), "GET", "/api/v1/seats", null);
      PrintWriter out = spec.commandLine().getOut();
      if (server.json) {
        out.println(seats.toPrettyString());
        return 0;
      }
      if (idle) {
        TextTable t = new TextTable("Provider", "Seat", "Plan", "Last activity");
        seats.forEach(s -> {
          if (!s.path("active").asBoolean()) {
            t.row(s.path("provider").asText(), s.path("identity").asText(), text(s, "plan"), text(s, "lastActivity"));
          }
        });
        t.print(out);
        return 0;
      }
      java.util.Map<String, long[]> byProvider = new java.util.TreeMap<>(); // seats, active, cost micros, priced seats
      seats.forEach(s -> {
        long[] a = byProvider.computeIfAbsent(s.path("provider").asText(), k -> new long[4]);
        a[0]++;
        a[1] += s.path("active").asBoolean() ? 1 : 0;
        if (s.has("cost")) {
          a[2] += dev.tally.ledger.Money.micros(s.get("cost").decimalValue());
          a[3]++;
        }
      });
      TextTable t = new TextTable("Provider", ">Seats", ">Active", ">Idle", ">Per seat", ">Per month", ">Per active seat");
      byProvider.forEach((provider, a) -> t.row(provider, Format.count(a[0]), Format.count(a[1]), Format.count(a[0] - a[1]),
          a[3] == 0 ? "-" : Format.money(a[2] / a[3]), a[3] == 0 ? "-" : Format.money(a[2]),
          a[3] == 0 || a[1] == 0 ? "-" : Format.money(a[2] / a[1])));
      t.print(out);
      if (byProvider.values().stream().anyMatch(a -> a[3] == 0)) {
        out.println("(no price for some seats: set TALLY_SEAT_PRICES on the server, e.g. cursor=40,github=19)");
      }
      return 0;
    }
  }
}
