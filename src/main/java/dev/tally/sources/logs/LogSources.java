package dev.tally.sources.logs;

import dev.tally.sources.logs.claude.ClaudeCodeLogs;
import dev.tally.sources.logs.codex.CodexLogs;
import dev.tally.sources.logs.gemini.GeminiCliLogs;
import dev.tally.sources.logs.opencode.OpenCodeLogs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The agents' log sources on this machine, found from the environment. */
public final class LogSources {
  private LogSources() {}

  /** Every known agent's source; {@code agents} (claude, codex, ...) narrows it, empty = all. */
  public static List<LogSource> discover(Map<String, String> env, Path home, Set<String> agents) {
    List<LogSource> all = new ArrayList<>();
    all.add(ClaudeCodeLogs.fromEnvironment(env, home));
    all.add(CodexLogs.fromEnvironment(env, home));
    all.add(OpenCodeLogs.fromEnvironment(env, home));
    all.add(GeminiCliLogs.fromEnvironment(env, home));
    return agents.isEmpty() ? all : all.stream().filter(s -> agents.contains(s.agent())).toList();
  }

  /** Where these sources look, for telling a user with no logs where Tally searched. */
  public static List<String> describeRoots(List<LogSource> sources) {
    List<String> where = new ArrayList<>();
    for (LogSource s : sources) {
      if (s instanceof ClaudeCodeLogs c) {
        c.roots().forEach(r -> where.add("Claude Code: " + r.resolve("projects")));
      } else if (s instanceof CodexLogs c) {
        c.roots().forEach(r -> where.add("Codex:       " + r.resolve("sessions")));
      } else if (s instanceof OpenCodeLogs c) {
        c.roots().forEach(r -> where.add("OpenCode:    " + r));
      } else if (s instanceof GeminiCliLogs c) {
        c.roots().forEach(r -> where.add("Gemini CLI:  " + r.resolve("tmp")));
      }
    }
    return where;
  }
}
