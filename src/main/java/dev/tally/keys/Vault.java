package dev.tally.keys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts provider keys with AES-256-GCM under a master key that never enters the database: from
 * {@code TALLY_MASTER_KEY} (32 bytes, base64), else a key file created at first start with mode 0600.
 * Each secret gets a fresh 96-bit nonce; its name is bound as associated data, so a ciphertext
 * copied onto another credential does not decrypt.
 */
public final class Vault {
  private static final String VERSION = "v1:";
  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  Vault(byte[] masterKey) {
    if (masterKey.length != 32) {
      throw new IllegalArgumentException("the master key must be 32 bytes (256 bits), base64-encoded; got " + masterKey.length + " bytes");
    }
    this.key = new SecretKeySpec(masterKey, "AES");
  }

  /** The master key from {@code TALLY_MASTER_KEY}, else from {@code keyFile} (created when missing). */
  public static Vault open(String fromEnvironment, Path keyFile) {
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return new Vault(decode(fromEnvironment.trim(), "TALLY_MASTER_KEY"));
    }
    try {
      if (!Files.exists(keyFile)) {
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        Files.createDirectories(keyFile.toAbsolutePath().getParent());
        try {
          Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
          Files.createFile(keyFile); // not a POSIX file system
        }
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(fresh) + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        return new Vault(fresh);
      }
      return new Vault(decode(Files.readString(keyFile).trim(), keyFile.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the master key file " + keyFile, e);
    }
  }

  private static byte[] decode(String base64, String where) {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the master key in " + where + " is not base64");
    }
  }

  public String encrypt(String name, String secret) {
    byte[] nonce = new byte[12];
    random.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      c.updateAAD(name.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = c.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[nonce.length + sealed.length];
      System.arraycopy(nonce, 0, out, 0, nonce.length);
      System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
      return VERSION + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** The secret; fails (without saying anything about it) when the master key is not the one it was sealed with. */
  public String decrypt(String name, String sealed) {
    if (!sealed.startsWith(VERSION)) {
      throw new IllegalArgumentException("provider key '" + name + "' is stored in an unknown format");
    }
    byte[] in = Base64.getDecoder().decode(sealed.substring(VERSION.length()));
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, 12));
      c.updateAAD(name.getBytes(StandardCharsets.UTF_8));
      return new String(c.doFinal(in, 12, in.length - 12), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot decrypt provider key '" + name + "': the master key differs from the one it was stored with");
    }
  }
}
