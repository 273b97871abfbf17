package dev.tally.surfaces.cli;

import java.util.Locale;

/**
 * Setup for each tool to send its requests through the gateway with a personal key, as
 * shared/reference/gateway.md section 4 describes each client. Printed ready to paste.
 */
public final class Snippets {
  public static final String TOOLS = "claude-code, codex, cursor, aider, cline, continue, curl, python, node";

  private Snippets() {}

  public static String of(String tool, String server, String key) {
    String v1 = server + "/v1";
    return switch (tool.toLowerCase(Locale.ROOT)) {
      case "claude-code", "claude" -> """
          # Claude Code: add to your shell profile (or the "env" block of ~/.claude/settings.json)
          export ANTHROPIC_BASE_URL=%1$s
          export ANTHROPIC_AUTH_TOKEN=%2$s
          # optional: count this repository's work under a project
          export ANTHROPIC_CUSTOM_HEADERS="x-tally-project: $(basename "$(git rev-parse --show-toplevel 2>/dev/null || pwd)")"
          # optional: tag the requests too (one "Name: value" per line), e.g.
          #   export ANTHROPIC_CUSTOM_HEADERS="$ANTHROPIC_CUSTOM_HEADERS"$'\\n'"x-tally-tags: feature-x,oncall"
          # then run: claude
          """.formatted(server, key);
      case "codex" -> """
          # Codex CLI: add to ~/.codex/config.toml
          model_provider = "tally"

          [model_providers.tally]
          name = "Tally gateway"
          base_url = "%1$s"
          env_key = "TALLY_GATEWAY_KEY"
          wire_api = "responses"

          # and to your shell profile:
          export TALLY_GATEWAY_KEY=%2$s
          # then run: codex
          """.formatted(v1, key);
      case "cursor" -> """
          # Cursor: Settings > Models > API Keys
          #   OpenAI API Key:            %2$s
          #   Override OpenAI Base URL:  %1$s
          # Cursor calls from its own servers: the Tally server must be reachable from the internet.
          """.formatted(v1, key);
      case "aider" -> """
          # Aider (OpenAI-compatible)
          export OPENAI_API_BASE=%1$s
          export OPENAI_API_KEY=%2$s
          aider --model openai/gpt-4.1
          """.formatted(v1, key);
      case "cline" -> """
          # Cline: Settings > API Provider "OpenAI Compatible"
          #   Base URL:  %1$s
          #   API Key:   %2$s
          #   Model ID:  gpt-4.1 (or any model your providers serve)
          # For Claude models choose API Provider "Anthropic", tick "Use custom base URL": %3$s
          """.formatted(v1, key, server);
      case "continue" -> """
          # Continue: ~/.continue/config.yaml
          name: tally
          version: 0.0.1
          schema: v1
          models:
            - name: Claude via Tally
              provider: anthropic
              model: claude-sonnet-4-5
              apiBase: %1$s
              apiKey: %2$s
              roles: [chat, edit, apply]
          """.formatted(v1, key);
      case "curl" -> """
          curl -sN %1$s/v1/messages \\
            -H "Authorization: Bearer %2$s" \\
            -H "anthropic-version: 2023-06-01" -H "content-type: application/json" \\
            -d '{"model":"claude-haiku-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}'
          """.formatted(server, key);
      case "python" -> """
          # pip install anthropic openai
          import anthropic, openai
          claude = anthropic.Anthropic(base_url="%1$s", api_key="%3$s")
          print(claude.messages.create(model="claude-haiku-4-5", max_tokens=64,
                messages=[{"role": "user", "content": "hi"}]).content[0].text)
          gpt = openai.OpenAI(base_url="%2$s", api_key="%3$s")
          print(gpt.chat.completions.create(model="gpt-4.1-mini",
                messages=[{"role": "user", "content": "hi"}]).choices[0].message.content)
          """.formatted(server, v1, key);
      case "node" -> """
          // npm install @anthropic-ai/sdk openai   (save as tally.mjs, run: node tally.mjs)
          import Anthropic from "@anthropic-ai/sdk";
          import OpenAI from "openai";
          const claude = new Anthropic({ baseURL: "%1$s", apiKey: "%3$s" });
          const m = await claude.messages.create({ model: "claude-haiku-4-5", max_tokens: 64,
            messages: [{ role: "user", content: "hi" }] });
          console.log(m.content[0].text);
          const gpt = new OpenAI({ baseURL: "%2$s", apiKey: "%3$s" });
          const c = await gpt.chat.completions.create({ model: "gpt-4.1-mini",
            messages: [{ role: "user", content: "hi" }] });
          console.log(c.choices[0].message.content);
          """.formatted(server, v1, key);
      default -> throw new IllegalArgumentException("no snippet for '" + tool + "' (tools: " + TOOLS + ")");
    };
  }
}
