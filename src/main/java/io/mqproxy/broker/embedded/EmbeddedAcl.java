package io.mqproxy.broker.embedded;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mqproxy.config.ProxyConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.auth.authentication.provider.DefaultAuthenticationProvider;
import org.apache.rocketmq.auth.config.AuthConfig;

/** The embedded name server's and broker's ACL 2.0 settings (embedded.acl). */
final class EmbeddedAcl {
    /** Brokers started in this JVM: each gets its own ACL state (see {@link #authConfig}). */
    private static final AtomicInteger STARTS = new AtomicInteger();

    private EmbeddedAcl() {
    }

    /**
     * ACL 2.0 authentication with one super user. RocketMQ creates the user at the broker's construction
     * ({@code initAuthenticationUser}) and signs the broker's own requests to the name server with it
     * ({@code innerClientAuthenticationCredentials}). Authorization stays off: it lets a super user through
     * without looking further ({@code UserAuthorizationHandler}), and there is no other user.
     *
     * <p>RocketMQ keeps providers and evaluators in JVM-wide maps keyed by {@code configName}; a broker
     * started again in the same JVM (tests, a restart on the same folder) would otherwise get its
     * predecessor's, shut down with it. Hence a name of its own per start.
     */
    static AuthConfig authConfig(Path root, ProxyConfig.Embedded cfg, String clusterName,
                                 EmbeddedBroker.User admin) {
        AuthConfig auth = new AuthConfig();
        auth.setConfigName(cfg.brokerName() + "-" + STARTS.incrementAndGet());
        auth.setClusterName(clusterName);
        auth.setAuthConfigPath(root.resolve("store").resolve("config").toString());
        auth.setAuthenticationEnabled(true);
        auth.setAuthenticationProvider(DefaultAuthenticationProvider.class.getName());
        auth.setAuthenticationMetadataProvider(MemoryAuthenticationMetadataProvider.class.getName());
        auth.setAuthorizationEnabled(false);
        ObjectMapper json = new ObjectMapper();
        try {
            auth.setInitAuthenticationUser(json.writeValueAsString(
                Map.of("username", admin.accessKey(), "password", admin.secretKey())));
            auth.setInnerClientAuthenticationCredentials(json.writeValueAsString(
                Map.of("accessKey", admin.accessKey(), "secretKey", admin.secretKey())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("embedded broker user cannot be written as JSON", e);
        }
        return auth;
    }
}
