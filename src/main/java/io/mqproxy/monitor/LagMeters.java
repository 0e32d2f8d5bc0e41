package io.mqproxy.monitor;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The lag series at {@code /metrics}, rebuilt from each collection: per group, per queue of the
 * group's topic, and per broadcast clientId. Label sets are bounded: groups are the registry's (a
 * removed group's series go at once), queues are the topic's, and a broadcast group has at most
 * {@code maxClientIdSeries} clientIds with series of their own, those with the largest backlogs;
 * the others are summed into clientId {@value #OTHER}.
 */
final class LagMeters {
    static final String OTHER = "_other";

    private final int maxClientIdSeries;
    private final Family backlog;
    private final Family inflight;
    private final Family retry;
    private final Family deadLetters;
    private final Family age;
    private final Family queueBacklog;
    private final Family queueInflight;
    private final Family queueAge;
    private final Family clientBacklog;
    private final Family clientInflight;
    private final Family clientRetry;
    private final Family clientDeadLetters;
    private final Family clientAge;
    private final List<Family> all;
    private Map<String, GroupLag> last = Map.of();

    LagMeters(MeterRegistry registry, int maxClientIdSeries) {
        this.maxClientIdSeries = maxClientIdSeries;
        String group = "group";
        backlog = new Family(registry, "mqproxy.lag.backlog", "messages", "messages not yet consumed: waiting, "
            + "handed out and not acked, and waiting in the retry topic", group);
        inflight = new Family(registry, "mqproxy.lag.inflight", "messages", "messages handed out and not acked "
            + "(only when the broker runs in the proxy's JVM)", group);
        retry = new Family(registry, "mqproxy.lag.retry.backlog", "messages", "messages not acked in time and "
            + "waiting in the group's retry topic", group);
        deadLetters = new Family(registry, "mqproxy.lag.dead.letters", "messages", "messages ever dead-lettered "
            + "(end offsets of %DLQ%<group>; use increase())", group);
        age = new Family(registry, "mqproxy.lag.oldest.age", "seconds", "age of the oldest message waiting for "
            + "delivery, from its store time", group);
        queueBacklog = new Family(registry, "mqproxy.lag.queue.backlog", "messages", "messages of the queue not "
            + "yet consumed", group, "broker", "queue");
        queueInflight = new Family(registry, "mqproxy.lag.queue.inflight", "messages", "messages of the queue "
            + "handed out and not acked", group, "broker", "queue");
        queueAge = new Family(registry, "mqproxy.lag.queue.oldest.age", "seconds", "age of the first message "
            + "waiting on the queue", group, "broker", "queue");
        clientBacklog = new Family(registry, "mqproxy.lag.client.backlog", "messages", "broadcast: messages a "
            + "clientId has not consumed yet", group, "clientId");
        clientInflight = new Family(registry, "mqproxy.lag.client.inflight", "messages", "broadcast: messages "
            + "handed out to a clientId and not acked", group, "clientId");
        clientRetry = new Family(registry, "mqproxy.lag.client.retry.backlog", "messages", "broadcast: messages "
            + "waiting in a clientId's retry topic", group, "clientId");
        clientDeadLetters = new Family(registry, "mqproxy.lag.client.dead.letters", "messages", "broadcast: "
            + "messages ever dead-lettered for a clientId", group, "clientId");
        clientAge = new Family(registry, "mqproxy.lag.client.oldest.age", "seconds", "broadcast: age of the "
            + "oldest message waiting for a clientId", group, "clientId");
        all = List.of(backlog, inflight, retry, deadLetters, age, queueBacklog, queueInflight, queueAge,
            clientBacklog, clientInflight, clientRetry, clientDeadLetters, clientAge);
    }

    /**
     * Replaces every series with this collection's; groups not in it lose theirs, except those it could not
     * read ({@code unread}), which keep their last values until a collection reads them.
     */
    synchronized void publish(List<GroupLag> lags, java.util.Set<String> unread) {
        Map<String, GroupLag> byGroup = new LinkedHashMap<>();
        last.forEach((group, lag) -> {
            if (unread.contains(group)) {
                byGroup.put(group, lag);
            }
        });
        lags.forEach(l -> byGroup.put(l.group(), l));
        last = byGroup;
        rebuild();
    }

    /** The group was removed from the registry: its series go now, not at the next collection. */
    synchronized void forget(String group) {
        if (last.containsKey(group)) {
            Map<String, GroupLag> kept = new LinkedHashMap<>(last);
            kept.remove(group);
            last = kept;
            rebuild();
        }
    }

    /** This instance stopped collecting (another leads): it exports no lag at all. */
    synchronized void clear() {
        last = Map.of();
        rebuild();
    }

    private void rebuild() {
        Map<Family, Map<List<String>, Double>> rows = new HashMap<>();
        all.forEach(f -> rows.put(f, new HashMap<>()));
        for (GroupLag g : last.values()) {
            List<String> key = List.of(g.group());
            rows.get(backlog).put(key, (double) g.backlog());
            if (g.inflight() >= 0) {
                rows.get(inflight).put(key, (double) g.inflight());
            }
            rows.get(retry).put(key, (double) g.retryBacklog());
            rows.get(deadLetters).put(key, (double) g.deadLetters());
            rows.get(age).put(key, g.oldestAgeSeconds());
            for (QueueLag q : g.queues()) {
                List<String> qk = List.of(g.group(), q.broker(), Integer.toString(q.queueId()));
                rows.get(queueBacklog).put(qk, (double) q.backlog());
                if (q.inflight() >= 0) {
                    rows.get(queueInflight).put(qk, (double) q.inflight());
                }
                rows.get(queueAge).put(qk, q.oldestAgeSeconds());
            }
            if (g.broadcast()) {
                for (ClientLag c : capped(g.clients(), maxClientIdSeries)) {
                    List<String> ck = List.of(g.group(), c.clientId());
                    rows.get(clientBacklog).put(ck, (double) c.backlog());
                    if (c.inflight() >= 0) {
                        rows.get(clientInflight).put(ck, (double) c.inflight());
                    }
                    rows.get(clientRetry).put(ck, (double) c.retryBacklog());
                    rows.get(clientDeadLetters).put(ck, (double) c.deadLetters());
                    rows.get(clientAge).put(ck, c.oldestAgeSeconds());
                }
            }
        }
        all.forEach(f -> f.publish(rows.get(f)));
    }

    /**
     * At most {@code max} clientIds, the largest backlogs (ties by clientId, so the choice is stable), and,
     * when there were more, one {@value #OTHER} entry summing the rest (its age: the oldest of theirs).
     */
    static List<ClientLag> capped(List<ClientLag> clients, int max) {
        List<ClientLag> sorted = new ArrayList<>(clients);
        sorted.sort(Comparator.comparingLong(ClientLag::backlog).reversed().thenComparing(ClientLag::clientId));
        if (sorted.size() <= max) {
            return sorted;
        }
        List<ClientLag> out = new ArrayList<>(sorted.subList(0, max));
        long backlog = 0;
        long inflight = 0;
        long retry = 0;
        long dead = 0;
        double age = 0;
        for (ClientLag c : sorted.subList(max, sorted.size())) {
            backlog += c.backlog();
            inflight = inflight < 0 || c.inflight() < 0 ? -1 : inflight + c.inflight();
            retry += c.retryBacklog();
            dead += c.deadLetters();
            age = Math.max(age, c.oldestAgeSeconds());
        }
        out.add(new ClientLag(OTHER, null, backlog, inflight, retry, dead, age, 0, List.of()));
        return out;
    }

    /** One metric family: a gauge per label set, each reading a box that collections update in place. */
    private static final class Family {
        private final MultiGauge gauge;
        private final List<String> tagKeys;
        private Map<List<String>, Box> boxes = Map.of();

        Family(MeterRegistry registry, String name, String unit, String description, String... tagKeys) {
            this.gauge = MultiGauge.builder(name).baseUnit(unit).description(description).register(registry);
            this.tagKeys = List.of(tagKeys);
        }

        void publish(Map<List<String>, Double> values) {
            Map<List<String>, Box> next = new HashMap<>();
            values.forEach((labels, value) -> {
                Box box = boxes.get(labels);
                if (box == null) {
                    box = new Box();
                }
                box.value = value;
                next.put(labels, box);
            });
            boxes = next;
            List<MultiGauge.Row<?>> rows = new ArrayList<>(next.size());
            next.forEach((labels, box) -> rows.add(MultiGauge.Row.of(tags(labels), box, VALUE)));
            // Not overwriting: a series that stays keeps its gauge (and its box), so no scrape misses it.
            gauge.register(rows, false);
        }

        private Tags tags(List<String> labels) {
            Tags tags = Tags.empty();
            for (int i = 0; i < tagKeys.size(); i++) {
                tags = tags.and(tagKeys.get(i), labels.get(i));
            }
            return tags;
        }
    }

    private static final class Box {
        volatile double value;
    }

    private static final ToDoubleFunction<Box> VALUE = b -> b.value;
}
