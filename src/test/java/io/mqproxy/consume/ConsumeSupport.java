package io.mqproxy.consume;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/** What the consumption tests share: each scenario on its own topic and group, and reading replies. */
final class ConsumeSupport {
    private ConsumeSupport() {
    }

    /**
     * One scenario's own topic, with a producer and a consumer group registered for it on the proxy.
     * Names come from the topic, so no two scenarios share a group (or its retry and dead-letter topics).
     */
    record Lane(String topic, String producer, String group) {
        static Lane create(String prefix, int queues) {
            String topic = TestBroker.get().newTopic(prefix, queues);
            return new Lane(topic, "p-" + topic, "g-" + topic);
        }

        /** Registers the producer and the group, with settings over the group defaults. */
        TestProxy.Builder register(TestProxy.Builder proxy, Map<String, Object> settings) {
            return proxy.producer(producer, topic).consumer(group, topic, settings);
        }

        Consumer consumer(ProxyClient client) {
            return new Consumer(client, topic, group);
        }

        /** Produces one message and returns its msgId. {@code extra}: more parameter pairs (keys, orderId...). */
        String produce(ProxyClient client, String body, String... extra) {
            Map<String, String> params = form("producer", producer, "message", body);
            params.putAll(form(extra));
            ProxyClient.Reply reply = client.produce(params);
            assertThat(reply.status()).as("produce %s: %s", body, reply.body()).isEqualTo(200);
            return reply.result().path("msgId").asText();
        }

        /** Produces the bodies through /mq/produce/batch, {@code perBatch} to a request (each lands on one queue). */
        void produceAll(ProxyClient client, List<String> bodies, int perBatch) {
            for (int from = 0; from < bodies.size(); from += perBatch) {
                List<String> chunk = bodies.subList(from, Math.min(bodies.size(), from + perBatch));
                String json = chunk.stream().map(b -> "\"" + b + "\"").collect(Collectors.joining(",", "[", "]"));
                ProxyClient.Reply reply = client.produceBatch(form("producer", producer, "messages", json));
                assertThat(reply.status()).as("produce batch: %s", reply.body()).isEqualTo(200);
            }
        }
    }

    static Map<String, Object> settings(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** Asserts an envelope of 200 and returns the reply. */
    static ProxyClient.Reply ok(ProxyClient.Reply reply) {
        assertThat(reply.body()).as("HTTP %s: %s", reply.httpStatus(), reply.raw().body()).isNotNull();
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        return reply;
    }

    /** {@code result.status} of a consume reply: FOUND, NO_NEW_MSG... */
    static String resultStatus(ProxyClient.Reply reply) {
        return ok(reply).result().path("status").asText();
    }

    /** The fresh messages, then the redelivered ones, of a consume reply. */
    static List<JsonNode> messages(ProxyClient.Reply reply) {
        List<JsonNode> out = new ArrayList<>();
        ok(reply).result().path("msgList").forEach(out::add);
        reply.result().path("retryMsgList").forEach(out::add);
        return out;
    }

    static List<JsonNode> retried(ProxyClient.Reply reply) {
        List<JsonNode> out = new ArrayList<>();
        ok(reply).result().path("retryMsgList").forEach(out::add);
        return out;
    }

    static List<String> bodies(List<JsonNode> messages) {
        return messages.stream().map(m -> m.path("message").asText()).toList();
    }

    /** A 400 whose message names the parameter first, as every bad-parameter answer does. */
    static void assertBadParam(ProxyClient.Reply reply, String param) {
        assertThat(reply.body()).as("HTTP %s: %s", reply.httpStatus(), reply.raw().body()).isNotNull();
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(400);
        assertThat(reply.message()).as(reply.body().toString()).startsWith(param + ":");
    }

    /**
     * Polls for {@code window}, acking nothing, and returns every message delivered meanwhile. It sets
     * the consumer's pullTimeout to 1 s, so that an empty poll waits instead of spinning.
     */
    static List<JsonNode> deliveredWithin(Consumer consumer, Duration window) {
        List<JsonNode> got = new ArrayList<>();
        long end = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < end) {
            got.addAll(messages(consumer.with("pullTimeout", "1").pollWithoutAck()));
        }
        return got;
    }

    /**
     * Polls (acking nothing) until {@code done} holds for the bodies seen, then 3 s more, and returns
     * every body seen. For "an acked batch never comes back": a never-acked control taken after it
     * shows when it would have come back.
     */
    static List<String> watchUntil(Consumer watcher, Predicate<List<String>> done) {
        List<String> seen = new ArrayList<>();
        Awaitility.await("redelivery").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
            .until(() -> {
                seen.addAll(bodies(messages(watcher.with("pullTimeout", "1").pollWithoutAck())));
                return done.test(seen);
            });
        seen.addAll(bodies(deliveredWithin(watcher, Duration.ofSeconds(3))));
        return seen;
    }

    /** Waits until the broker holds {@code count} messages in the topic, so one pop can see them all. */
    static void awaitStored(String topic, long count) {
        Awaitility.await("stored in " + topic).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
            .until(() -> TestBroker.get().admin().examineTopicStats(topic).getOffsetTable().values().stream()
                .mapToLong(o -> o.getMaxOffset() - o.getMinOffset()).sum() >= count);
    }

    /**
     * Waits until a queue-held group has acked everything in its topic. Orderly POP moves the group's
     * committed offset at ack (plain POP moves it at pop), so a diff of 0 means every message was acked.
     */
    static void awaitAllAcked(Lane heldLane) {
        Awaitility.await(heldLane.group() + " acked everything").atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> TestBroker.get().admin().examineConsumeStats(heldLane.group(), heldLane.topic())
                .computeTotalDiff() == 0);
    }

    /** Whether the broker has created the topic (the dead-letter topic appears with its first message). */
    static boolean topicExists(String topic) {
        try {
            return !TestBroker.get().admin().examineTopicRouteInfo(topic).getQueueDatas().isEmpty();
        } catch (Exception notYet) {
            return false;
        }
    }

    /** Every message stored in a topic, read with RocketMQ's own pull consumer (e.g. a %DLQ% topic). */
    static List<MessageExt> readTopic(String topic) throws Exception {
        DefaultMQPullConsumer reader = new DefaultMQPullConsumer("test-reader-" + System.nanoTime());
        reader.setNamesrvAddr(TestBroker.get().namesrvAddr());
        reader.setInstanceName("test-reader-" + System.nanoTime());
        reader.start();
        try {
            List<MessageExt> all = new ArrayList<>();
            for (MessageQueue mq : reader.fetchSubscribeMessageQueues(topic)) {
                long offset = reader.minOffset(mq);
                while (true) {
                    PullResult r = reader.pull(mq, "*", offset, 32, 5_000);
                    if (r.getPullStatus() != PullStatus.FOUND) {
                        break;
                    }
                    all.addAll(r.getMsgFoundList());
                    offset = r.getNextBeginOffset();
                }
            }
            return all;
        } finally {
            reader.shutdown();
        }
    }
}
