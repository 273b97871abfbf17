package dev.tally.surfaces.cli;

import java.util.Locale;
import java.util.Map;

/** The agents' short names (as users type them) and the tool names the ledger keeps. */
final class Agents {
  private static final Map<String, String> TOOLS = Map.of(
      "claude", "claude-code", "codex", "codex", "opencode", "opencode", "gemini", "gemini-cli");
  private static final Map<String, String> DISPLAY = Map.of(
      "claude-code", "Claude Code", "codex", "Codex", "opencode", "OpenCode", "gemini-cli", "Gemini CLI",
      "anthropic-api", "Anthropic API", "openai-api", "OpenAI API", "cursor", "Cursor", "copilot", "GitHub Copilot",
      "openrouter", "OpenRouter");

  private Agents() {}

  static String tool(String agent) {
    String t = TOOLS.get(agent.trim().toLowerCase(Locale.ROOT));
    if (t == null) {
      throw new IllegalArgumentException("unknown agent '" + agent + "' (expected claude, codex, opencode or gemini)");
    }
    return t;
  }

  static String display(String tool) {
    if (tool == null || tool.isEmpty()) {
      return "(unknown)";
    }
    return DISPLAY.getOrDefault(tool, tool);
  }

  /** "email:alice@x.com" shows as "alice@x.com"; an unknown identity as "(unknown)". */
  static String who(String identity) {
    if (identity == null || identity.isEmpty()) {
      return "(unknown)";
    }
    int colon = identity.indexOf(':');
    return colon > 0 ? identity.substring(colon + 1) : identity;
  }
}
