package io.mqproxy.faults;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.FreePorts;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nginx configuration docs/load-balancers ships, with only addresses and paths changed: nginx -t
 * accepts it, produce and consume work through it, and with one instance stopped requests still succeed
 * on the other (nginx's next upstream). HAProxy's file is run by RollingRestartIT.
 */
class LoadBalancerConfigIT {
    @TempDir
    Path dir;

    @Test
    void shippedNginxConfiguration_passesItsCheck_andServesThroughEitherInstance() throws Exception {
        String topic = TestBroker.get().newTopic("nginx", 2);
        TestProxy.Builder builder = TestProxy.builder().producer("nginx-producer", topic)
            .consumer("nginx-consumer", topic, Map.of("pop", true));
        TestProxy one = builder.start();
        boolean oneStopped = false;
        try (TestProxy two = builder.start()) {
            ProxyClient balanced = new ProxyClient(FreePorts.any(), FreePorts.any(), 0);
            try (LoadBalancer nginx = LoadBalancer.nginx(dir, balanced.producePort(), balanced.consumePort(),
                List.of(one.client(), two.client()))) {
                awaitListening(balanced, nginx);
                for (int i = 0; i < 4; i++) {
                    Reply r = balanced.produce(form("producer", "nginx-producer", "message", "via nginx " + i));
                    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
                }
                one.close();
                oneStopped = true;
                for (int i = 4; i < 8; i++) {
                    Reply r = balanced.produce(form("producer", "nginx-producer", "message", "via nginx " + i));
                    assertThat(r.status()).as("with one instance stopped: %s", r.raw().body()).isEqualTo(200);
                }
                Consumer consumer = new Consumer(balanced, topic, "nginx-consumer").with("pop", "true");
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (int i = 0; i < 40 && seen.size() < 8; i++) {
                    Reply r = consumer.poll();
                    assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
                    seen.addAll(Consumer.bodies(r));
                }
                assertThat(seen).hasSize(8);
                assertThat(consumer.call("/mq/ack").status()).isEqualTo(200);
            }
        } finally {
            if (!oneStopped) {
                one.close();
            }
        }
    }

    private static void awaitListening(ProxyClient balanced, LoadBalancer lb) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try {
                if (balanced.get(balanced.producePort(), "/ready").httpStatus() == 200) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("load balancer not serving: " + lb.output());
    }
}
