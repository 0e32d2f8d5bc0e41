package io.mqproxy.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.SilentBroker;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.Map;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.constant.PermName;
import org.junit.jupiter.api.Test;

/**
 * {@code /ready} means "every configured topic can be written and read": one broker of a cluster that
 * does not answer must not take a whole fleet of proxies out of service while the topics are served by
 * the others, and a topic that cannot be written (or does not exist) must, naming the topic.
 */
class ReadinessIT {

    @Test
    void aMasterThatDoesNotAnswer_leavesTheProxyReady_whileItsTopicsAreServedByAnother() throws Exception {
        String topic = TestBroker.get().newTopic("ready-two", 2);
        // A second master of the shared broker's cluster, serving the same topic, registered but silent.
        try (SilentBroker down = new SilentBroker(topic, "DefaultCluster");
             TestProxy proxy = TestProxy.builder()
                 .producer("ready-two-producer", topic)
                 .consumer("ready-two-group", topic, Map.of("pop", true))
                 .start()) {
            ProxyClient client = proxy.client();
            await("ready with one master silent").atMost(Duration.ofSeconds(20))
                .until(() -> client.get(client.producePort(), "/ready").httpStatus() == 200);
            // Ready at every look while the silent master gets several more probes, each waiting for its
            // time-out. Probes run one after another: once the third ping is in, the two before it are over,
            // and /ready, asked after, answers from one of them or a later one.
            int target = down.pings() + 3;
            await("probes of the silent master").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    boolean probed = down.pings() >= target;
                    Reply ready = client.get(client.adminPort(), "/ready");
                    assertThat(ready.httpStatus()).as("ready at every look: " + ready.raw().body()).isEqualTo(200);
                    return probed;
                });
        }
    }

    @Test
    void aTopicWithNoWritableQueue_makesReady503_namingIt_untilItIsWritableAgain() throws Exception {
        String served = TestBroker.get().newTopic("ready-ok", 2);
        String readOnly = TestBroker.get().newTopic("ready-ro", 2);
        setPerm(readOnly, PermName.PERM_READ);
        try (TestProxy proxy = TestProxy.builder()
            .producer("ready-ok-producer", served)
            .producer("ready-ro-producer", readOnly)
            .start()) {
            ProxyClient client = proxy.client();
            await("503 naming the read-only topic").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                for (int port : new int[] {client.producePort(), client.adminPort()}) {
                    Reply ready = client.get(port, "/ready");
                    assertThat(ready.httpStatus()).isEqualTo(503);
                    assertThat(ready.message()).contains(readOnly).contains("writable").doesNotContain(served);
                }
            });
            setPerm(readOnly, PermName.PERM_READ | PermName.PERM_WRITE);
            await("ready once the topic is writable").atMost(Duration.ofSeconds(30))
                .until(() -> client.get(client.producePort(), "/ready").httpStatus() == 200);
        } finally {
            setPerm(readOnly, PermName.PERM_READ | PermName.PERM_WRITE);
        }
    }

    @Test
    void aTopicThatDoesNotExist_makesReady503_namingIt() {
        String served = TestBroker.get().newTopic("ready-ok", 2);
        String missing = "ready-missing-" + System.nanoTime();
        try (TestProxy proxy = TestProxy.builder()
            .producer("ready-ok-producer", served)
            .consumer("ready-missing-group", missing, Map.of())
            .start()) {
            Reply ready = proxy.client().get(proxy.client().producePort(), "/ready");
            assertThat(ready.httpStatus()).isEqualTo(503);
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.message()).contains(missing).doesNotContain(served);
        }
    }

    private static void setPerm(String topic, int perm) throws Exception {
        TestBroker broker = TestBroker.get();
        broker.admin().createAndUpdateTopicConfig(broker.brokerAddr(), new TopicConfig(topic, 2, 2, perm));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
            broker.admin().examineTopicRouteInfo(topic).getQueueDatas().stream().allMatch(q -> q.getPerm() == perm));
    }
}
