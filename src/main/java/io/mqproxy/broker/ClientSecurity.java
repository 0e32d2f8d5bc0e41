package io.mqproxy.broker;

import io.mqproxy.config.ProxyConfig;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.ClientConfig;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.remoting.netty.TlsHelper;
import org.apache.rocketmq.remoting.netty.TlsSystemConfig;

/**
 * How every RocketMQ client of the proxy (producer, admin, reader) proves who it is and protects the
 * link: requests signed with {@code broker.accessKey}/{@code secretKey} (RocketMQ's ACL hook), and TLS
 * to name servers and brokers ({@code broker.tls}).
 *
 * <p>RocketMQ's client reads its TLS settings from process-wide statics when a client connection factory
 * is built, that is when a client starts. So the proxy's settings are put in place only around its own
 * clients' start and the previous values restored after: other RocketMQ code in the same JVM (an embedded
 * broker's servers, other proxies in a test JVM) keeps its own.
 */
final class ClientSecurity {
    private final RPCHook hook;
    private final ProxyConfig.BrokerTls tls;
    private final String clientIp;

    private ClientSecurity(RPCHook hook, ProxyConfig.BrokerTls tls, String clientIp) {
        this.hook = hook;
        this.tls = tls;
        this.clientIp = clientIp;
    }

    /**
     * @param clientIp the address the clients name themselves by (their clientId), or null: RocketMQ's
     *                 default, the machine's first non-loopback address
     */
    static ClientSecurity of(ProxyConfig.Broker broker, String clientIp) {
        RPCHook hook = broker.signed()
            ? new AclClientRPCHook(new SessionCredentials(broker.accessKey(), broker.secretKey())) : null;
        return new ClientSecurity(hook, broker.tls(), clientIp);
    }

    /** The signing hook for a client's constructor, or null when the proxy sends no credentials. */
    RPCHook hook() {
        return hook;
    }

    /** A client start that may throw RocketMQ's checked exception. */
    interface Start {
        void run() throws MQClientException;
    }

    /** Starts {@code client} with TLS as configured (its connections are made with the settings in force now). */
    void start(ClientConfig client, Start start) throws MQClientException {
        client.setUseTLS(tls.enabled());
        if (clientIp != null) {
            client.setClientIP(clientIp);
        }
        if (!tls.enabled()) {
            start.run();
            return;
        }
        synchronized (TlsStatics.LOCK) {
            Saved saved = Saved.now();
            try {
                apply();
                // RocketMQ logs a context it cannot build and then connects in clear: build it here first,
                // so a bad file stops start-up instead.
                try {
                    TlsHelper.buildSslContext(true);
                } catch (Exception e) {
                    throw new IllegalStateException("broker.tls: the client TLS context cannot be built from "
                        + "broker.tls.trustCertFile / certFile / keyFile: " + e.getMessage(), e);
                }
                start.run();
            } finally {
                saved.restore();
            }
        }
    }

    private void apply() {
        // Only the proxy's own settings: RocketMQ's /etc/rocketmq/tls.properties would override them.
        TlsSystemConfig.tlsConfigFile = "";
        boolean verifyServer = given(tls.trustCertFile());
        boolean clientCert = given(tls.certFile());
        // Test mode trusts any server and sends no client certificate; anything else needs it off.
        TlsSystemConfig.tlsTestModeEnable = !verifyServer && !clientCert;
        TlsSystemConfig.tlsClientAuthServer = verifyServer;
        TlsSystemConfig.tlsClientTrustCertPath = verifyServer ? tls.trustCertFile() : null;
        TlsSystemConfig.tlsClientCertPath = clientCert ? tls.certFile() : null;
        TlsSystemConfig.tlsClientKeyPath = clientCert ? tls.keyFile() : null;
        TlsSystemConfig.tlsClientKeyPassword = null;
    }

    private static boolean given(String file) {
        return file != null && !file.isEmpty();
    }

    private record Saved(String configFile, boolean testMode, boolean authServer, String trustCertPath,
                         String certPath, String keyPath, String keyPassword) {
        static Saved now() {
            return new Saved(TlsSystemConfig.tlsConfigFile, TlsSystemConfig.tlsTestModeEnable,
                TlsSystemConfig.tlsClientAuthServer, TlsSystemConfig.tlsClientTrustCertPath,
                TlsSystemConfig.tlsClientCertPath, TlsSystemConfig.tlsClientKeyPath,
                TlsSystemConfig.tlsClientKeyPassword);
        }

        void restore() {
            TlsSystemConfig.tlsConfigFile = configFile;
            TlsSystemConfig.tlsTestModeEnable = testMode;
            TlsSystemConfig.tlsClientAuthServer = authServer;
            TlsSystemConfig.tlsClientTrustCertPath = trustCertPath;
            TlsSystemConfig.tlsClientCertPath = certPath;
            TlsSystemConfig.tlsClientKeyPath = keyPath;
            TlsSystemConfig.tlsClientKeyPassword = keyPassword;
        }
    }
}
