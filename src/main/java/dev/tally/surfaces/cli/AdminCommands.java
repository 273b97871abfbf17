package dev.tally.surfaces.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.Tally;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Admin commands that talk to a running server: {@code tally people ...} and {@code tally tokens ...}. */
final class AdminCommands {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AdminCommands() {}

  /** Where the server is and the admin token, from options or the environment. */
  static final class ServerOptions {
    @Option(names = "--server", paramLabel = "URL", description = "The Tally server (default: $TALLY_SERVER, else http://localhost:8080).")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN",
        description = "An admin token (default: $TALLY_TOKEN; an option is visible in shell history, the variable is not). Without one, $TALLY_USER (default admin) and $TALLY_PASSWORD sign in.")
    String token;

    @Option(names = "--json", description = "Print the server's JSON answer.")
    boolean json;

    /** The server's base URL, without a trailing slash. */
    String base(Tally.Context ctx) {
      return (server != null ? server : ctx.env().getOrDefault("TALLY_SERVER", "http://localhost:8080")).replaceAll("/+$", "");
    }

    JsonNode call(Tally.Context ctx, String method, String path, JsonNode body) throws Exception {
      String base = base(ctx);
      String secret = token != null ? token : ctx.env().get("TALLY_TOKEN");
      String password = ctx.env().get("TALLY_PASSWORD");
      String auth;
      if (secret != null && !secret.isBlank()) {
        auth = "Bearer " + secret;
      } else if (password != null && !password.isBlank()) {
        // a user's password (the first admin's, say) until an admin token exists
        auth = "Basic " + java.util.Base64.getEncoder().encodeToString(
            (ctx.env().getOrDefault("TALLY_USER", "admin") + ":" + password).getBytes(StandardCharsets.UTF_8));
      } else {
        throw new IllegalArgumentException("not signed in: set TALLY_TOKEN to an admin token (or --token), or TALLY_PASSWORD"
            + " (and TALLY_USER, default admin) to a user's password");
      }
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
          .header("Authorization", auth).timeout(Duration.ofSeconds(30))
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()));
      HttpResponse<String> r;
      try {
        r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot reach the Tally server at " + base + " (" + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()) + "): is `tally serve` running there? (set TALLY_SERVER)");
      }
      JsonNode answer = r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
      if (r.statusCode() >= 400) {
        throw new IllegalStateException("server: " + answer.path("error").asText(r.body()));
      }
      return answer;
    }
  }

  @Command(name = "people", mixinStandardHelpOptions = true, description = "People and the identities they own (on the server).",
      subcommands = {People.ListPeople.class, People.Add.class, People.Map.class, People.Unmap.class, People.Merge.class},
      footer = {"", "Examples (with TALLY_SERVER and TALLY_TOKEN set):", "  tally people add \"Alice Smith\" --email alice@corp.com --team web",
          "  tally people map 3 openai-user:user_abc", "  tally people merge 7 3        (7's identities move to 3)",
          "  tally people unmap local:alice@old-laptop"})
  static final class People {
    @ParentCommand Tally tally;

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Everyone, with team and identities.")
    static final class ListPeople implements Callable<Integer> {
      @ParentCommand People parent;
      @Mixin ServerOptions server;
      @Spec CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        JsonNode people = server.call(parent.tally.context(), "GET", "/api/v1/people", null);
        PrintWriter out = spec.commandLine().getOut();
        if (server.json) {
          out.println(people.toPrettyString());
          return 0;
        }
        TextTable t = new TextTable(">Id", "Name", "Team", "Identities");
        for (JsonNode p : people) {
          List<String> ids = new java.util.ArrayList<>();
          p.path("identities").forEach(i -> ids.add(i.asText()));
          t.row(p.get("id").asText(), p.get("name").asText(), p.path("team").asText(""), String.join(", ", ids));
        }
        t.print(out);
        return 0;
      }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
        description = "Add a person (or, when one of the emails is known, add the others to that person).")
    static final class Add implements Callable<Integer> {
      @ParentCommand People parent;
      @Mixin ServerOptions server;
      @Spec CommandSpec spec;

      @Parameters(index = "0", paramLabel = "NAME")
      String name;

      @Option(names = "--email", paramLabel = "EMAIL", description = "An email address (repeatable).")
      List<String> emails = List.of();

      @Option(names = "--team", paramLabel = "TEAM")
      String team;

      @Override
      public Integer call() throws Exception {
        ObjectNode body = JSON.createObjectNode().put("name", name);
        if (team != null) {
          body.put("team", team);
        }
        emails.forEach(body.putArray("emails")::add);
        JsonNode p = server.call(parent.tally.context(), "POST", "/api/v1/people", body);
        spec.commandLine().getOut().println(server.json ? p.toPrettyString() : "person " + p.get("id") + ": " + p.get("name").asText());
        return 0;
      }
    }

    @Command(name = "map", mixinStandardHelpOptions = true, description = "Give an identity to a person; their past usage follows.")
    static final class Map implements Callable<Integer> {
      @ParentCommand People parent;
      @Mixin ServerOptions server;
      @Spec CommandSpec spec;

      @Parameters(index = "0", paramLabel = "PERSON_ID")
      long person;

      @Parameters(index = "1", paramLabel = "IDENTITY", description = "e.g. email:a@b.com, openai-user:user_abc, github:login")
      String identity;

      @Override
      public Integer call() throws Exception {
        server.call(parent.tally.context(), "POST", "/api/v1/people/" + person + "/identities",
            JSON.createObjectNode().put("identity", identity));
        spec.commandLine().getOut().println(identity + " now belongs to person " + person);
        return 0;
      }
    }

    @Command(name = "unmap", mixinStandardHelpOptions = true, description = "Split an identity off its person.")
    static final class Unmap implements Callable<Integer> {
      @ParentCommand People parent;
      @Mixin ServerOptions server;
      @Spec CommandSpec spec;

      @Parameters(index = "0", paramLabel = "IDENTITY")
      String identity;

      @Override
      public Integer call() throws Exception {
        server.call(parent.tally.context(), "DELETE", "/api/v1/identities/" + URLEncoder.encode(identity, StandardCharsets.UTF_8), null);
        spec.commandLine().getOut().println(identity + " belongs to nobody now and shows as itself");
        return 0;
      }
    }

    @Command(name = "merge", mixinStandardHelpOptions = true, description = "Move every identity of FROM to INTO and remove FROM.")
    static final class Merge implements Callable<Integer> {
      @ParentCommand People parent;
      @Mixin ServerOptions server;
      @Spec CommandSpec spec;

      @Parameters(index = "0", paramLabel = "FROM")
      long from;

      @Parameters(index = "1", paramLabel = "INTO")
      long into;

      @Override
      public Integer call() throws Exception {
        server.call(parent.tally.context(), "POST", "/api/v1/people/merge", JSON.createObjectNode().put("from", from).put("into", into));
        spec.commandLine().getOut().println("merged person " + from + " into " + into);
        return 0;
      }
    }
  }

  @Command(name = "tokens", mixinStandardHelpOptions = true, description = "API tokens (on the server).",
      subcommands = {Tokens.Create.class, Tokens.ListTokens.class, Tokens.Revoke.class},
      footer = {"", "Examples:", "  tally tokens create --name alice-laptop --scope agent --person 3",
          "  tally tokens list", "  tally tokens revoke 12"})
  static final class Tokens {
    @ParentCommand Tally tally;

    @Command(name = "create", mixinStandardHelpOptions = true, description = "A new token; its secret is printed once.")
    static final class Create implements Callable<Integer> {
      @ParentCommand Tokens parent;
      @Mixin ServerOptions server;
      @Spec CommandSpec spec;

      @Option(names = "--name", required = true)
      String name;

      @Option(names = "--scope", defaultValue = "agent", description = "agent (sends events for its person), read, or admin. Default: ${DEFAULT-VALUE}.")
      String scope;

      @Option(names = "--person", paramLabel = "ID", description = "The person an agent or read token belongs to.")
      Long person;

      @Override
      public Integer call() throws Exception {
        ObjectNode body = JSON.createObjectNode().put("name", name).put("scope", scope);
        if (person != null) {
          body.put("person", person);
        }
        JsonNode t = server.call(parent.tally.context(), "POST", "/api/v1/tokens", body);
        spec.commandLine().getOut().println(t.get("token").asText() + "\n(token " + t.get("id") + "; shown once: store it now)");
        return 0;
      }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Tokens (never their secrets).")
    static final class ListTokens implements Callable<Integer> {
      @ParentCommand Tokens parent;
      @Mixin ServerOptions server;
      @Spec CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        JsonNode tokens = server.call(parent.tally.context(), "GET", "/api/v1/tokens", null);
        TextTable t = new TextTable(">Id", "Prefix", "Name", "Scope", "Person", "Revoked");
        for (JsonNode k : tokens) {
          t.row(k.get("id").asText(), k.get("prefix").asText(), k.get("name").asText(), k.get("scope").asText(),
              k.path("person").asText(""), k.get("revoked").asBoolean() ? "yes" : "");
        }
        t.print(spec.commandLine().getOut());
        return 0;
      }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token; it stops working at once.")
    static final class Revoke implements Callable<Integer> {
      @ParentCommand Tokens parent;
      @Mixin ServerOptions server;
      @Spec CommandSpec spec;

      @Parameters(index = "0", paramLabel = "ID")
      long id;

      @Override
      public Integer call() throws Exception {
        server.call(parent.tally.context(), "DELETE", "/api/v1/tokens/" + id, null);
        spec.commandLine().getOut().println("token " + id + " revoked");
        return 0;
      }
    }
  }
}
