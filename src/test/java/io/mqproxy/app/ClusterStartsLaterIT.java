package io.mqproxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.mqproxy.broker.RocketMqRuntime;
import io.mqproxy.broker.embedded.EmbeddedBroker;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.testing.FreePorts;
import io.mqproxy.testing.LogCapture;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A proxy started before its cluster (compose, Kubernetes: everything starts at once): it is up at once,
 * unready while no name server answers, and once one does, it creates the topics it needs itself (the
 * audit topic, the registry log) without a restart, so operators' changes work and are audited.
 */
class ClusterStartsLaterIT {
    private static final String TOKEN = "late-cluster-token-0123456789";

    @Test
    void proxyStartedBeforeItsNameServer_isUp_andCreatesAuditAndRegistryLogOnceTheClusterAnswers()
        throws Exception {
        Path data = Files.createTempDirectory("mqproxy-late-cluster");
        // Before any RocketMQ class loads in this JVM, as the shared test broker does.
        RocketMqRuntime.prepare(data.resolve("logs"));
        int namesrvPort = FreePorts.any();
        try (LogCapture logs = LogCapture.attach(Level.INFO);
             TestProxy proxy = TestProxy.builder()
                 .namesrvAddr("127.0.0.1:" + namesrvPort)
                 .operator("ops", TOKEN)
                 .start()) {
            ProxyClient client = proxy.client();
            // Up and unready while no name server answers, through more than one round of tries (every 3 s).
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(() ->
                client.get(client.adminPort(), "/ready").httpStatus() == 503
                    && client.get(client.adminPort(), "/health").httpStatus() == 200);
            // An operator's topic creation fails at once, saying why.
            Reply down = client.admin("POST", "/admin/topics", TOKEN, "{\"name\":\"late-down\",\"queues\":1}");
            assertThat(down.httpStatus()).isNotEqualTo(200);
            assertThat(down.message()).contains("no name server answers");

            try (EmbeddedBroker cluster = EmbeddedBroker.start(new ProxyConfig.Embedded(data.toString(),
                "127.0.0.1", namesrvPort, FreePorts.forBroker(), "broker-late", 16, 1_000, 10_000, false),
                "DefaultCluster", null)) {
                await("audit topic and registry log created once the name server answers")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> logs.all().stream().anyMatch(l -> l.contains("audit topic MQPROXY_AUDIT created"))
                        && logs.all().stream().anyMatch(l -> l.contains("registry log topic MQPROXY_REGISTRY_LOG "
                        + "created")));
                await().atMost(Duration.ofSeconds(30))
                    .until(() -> client.get(client.adminPort(), "/ready").httpStatus() == 200);

                String topic = "late-topic-" + System.nanoTime() % 100_000;
                ok(client.admin("POST", "/admin/topics", TOKEN, "{\"name\":\"" + topic + "\",\"queues\":1}"));
                // A run-time registration: a compare-and-set through the registry log.
                ok(client.admin("POST", "/admin/producers", TOKEN,
                    "{\"name\":\"late-producer\",\"topic\":\"" + topic + "\"}"));
                assertThat(ok(client.admin("GET", "/admin/producers", TOKEN, null)).result().toString())
                    .contains("late-producer");
                Reply audit = await().atMost(Duration.ofSeconds(10)).until(() -> ok(client.admin("GET",
                    "/admin/audit?target=late-producer", TOKEN, null)), r -> !r.result().isEmpty());
                assertThat(audit.result()).singleElement().satisfies(r -> {
                    assertThat(r.path("action").asText()).isEqualTo("register-producer");
                    assertThat(r.path("result").asText()).isEqualTo("ok");
                    assertThat(r.path("operator").asText()).isEqualTo("ops");
                });
            }
            // Said once when it first failed, not at every retry.
            assertThat(logs.all()).filteredOn(l -> l.contains("missing and not created")).hasSize(2);
        }
    }

    private static Reply ok(Reply reply) {
        assertThat(reply.httpStatus()).as(reply.raw().body()).isEqualTo(200);
        return reply;
    }
}
