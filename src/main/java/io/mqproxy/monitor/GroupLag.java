package io.mqproxy.monitor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A consumer group's lag at one collection: its own (clustering) or each broadcast clientId's, and
 * the group's totals. For a broadcast group each clientId is a consumer of its own: the totals sum
 * their backlogs, the alert rules look at the worst clientId.
 */
public record GroupLag(String group, String topic, boolean broadcast, List<ClientLag> clients) {

    public long backlog() {
        return clients.stream().mapToLong(ClientLag::backlog).sum();
    }

    /** -1 when unknown. */
    public long inflight() {
        long sum = 0;
        for (ClientLag c : clients) {
            if (c.inflight() < 0) {
                return -1;
            }
            sum += c.inflight();
        }
        return sum;
    }

    public long retryBacklog() {
        return clients.stream().mapToLong(ClientLag::retryBacklog).sum();
    }

    public long deadLetters() {
        return clients.stream().mapToLong(ClientLag::deadLetters).sum();
    }

    /** Whether the backlog is partly estimated (a group with a filter: see {@link QueueLag}). */
    public boolean estimated() {
        return clients.stream().anyMatch(ClientLag::estimated);
    }

    public double oldestAgeSeconds() {
        return clients.stream().mapToDouble(ClientLag::oldestAgeSeconds).max().orElse(0);
    }

    /** Per queue of the topic, every client summed (age: the oldest). */
    public List<QueueLag> queues() {
        Map<String, QueueLag> byQueue = new TreeMap<>();
        for (ClientLag c : clients) {
            for (QueueLag q : c.queues()) {
                byQueue.merge(q.broker() + "\u0000" + String.format("%05d", q.queueId()), q, QueueLag::plus);
            }
        }
        return new ArrayList<>(byQueue.values());
    }
}
