package io.mqproxy.produce;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.StoredMessages;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.Map;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code delayLevel} and {@code deliveryTimestamp}: the broker parks the message, and its copy lands in
 * the real topic (where consumers see it) no earlier than due. "When" is the broker's own store
 * timestamp of that copy; the broker runs in this JVM, on this clock.
 */
class ProduceDelayIT {
    private static final String PRODUCER = "delay-producer";
    private static String topic;
    private static TestProxy proxy;

    @BeforeAll
    static void startProxy() {
        topic = TestBroker.get().newTopic("delay", 2);
        proxy = TestProxy.builder().producer(PRODUCER, topic).start();
    }

    @AfterAll
    static void stopProxy() {
        proxy.close();
    }

    @Test
    void delayLevel1_isParked_thenLandsInTheTopicNoEarlierThan1Second() {
        assertDelayLevel(1, 1_000);
    }

    @Test
    void delayLevel2_isParked_thenLandsInTheTopicNoEarlierThan5Seconds() {
        assertDelayLevel(2, 5_000);
    }

    @Test
    void deliveryTimestamp_isParked_thenLandsInTheTopicNoEarlierThanTheTimestamp() {
        assertTimer(System.currentTimeMillis() + 3_456);
    }

    /** The broker rounds timer due times to its precision (1 s); a whole second is the edge case. */
    @Test
    void deliveryTimestamp_onAWholeSecond_landsNoEarlierThanTheTimestamp() {
        assertTimer((System.currentTimeMillis() / 1000 + 3) * 1000);
    }

    @Test
    void deliveryTimestamp_inThePast_isDeliveredAtOnce() {
        Map<Integer, Long> before = StoredMessages.maxOffsets(topic);
        Map<Integer, Long> timersBefore = StoredMessages.maxOffsets(StoredMessages.TIMER_TOPIC);
        String body = "past-" + System.nanoTime();
        Reply reply = proxy.client().produce(form("producer", PRODUCER, "message", body,
            "deliveryTimestamp", Long.toString(System.currentTimeMillis() - 60_000)));
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        assertThat(StoredMessages.bodies(StoredMessages.readSince(topic, before))).containsExactly(body);
        assertThat(StoredMessages.maxOffsets(StoredMessages.TIMER_TOPIC)).isEqualTo(timersBefore);
    }

    private static void assertDelayLevel(int level, long delayMillis) {
        Map<Integer, Long> before = StoredMessages.maxOffsets(topic);
        long parkedBefore = StoredMessages.count(StoredMessages.SCHEDULE_TOPIC);
        String body = "level-" + level + "-" + System.nanoTime();
        long sentAt = System.currentTimeMillis();
        Reply reply = proxy.client().produce(form("producer", PRODUCER, "message", body,
            "delayLevel", Integer.toString(level)));
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        assertThat(StoredMessages.count(StoredMessages.SCHEDULE_TOPIC)).as("parked in the delay topic")
            .isEqualTo(parkedBefore + 1);

        MessageExt delivered = awaitInTopic(before, body);
        assertThat(delivered.getStoreTimestamp()).as("stored in %s at", topic).isGreaterThanOrEqualTo(sentAt + delayMillis);
        assertThat(delivered.getMsgId()).isEqualTo(reply.result().path("msgId").asText());
    }

    private static void assertTimer(long deliverAt) {
        Map<Integer, Long> before = StoredMessages.maxOffsets(topic);
        long parkedBefore = StoredMessages.count(StoredMessages.TIMER_TOPIC);
        String body = "timer-" + deliverAt;
        Reply reply = proxy.client().produce(form("producer", PRODUCER, "message", body,
            "deliveryTimestamp", Long.toString(deliverAt)));
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        assertThat(StoredMessages.count(StoredMessages.TIMER_TOPIC)).as("parked in the timer topic")
            .isEqualTo(parkedBefore + 1);

        MessageExt delivered = awaitInTopic(before, body);
        assertThat(delivered.getStoreTimestamp()).as("stored in %s at (due %d)", topic, deliverAt)
            .isGreaterThanOrEqualTo(deliverAt);
        assertThat(delivered.getMsgId()).isEqualTo(reply.result().path("msgId").asText());
    }

    private static MessageExt awaitInTopic(Map<Integer, Long> before, String body) {
        return await("message in " + topic).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
            .until(() -> StoredMessages.readSince(topic, before).stream()
                .filter(m -> StoredMessages.body(m).equals(body)).findFirst().orElse(null),
                m -> m != null);
    }
}
