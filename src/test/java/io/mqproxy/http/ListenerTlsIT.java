package io.mqproxy.http;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.SelfSignedCert;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the listeners (http.tls, admin.tls) with a self-signed certificate made by openssl: a client
 * that trusts it gets the same envelopes as over plain HTTP; plain HTTP to a TLS port, and a client that
 * does not trust the certificate, get nothing; unusable files stop start-up naming their key; the console's
 * session cookie is Secure on a TLS admin port.
 */
class ListenerTlsIT {
    private static final String OPERATOR = "tls-operator-token-0123456789";
    @TempDir
    static Path dir;
    private static SelfSignedCert cert;

    @BeforeAll
    static void certificate() {
        cert = SelfSignedCert.create(dir, "listener");
    }

    private static TestProxy.Builder tlsProxy(String topic, boolean adminTls) {
        return TestProxy.builder()
            .producer("tls-producer", topic)
            .consumer("tls-consumer", topic, Map.of())
            .set("http.tls.enabled", "true")
            .set("http.tls.certFile", cert.certFile().toString())
            .set("http.tls.keyFile", cert.keyFile().toString())
            .set("admin.tls", Boolean.toString(adminTls));
    }

    @Test
    void httpsClientTrustingTheCertificate_producesAndConsumes_onEveryPort() {
        String topic = TestBroker.get().newTopic("tls", 2);
        try (TestProxy proxy = tlsProxy(topic, true).operator("tls-ops", OPERATOR).start()) {
            ProxyClient plain = proxy.client();
            ProxyClient https = new ProxyClient(plain.producePort(), plain.consumePort(), plain.adminPort(),
                cert.trustingIt());

            Reply produced = https.produce(form("producer", "tls-producer", "message", "over tls"));
            assertThat(produced.httpStatus()).isEqualTo(200);
            assertThat(produced.status()).as(produced.raw().body()).isEqualTo(200);
            assertThat(produced.result().path("msgId").asText()).isNotBlank();
            assertThat(produced.raw().sslSession()).isPresent();

            Consumer consumer = new Consumer(https, topic, "tls-consumer");
            Reply polled = consumer.poll();
            for (int i = 0; i < 20 && Consumer.bodies(polled).isEmpty(); i++) {
                polled = consumer.poll();
            }
            assertThat(polled.status()).as(polled.raw().body()).isEqualTo(200);
            assertThat(Consumer.bodies(polled)).containsExactly("over tls");
            Reply acked = consumer.call("/mq/ack");
            assertThat(acked.result().path("status").asText()).as(acked.raw().body()).isEqualTo("OK");

            for (int port : new int[] {https.producePort(), https.consumePort(), https.adminPort()}) {
                assertThat(https.get(port, "/ready").httpStatus()).as("ready over https on %d", port).isEqualTo(200);
            }
            assertThat(https.get(https.adminPort(), "/metrics").raw().body()).contains("mqproxy_");

            // The console's session cookie is Secure once the admin port speaks TLS: never sent back in clear.
            Reply login = https.send(HttpRequest.newBuilder(https.uri(https.adminPort(), "/console/api/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + OPERATOR + "\"}")));
            assertThat(login.httpStatus()).as(login.raw().body()).isEqualTo(200);
            assertThat(login.raw().headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c)
                .contains("; Secure").containsIgnoringCase("; HttpOnly").contains("SameSite=Strict"));
        }
    }

    /**
     * Issue 21: under TLS the admin port tells browsers to come back only over HTTPS (HSTS), and every cookie a
     * TLS listener sets is Secure: the console's session and the data port's {@code mqproxy-requestId-*}.
     */
    @Test
    void underTls_theAdminPortSendsHsts_andEveryCookieIsSecure() {
        String topic = TestBroker.get().newTopic("tls-hsts", 1);
        try (TestProxy proxy = tlsProxy(topic, true).operator("tls-ops", OPERATOR).start()) {
            ProxyClient plain = proxy.client();
            ProxyClient https = new ProxyClient(plain.producePort(), plain.consumePort(), plain.adminPort(),
                cert.trustingIt());
            for (String path : new String[] {"/ready", "/admin/groups", "/console/login", "/no-such-path"}) {
                Reply reply = https.admin("GET", path, OPERATOR, null);
                assertThat(reply.raw().headers().firstValue("Strict-Transport-Security")).as("HSTS on %s", path)
                    .hasValue("max-age=31536000");
            }
            assertThat(https.get(https.consumePort(), "/ready").raw().headers()
                .firstValue("Strict-Transport-Security")).as("not on the data ports").isEmpty();

            Reply produced = https.produce(form("producer", "tls-producer", "message", "cookie"));
            assertThat(produced.status()).as(produced.raw().body()).isEqualTo(200);
            Reply polled = new Consumer(https, topic, "tls-consumer").with("useCookie", "true").poll();
            assertThat(polled.status()).as(polled.raw().body()).isEqualTo(200);
            assertThat(polled.raw().headers().allValues("Set-Cookie")).as("the requestId cookie")
                .anySatisfy(c -> assertThat(c).startsWith("mqproxy-requestId-tls-consumer=").contains("; Secure"));
        }
    }

    @Test
    void plainHttpToATlsPort_andAClientThatDoesNotTrustTheCertificate_getNothing() {
        String topic = TestBroker.get().newTopic("tls-refused", 1);
        try (TestProxy proxy = tlsProxy(topic, false).start()) {
            ProxyClient plain = proxy.client();
            assertThatThrownBy(() -> plain.produce(form("producer", "tls-producer", "message", "in clear")))
                .as("plain HTTP to the TLS produce port").isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> plain.get(plain.consumePort(), "/ready"))
                .as("plain HTTP to the TLS consume port").isInstanceOf(IllegalStateException.class);

            ProxyClient untrusting = new ProxyClient(plain.producePort(), plain.consumePort(), plain.adminPort(),
                defaultContext());
            assertThatThrownBy(() -> untrusting.produce(form("producer", "tls-producer", "message", "unverified")))
                .hasCauseInstanceOf(javax.net.ssl.SSLHandshakeException.class);

            // admin.tls false: the admin port (localhost) stays plain HTTP.
            assertThat(plain.get(plain.adminPort(), "/ready").httpStatus()).isEqualTo(200);
        }
    }

    @Test
    void unusableCertificateOrKey_stopsStartUp_namingTheKey() {
        String topic = TestBroker.get().newTopic("tls-bad", 1);
        assertThatThrownBy(() -> tlsProxy(topic, false).set("http.tls.keyFile", cert.certFile().toString()).start())
            .hasMessageContaining("http.tls.keyFile");
        SelfSignedCert other = SelfSignedCert.create(dir, "other");
        assertThatThrownBy(() -> tlsProxy(topic, false).set("http.tls.keyFile", other.keyFile().toString()).start())
            .hasMessageContaining("http.tls.certFile").hasMessageContaining("http.tls.keyFile")
            .hasMessageContaining("does not belong");
    }

    private static SSLContext defaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
