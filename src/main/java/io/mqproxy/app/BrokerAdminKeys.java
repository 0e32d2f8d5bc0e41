package io.mqproxy.app;

import io.mqproxy.broker.embedded.EmbeddedBroker;
import io.mqproxy.config.ProxyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The embedded broker's one user (embedded.acl): made at the first start, kept in the data folder in a
 * file only the proxy's user can read, read again at every later start (the broker keeps its users in
 * memory only, so deleting the file and restarting makes new keys). The access key is random too: nobody
 * knows the user's name without the file.
 */
final class BrokerAdminKeys {
    static final String FILE = "broker-admin.keys";
    private static final String ACCESS_KEY = "accessKey=";
    private static final String SECRET_KEY = "secretKey=";

    private BrokerAdminKeys() {
    }

    static EmbeddedBroker.User resolve(ProxyConfig.Embedded config) {
        Path file = Path.of(config.dataDir(), FILE);
        try {
            if (Files.exists(file)) {
                return read(file);
            }
            SecureRandom random = new SecureRandom();
            byte[] id = new byte[6];
            random.nextBytes(id);
            byte[] secret = new byte[32];
            random.nextBytes(secret);
            EmbeddedBroker.User user = new EmbeddedBroker.User("mqproxy-" + HexFormat.of().formatHex(id),
                Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
            SecretFile.write(file, ACCESS_KEY + user.accessKey() + "\n" + SECRET_KEY + user.secretKey() + "\n");
            return user;
        } catch (IOException | IllegalArgumentException e) {
            // The message never carries the file's content.
            throw new IllegalStateException("embedded broker keys file " + file + " cannot be used: " + e.getMessage()
                + " (delete it to make new keys, or set embedded.acl=false)", e);
        }
    }

    private static EmbeddedBroker.User read(Path file) throws IOException {
        String accessKey = null;
        String secretKey = null;
        List<String> lines = Files.readAllLines(file);
        for (String line : lines) {
            if (line.startsWith(ACCESS_KEY)) {
                accessKey = line.substring(ACCESS_KEY.length()).trim();
            } else if (line.startsWith(SECRET_KEY)) {
                secretKey = line.substring(SECRET_KEY.length()).trim();
            }
        }
        if (accessKey == null || accessKey.isEmpty() || secretKey == null || secretKey.isEmpty()) {
            throw new IllegalArgumentException("it needs an accessKey= and a secretKey= line");
        }
        return new EmbeddedBroker.User(accessKey, secretKey);
    }
}
