package io.mqproxy.faults;

import static io.mqproxy.testing.ProxyClient.form;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/**
 * Producers and consumers as clients of the contract run them, with a ledger kept for exact counts:
 * every produce answer 200 with its msgId and broker; every delivery per group with the moment its
 * request left; every ack that was answered OK with the moment the answer came. Every answer a client
 * sees is counted by kind and by phase (the test names the phases: before, during and after a fault).
 *
 * <p>A consumer acks by passing the previous requestId on its next poll. When that poll fails a few times
 * (the batch's broker is down, say) the consumer parks the requestId, acks it later with /mq/ack, and polls
 * on without it: the batch comes back after its consumeTimeout if the ack never succeeds.
 */
final class Traffic {
    /** The shortest reservation the proxy allows: unacked batches come back quickly. */
    static final int CONSUME_TIMEOUT_SECONDS = 10;
    private static final int FAILURES_BEFORE_PARKING = 3;

    private final String runId = "run" + System.nanoTime() % 1_000_000;
    private final String topic;
    private final String producer;
    private final List<Thread> producers = new ArrayList<>();
    private final List<Thread> consumers = new ArrayList<>();
    private final List<Thread> samplers = new ArrayList<>();
    private volatile boolean producing = true;
    private volatile boolean consuming = true;
    private volatile boolean sampling = true;
    private volatile String phase = "start";

    /** msgId to body, for every produce answered 200. */
    final Map<String, String> confirmed = new ConcurrentHashMap<>();
    /** msgId to the broker that stored it, per produce's answer. */
    final Map<String, String> confirmedOn = new ConcurrentHashMap<>();
    /** phase to answer kind to count, for produce, consume (polls and acks) and readiness. */
    final Map<String, Map<String, AtomicLong>> produceAnswers = new ConcurrentHashMap<>();
    final Map<String, Map<String, AtomicLong>> consumeAnswers = new ConcurrentHashMap<>();
    final Map<String, Map<String, AtomicLong>> readyAnswers = new ConcurrentHashMap<>();
    /** phase to broker to 200s. */
    final Map<String, Map<String, AtomicLong>> storedOn = new ConcurrentHashMap<>();
    /** group to msgId to the send times (nanos) of the requests that delivered it. */
    final Map<String, Map<String, List<Long>>> deliveries = new ConcurrentHashMap<>();
    /** group to msgId to the moment (nanos) its ack was answered OK. */
    final Map<String, Map<String, Long>> ackedAt = new ConcurrentHashMap<>();
    /** Bodies delivered that no producer of this run sent. */
    final Set<String> foreign = ConcurrentHashMap.newKeySet();
    /** group to msgId: delivered under an id whose body differs from what produce confirmed. */
    final Set<String> mismatched = ConcurrentHashMap.newKeySet();

    Traffic(String topic, String producer) {
        this.topic = topic;
        this.producer = producer;
    }

    void phase(String name) {
        phase = name;
    }

    /** {@code threads} producers, thread i through {@code via.apply(i)}, each at most {@code perSecond}. */
    void produce(int threads, IntFunction<ProxyClient> via, int perSecond) {
        for (int t = 0; t < threads; t++) {
            int index = t;
            producers.add(start("producer-" + t, () -> produceLoop(index, via.apply(index), perSecond)));
        }
    }

    void consume(String group, boolean pop, int threads, IntFunction<ProxyClient> via) {
        deliveries.put(group, new ConcurrentHashMap<>());
        ackedAt.put(group, new ConcurrentHashMap<>());
        for (int t = 0; t < threads; t++) {
            int index = t;
            consumers.add(start(group + "-" + t, () -> new ConsumerLoop(group, pop, via.apply(index)).run()));
        }
    }

    /** Samples /ready on each client's produce port every 200 ms. */
    void sampleReadiness(List<ProxyClient> clients) {
        samplers.add(start("ready-sampler", () -> {
            while (sampling) {
                for (ProxyClient c : clients) {
                    String kind;
                    try {
                        kind = "http:" + c.get(c.producePort(), "/ready").httpStatus();
                    } catch (IllegalStateException e) {
                        kind = ioKind(e);
                    }
                    count(readyAnswers, kind);
                }
                pause(200);
            }
        }));
    }

    long confirmedCount() {
        return confirmed.size();
    }

    /** 200s stored on {@code broker} during {@code phase}. */
    long storedOn(String phase, String broker) {
        return storedOn.getOrDefault(phase, Map.of()).getOrDefault(broker, new AtomicLong()).get();
    }

    /** Waits until {@code count} sends begun in {@code phase} were stored on {@code broker} (at most 60 s). */
    void awaitStored(String phase, String broker, long count) {
        awaitTrue(() -> storedOn(phase, broker) >= count, "no " + count + " messages stored on " + broker
            + " in phase " + phase);
    }

    /** Waits until {@code count} sends in all were answered 200 (at most 60 s). */
    void awaitConfirmed(long count) {
        awaitTrue(() -> confirmedCount() >= count, "no " + count + " messages confirmed");
    }

    private void awaitTrue(BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure + " within 60 s:\n" + report());
            }
            pause(50);
        }
    }

    void stopProducing() {
        producing = false;
        joinAll(producers);
    }

    /**
     * Consumers run until every confirmed message was delivered in every group and then a quiet spell
     * passed (nothing new, acks settled), or the deadline; then they stop.
     */
    boolean drain(long maxSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        boolean complete = false;
        while (System.nanoTime() < deadline) {
            complete = deliveries.values().stream().allMatch(d -> d.keySet().containsAll(confirmed.keySet()));
            if (complete) {
                break;
            }
            pause(200);
        }
        // Late copies (redeliveries of unacked batches) show within a consumeTimeout and the revive lag.
        pause(TimeUnit.SECONDS.toMillis(CONSUME_TIMEOUT_SECONDS + 6));
        consuming = false;
        joinAll(consumers);
        sampling = false;
        joinAll(samplers);
        return complete;
    }

    /** Confirmed msgIds a group never received. */
    Set<String> missing(String group) {
        Set<String> out = new java.util.TreeSet<>(confirmed.keySet());
        out.removeAll(deliveries.get(group).keySet());
        return out;
    }

    /** msgIds of the group delivered again by a request sent after their ack was answered OK. */
    Set<String> deliveredAfterAck(String group) {
        Set<String> out = new java.util.TreeSet<>();
        ackedAt.get(group).forEach((id, acked) -> {
            for (long sent : deliveries.get(group).getOrDefault(id, List.of())) {
                if (sent > acked) {
                    out.add(id);
                }
            }
        });
        return out;
    }

    /** Deliveries beyond the first, per group. */
    long duplicates(String group) {
        return deliveries.get(group).values().stream().mapToLong(l -> l.size() - 1L).sum();
    }

    /** Answer kinds seen in any phase, for produce and consume. */
    Set<String> kinds(Map<String, Map<String, AtomicLong>> answers) {
        Set<String> out = new java.util.TreeSet<>();
        answers.values().forEach(m -> out.addAll(m.keySet()));
        return out;
    }

    String report() {
        StringBuilder s = new StringBuilder();
        s.append("confirmed (produce 200): ").append(confirmed.size()).append(", by broker ")
            .append(byBroker()).append('\n');
        s.append("produce answers by phase: ").append(plain(produceAnswers)).append('\n');
        s.append("200s by phase and broker: ").append(plain(storedOn)).append('\n');
        s.append("consume answers by phase: ").append(plain(consumeAnswers)).append('\n');
        s.append("readiness samples by phase: ").append(plain(readyAnswers)).append('\n');
        deliveries.forEach((group, d) -> s.append("group ").append(group).append(": distinct delivered ")
            .append(d.size()).append(", deliveries ").append(d.values().stream().mapToLong(List::size).sum())
            .append(", duplicates ").append(duplicates(group)).append(", acked OK ").append(ackedAt.get(group).size())
            .append(", missing ").append(missing(group).size()).append(", delivered again after an OK ack ")
            .append(deliveredAfterAck(group).size()).append('\n'));
        s.append("foreign bodies ").append(foreign.size()).append(", id/body mismatches ").append(mismatched.size());
        return s.toString();
    }

    private Map<String, Long> byBroker() {
        Map<String, Long> out = new TreeMap<>();
        confirmedOn.values().forEach(b -> out.merge(b, 1L, Long::sum));
        return out;
    }

    private static Map<String, Map<String, Long>> plain(Map<String, Map<String, AtomicLong>> counts) {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        counts.forEach((phase, m) -> {
            Map<String, Long> inner = new TreeMap<>();
            m.forEach((k, v) -> inner.put(k, v.get()));
            out.put(phase, inner);
        });
        return out;
    }

    private void produceLoop(int thread, ProxyClient client, int perSecond) {
        long seq = 0;
        long gapNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
        long next = System.nanoTime();
        while (producing) {
            String body = runId + "-p" + thread + "-" + seq++;
            // Counted in the phase the send began in: an answer from a broker killed meanwhile was stored before.
            String began = phase;
            String kind;
            try {
                Reply r = client.produce(form("producer", producer, "message", body));
                kind = kind(r);
                if (r.httpStatus() == 200 && r.status() == 200) {
                    String id = r.result().path("msgId").asText();
                    String broker = r.result().path("messageQueue").path("brokerName").asText();
                    confirmed.put(id, body);
                    confirmedOn.put(id, broker);
                    count(storedOn, began, broker);
                }
            } catch (IllegalStateException e) {
                kind = ioKind(e);
            }
            count(produceAnswers, kind);
            next += gapNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                pause(TimeUnit.NANOSECONDS.toMillis(wait));
            } else {
                next = System.nanoTime();
            }
        }
    }

    /** One consuming client: acks by the next poll's requestId, parks what it cannot ack. */
    private final class ConsumerLoop {
        private final String group;
        private final boolean pop;
        private final ProxyClient client;
        private final List<Parked> parked = new ArrayList<>();
        private String requestId = "";
        private List<String> batch = List.of();
        private int failures;

        ConsumerLoop(String group, boolean pop, ProxyClient client) {
            this.group = group;
            this.pop = pop;
            this.client = client;
        }

        void run() {
            while (consuming) {
                pollOnce();
                retryParked(false);
            }
            if (!requestId.isEmpty()) {
                parked.add(new Parked(requestId, batch));
            }
            retryParked(true);
        }

        private void pollOnce() {
            long sentAt = System.nanoTime();
            Reply r;
            try {
                r = client.get(client.consumePort(), "/mq/message?" + query(requestId)
                    + "&maxPullSize=16&pullTimeout=1&consumeTimeout=" + CONSUME_TIMEOUT_SECONDS);
            } catch (IllegalStateException e) {
                failed(ioKind(e));
                return;
            }
            long answeredAt = System.nanoTime();
            String kind = kind(r);
            count(consumeAnswers, kind);
            if (r.httpStatus() != 200 || r.status() != 200) {
                failed(null);
                return;
            }
            failures = 0;
            JsonNode result = r.result();
            if (!requestId.isEmpty() && "OK".equals(result.path("previousAck").asText())) {
                acked(batch, answeredAt);
            }
            List<String> ids = new ArrayList<>();
            for (String list : new String[] {"msgList", "retryMsgList"}) {
                for (JsonNode m : result.path(list)) {
                    String id = m.path("messageId").asText();
                    String body = m.path("message").asText();
                    ids.add(id);
                    deliveries.get(group).computeIfAbsent(id, k -> java.util.Collections.synchronizedList(
                        new ArrayList<>())).add(sentAt);
                    if (!body.startsWith(runId + "-")) {
                        foreign.add(body);
                    }
                    String expected = confirmed.get(id);
                    if (expected != null && !expected.equals(body)) {
                        mismatched.add(group + ":" + id);
                    }
                }
            }
            batch = ids;
            requestId = ids.isEmpty() ? "" : result.path("requestId").asText("");
        }

        private void failed(String ioKind) {
            if (ioKind != null) {
                count(consumeAnswers, ioKind);
            }
            if (!requestId.isEmpty() && ++failures >= FAILURES_BEFORE_PARKING) {
                parked.add(new Parked(requestId, batch));
                requestId = "";
                batch = List.of();
                failures = 0;
            }
            pause(100);
        }

        /** Acks parked batches with /mq/ack; at the end, until each is settled one way or the other. */
        private void retryParked(boolean untilSettled) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(untilSettled ? 60 : 0);
            while (!parked.isEmpty()) {
                Parked p = parked.get(0);
                Reply r;
                try {
                    r = client.get(client.consumePort(), "/mq/ack?" + query(p.requestId));
                } catch (IllegalStateException e) {
                    count(consumeAnswers, "ack-" + ioKind(e));
                    if (!untilSettled || System.nanoTime() > deadline) {
                        return;
                    }
                    pause(200);
                    continue;
                }
                long answeredAt = System.nanoTime();
                count(consumeAnswers, "ack-" + kind(r));
                if (r.httpStatus() == 200 && r.status() == 200) {
                    if ("OK".equals(r.result().path("status").asText())) {
                        acked(p.batch, answeredAt);
                    }
                    parked.remove(0);
                } else if (!untilSettled || System.nanoTime() > deadline) {
                    return;
                } else {
                    pause(200);
                }
            }
        }

        private void acked(List<String> ids, long answeredAt) {
            ids.forEach(id -> ackedAt.get(group).put(id, answeredAt));
        }

        private String query(String rid) {
            return "topic=" + enc(topic) + "&consumer=" + enc(group) + "&pop=" + pop + "&requestId=" + rid;
        }
    }

    private record Parked(String requestId, List<String> batch) {
    }

    /** What a client saw: {@code 200}, {@code env:<status>} for another envelope, {@code http:<code>} without one. */
    static String kind(Reply r) {
        if (r.status() < 0) {
            return "http:" + r.httpStatus();
        }
        if (r.status() == 200) {
            return r.httpStatus() == 200 ? "200" : "200/http:" + r.httpStatus();
        }
        return "env:" + r.status() + (r.httpStatus() == 200 ? "" : "/http:" + r.httpStatus());
    }

    /** A request that got no HTTP answer: {@code io:refused}, {@code io:<exception>}. */
    static String ioKind(IllegalStateException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        if (cause instanceof java.net.ConnectException) {
            return "io:refused";
        }
        return "io:" + cause.getClass().getSimpleName();
    }

    private void count(Map<String, Map<String, AtomicLong>> counts, String kind) {
        count(counts, phase, kind);
    }

    private static void count(Map<String, Map<String, AtomicLong>> counts, String phase, String kind) {
        counts.computeIfAbsent(phase, p -> new ConcurrentHashMap<>())
            .computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static Thread start(String name, Runnable body) {
        Thread t = new Thread(body, "traffic-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void joinAll(List<Thread> threads) {
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(120));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
