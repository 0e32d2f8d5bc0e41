package io.mqproxy.broker;

import java.util.List;

/**
 * What the control commands ask of the cluster about topics: whether one exists, its creation, and letting
 * go of the queues a queue-held group's clients hold on it. Calls block: callers run them on their own pool.
 * {@link AdminClient} is the broker's.
 */
public interface TopicAdmin {
    /** A queue whose holder was let go, and the offset the group reads it from again. */
    record ReleasedQueue(String brokerName, int queueId, long offset) {
    }

    /** Whether the name server knows a route to the topic (it exists on some broker). */
    boolean hasRoute(String topic);

    /**
     * Creates the topic on every master of the cluster unless it already has a route; an existing
     * topic is left as the operator made it. Waits until the topic is routable.
     */
    void ensureTopic(String topic, int queues);

    /**
     * Lets go of the queues a queue-held (orderly POP) group's clients hold: each queue's read position
     * is set to where the group has acked up to; what a holder had not acked is delivered again.
     *
     * @param brokerName only this broker's queues, or null for all
     * @param queueId    only this queue, or null for all
     */
    List<ReleasedQueue> releaseHeldQueues(String topic, String group, String brokerName, Integer queueId)
        throws Exception;
}
