package io.mqproxy.produce;

import io.mqproxy.registry.Producer;
import io.mqproxy.registry.Registry;
import io.mqproxy.broker.OutgoingMessage;
import io.mqproxy.broker.ProducerClient;
import io.mqproxy.broker.SendReceipt;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.config.ResourceNames;
import io.mqproxy.error.ErrorMapper;
import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.mqproxy.error.Status;
import io.mqproxy.metrics.ProxyMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Production, free of HTTP: checks a request against the registry and the limits, then sends it.
 * Every message in flight holds a permit, so a burst meets a clear "overloaded" answer instead of
 * a queue that grows. Futures never complete with anything but a result or a {@link ProxyError}.
 */
public final class ProduceService implements AutoCloseable {
    /** Room for a message's properties and headers within a RocketMQ batch request. */
    private static final int PER_MESSAGE_OVERHEAD = 256;
    /** One batch request stays well under the broker's 4 MiB request limit. */
    private static final int MAX_CHUNK_BYTES = 1024 * 1024;

    /*
     * keys, tags and clientIp travel as message properties, which the broker caps at 32 KiB in all (a
     * larger message is refused as illegal); these caps keep the three, plus RocketMQ's own, under it.
     */
    private static final int MAX_KEYS_BYTES = 24 * 1024;
    private static final int MAX_TAGS_BYTES = 4 * 1024;
    private static final int MAX_CLIENT_IP_BYTES = 255;

    private final Registry registry;
    private final ProducerClient client;
    private final ProxyMetrics metrics;
    private final ProxyConfig.Produce limits;
    private final Semaphore inFlight;
    private final long drainMillis;
    /** What a deliveryTimestamp is held to (at most produce.maxDeliveryDelaySeconds ahead). */
    private final Clock clock;

    public ProduceService(Registry registry, ProducerClient client, ProxyMetrics metrics,
                          ProxyConfig.Produce limits, long drainMillis, Clock clock) {
        this.clock = clock;
        this.registry = registry;
        this.client = client;
        this.metrics = metrics;
        this.limits = limits;
        this.inFlight = new Semaphore(limits.maxSendsInFlight());
        this.drainMillis = drainMillis;
    }

    public CompletableFuture<SendReceipt> produce(ProduceRequest r) {
        OutgoingMessage message;
        try {
            Producer producer = producerOf(r.producer());
            String topic = producer.topic();
            byte[] body = body("message", r.message());
            String violation = violation(producer, body);
            if (violation != null) {
                throw Errors.badParam("message", violation);
            }
            checkDelivery(r, limits.maxDeliveryDelaySeconds(), clock.millis());
            propertyText("keys", r.keys(), MAX_KEYS_BYTES);
            propertyText("tags", r.tags(), MAX_TAGS_BYTES);
            propertyText("clientIp", r.clientIp(), MAX_CLIENT_IP_BYTES);
            int propertyBytes = MessageProperties.check("properties", r.properties());
            MessageProperties.checkTogether("properties", propertyBytes, r.keys(), r.tags());
            message = new OutgoingMessage(topic, body, r.keys(), r.tags(), r.orderId(),
                r.delayLevel() == null ? 0 : r.delayLevel(), r.deliveryTimestamp() == null ? 0 : r.deliveryTimestamp(),
                r.roundRobin(), properties(r.clientIp(), r.properties()));
        } catch (ProxyError e) {
            return CompletableFuture.failedFuture(e);
        }
        if (!inFlight.tryAcquire()) {
            metrics.overloaded(ProxyMetrics.BOUND_SENDS);
            return CompletableFuture.failedFuture(Errors.overloaded("sends", limits.maxSendsInFlight()));
        }
        return client.send(message).whenComplete((receipt, failure) -> {
            inFlight.release();
            if (failure == null) {
                metrics.produced(r.producer(), 1, message.body().length);
            } else {
                metrics.produceFailed(r.producer(), outcome(failure), 1);
            }
        }).exceptionallyCompose(failure -> CompletableFuture.failedFuture(ErrorMapper.toProxyError(failure)));
    }

    /** Sends the batch as RocketMQ batches of at most 1 MiB each; the outcome is per message. */
    public CompletableFuture<BatchOutcome> produceBatch(BatchProduceRequest r) {
        List<OutgoingMessage> messages;
        try {
            Producer producer = producerOf(r.producer());
            String topic = producer.topic();
            if (r.messages() == null || r.messages().isEmpty()) {
                throw Errors.badParam("messages", "must be a non-empty JSON array");
            }
            if (r.messages().size() > limits.maxBatchMessages()) {
                throw Errors.badParam("messages", "at most " + limits.maxBatchMessages() + " messages per batch, got "
                    + r.messages().size());
            }
            propertyText("tags", r.tags(), MAX_TAGS_BYTES);
            propertyText("clientIp", r.clientIp(), MAX_CLIENT_IP_BYTES);
            if (r.properties() != null && r.properties().size() != r.messages().size()) {
                throw Errors.badParam("properties", "as a list it has one entry per message: " + r.messages().size()
                    + " messages, " + r.properties().size() + " entries");
            }
            messages = new ArrayList<>(r.messages().size());
            List<String> nonConforming = new ArrayList<>();
            for (int i = 0; i < r.messages().size(); i++) {
                byte[] body = body("messages[" + i + "]", r.messages().get(i));
                // Every message is checked, so the answer names each that fails.
                String violation = violation(producer, body);
                if (violation != null) {
                    nonConforming.add("messages[" + i + "] " + violation);
                }
                Map<String, String> own = r.properties() == null ? null : r.properties().get(i);
                String param = "properties[" + i + "]";
                MessageProperties.checkTogether(param, MessageProperties.check(param, own), null, r.tags());
                messages.add(new OutgoingMessage(topic, body, null, r.tags(), r.orderId(), 0, 0, false,
                    properties(r.clientIp(), own)));
            }
            refuseNonConforming(nonConforming);
        } catch (ProxyError e) {
            return CompletableFuture.failedFuture(e);
        }
        int permits = Math.min(messages.size(), limits.maxSendsInFlight());
        if (!inFlight.tryAcquire(permits)) {
            metrics.overloaded(ProxyMetrics.BOUND_SENDS);
            return CompletableFuture.failedFuture(Errors.overloaded("sends", limits.maxSendsInFlight()));
        }
        ProxyError[] failures = new ProxyError[messages.size()];
        List<int[]> chunks = new ArrayList<>();
        for (int start = 0; start < messages.size(); ) {
            int end = chunkEnd(messages, start);
            chunks.add(new int[] {start, end});
            start = end;
        }
        CompletableFuture<?> done;
        if (r.orderId() == null) {
            done = CompletableFuture.allOf(chunks.stream()
                .map(c -> sendChunk(r.producer(), messages, c[0], c[1], failures)).toArray(CompletableFuture[]::new));
        } else {
            // One queue, in input order: the broker may store concurrent requests in any order, so each chunk
            // goes only once the previous one is stored, and none goes after a failure (it would leave a gap).
            CompletableFuture<Boolean> chain = CompletableFuture.completedFuture(true);
            for (int[] c : chunks) {
                chain = chain.thenCompose(previousStored -> {
                    if (previousStored) {
                        return sendChunk(r.producer(), messages, c[0], c[1], failures);
                    }
                    Arrays.fill(failures, c[0], c[1], Errors.notSent("an earlier message of this orderId failed"));
                    metrics.produceFailed(r.producer(), ProxyMetrics.FAILED, c[1] - c[0]);
                    return CompletableFuture.completedFuture(false);
                });
            }
            done = chain;
        }
        return done.handle((v, ignored) -> {
            inFlight.release(permits);
            return new BatchOutcome(Arrays.asList(failures));
        });
    }

    /** Sends messages [from, end) as one request; completes with whether they were stored, never exceptionally. */
    private CompletableFuture<Boolean> sendChunk(String producer, List<OutgoingMessage> messages, int from, int end,
                                                 ProxyError[] failures) {
        OutgoingMessage first = messages.get(from);
        // A message alone goes as a plain send: a broker batch adds headers to the 4 MiB body limit.
        CompletableFuture<?> sent = end - from == 1 ? client.send(first)
            : client.sendBatch(first.topic(), messages.subList(from, end), first.orderId());
        return sent.handle((receipts, failure) -> {
            long bytes = 0;
            for (int i = from; i < end; i++) {
                bytes += messages.get(i).body().length;
            }
            if (failure == null) {
                metrics.produced(producer, end - from, bytes);
                return true;
            }
            ProxyError error = ErrorMapper.toProxyError(failure);
            Arrays.fill(failures, from, end, error);
            metrics.produceFailed(producer, outcome(error), end - from);
            return false;
        });
    }

    private static int chunkEnd(List<OutgoingMessage> messages, int start) {
        long size = 0;
        int end = start;
        while (end < messages.size()) {
            size += messages.get(end).body().length + PER_MESSAGE_OVERHEAD;
            if (size > MAX_CHUNK_BYTES && end > start) {
                break;
            }
            end++;
        }
        return end;
    }

    /** Why the producer's schema refuses {@code body}, or null (also when it has none): checked before the broker. */
    private static String violation(Producer producer, byte[] body) {
        return producer.schema() == null ? null : producer.schema().violation(body);
    }

    /**
     * The whole batch is refused when any message fails its schema: sending the others would leave gaps a
     * producer cannot see (and, with orderId, break the order it asked for).
     */
    private static void refuseNonConforming(List<String> failed) {
        if (failed.isEmpty()) {
            return;
        }
        String shown = String.join("; ", failed.subList(0, Math.min(5, failed.size())));
        throw Errors.badParam("messages", failed.size() + (failed.size() == 1 ? " message fails" : " messages fail")
            + " the producer's schema, so none was sent: " + shown + (failed.size() > 5 ? "; ..." : ""));
    }

    /** The topic of a registered producer, or null (for spans: a request's checks name an unknown one). */
    public String topicOf(String producer) {
        return producer == null ? null : registry.producer(producer).map(Producer::topic).orElse(null);
    }

    private Producer producerOf(String producer) {
        if (producer == null || producer.isBlank()) {
            throw Errors.missing("producer");
        }
        String broken = ResourceNames.check(producer, ResourceNames.MAX_GROUP_LENGTH);
        if (broken != null) {
            throw Errors.badParam("producer", broken);
        }
        return registry.producer(producer).orElseThrow(() -> Errors.unknownProducer(producer));
    }

    private byte[] body(String param, String text) {
        if (text == null || text.isBlank()) {
            throw Errors.badParam(param, "must not be empty or blank");
        }
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        if (body.length > limits.maxMessageBytes()) {
            throw Errors.badParam(param, "at most " + limits.maxMessageBytes() + " bytes (UTF-8), got " + body.length);
        }
        return body;
    }

    /**
     * RocketMQ encodes properties as {@code name U+0001 value U+0002}: either character in a value would
     * cut it short or inject other properties (even system ones), so it is refused.
     */
    private static void propertyText(String param, String value, int maxBytes) {
        if (value == null) {
            return;
        }
        if (value.indexOf('\u0001') >= 0 || value.indexOf('\u0002') >= 0) {
            throw Errors.badParam(param, "must not contain the control characters U+0001 or U+0002");
        }
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBytes) {
            throw Errors.badParam(param, "at most " + maxBytes + " bytes (UTF-8), got " + bytes);
        }
    }

    private static void checkDelivery(ProduceRequest r, long maxDelaySeconds, long nowMillis) {
        if (r.delayLevel() != null && r.deliveryTimestamp() != null) {
            throw Errors.badParam("deliveryTimestamp", "cannot be combined with delayLevel: choose one");
        }
        if (r.deliveryTimestamp() != null
            && r.deliveryTimestamp() > nowMillis + maxDelaySeconds * 1000) {
            throw Errors.badParam("deliveryTimestamp", "at most " + maxDelaySeconds + " seconds ahead "
                + "(produce.maxDeliveryDelaySeconds, the broker's limit), got " + r.deliveryTimestamp());
        }
        if (r.orderId() != null && r.roundRobin()) {
            throw Errors.badParam("roundRobin", "cannot be combined with orderId, which picks the queue");
        }
    }

    private static Map<String, String> properties(String clientIp, Map<String, String> own) {
        if (own == null || own.isEmpty()) {
            return clientIp == null ? Map.of() : Map.of("clientIp", clientIp);
        }
        Map<String, String> all = new LinkedHashMap<>(own);
        if (clientIp != null) {
            all.put("clientIp", clientIp);
        }
        return all;
    }

    private static String outcome(Throwable failure) {
        return ErrorMapper.toProxyError(failure).status() == Status.UNKNOWN ? ProxyMetrics.UNKNOWN : ProxyMetrics.FAILED;
    }

    /** Waits (bounded by the send time-out) for sends in flight, so each gets its real answer. */
    @Override
    public void close() {
        try {
            if (inFlight.tryAcquire(limits.maxSendsInFlight(), drainMillis, TimeUnit.MILLISECONDS)) {
                inFlight.release(limits.maxSendsInFlight());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
