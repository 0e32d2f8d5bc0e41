package io.mqproxy.app;

import io.mqproxy.config.ProxyConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators of the control plane. Configured ones are used as they are. With none, an embedded
 * proxy makes one ({@value #NAME}) whose random token is kept in the data folder, readable by the
 * proxy's user only, and says at start how to use it, so one command still gives a usable control
 * plane. Against an external cluster nobody is made: control calls are refused until one is added.
 */
final class OperatorToken {
    private static final Logger log = LoggerFactory.getLogger(OperatorToken.class);
    static final String NAME = "admin";
    static final String FILE = "operator.token";

    private OperatorToken() {
    }

    static List<ProxyConfig.Operator> operators(ProxyConfig config) {
        if (!config.admin().operators().isEmpty()) {
            return config.admin().operators();
        }
        if (!config.broker().embedded()) {
            log.warn("no operator configured (admin.operators): the control plane refuses every call until one is "
                + "added, e.g. admin.operators: [{name: alice, tokenEnv: MQPROXY_ALICE_TOKEN}]");
            return List.of();
        }
        Path file = Path.of(config.embedded().dataDir(), FILE);
        try {
            String token;
            if (Files.exists(file)) {
                token = Files.readString(file, StandardCharsets.UTF_8).trim();
            } else {
                byte[] random = new byte[24];
                new SecureRandom().nextBytes(random);
                token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
                SecretFile.write(file, token);
            }
            log.info("control plane: operator '{}', token in {}; e.g. curl -H \"Authorization: Bearer $(cat {})\" "
                + "http://{}:{}/admin/groups", NAME, file.toAbsolutePath(), file.toAbsolutePath(),
                config.admin().host(), config.admin().port());
            return List.of(new ProxyConfig.Operator(NAME, token, null));
        } catch (IOException e) {
            throw new IllegalStateException("operator token file " + file + " cannot be used: " + e.getMessage()
                + " (configure admin.operators instead)", e);
        }
    }
}
