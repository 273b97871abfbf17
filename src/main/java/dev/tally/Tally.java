package dev.tally;

import dev.tally.surfaces.cli.Commands;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The one executable: {@code ./tally <command>}. */
@Command(
    name = "tally",
    mixinStandardHelpOptions = true,
    versionProvider = Tally.Version.class,
    description = "Who spent what on which AI model: one deduplicated, priced ledger of AI coding usage.",
    footer = {"", "Start with:  tally daily   (reads the Claude Code, Codex, OpenCode, Gemini logs)",
        "Data lives in $TALLY_DATA_DIR (default ~/.local/share/tally).",
        "Run 'tally help COMMAND' for details."})
public final class Tally implements Runnable {
  @Spec CommandSpec spec;

  /** What the commands need from the outside world, injectable for tests. */
  public record Context(Map<String, String> env, Path userHome, Clock clock) {
    public static Context system() {
      // $HOME first, as every other tool on the machine sees it; the JVM's user.home comes from passwd
      String home = System.getenv("HOME");
      // UTC: commands take their zone from --timezone or the machine's, never from this clock, and
      // looking up the machine's zone loads the time-zone database (~15 ms) that most commands never use
      return new Context(System.getenv(), Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home")),
          Clock.systemUTC());
    }

    public TallyHome home() {
      return TallyHome.from(env, userHome);
    }
  }

  private final Context context;

  public Tally(Context context) {
    this.context = context;
  }

  public Context context() {
    return context;
  }

  /** {@code tally} alone: the overview of commands, without an error line above it. */
  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    boolean debug = System.getenv("TALLY_DEBUG") != null;
    CommandLine cli = commandLine(Context.system(), args);
    if (debug) {
      System.err.printf("tally: command line ready at %d ms%n", java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
    }
    int code = cli.execute(args);
    if (debug) {
      System.err.printf("tally: done at %d ms%n", java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
    }
    System.exit(code);
  }

  /** The command line for {@code args} (only the command they name is set up, for speed). */
  public static CommandLine commandLine(Context context, String... args) {
    return Commands.install(new CommandLine(new Tally(context)), args);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Tally.class.getPackage().getImplementationVersion();
      return new String[] {"tally " + (v == null ? "dev" : v)};
    }
  }
}
