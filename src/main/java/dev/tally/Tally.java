package dev.tally;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one executable: {@code ./tally <command>}. */
@Command(
    name = "tally",
    mixinStandardHelpOptions = true,
    versionProvider = Tally.Version.class,
    description = "Who spent what on which AI model: one deduplicated, priced ledger of AI coding usage.",
    subcommands = {CommandLine.HelpCommand.class, dev.tally.surfaces.cli.PricesCommand.class})
public final class Tally {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Tally());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Tally.class.getPackage().getImplementationVersion();
      return new String[] {"tally " + (v == null ? "dev" : v)};
    }
  }
}
