package dev.tally.surfaces.cli;

import dev.tally.ingest.Spool;
import dev.tally.Tally;
import dev.tally.agent.Agent;

import dev.tally.sources.logs.LogSources;
import dev.tally.sources.logs.ScanResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code tally agent login|run|status|install}: ships this machine's agent logs to the team server. */
@Command(name = "agent", mixinStandardHelpOptions = true,
    description = "Send this machine's Claude Code, Codex, OpenCode and Gemini CLI usage to a Tally server.",
    subcommands = {AgentCommand.Login.class, AgentCommand.Run.class, AgentCommand.Status.class, AgentCommand.Install.class},
    footer = {"", "Set up a machine:",
        "  tally agent login https://tally.example.com tly_...  (a token from an admin)",
        "  tally agent install                                  (runs at each login)",
        "  tally agent status"})
final class AgentCommand {
  @ParentCommand Tally tally;

  Path configFile() {
    return tally.context().home().configDir().resolve("agent.json");
  }

  Spool spool() {
    return new Spool(tally.context().home().dataDir().resolve("agent-spool"));
  }

  @Command(name = "login", mixinStandardHelpOptions = true, description = "Check a server URL and token, and remember them.")
  static final class Login implements Callable<Integer> {
    @ParentCommand AgentCommand agent;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SERVER_URL", description = "e.g. https://tally.example.com")
    String server;

    @Parameters(index = "1", paramLabel = "TOKEN", description = "An agent token (tly_...) from the Tally admin.")
    String token;

    @Override
    public Integer call() throws Exception {
      Agent.Config config = new Agent.Config(server, token);
      var me = new Agent(config, agent.spool(), java.util.List.of()).whoAmI();
      config.save(agent.configFile());
      spec.commandLine().getOut().println("Logged in to " + server + " as " + me.path("name").asText()
          + (me.path("agent").asBoolean() ? " (agent token)" : "") + "; settings in " + agent.configFile());
      return 0;
    }
  }

  @Command(name = "run", mixinStandardHelpOptions = true,
      description = "Read new log lines and send them; repeats every --interval seconds until stopped.")
  static final class Run implements Callable<Integer> {
    @ParentCommand AgentCommand agent;
    @Spec CommandSpec spec;

    @Option(names = "--once", description = "One round, then exit (non-zero if something could not be sent).")
    boolean once;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "60", description = "Seconds between rounds. Default: ${DEFAULT-VALUE}.")
    int interval;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Agent.Config config = Agent.Config.load(agent.configFile());
      var ctx = agent.tally.context();
      Agent a = new Agent(config, agent.spool(), LogSources.discover(ctx.env(), ctx.userHome(), Set.of()));
      int failures = 0;
      while (true) {
        ScanResult scan = a.collect();
        Agent.Push push = a.push();
        out.printf(Locale.ROOT, "read %,d events from %d changed files; sent %,d, acknowledged %,d: stored %,d, duplicated %,d (already there); rejected %,d%s%n",
            scan.events(), scan.filesRead(), push.sent(), push.acknowledged(), push.stored(), push.duplicates(), push.rejected(),
            push.error() == null ? "" : "; " + push.error() + " (kept in the spool)");
        out.flush();
        if (once) {
          return push.error() == null ? 0 : 1;
        }
        failures = push.error() == null ? 0 : failures + 1;
        // back off while the server is away, up to ten intervals
        Thread.sleep(1000L * interval * Math.min(10, 1 + failures));
      }
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Where this agent sends to and what is waiting.")
  static final class Status implements Callable<Integer> {
    @ParentCommand AgentCommand agent;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      if (!Files.exists(agent.configFile())) {
        out.println("Not logged in. Run: tally agent login SERVER_URL TOKEN");
        return 1;
      }
      Agent.Config c = Agent.Config.load(agent.configFile());
      Spool s = agent.spool();
      out.println("Server:        " + c.server());
      out.println("Token:         " + c.token().substring(0, Math.min(8, c.token().length())) + "…");
      out.println("Log files:     " + s.cursors().size() + " followed");
      out.println("Waiting:       " + Format.count(s.pendingBytes()) + " bytes of events not yet acknowledged");
      return 0;
    }
  }

  @Command(name = "install", mixinStandardHelpOptions = true,
      description = "Start 'tally agent run' with your user session (systemd user unit on Linux, launchd agent on macOS).")
  static final class Install implements Callable<Integer> {
    @ParentCommand AgentCommand agent;
    @Spec CommandSpec spec;

    @Option(names = "--launcher", paramLabel = "PATH", description = "The tally launcher to run (default: the one running now).")
    String launcher;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      Path home = agent.tally.context().userHome();
      String exe = launcher != null ? launcher : System.getProperty("tally.launcher", Path.of("tally").toAbsolutePath().toString());
      if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac")) {
        Path plist = home.resolve("Library/LaunchAgents/dev.tally.agent.plist");
        Files.createDirectories(plist.getParent());
        Files.writeString(plist, """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
            <plist version="1.0"><dict>
              <key>Label</key><string>dev.tally.agent</string>
              <key>ProgramArguments</key><array><string>%s</string><string>agent</string><string>run</string></array>
              <key>RunAtLoad</key><true/><key>KeepAlive</key><true/>
            </dict></plist>
            """.formatted(exe));
        out.println("Wrote " + plist + "\nStart it now: launchctl load -w " + plist);
      } else {
        Path unit = home.resolve(".config/systemd/user/tally-agent.service");
        Files.createDirectories(unit.getParent());
        Files.writeString(unit, """
            [Unit]
            Description=Tally agent: sends AI coding usage to the team's Tally server
            After=network-online.target

            [Service]
            ExecStart=%s agent run
            Restart=always
            RestartSec=30

            [Install]
            WantedBy=default.target
            """.formatted(exe));
        out.println("Wrote " + unit + "\nStart it now: systemctl --user daemon-reload && systemctl --user enable --now tally-agent");
      }
      return 0;
    }
  }
}
