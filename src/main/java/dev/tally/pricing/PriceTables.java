package dev.tally.pricing;

import dev.tally.TallyHome;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Loads the effective price table of a Tally installation and imports LiteLLM prices.
 *
 * <p>Layers, later ones winning per model key: the shipped table; {@code
 * <dataDir>/prices-imported.json} when {@code tally prices import} has written one; {@code
 * <configDir>/price-overrides.json} when the user has written one. The effective version names
 * each layer, e.g. {@code 2026-11-23.1+imp:ab12cd+ovr:3f4e5a}: the shipped table's version, the
 * imported file's version (a hash of the LiteLLM file it came from) and a hash of the override
 * file's bytes. Any change to any layer changes the version stored with new costs.
 */
public final class PriceTables {

  public static final String IMPORTED_FILE = "prices-imported.json";
  public static final String OVERRIDES_FILE = "price-overrides.json";

  /** Where {@code tally prices import} downloads from when asked for the default. */
  public static final String LITELLM_URL =
      "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json";

  private static final int HASH_CHARS = 6;
  private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);

  private PriceTables() {}

  /**
   * The effective table: shipped, then imported, then overrides.
   *
   * @throws PriceFileException when the imported or the override file is unreadable or malformed
   *     (the message names the file and the problem)
   */
  public static PriceTable load(TallyHome home) {
    PriceTable shipped = PriceTable.shipped();
    List<PriceTable> layers = new ArrayList<>(List.of(shipped));
    StringBuilder version = new StringBuilder(shipped.version());

    Path imported = importedFile(home);
    String importedJson = readIfExists(imported);
    if (importedJson != null) {
      PriceTable t = PriceTable.parse(importedJson, imported.toString(), PriceLayer.IMPORTED);
      layers.add(t);
      version.append("+imp:").append(t.version());
    }
    Path overrides = overridesFile(home);
    String overridesJson = readIfExists(overrides);
    if (overridesJson != null) {
      layers.add(PriceTable.parse(overridesJson, overrides.toString(), PriceLayer.OVERRIDE));
      version.append("+ovr:").append(hash(overridesJson.getBytes(StandardCharsets.UTF_8)));
    }
    return layers.size() == 1 ? shipped : PriceTable.layered(version.toString(), layers);
  }

  public static Path importedFile(TallyHome home) {
    return home.dataDir().resolve(IMPORTED_FILE);
  }

  public static Path overridesFile(TallyHome home) {
    return home.configDir().resolve(OVERRIDES_FILE);
  }

  /**
   * What an import did.
   *
   * @param table the imported prices (version = hash of the LiteLLM file)
   * @param imported number of models imported
   * @param skipped entries skipped, by reason (not a model, not a chat model, no input price, ...)
   * @param file where the table was written
   */
  public record ImportResult(PriceTable table, int imported, Map<String, Integer> skipped, Path file) {
    public int skippedCount() {
      return skipped.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /**
   * Converts a LiteLLM price file and writes it atomically to {@code <dataDir>/prices-imported.json},
   * replacing an earlier import.
   *
   * @param content the LiteLLM file's bytes (UTF-8 JSON)
   * @param origin file name or URL, for messages and the written file's {@code source}
   * @throws PriceFileException when the content is not a LiteLLM price file
   * @throws IOException when the file cannot be written
   */
  public static ImportResult importLiteLlm(TallyHome home, byte[] content, String origin)
      throws IOException {
    String json = utf8(content, origin);
    LiteLlmImport.Result r = LiteLlmImport.parse(json, origin);
    PriceTable table = PriceTable.of(hash(content), r.models(), PriceLayer.IMPORTED);
    Path file = importedFile(home);
    writeAtomically(file, table.toJson("LiteLLM prices imported from " + origin));
    return new ImportResult(table, r.models().size(), r.skipped(), file);
  }

  /**
   * Reads a file path or downloads an http(s) URL.
   *
   * @throws IOException with a message naming the file or URL
   */
  public static byte[] readSource(String fileOrUrl) throws IOException {
    String s = fileOrUrl.strip();
    if (s.startsWith("http://") || s.startsWith("https://")) {
      HttpClient client = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT)
          .followRedirects(HttpClient.Redirect.NORMAL).build();
      HttpRequest req = HttpRequest.newBuilder(URI.create(s)).timeout(HTTP_TIMEOUT).GET().build();
      try {
        HttpResponse<byte[]> resp = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
        if (resp.statusCode() != 200) {
          throw new IOException(s + ": HTTP " + resp.statusCode());
        }
        return resp.body();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(s + ": download interrupted", e);
      } catch (IOException e) {
        throw e.getMessage() != null && e.getMessage().startsWith(s) ? e
            : new IOException(s + ": download failed: " + e, e);
      }
    }
    try {
      return Files.readAllBytes(Path.of(s));
    } catch (NoSuchFileException e) {
      throw new IOException(s + ": no such file", e);
    }
  }

  // ---- internals ----------------------------------------------------------------------------

  private static String readIfExists(Path file) {
    try {
      return Files.exists(file) ? utf8(Files.readAllBytes(file), file.toString()) : null;
    } catch (IOException e) {
      throw new PriceFileException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static String utf8(byte[] bytes, String origin) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new PriceFileException(origin + ": not UTF-8 text", e);
    }
  }

  static void writeAtomically(Path file, String content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static String hash(byte[] bytes) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
      return HexFormat.of().formatHex(d).substring(0, HASH_CHARS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
