package io.mqproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

/**
 * What the broker holds for one topic right now: the max offset of each of its queues, plus the broker's
 * parking topics for delayed and timer messages (a refused delayed message must not sit there either).
 * A test JVM runs its classes one after another (the other JVM has a broker of its own), so nothing else
 * writes to the parking topics meanwhile.
 */
public record BrokerSnapshot(String topic, Map<Integer, Long> topicOffsets, Map<Integer, Long> scheduled,
                             Map<Integer, Long> timers) {

    public static BrokerSnapshot of(String topic) {
        return new BrokerSnapshot(topic, StoredMessages.maxOffsets(topic),
            StoredMessages.maxOffsets(StoredMessages.SCHEDULE_TOPIC), StoredMessages.maxOffsets(StoredMessages.TIMER_TOPIC));
    }

    /** Nothing reached the broker since this snapshot: not the topic, not a delay or timer queue. */
    public void assertNothingStored() {
        BrokerSnapshot now = of(topic);
        assertThat(now.topicOffsets).as("max offsets of %s", topic).isEqualTo(topicOffsets);
        assertThat(now.scheduled).as("max offsets of %s", StoredMessages.SCHEDULE_TOPIC).isEqualTo(scheduled);
        assertThat(now.timers).as("max offsets of %s", StoredMessages.TIMER_TOPIC).isEqualTo(timers);
    }
}
