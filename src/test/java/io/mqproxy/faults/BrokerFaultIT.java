package io.mqproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.testing.ClusterFixture;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.TestProxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One broker of two crashes under load and comes back: a name server and two broker masters as processes
 * of their own, two proxy instances on them, producers and consumers (a concurrent and a queue-held group)
 * through both instances. broker-a is killed (SIGKILL of its own pid) and restarted on its store.
 */
class BrokerFaultIT {

    @Test
    void oneBrokerKilledUnderLoad_productionGoesOn_nothingConfirmedIsLost() throws Exception {
        ClusterFixture cluster = ClusterFixture.shared();
        String topic = cluster.newTopic("fault", 4);
        try (TestProxy one = proxy(cluster, topic); TestProxy two = proxy(cluster, topic)) {
            List<ProxyClient> proxies = List.of(one.client(), two.client());
            Traffic traffic = new Traffic(topic, "fault-producer");
            traffic.phase("before");
            traffic.sampleReadiness(proxies);
            traffic.produce(4, i -> proxies.get(i % 2), 50);
            traffic.consume("fault-concurrent", true, 2, i -> proxies.get(i % 2));
            traffic.consume("fault-held", false, 2, i -> proxies.get(i % 2));
            traffic.awaitStored("before", "broker-a", 300);
            traffic.awaitStored("before", "broker-b", 300);

            cluster.killBroker("broker-a");
            // From here on the process is gone: a send begun now cannot be stored on it.
            traffic.phase("down");
            // Production goes on on broker-b (the clients learn the route without broker-a within seconds).
            traffic.awaitStored("down", "broker-b", 500);
            traffic.phase("restarting");
            cluster.restartBroker("broker-a");
            traffic.phase("back");
            traffic.awaitStored("back", "broker-a", 100);
            traffic.stopProducing();
            traffic.phase("drain");
            boolean complete = traffic.drain(180);
            System.out.println("BrokerFaultIT exact counts\n" + traffic.report());

            assertThat(traffic.storedOn("down", "broker-b")).as("production went on on broker-b").isPositive();
            assertThat(traffic.storedOn("down", "broker-a")).as("nothing confirmed on the dead broker").isZero();
            assertThat(traffic.kinds(traffic.produceAnswers)).as("produce answers: 200, or 300/500 while a broker is down")
                .isSubsetOf("200", "env:300", "env:500");
            for (String group : List.of("fault-concurrent", "fault-held")) {
                Set<String> missing = traffic.missing(group);
                assertThat(missing).as("confirmed messages %s never consumed (of %d)", group, traffic.confirmedCount())
                    .isEmpty();
            }
            assertThat(complete).isTrue();
            assertThat(traffic.foreign).isEmpty();
            assertThat(traffic.mismatched).isEmpty();
            assertThat(traffic.readyAnswers.values().stream().flatMap(m -> m.keySet().stream()))
                .as("readiness of both instances while a broker is down").containsOnly("http:200");
        }
    }

    private static TestProxy proxy(ClusterFixture cluster, String topic) {
        return TestProxy.builder().namesrvAddr(cluster.namesrvAddr())
            .producer("fault-producer", topic)
            .consumer("fault-concurrent", topic, Map.of("pop", true))
            .consumer("fault-held", topic, Map.of())
            .start();
    }
}
