package dev.tally.surfaces.cli;

import picocli.CommandLine;

/** Registers the CLI commands and the one-line error handling every command shares. */
public final class Commands {
  private Commands() {}

  public static CommandLine install(CommandLine cli) {
    cli.addSubcommand(new PeriodCommand.Daily());
    cli.addSubcommand(new PeriodCommand.Weekly());
    cli.addSubcommand(new PeriodCommand.Monthly());
    cli.addSubcommand(new SessionCommand());
    cli.addSubcommand(new BlocksCommand());
    cli.addSubcommand(new LeaderboardCommand());
    cli.addSubcommand(new CommandLine.HelpCommand());
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
