package io.mqproxy.app;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.TestProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The default mode: the proxy with its own embedded broker. A restart on the same data folder finds
 * its messages, its consumers' progress, and accepts requestIds issued before the restart.
 */
class EmbeddedRestartIT {
    @Test
    void restartOnSameDataFolder_keepsMessagesProgressAndRequestIds() throws Exception {
        Path data = Files.createTempDirectory("mqproxy-embedded");
        TestProxy.Builder builder = TestProxy.builder().embedded(data)
            .producer("restart-producer", "restart-topic")
            .consumer("restart-consumer", "restart-topic", Map.of("pop", true));
        String pending;
        try (TestProxy first = builder.start()) {
            await().atMost(Duration.ofSeconds(30))
                .until(() -> first.client().get(first.client().producePort(), "/ready").httpStatus() == 200);
            assertThat(first.client().produce(form("producer", "restart-producer", "message", "before-1"))
                .status()).isEqualTo(200);
            Consumer c = new Consumer(first.client(), "restart-topic", "restart-consumer");
            assertThat(Consumer.bodies(c.poll())).containsExactly("before-1");
            assertThat(first.client().produce(form("producer", "restart-producer", "message", "before-2"))
                .status()).isEqualTo(200);
            // This poll acks before-1 and takes before-2, whose ack waits for after the restart.
            assertThat(Consumer.bodies(c.poll())).containsExactly("before-2");
            pending = c.requestId();
        }
        try (TestProxy second = builder.start()) {
            Consumer c = new Consumer(second.client(), "restart-topic", "restart-consumer");
            c.requestId(pending);
            var ack = c.call("/mq/ack");
            assertThat(ack.status()).as(ack.body().toString()).isEqualTo(200);
            assertThat(ack.result().path("status").asText()).isEqualTo("OK");
            assertThat(second.client().produce(form("producer", "restart-producer", "message", "after"))
                .status()).isEqualTo(200);
            c.requestId("");
            assertThat(Consumer.bodies(c.poll())).containsExactly("after");
        }
    }
}
