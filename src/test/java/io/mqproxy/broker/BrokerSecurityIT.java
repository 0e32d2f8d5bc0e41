package io.mqproxy.broker;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqproxy.config.ProxyConfig;
import io.mqproxy.testing.ClusterFixture;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.SelfSignedCert;
import io.mqproxy.testing.TestProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The proxy on a locked-down cluster of its own processes: a name server and a broker with ACL 2.0
 * (authentication and authorization on, one super user) and TLS enforced on every RocketMQ port, with a
 * self-signed certificate. The proxy's clients sign with broker.accessKey/secretKey and speak TLS with
 * broker.tls; wrong or missing keys stop start-up with a message naming the key and saying the broker
 * refused it.
 */
class BrokerSecurityIT {
    private static final String USER = "mqproxy";
    private static final String PASSWORD = "proxy-secret-1234";
    private static Path dir;
    private static SelfSignedCert brokerCert;
    private static ClusterFixture cluster;
    private static String topic;

    @BeforeAll
    static void lockedDownCluster() throws Exception {
        dir = Files.createTempDirectory("mqproxy-secure-cluster");
        brokerCert = SelfSignedCert.create(dir, "broker");
        cluster = ClusterFixture.start(dir, new ClusterFixture.Options(List.of("broker-secure"),
            new String[] {USER, PASSWORD}, brokerCert, 256));
        topic = cluster.newTopic("secure", 2);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static TestProxy.Builder proxy() {
        return TestProxy.builder().namesrvAddr(cluster.namesrvAddr())
            .producer("secure-producer", topic)
            .consumer("secure-consumer", topic, Map.of("pop", true))
            .set("broker.tls.enabled", "true")
            .set("broker.tls.trustCertFile", brokerCert.certFile().toString());
    }

    @Test
    void rightKeys_overVerifiedTls_produceAndConsume() {
        try (TestProxy proxy = proxy().set("broker.accessKey", USER).set("broker.secretKey", PASSWORD).start()) {
            Reply produced = proxy.client().produce(form("producer", "secure-producer", "message", "signed"));
            assertThat(produced.status()).as(produced.raw().body()).isEqualTo(200);
            Consumer consumer = new Consumer(proxy.client(), topic, "secure-consumer").with("pop", "true");
            Reply polled = consumer.poll();
            for (int i = 0; i < 30 && !Consumer.bodies(polled).contains("signed"); i++) {
                polled = consumer.poll();
            }
            assertThat(Consumer.bodies(polled)).as(polled.raw().body()).contains("signed");
            assertThat(consumer.call("/mq/ack").result().path("status").asText()).isEqualTo("OK");
            assertThat(proxy.client().get(proxy.client().producePort(), "/ready").httpStatus()).isEqualTo(200);
        }
    }

    @Test
    void wrongSecret_stopsStartUp_namingTheKey_andSayingTheBrokerRefusedIt() {
        assertThatThrownBy(() -> proxy().set("broker.accessKey", USER).set("broker.secretKey", "not-the-secret").start())
            .hasMessageContaining("broker.secretKey").hasMessageContaining("refused")
            .hasMessageContaining(cluster.brokerAddr("broker-secure"))
            .hasMessageNotContaining("not-the-secret");
    }

    @Test
    void unknownAccessKey_stopsStartUp_namingTheKey() {
        assertThatThrownBy(() -> proxy().set("broker.accessKey", "nobody").set("broker.secretKey", PASSWORD).start())
            .hasMessageContaining("broker.accessKey 'nobody'").hasMessageContaining("refused");
    }

    @Test
    void noKeys_onAnAclCluster_stopsStartUp_sayingWhichKeysToSet() {
        assertThatThrownBy(() -> proxy().start())
            .hasMessageContaining("refused").hasMessageContaining("broker.accessKey")
            .hasMessageContaining("broker.secretKey");
    }

    /**
     * Nothing reaches a cluster that enforces TLS without it, or whose certificate the proxy does not
     * trust: the proxy's clients (as the proxy makes them) get no answer from the brokers, so readiness is
     * down and a send is never a success.
     */
    @Test
    void withoutTls_orTrustingAnotherCertificate_nothingIsServed() throws Exception {
        SelfSignedCert stranger = SelfSignedCert.create(dir, "stranger");
        for (TestProxy.Builder builder : List.of(
            proxy().set("broker.tls.enabled", "false").set("broker.tls.trustCertFile", ""),
            proxy().set("broker.tls.trustCertFile", stranger.certFile().toString()))) {
            ProxyConfig config = builder.set("broker.accessKey", USER).set("broker.secretKey", PASSWORD)
                .set("broker.sendTimeoutMillis", "1000").config();
            try (BrokerAccess access = BrokerAccess.connect(config.broker().namesrvAddr(), config,
                () -> java.util.Set.of(topic), io.mqproxy.threads.ThreadPools.unmetered())) {
                assertThat(access.health().probeNow()).as("ready with broker.tls %s", config.broker().tls()).isFalse();
                var sent = access.producer().send(new OutgoingMessage(topic, "in clear?".getBytes(
                    java.nio.charset.StandardCharsets.UTF_8), null, null, null, 0, 0, false, Map.of()));
                assertThatThrownBy(() -> sent.get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .hasCauseInstanceOf(BrokerFailure.class);
            }
        }
    }
}
