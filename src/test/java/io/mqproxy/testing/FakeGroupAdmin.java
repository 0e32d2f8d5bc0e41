package io.mqproxy.testing;

import io.mqproxy.broker.GroupAdmin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A consumer group's side of the broker in memory, for the control commands' unit tests: offsets, stored
 * messages by id, dead letters per broker group (newest first); every call that sends or moves something is
 * recorded in order ("reset orders g 0", "redrive orders g id@stored by alice at 1000"), as is the scan
 * bound each dead-letter read was given. While {@link #failing} is set every call throws it;
 * {@link #failingSends} makes only re-deliveries and redrives throw (the broker refuses the sends).
 */
public final class FakeGroupAdmin implements GroupAdmin {
    public final List<String> calls = new CopyOnWriteArrayList<>();
    /** The scan bound of each dead-letter read, in order. */
    public final List<Integer> scans = new CopyOnWriteArrayList<>();
    /** Messages {@link #find} knows, by id. */
    public final Map<String, StoredMessage> stored = new ConcurrentHashMap<>();
    /** Each broker group's dead letters, newest first. */
    public final Map<String, List<StoredMessage>> deadLetters = new ConcurrentHashMap<>();
    /** Each broker group's offsets ("" for any not set). */
    public final Map<String, List<QueueOffset>> offsets = new ConcurrentHashMap<>();
    public final AtomicInteger sends = new AtomicInteger();
    public volatile RuntimeException failing;
    public volatile RuntimeException failingSends;

    /** A stored message with this id, stored at {@code storedAt}. */
    public static StoredMessage message(String id, String topic, long storedAt) {
        return new StoredMessage(id, topic, ("body of " + id).getBytes(java.nio.charset.StandardCharsets.UTF_8),
            null, null, Map.of(), storedAt, 1, 0);
    }

    /** Gives the broker group {@code letters} dead letters, newest first, ids "m0", "m1"... stored a second apart. */
    public void deadLetters(String brokerGroup, int letters, long newestAt) {
        List<StoredMessage> list = new ArrayList<>(letters);
        for (int i = 0; i < letters; i++) {
            list.add(message("m" + i, "%DLQ%" + brokerGroup, newestAt - i * 1_000L));
        }
        deadLetters.put(brokerGroup, list);
    }

    @Override
    public List<QueueOffset> offsets(String topic, String group) {
        fail();
        return offsets.getOrDefault(group, List.of(new QueueOffset("broker-a", 0, 10, 4, 0)));
    }

    @Override
    public List<Peeked> peek(String topic, String group, int limit) {
        fail();
        calls.add("peek " + topic + " " + group + " " + limit);
        return List.of();
    }

    @Override
    public List<QueueOffset> reset(String topic, String group, long timestamp) {
        fail();
        calls.add("reset " + topic + " " + group + " " + timestamp);
        return offsets(topic, group);
    }

    @Override
    public StoredMessage find(String topic, String messageId) {
        fail();
        return stored.get(messageId);
    }

    @Override
    public void redeliver(String topic, String group, StoredMessage m) {
        send();
        calls.add("redeliver " + topic + " " + group + " " + m.messageId());
    }

    @Override
    public void redrive(String topic, String group, StoredMessage m, String operator, long at) {
        send();
        calls.add("redrive " + topic + " " + group + " " + m.messageId() + "@" + m.storeTimestamp() + " by " + operator
            + " at " + at);
    }

    @Override
    public List<StoredMessage> deadLetters(String group, int limit) {
        fail();
        scans.add(limit);
        List<StoredMessage> all = deadLetters.getOrDefault(group, List.of());
        return List.copyOf(all.subList(0, Math.min(limit, all.size())));
    }

    @Override
    public List<StoredMessage> deadLetters(String group, Set<String> ids, int scan) {
        fail();
        scans.add(scan);
        List<StoredMessage> all = deadLetters.getOrDefault(group, List.of());
        return all.subList(0, Math.min(scan, all.size())).stream()
            .filter(m -> ids == null || ids.contains(m.messageId())).toList();
    }

    @Override
    public int forEachDeadLetter(String group, int scan, Predicate<StoredMessage> visitor) {
        fail();
        scans.add(scan);
        int scanned = 0;
        for (StoredMessage m : deadLetters.getOrDefault(group, List.of())) {
            if (scanned == scan) {
                break;
            }
            scanned++;
            if (!visitor.test(m)) {
                break;
            }
        }
        return scanned;
    }

    private void send() {
        fail();
        RuntimeException e = failingSends;
        if (e != null) {
            throw e;
        }
        sends.incrementAndGet();
    }

    private void fail() {
        RuntimeException e = failing;
        if (e != null) {
            throw e;
        }
    }
}
