package dev.tally.directory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes (Bouncy Castle), stored as
 * {@code argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>} (the OWASP minimum parameters).
 */
final class Passwords {
  private static final int MEMORY_KB = 19_456;
  private static final int ITERATIONS = 2;
  private static final int PARALLELISM = 1;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Passwords() {}

  static String hash(String password) {
    if (password == null || password.length() < 8) {
      throw new IllegalArgumentException("passwords need at least 8 characters");
    }
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    byte[] hash = derive(password, salt, MEMORY_KB, ITERATIONS, PARALLELISM);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return "argon2id$v=19$m=" + MEMORY_KB + ",t=" + ITERATIONS + ",p=" + PARALLELISM + "$" + b64.encodeToString(salt)
        + "$" + b64.encodeToString(hash);
  }

  static boolean verify(String password, String stored) {
    String[] parts = stored.split("\\$");
    if (parts.length != 5 || !parts[0].equals("argon2id")) {
      return false;
    }
    int m = 0;
    int t = 0;
    int p = 0;
    for (String kv : parts[2].split(",")) {
      int v = Integer.parseInt(kv.substring(2));
      switch (kv.charAt(0)) {
        case 'm' -> m = v;
        case 't' -> t = v;
        case 'p' -> p = v;
        default -> {
          return false;
        }
      }
    }
    byte[] salt = Base64.getDecoder().decode(parts[3]);
    byte[] expected = Base64.getDecoder().decode(parts[4]);
    return MessageDigest.isEqual(expected, derive(password == null ? "" : password, salt, m, t, p));
  }

  private static byte[] derive(String password, byte[] salt, int memoryKb, int iterations, int parallelism) {
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withSalt(salt).withMemoryAsKB(memoryKb).withIterations(iterations).withParallelism(parallelism).build());
    byte[] out = new byte[32];
    g.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
