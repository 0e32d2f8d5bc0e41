package io.mqproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mqproxy.testing.ClusterFixture;
import io.mqproxy.testing.FreePorts;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.TestProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling restart behind a real load balancer: HAProxy, with the configuration docs/load-balancers ships,
 * in front of two proxy instances (JVMs of their own) on a two-master cluster of processes. Producers and
 * consumers (a concurrent and a queue-held group) run through HAProxy while one instance is restarted
 * (SIGTERM, start again on its ports), then the other. Exact counts: nothing confirmed is lost, nothing
 * acked comes back, and the only answers clients see are 200s and those the docs call retryable.
 */
class RollingRestartIT {
    /** What docs/load-balancers.md tells clients to retry: 300 (if it must be stored), 503, refused connections. */
    static final Set<String> RETRYABLE = Set.of("env:300", "env:503", "env:503/http:503", "http:503", "io:refused");

    @TempDir
    Path dir;

    @Test
    void restartingEachInstanceInTurn_behindHaproxy_losesNothing_andClientsSeeOnlyRetryableAnswers() throws Exception {
        ClusterFixture cluster = ClusterFixture.shared();
        String topic = cluster.newTopic("rolling", 4);
        Path config = dir.resolve("mq-proxy.yaml");
        new ObjectMapper(new YAMLFactory()).writeValue(config.toFile(), Map.of(
            "broker", Map.of("namesrvAddr", cluster.namesrvAddr()),
            "consume", Map.of("requestIdSecret", TestProxy.SECRET),
            "producers", List.of(Map.of("name", "rolling-producer", "topic", topic)),
            "consumers", List.of(Map.of("name", "rolling-concurrent", "topic", topic, "pop", true),
                Map.of("name", "rolling-held", "topic", topic))));
        List<ProxyProcess> instances = List.of(
            new ProxyProcess(dir.resolve("proxy1"), config, List.of()),
            new ProxyProcess(dir.resolve("proxy2"), config, List.of()));
        int statsPort = FreePorts.any();
        try {
            for (ProxyProcess p : instances) {
                p.start();
            }
            for (ProxyProcess p : instances) {
                p.awaitReady(120);
            }
            ProxyClient balanced = new ProxyClient(FreePorts.any(), FreePorts.any(), 0);
            try (LoadBalancer haproxy = LoadBalancer.haproxy(dir, balanced.producePort(), balanced.consumePort(),
                statsPort, instances.stream().map(ProxyProcess::client).toList())) {
                LoadBalancer.awaitHaproxy(statsPort, List.of("proxy1", "proxy2"), "UP", 30);
                Traffic traffic = new Traffic(topic, "rolling-producer");
                traffic.phase("before");
                traffic.produce(4, i -> balanced, 50);
                traffic.consume("rolling-concurrent", true, 2, i -> balanced);
                traffic.consume("rolling-held", false, 2, i -> balanced);
                traffic.awaitConfirmed(400);

                StringBuilder restarts = new StringBuilder();
                for (int i = 0; i < instances.size(); i++) {
                    String name = "proxy" + (i + 1);
                    traffic.phase("restart-" + name);
                    long began = System.nanoTime();
                    instances.get(i).stop(60);
                    long stopped = System.nanoTime();
                    instances.get(i).start();
                    instances.get(i).awaitReady(120);
                    long ready = System.nanoTime();
                    LoadBalancer.awaitHaproxy(statsPort, List.of(name), "UP", 30);
                    restarts.append(String.format("%s: stopped in %d ms, ready %d ms after its start, UP in HAProxy "
                        + "%d ms later%n", name, (stopped - began) / 1_000_000, (ready - stopped) / 1_000_000,
                        (System.nanoTime() - ready) / 1_000_000));
                    // Traffic through both instances again before the next one goes.
                    traffic.awaitConfirmed(traffic.confirmedCount() + 200);
                }
                traffic.phase("after");
                traffic.awaitConfirmed(traffic.confirmedCount() + 300);
                traffic.stopProducing();
                traffic.phase("drain");
                boolean complete = traffic.drain(180);
                System.out.println("RollingRestartIT exact counts\n" + restarts + traffic.report()
                    + "\nHAProxy requests redispatched after a retry: " + haproxy.lines("/+").size()
                    + "\nHAProxy requests answered 503 or ended abnormally:\n" + String.join("\n",
                    haproxy.lines("\"").stream().filter(l -> l.contains(" 503 ") || !l.contains(" ---- ")).toList()));

                for (String group : List.of("rolling-concurrent", "rolling-held")) {
                    assertThat(traffic.missing(group)).as("confirmed messages %s never consumed (of %d)", group,
                        traffic.confirmedCount()).isEmpty();
                    assertThat(traffic.deliveredAfterAck(group)).as("%s: delivered again after an ack answered OK",
                        group).isEmpty();
                }
                assertThat(complete).isTrue();
                assertThat(traffic.kinds(traffic.produceAnswers)).as("produce answers through HAProxy")
                    .allMatch(k -> k.equals("200") || RETRYABLE.contains(k));
                assertThat(traffic.kinds(traffic.consumeAnswers)).as("consume answers through HAProxy")
                    .allMatch(k -> k.equals("200") || k.equals("ack-200") || RETRYABLE.contains(k.replace("ack-", "")));
                assertThat(traffic.foreign).isEmpty();
                assertThat(traffic.mismatched).isEmpty();
                assertThat(traffic.storedOn("restart-proxy1", "broker-a") + traffic.storedOn("restart-proxy1", "broker-b"))
                    .as("production went on while proxy1 restarted").isPositive();
                assertThat(traffic.storedOn("restart-proxy2", "broker-a") + traffic.storedOn("restart-proxy2", "broker-b"))
                    .as("production went on while proxy2 restarted").isPositive();
            }
        } finally {
            instances.forEach(ProxyProcess::kill);
        }
    }
}
