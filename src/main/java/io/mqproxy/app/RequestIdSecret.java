package io.mqproxy.app;

import io.mqproxy.config.ProxyConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The key that signs requestIds. Configured, it is shared by every instance; in embedded mode
 * without one, a random key is kept in the data folder so a restart still accepts earlier requestIds.
 */
final class RequestIdSecret {
    private static final String FILE = "requestid.secret";

    private RequestIdSecret() {
    }

    /** The key before the last rotation, or null. */
    static byte[] previous(ProxyConfig config) {
        String previous = config.consume().previousRequestIdSecret();
        return previous == null || previous.isBlank() ? null : previous.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] resolve(ProxyConfig config) {
        String configured = config.consume().requestIdSecret();
        if (configured != null && !configured.isBlank()) {
            return configured.getBytes(StandardCharsets.UTF_8);
        }
        Path file = Path.of(config.embedded().dataDir(), FILE);
        try {
            if (Files.exists(file)) {
                return Base64.getDecoder().decode(Files.readString(file).trim());
            }
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            SecretFile.write(file, Base64.getEncoder().encodeToString(key));
            return key;
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("requestId secret file " + file + " cannot be used: " + e.getMessage()
                + " (set consume.requestIdSecret instead)", e);
        }
    }
}
