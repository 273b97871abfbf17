package dev.tally.sources.logs.opencode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.ledger.Tokens;
import dev.tally.sources.logs.Collected;
import dev.tally.sources.logs.FileCursor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OpenCode's database, built here with the documented schema (agent-logs.md 4.2 to 4.4). */
class OpenCodeLogsTest {
  @TempDir Path dir;

  static final String MSG = "{\"role\":\"assistant\",\"time\":{\"created\":1795440000000},\"modelID\":\"claude-sonnet-4-5\","
      + "\"providerID\":\"anthropic\",\"path\":{\"cwd\":\"/w/shop\",\"root\":\"/w/shop\"},\"cost\":0.5,"
      + "\"tokens\":{\"input\":5,\"output\":50,\"reasoning\":0,\"cache\":{\"read\":900,\"write\":100}}}";

  static String step(int input, int output, double cost) {
    return "{\"type\":\"step-finish\",\"reason\":\"tool-calls\",\"cost\":" + cost + ",\"tokens\":{\"input\":" + input
        + ",\"output\":" + output + ",\"reasoning\":3,\"cache\":{\"read\":1000,\"write\":200}}}";
  }

  Connection db() throws Exception {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("opencode.db"));
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS message (id TEXT PRIMARY KEY, session_id TEXT, time_created INTEGER, time_updated INTEGER, data TEXT)");
      st.execute("CREATE TABLE IF NOT EXISTS part (id TEXT PRIMARY KEY, message_id TEXT, session_id TEXT, time_created INTEGER, time_updated INTEGER, data TEXT)");
    }
    return c;
  }

  void insert(Connection c, String table, String id, String parent, long updated, String data) throws Exception {
    String sql = table.equals("message")
        ? "INSERT INTO message VALUES (?, 'ses_1', ?, ?, ?)" : "INSERT INTO part VALUES (?, ?, 'ses_1', ?, ?, ?)";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      ps.setString(i++, id);
      if (!table.equals("message")) {
        ps.setString(i++, parent);
      }
      ps.setLong(i++, updated);
      ps.setLong(i++, updated);
      ps.setString(i, data);
      ps.executeUpdate();
    }
  }

  @Test
  void stepsAreTheRequestsAndMessagesWithoutStepsCountWhole() throws Exception {
    try (Connection c = db()) {
      insert(c, "message", "msg_1", null, 10, MSG);
      insert(c, "part", "prt_1", "msg_1", 11, step(10, 100, 0.25));
      insert(c, "part", "prt_2", "msg_1", 12, step(20, 200, 0.25));
      insert(c, "part", "prt_3", "msg_1", 12, "{\"type\":\"text\",\"text\":\"hi\"}");
      insert(c, "message", "msg_2", null, 13, MSG.replace("\"cost\":0.5", "\"cost\":0"));
    }
    OpenCodeLogs logs = new OpenCodeLogs(List.of(dir));
    assertThat(logs.discover()).containsExactly(dir.resolve("opencode.db"));
    Collected got = new Collected();
    FileCursor cursor = logs.read(dir.resolve("opencode.db"), null, got::add);
    assertThat(got.raw).hasSize(3);
    assertThat(got.total(null)).isEqualTo(new Tokens(35, 350, 500, 0, 2_900, 6, 0));
    assertThat(got.raw).allSatisfy(e -> {
      assertThat(e.provider()).isEqualTo("anthropic");
      assertThat(e.project()).isEqualTo("shop");
    });
    assertThat(got.raw.stream().filter(e -> e.reportedCostMicros() != null).mapToLong(e -> e.reportedCostMicros()).sum())
        .isEqualTo(500_000);

    // a new step later: only it is read
    try (Connection c = db()) {
      insert(c, "part", "prt_4", "msg_1", 20, step(1, 1, 0.0));
    }
    Collected more = new Collected();
    logs.read(dir.resolve("opencode.db"), cursor, more::add);
    assertThat(more.raw).hasSize(1);
    assertThat(more.raw.get(0).dedupKey()).isEqualTo("opencode:src:prt_4");
  }
}
