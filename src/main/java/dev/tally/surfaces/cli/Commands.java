package dev.tally.surfaces.cli;

import dev.tally.Tally;
import java.util.List;
import picocli.CommandLine;

/** Registers the CLI commands and the one-line error handling every command shares. */
public final class Commands {
  private Commands() {}

  /** Every command, in the order help lists them. */
  private static final List<String> NAMES =
      List.of("daily", "weekly", "monthly", "session", "blocks", "leaderboard", "prices", "reprice", "serve", "gateway", "agent", "people", "tokens", "collectors", "providers", "keys", "budgets", "bench", "train", "help");

  // A switch rather than a map of constructor references: only the named command's class is loaded.
  private static Object create(String name, Tally.Context context) {
    return switch (name) {
      case "daily" -> new PeriodCommand.Daily();
      case "weekly" -> new PeriodCommand.Weekly();
      case "monthly" -> new PeriodCommand.Monthly();
      case "session" -> new SessionCommand();
      case "blocks" -> new BlocksCommand();
      case "leaderboard" -> new LeaderboardCommand();
      case "prices" -> new PricesCommand(context.home());
      case "reprice" -> new RepriceCommand();
      case "serve" -> new ServeCommand();
      case "gateway" -> new ServeCommand.GatewayOnly();
      case "agent" -> new AgentCommand();
      case "people" -> new AdminCommands.People();
      case "tokens" -> new AdminCommands.Tokens();
      case "collectors" -> new CollectorsCommand();
      case "providers" -> new GatewayCommands.Providers();
      case "keys" -> new GatewayCommands.Keys();
      case "budgets" -> new GatewayCommands.Budgets();
      case "bench" -> new BenchCommand();
      case "train" -> new TrainCommand();
      case "help" -> new CommandLine.HelpCommand();
      default -> throw new IllegalArgumentException(name);
    };
  }

  /**
   * Registers the commands. Picocli reads every registered command's annotations up front, which
   * costs a few hundred ms for all of them; when the first argument names a command, only that one
   * is registered, so a report starts faster, and {@code --version} needs none.
   */
  public static CommandLine install(CommandLine cli, String[] args) {
    Tally.Context context = ((Tally) cli.getCommand()).context();
    if (args.length > 0 && NAMES.contains(args[0]) && !args[0].equals("help")) {
      cli.addSubcommand(args[0], create(args[0], context));
    } else if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      // the version alone
    } else {
      for (String name : NAMES) {
        cli.addSubcommand(name, create(name, context));
      }
    }
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("tally: " + message(e));
      commandLine.getErr().flush();
      if (System.getenv("TALLY_DEBUG") != null) {
        e.printStackTrace(commandLine.getErr());
      }
      return e instanceof IllegalArgumentException ? 2 : 1;
    });
    return cli;
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
