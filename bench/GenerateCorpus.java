import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;

/**
 * Writes a realistic Claude Code transcript tree for benchmarks, modelled on transcripts written
 * by Claude Code 2.1.x (shared/fixtures/claude-code-real): most bytes are prompts, tool results,
 * attachments and request shapes; assistant lines carry usage, often as 2-3 streaming copies of one
 * response with growing output; cost-state lines close each turn; a few synthetic and sidechain
 * lines. Deterministic for a seed.
 *
 * <pre>java bench/GenerateCorpus.java --out DIR [--size-mb 500] [--seed 42]</pre>
 */
public class GenerateCorpus {
  static final String[] MODELS = {
    "claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5", "claude-opus-4-1-20250805",
    "claude-haiku-4-5-20251001", "claude-opus-4-5-20251101"
  };
  static final String WORDS = "the of and to in is it you that he was for on are with as his they be at one have this from"
      + " or had by hot but some what there we can out other were all your when up use word how said an each she which"
      + " do their time if will way about many then them would write like so these her long make thing see him two has"
      + " look more day could go come did my sound no most number who over know water than call first people may down";
  static final String[] WORD = WORDS.split(" ");

  final Random rnd;
  final OutputStreamHolder out = new OutputStreamHolder();
  long bytes;
  long lines;
  long assistantLines;
  long requests;
  int files;

  GenerateCorpus(long seed) {
    rnd = new Random(seed);
  }

  public static void main(String[] args) throws IOException {
    Path dir = null;
    long sizeMb = 500;
    long seed = 42;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--out" -> dir = Path.of(args[++i]);
        case "--size-mb" -> sizeMb = Long.parseLong(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (dir == null) {
      System.err.println("usage: java bench/GenerateCorpus.java --out DIR [--size-mb N] [--seed N]");
      System.exit(2);
    }
    long t0 = System.nanoTime();
    GenerateCorpus g = new GenerateCorpus(seed);
    g.generate(dir.resolve("projects"), sizeMb * 1_000_000L);
    System.err.printf("%nwrote %,d bytes in %,d files: %,d lines, %,d assistant lines, %,d requests (%.1f s)%n",
        g.bytes, g.files, g.lines, g.assistantLines, g.requests, (System.nanoTime() - t0) / 1e9);
  }

  void generate(Path projects, long target) throws IOException {
    int projectCount = 300;
    Instant end = Instant.parse("2026-11-20T18:00:00Z");
    long spanSeconds = 60L * 24 * 3600;
    int session = 0;
    while (bytes < target) {
      int p = rnd.nextInt(projectCount);
      String cwd = "/home/dev/work/project-" + p;
      Path dir = Files.createDirectories(projects.resolve(cwd.replace('/', '-')));
      String sessionId = uuid();
      Instant start = end.minusSeconds((long) (rnd.nextDouble() * spanSeconds));
      Path file = dir.resolve(sessionId + ".jsonl");
      try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
        out.os = os;
        session(sessionId, cwd, start);
      }
      files++;
      // one session in ten has a subagent transcript
      if (rnd.nextInt(10) == 0) {
        Path sub = Files.createDirectories(dir.resolve(sessionId).resolve("subagents"));
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(sub.resolve("agent-" + hex(7) + ".jsonl")), 1 << 16)) {
          out.os = os;
          subagent(sessionId, cwd, start.plusSeconds(120));
        }
        files++;
      }
      if (++session % 200 == 0) {
        System.err.printf("\r%,d MB of %,d MB", bytes / 1_000_000, target / 1_000_000);
      }
    }
  }

  void session(String sessionId, String cwd, Instant t) throws IOException {
    int turns = 2 + rnd.nextInt(10);
    String model = MODELS[rnd.nextInt(MODELS.length)];
    double cost = 0;
    long cacheRead = 0;
    for (int turn = 0; turn < turns; turn++) {
      t = t.plusSeconds(20 + rnd.nextInt(600));
      write("{\"type\":\"queue-operation\",\"operation\":\"enqueue\",\"timestamp\":\"" + t + "\",\"sessionId\":\"" + sessionId
          + "\",\"content\":\"" + words(8 + rnd.nextInt(30)) + "\"}");
      write(envelope("user", sessionId, cwd, t, false) + "\"message\":{\"role\":\"user\",\"content\":\"" + words(20 + rnd.nextInt(200))
          + "\"},\"uuid\":\"" + uuid() + "\"}");
      for (int a = 0; a < 1 + rnd.nextInt(4); a++) {
        write("{\"type\":\"attachment\",\"attachment\":{\"type\":\"nested_memory\",\"path\":\"" + cwd + "/CLAUDE.md\",\"content\":\""
            + words(100 + rnd.nextInt(800)) + "\"},\"timestamp\":\"" + t + "\",\"sessionId\":\"" + sessionId + "\"}");
      }
      int calls = 1 + rnd.nextInt(6);
      for (int c = 0; c < calls; c++) {
        t = t.plusSeconds(2 + rnd.nextInt(40));
        write("{\"type\":\"api-request\",\"sessionId\":\"" + sessionId + "\",\"id\":\"" + uuid() + "\",\"timestamp\":\"" + t
            + "\",\"version\":\"2.1.328\",\"params\":{\"model\":\"" + model + "\",\"max_tokens\":32000,\"betas\":[\"claude-code-20250219\","
            + "\"interleaved-thinking-2025-05-14\"]},\"shapeHash\":\"" + hex(64) + "\",\"requestDigest\":\"" + hex(64) + "\"}");
        String msgId = "msg_01" + hex(22);
        String reqId = "req_011" + hex(22);
        long input = 1 + rnd.nextInt(400);
        long w5 = rnd.nextInt(4) == 0 ? rnd.nextInt(20_000) : 0;
        long w1 = rnd.nextInt(3) == 0 ? rnd.nextInt(30_000) : 0;
        cacheRead = Math.min(140_000, cacheRead + w5 + w1 + rnd.nextInt(3000));
        long output = 50 + rnd.nextInt(3000);
        boolean legacy = rnd.nextInt(40) == 0;
        // Claude Code writes one line per content block of a response (thinking, text, tool calls),
        // each with a copy of the usage; output grows until the last one.
        int copies = 1 + rnd.nextInt(4);
        for (int k = 1; k <= copies; k++) {
          long out = k == copies ? output : 1 + rnd.nextInt(10);
          String content;
          if (k == 1 && copies > 1) {
            content = "[{\"type\":\"thinking\",\"thinking\":\"" + words(60 + rnd.nextInt(400)) + "\",\"signature\":\""
                + base64(400 + rnd.nextInt(2400)) + "\"}]";
          } else if (k == copies && rnd.nextBoolean()) {
            content = "[{\"type\":\"tool_use\",\"id\":\"toolu_01" + hex(22) + "\",\"name\":\"Edit\",\"input\":{\"file_path\":\""
                + cwd + "/src/" + words(1) + ".ts\",\"old_string\":\"" + words(20 + rnd.nextInt(200)) + "\",\"new_string\":\""
                + words(20 + rnd.nextInt(300)) + "\"}}]";
          } else {
            content = "[{\"type\":\"text\",\"text\":\"" + words(30 + rnd.nextInt(400)) + "\"}]";
          }
          write(envelope("assistant", sessionId, cwd, t.plusMillis(k * 350L), false) + "\"message\":{\"id\":\"" + msgId
              + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model + "\",\"content\":" + content
              + ",\"stop_reason\":" + (k == copies ? "\"tool_use\"" : "null") + ",\"stop_sequence\":null,\"usage\":"
              + usage(input, out, w5, w1, cacheRead, legacy) + "},\"requestId\":\"" + reqId + "\",\"uuid\":\"" + uuid() + "\"}");
          assistantLines++;
        }
        requests++;
        cost += (input * 3 + output * 15 + w5 * 3.75 + w1 * 6 + cacheRead * 0.3) / 1e6;
        // the tool result: the bulk of a transcript's bytes
        write(envelope("user", sessionId, cwd, t.plusSeconds(3), false) + "\"message\":{\"role\":\"user\",\"content\":[{\"tool_use_id\":\"toolu_01"
            + hex(22) + "\",\"type\":\"tool_result\",\"content\":\"" + words(rnd.nextInt(12) == 0 ? 1000 + rnd.nextInt(4000) : 20 + rnd.nextInt(300))
            + "\"}]},\"toolUseResult\":{\"stdout\":\"" + words(20 + rnd.nextInt(200)) + "\",\"stderr\":\"\"},\"uuid\":\"" + uuid() + "\"}");
      }
      if (rnd.nextInt(25) == 0) {
        write(envelope("assistant", sessionId, cwd, t.plusSeconds(5), false) + "\"message\":{\"id\":\"" + uuid()
            + "\",\"model\":\"<synthetic>\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"API Error\"}],"
            + "\"usage\":{\"input_tokens\":0,\"output_tokens\":0,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0}},"
            + "\"isApiErrorMessage\":true,\"uuid\":\"" + uuid() + "\"}");
      }
      write("{\"type\":\"last-prompt\",\"lastPrompt\":\"" + words(10) + "\",\"sessionId\":\"" + sessionId + "\"}");
      write("{\"type\":\"cost-state\",\"sessionId\":\"" + sessionId + "\",\"totalCostUSD\":" + round(cost)
          + ",\"modelUsage\":{\"" + model + "\":{\"costUSD\":" + round(cost) + "}},\"hasUnknownModelCost\":false}");
    }
  }

  void subagent(String sessionId, String cwd, Instant t) throws IOException {
    for (int c = 0; c < 2 + rnd.nextInt(6); c++) {
      t = t.plusSeconds(5 + rnd.nextInt(30));
      write(envelope("assistant", sessionId, cwd, t, true) + "\"agentId\":\"" + hex(7) + "\",\"message\":{\"id\":\"msg_01" + hex(22)
          + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-haiku-4-5-20251001\",\"content\":[{\"type\":\"text\",\"text\":\""
          + words(40 + rnd.nextInt(200)) + "\"}],\"stop_reason\":\"end_turn\",\"usage\":"
          + usage(200 + rnd.nextInt(2000), 100 + rnd.nextInt(1500), rnd.nextInt(10_000), 0, rnd.nextInt(20_000), false)
          + "},\"requestId\":\"req_011" + hex(22) + "\",\"uuid\":\"" + uuid() + "\"}");
      assistantLines++;
      requests++;
      write(envelope("user", sessionId, cwd, t.plusSeconds(2), true) + "\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"content\":\""
          + words(100 + rnd.nextInt(1500)) + "\"}]},\"uuid\":\"" + uuid() + "\"}");
    }
  }

  static String usage(long in, long out, long w5, long w1, long read, boolean legacy) {
    String split = legacy ? "" : ",\"cache_creation\":{\"ephemeral_5m_input_tokens\":" + w5 + ",\"ephemeral_1h_input_tokens\":" + w1 + "}";
    return "{\"input_tokens\":" + in + ",\"cache_creation_input_tokens\":" + (w5 + w1) + ",\"cache_read_input_tokens\":" + read
        + ",\"output_tokens\":" + out + ",\"server_tool_use\":{\"web_search_requests\":0,\"web_fetch_requests\":0},\"service_tier\":\"standard\""
        + split + "}";
  }

  String envelope(String type, String sessionId, String cwd, Instant t, boolean sidechain) {
    return "{\"parentUuid\":\"" + uuid() + "\",\"isSidechain\":" + sidechain + ",\"userType\":\"external\",\"cwd\":\"" + cwd
        + "\",\"sessionId\":\"" + sessionId + "\",\"version\":\"2.1.328\",\"gitBranch\":\"main\",\"type\":\"" + type
        + "\",\"timestamp\":\"" + t + "\",";
  }

  void write(String line) throws IOException {
    byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
    out.os.write(b);
    bytes += b.length;
    lines++;
  }

  String words(int n) {
    StringBuilder sb = new StringBuilder(n * 6);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(rnd.nextInt(12) == 0 ? "\\n" : " ");
      }
      sb.append(WORD[rnd.nextInt(WORD.length)]);
    }
    return sb.toString();
  }

  String base64(int n) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(alphabet.charAt(rnd.nextInt(64)));
    }
    return sb.toString();
  }

  String hex(int n) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append("0123456789abcdef".charAt(rnd.nextInt(16)));
    }
    return sb.toString();
  }

  String uuid() {
    return hex(8) + "-" + hex(4) + "-4" + hex(3) + "-a" + hex(3) + "-" + hex(12);
  }

  static String round(double d) {
    return String.format(java.util.Locale.ROOT, "%.6f", d);
  }

  static final class OutputStreamHolder {
    OutputStream os;
  }
}
