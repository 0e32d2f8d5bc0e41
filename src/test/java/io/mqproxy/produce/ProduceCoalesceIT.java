package io.mqproxy.produce;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqproxy.testing.MetricsScrape;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.StoredMessages;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code produce.coalesce} (on by default) against the real broker: concurrent single sends that went to the
 * broker together in one batch still each get their own msgId, queue and offset, orderId and roundRobin keep
 * their queues and order, delayed and timed messages keep their semantics, and a failure reaches only the
 * clients whose messages failed. Each scenario repeats its burst until the proxy's meter shows that some of
 * its sends really were batched, so the checks never pass on sends that all went alone.
 */
class ProduceCoalesceIT {
    private static final String PLAIN = "coalesce-plain";
    private static final String ORDER = "coalesce-order";
    private static final String RR = "coalesce-rr";
    private static final String GHOST = "coalesce-ghost";
    private static final int THREADS = 32;
    private static final int MAX_BURSTS = 20;

    private static String plainTopic;
    private static String orderTopic;
    private static String rrTopic;
    private static TestProxy proxy;
    private static ProxyClient client;
    private static ExecutorService pool;

    @BeforeAll
    static void start() {
        TestBroker broker = TestBroker.get();
        plainTopic = broker.newTopic("coalesce-plain", 4);
        orderTopic = broker.newTopic("coalesce-order", 4);
        rrTopic = broker.newTopic("coalesce-rr", 4);
        proxy = TestProxy.builder()
            .producer(PLAIN, plainTopic)
            .producer(ORDER, orderTopic)
            .producer(RR, rrTopic)
            .producer(GHOST, "coalesce-ghost-topic-never-created")
            .start();
        client = proxy.client();
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
        proxy.close();
    }

    private static double coalesced() {
        return MetricsScrape.of(client).value("mqproxy_produce_coalesced_messages");
    }

    /** Runs the tasks at once on the pool and returns their results in task order. */
    private static <T> List<T> concurrently(List<Callable<T>> tasks) throws Exception {
        List<Future<T>> futures = pool.invokeAll(tasks);
        List<T> out = new ArrayList<>(futures.size());
        for (Future<T> f : futures) {
            out.add(f.get());
        }
        return out;
    }

    @Test
    void concurrentSends_batchedTogether_eachGetTheirOwnMsgIdQueueAndOffset() throws Exception {
        Map<Integer, Long> before = StoredMessages.maxOffsets(plainTopic);
        Map<String, String> sentBodyById = new HashMap<>();
        Map<String, Reply> replyById = new HashMap<>();
        double coalescedBefore = coalesced();
        for (int burst = 0; burst < MAX_BURSTS && coalesced() == coalescedBefore; burst++) {
            List<Callable<List<String[]>>> tasks = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                String prefix = "b" + burst + "-t" + t;
                tasks.add(() -> {
                    List<String[]> sent = new ArrayList<>();
                    for (int i = 0; i < 4; i++) {
                        String body = prefix + "-" + i;
                        Reply reply = client.produce(form("producer", PLAIN, "message", body, "keys", body));
                        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
                        synchronized (replyById) {
                            replyById.put(reply.result().path("msgId").asText(), reply);
                        }
                        sent.add(new String[] {reply.result().path("msgId").asText(), body});
                    }
                    return sent;
                });
            }
            concurrently(tasks).forEach(list -> list.forEach(pair -> sentBodyById.put(pair[0], pair[1])));
        }
        assertThat(coalesced()).as("some sends went in a batch").isGreaterThan(coalescedBefore);
        assertThat(replyById).as("a msgId each").hasSize(sentBodyById.size());

        Set<String> queueOffsets = new HashSet<>();
        replyById.values().forEach(r -> queueOffsets.add(r.result().path("messageQueue").path("queueId").asInt() + "@"
            + r.result().path("queueOffset").asLong()));
        assertThat(queueOffsets).as("a queue and offset each").hasSize(replyById.size());

        List<MessageExt> stored = await("all stored").atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> StoredMessages.readSince(plainTopic, before), list -> list.size() >= replyById.size());
        assertThat(stored).hasSize(replyById.size());
        for (MessageExt m : stored) {
            Reply reply = replyById.get(m.getMsgId());
            assertThat(reply).as("stored message %s was answered", m.getMsgId()).isNotNull();
            assertThat(StoredMessages.body(m)).isEqualTo(sentBodyById.get(m.getMsgId()));
            assertThat(m.getKeys()).as("its own keys").isEqualTo(sentBodyById.get(m.getMsgId()));
            assertThat(m.getQueueId()).isEqualTo(reply.result().path("messageQueue").path("queueId").asInt());
            assertThat(m.getQueueOffset()).isEqualTo(reply.result().path("queueOffset").asLong());
            MessageExt byOffsetId = TestBroker.get().admin().viewMessage(plainTopic,
                reply.result().path("offsetMsgId").asText());
            assertThat(StoredMessages.body(byOffsetId)).as("offsetMsgId names its own message")
                .isEqualTo(sentBodyById.get(m.getMsgId()));
        }
    }

    @Test
    void orderIds_sentOneAtATimeEach_keepTheirQueueAndOrder_whileBatchedWithOthers() throws Exception {
        Map<String, List<String>> sent = new HashMap<>();
        Map<String, Set<Integer>> queues = new HashMap<>();
        Map<String, Long> firstOffset = new HashMap<>();
        double coalescedBefore = coalesced();
        for (int burst = 0; burst < MAX_BURSTS && coalesced() == coalescedBefore; burst++) {
            List<Callable<Void>> tasks = new ArrayList<>();
            // 16 orderIds on 4 queues: each queue's batches mix several orderIds.
            for (int t = 0; t < 16; t++) {
                String orderId = "order-" + t;
                int b = burst;
                synchronized (sent) {
                    sent.putIfAbsent(orderId, new ArrayList<>());
                    queues.putIfAbsent(orderId, new HashSet<>());
                }
                tasks.add(() -> {
                    for (int i = 0; i < 10; i++) {
                        String body = orderId + "#" + b + "." + i;
                        Reply reply = client.produce(form("producer", ORDER, "message", body, "orderId", orderId));
                        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
                        synchronized (sent) {
                            sent.get(orderId).add(body);
                            queues.get(orderId).add(reply.result().path("messageQueue").path("queueId").asInt());
                            firstOffset.putIfAbsent(orderId, reply.result().path("queueOffset").asLong());
                        }
                    }
                    return null;
                });
            }
            concurrently(tasks);
        }
        assertThat(coalesced()).as("some sends went in a batch").isGreaterThan(coalescedBefore);
        for (String orderId : sent.keySet()) {
            assertThat(queues.get(orderId)).as("queues used by %s", orderId).hasSize(1);
            int queueId = queues.get(orderId).iterator().next();
            List<String> inQueue = StoredMessages.bodies(StoredMessages.readQueue(orderTopic, queueId,
                firstOffset.get(orderId))).stream().filter(b -> b.startsWith(orderId + "#")).toList();
            assertThat(inQueue).as("%s in queue %d", orderId, queueId).containsExactlyElementsOf(sent.get(orderId));
        }
    }

    @Test
    void roundRobin_concurrentSends_stillTakeTheQueuesInTurn() throws Exception {
        double coalescedBefore = coalesced();
        Map<Integer, Long> before = StoredMessages.maxOffsets(rrTopic);
        int sends = 0;
        for (int burst = 0; burst < MAX_BURSTS && coalesced() == coalescedBefore; burst++) {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                String body = "rr-" + burst + "-" + t;
                tasks.add(() -> {
                    Reply reply = client.produce(form("producer", RR, "message", body, "roundRobin", "true"));
                    assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
                    return reply.result().path("messageQueue").path("queueId").asInt();
                });
            }
            concurrently(tasks);
            sends += THREADS;
        }
        assertThat(coalesced()).as("some sends went in a batch").isGreaterThan(coalescedBefore);
        Map<Integer, Long> after = StoredMessages.maxOffsets(rrTopic);
        int perQueue = sends / 4;
        after.forEach((queueId, max) -> assertThat(max - before.getOrDefault(queueId, 0L))
            .as("messages in queue %d", queueId).isEqualTo(perQueue));
    }

    @Test
    void delayedAndTimedMessages_amongConcurrentSends_areStillParkedAndDeliveredNoEarlier() throws Exception {
        Map<Integer, Long> before = StoredMessages.maxOffsets(plainTopic);
        long parkedDelay = StoredMessages.count(StoredMessages.SCHEDULE_TOPIC);
        long parkedTimer = StoredMessages.count(StoredMessages.TIMER_TOPIC);
        long sentAt = System.currentTimeMillis();
        long deliverAt = sentAt + 3_000;
        String delayed = "delayed-" + sentAt;
        String timed = "timed-" + sentAt;
        List<Callable<Reply>> tasks = new ArrayList<>();
        tasks.add(() -> client.produce(form("producer", PLAIN, "message", delayed, "delayLevel", "1")));
        tasks.add(() -> client.produce(form("producer", PLAIN, "message", timed,
            "deliveryTimestamp", Long.toString(deliverAt))));
        for (int t = 0; t < THREADS - 2; t++) {
            String body = "around-" + t;
            tasks.add(() -> client.produce(form("producer", PLAIN, "message", body)));
        }
        List<Reply> replies = concurrently(tasks);
        replies.forEach(r -> assertThat(r.status()).as(r.raw().body()).isEqualTo(200));
        assertThat(StoredMessages.count(StoredMessages.SCHEDULE_TOPIC)).as("parked in the delay topic")
            .isEqualTo(parkedDelay + 1);
        assertThat(StoredMessages.count(StoredMessages.TIMER_TOPIC)).as("parked in the timer topic")
            .isEqualTo(parkedTimer + 1);

        for (Object[] expected : List.of(new Object[] {delayed, sentAt + 1_000, replies.get(0)},
            new Object[] {timed, deliverAt, replies.get(1)})) {
            MessageExt delivered = await("message in " + plainTopic).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> StoredMessages.readSince(plainTopic, before).stream()
                    .filter(m -> StoredMessages.body(m).equals(expected[0])).findFirst().orElse(null), m -> m != null);
            assertThat(delivered.getStoreTimestamp()).as("%s stored at", expected[0])
                .isGreaterThanOrEqualTo((Long) expected[1]);
            assertThat(delivered.getMsgId()).isEqualTo(((Reply) expected[2]).result().path("msgId").asText());
        }
    }

    @Test
    void failure_reachesOnlyTheClientsWhoseMessagesFailed() throws Exception {
        Map<Integer, Long> before = StoredMessages.maxOffsets(plainTopic);
        Set<String> goodBodies = new HashSet<>();
        double coalescedBefore = coalesced();
        for (int burst = 0; burst < MAX_BURSTS && coalesced() == coalescedBefore; burst++) {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                boolean ghost = t % 2 == 0;
                String body = (ghost ? "ghost-" : "good-") + burst + "-" + t;
                if (!ghost) {
                    goodBodies.add(body);
                }
                tasks.add(() -> {
                    for (int i = 0; i < 3; i++) {
                        Reply reply = client.produce(form("producer", ghost ? GHOST : PLAIN, "message", body + "." + i));
                        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(ghost ? 500 : 200);
                    }
                    return null;
                });
            }
            concurrently(tasks);
        }
        assertThat(coalesced()).as("some sends went in a batch").isGreaterThan(coalescedBefore);
        Set<String> expected = new HashSet<>();
        goodBodies.forEach(b -> {
            for (int i = 0; i < 3; i++) {
                expected.add(b + "." + i);
            }
        });
        List<String> stored = await("all stored").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
            .until(() -> StoredMessages.bodies(StoredMessages.readSince(plainTopic, before)),
                list -> list.size() >= expected.size());
        assertThat(stored).containsExactlyInAnyOrderElementsOf(expected);
    }
}
