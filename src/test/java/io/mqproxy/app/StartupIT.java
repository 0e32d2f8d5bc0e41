package io.mqproxy.app;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mqproxy.config.ProxyConfig;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.FreePorts;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.StoredMessages;
import io.mqproxy.testing.TcpRelay;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Start-up and stop of proxy instances on the shared broker (the broker itself is never restarted). */
class StartupIT {

    private static long proxyThreads() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && (t.getName().startsWith("mqproxy-broker-health")
                || t.getName().startsWith("mqproxy-route-lookup")))
            .count();
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void producePortInUse_startFails_andReleasesItsOtherPortsAndThreads() throws Exception {
        String topic = TestBroker.get().newTopic("startup", 2);
        long threadsBefore = proxyThreads();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            TestProxy.Builder builder = TestProxy.builder().producer("startup-producer", topic)
                .set("http.producePort", Integer.toString(taken.getLocalPort()));
            ProxyConfig config = builder.config();
            assertThatThrownBy(builder::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("start-up failed");
            await("ports and threads of the failed start are released").atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> {
                    assertThat(bindable(config.http().consumePort())).as("consume port free").isTrue();
                    assertThat(bindable(config.admin().port())).as("admin port free").isTrue();
                    assertThat(proxyThreads()).as("proxy threads").isEqualTo(threadsBefore);
                });
        }
    }

    /** With three ports to bind, "Address already in use" alone does not tell the operator which one. */
    @Test
    void producePortInUse_startFailure_namesThePort() throws Exception {
        String topic = TestBroker.get().newTopic("startup-name", 2);
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> TestProxy.builder().producer("startup-producer", topic)
                    .set("http.producePort", Integer.toString(port)).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(Integer.toString(port));
        }
    }

    @Test
    void twoInstancesOnOneBroker_bothProduce_andOneStoppingLeavesTheOtherServing() {
        String topic = TestBroker.get().newTopic("two-instances", 2);
        try (TestProxy a = TestProxy.builder().producer("two-producer", topic).start()) {
            try (TestProxy b = TestProxy.builder().producer("two-producer", topic).start()) {
                assertThat(a.client().produce(form("producer", "two-producer", "message", "from a")).status())
                    .isEqualTo(200);
                assertThat(b.client().produce(form("producer", "two-producer", "message", "from b")).status())
                    .isEqualTo(200);
            }
            Reply after = a.client().produce(form("producer", "two-producer", "message", "a after b stopped"));
            assertThat(after.status()).as(after.raw().body()).isEqualTo(200);
        }
        assertThat(StoredMessages.bodies(StoredMessages.readAll(topic)))
            .containsExactlyInAnyOrder("from a", "from b", "a after b stopped");
    }

    /**
     * What the first requests need (publish and consume routes, broker connections) is loaded before
     * the proxy says it is started: with the name server gone right after, they still succeed.
     */
    @Test
    void firstRequestsAfterStart_needNoNameServer() throws Exception {
        String topic = TestBroker.get().newTopic("warm", 2);
        try (TcpRelay namesrv = new TcpRelay(TestBroker.get().namesrvAddr());
             TestProxy proxy = TestProxy.builder().namesrvAddr(namesrv.address())
                 .producer("warm-producer", topic)
                 .consumer("warm-group", topic, Map.of("pop", true))
                 .start()) {
            assertThat(proxy.client().get(proxy.client().producePort(), "/ready").httpStatus()).isEqualTo(200);
            namesrv.close();

            Reply produced = proxy.client().produce(form("producer", "warm-producer", "message", "first"));
            assertThat(produced.status()).as(produced.raw().body()).isEqualTo(200);
            Reply polled = new Consumer(proxy.client(), topic, "warm-group").poll();
            assertThat(polled.status()).as(polled.raw().body()).isEqualTo(200);
            assertThat(Consumer.bodies(polled)).containsExactly("first");
        }
    }

    @Test
    void restartedInstance_onNewPorts_servesAtOnce() {
        String topic = TestBroker.get().newTopic("restart", 2);
        try (TestProxy first = TestProxy.builder().producer("restart-producer", topic).start()) {
            assertThat(first.client().produce(form("producer", "restart-producer", "message", "before")).status())
                .isEqualTo(200);
        }
        try (TestProxy second = TestProxy.builder().producer("restart-producer", topic)
            .set("http.producePort", Integer.toString(FreePorts.any())).start()) {
            assertThat(second.client().produce(form("producer", "restart-producer", "message", "after")).status())
                .isEqualTo(200);
        }
        assertThat(StoredMessages.bodies(StoredMessages.readAll(topic))).containsExactlyInAnyOrder("before", "after");
    }
}
