package io.mqproxy.testing;

import io.mqproxy.broker.TopicAdmin;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A cluster's topics in memory for the control commands' unit tests: which topics exist, and every call
 * that would change something at the broker, recorded in order ("ensureTopic t 8"). While {@link #failing}
 * is set, every call that changes something throws it (a broker that does not answer, or says no).
 */
public final class FakeTopicAdmin implements TopicAdmin {
    public final Set<String> topics = ConcurrentHashMap.newKeySet();
    public final List<String> calls = new CopyOnWriteArrayList<>();
    /** What {@link #releaseHeldQueues} answers. */
    public volatile List<ReleasedQueue> held = List.of();
    public volatile RuntimeException failing;

    public FakeTopicAdmin(String... existing) {
        topics.addAll(List.of(existing));
    }

    /** Never fails, as the broker's: a route that cannot be read is no route. */
    @Override
    public boolean hasRoute(String topic) {
        return topics.contains(topic);
    }

    @Override
    public void ensureTopic(String topic, int queues) {
        fail();
        calls.add("ensureTopic " + topic + " " + queues);
        topics.add(topic);
    }

    @Override
    public List<ReleasedQueue> releaseHeldQueues(String topic, String group, String brokerName, Integer queueId) {
        fail();
        calls.add("releaseHeldQueues " + topic + " " + group + " " + brokerName + " " + queueId);
        return new ArrayList<>(held);
    }

    private void fail() {
        RuntimeException e = failing;
        if (e != null) {
            throw e;
        }
    }
}
