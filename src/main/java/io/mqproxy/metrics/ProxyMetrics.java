package io.mqproxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every meter the proxy keeps, in one Prometheus registry. Tag values are bounded: routes and
 * statuses are fixed sets, producer and consumer names come from the registry of known groups.
 *
 * <p>Meters are looked up once per tag combination and then kept: building and registering a meter
 * on every request (tags sorted, an id hashed, a registry map consulted) is a measurable share of a
 * small request's cost. The caches are bounded; past the bound a meter is still found through the
 * registry as before, only not cached.
 */
public final class ProxyMetrics implements AutoCloseable {
    /** Far above the real number of routes x statuses or producers x outcomes. */
    static final int MAX_CACHED = 1024;

    /** What a production that failed ended as ({@link #produceFailed}): refused, or not known to be stored. */
    public static final String FAILED = "failed";
    public static final String UNKNOWN = "unknown";
    /** The bounds a request is refused at ({@link #overloaded}). */
    public static final String BOUND_SENDS = "sends";
    public static final String BOUND_POLLS = "polls";
    public static final String BOUND_ACKS = "acks";
    public static final String BOUND_BODY_BYTES = "bodyBytes";
    /** An operator's re-delivery ({@link #redeliveredByOperator}): of a message, or of dead letters. */
    public static final String REDELIVER = "redeliver";
    public static final String REDRIVE = "redrive";
    /** The status of an ack or release that went through (AckResult.OK): the one series every group has. */
    private static final String SETTLED = "OK";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    private record HttpKey(String route, int status) {
    }

    private record FailureKey(String producer, String outcome) {
    }

    private record ProducedMeters(Counter messages, Counter bytes) {
    }

    private record DeliveredMeters(Counter first, Counter retry) {
    }

    private record AckKey(String consumer, String status) {
    }

    private final ConcurrentHashMap<HttpKey, Timer> httpTimers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ProducedMeters> producedMeters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<FailureKey, Counter> failureCounters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> overloadCounters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, DeliveredMeters> deliveredMeters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<AckKey, Counter> ackCounters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<AckKey, Counter> releaseCounters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> deadLetterCounters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<AckKey, Counter> redeliveryCounters = new ConcurrentHashMap<>();
    /** What {@link #counter} reads, kept reachable. */
    private final List<Supplier<Number>> countedBy = new CopyOnWriteArrayList<>();
    private final Counter malformed = Counter.builder("mqproxy.http.malformed")
        .description("requests whose HTTP could not be read (broken head or chunking), answered 400 and closed")
        .register(registry);

    public ProxyMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        gc.bindTo(registry);
        for (String bound : List.of(BOUND_SENDS, BOUND_POLLS, BOUND_ACKS, BOUND_BODY_BYTES)) {
            overloaded(bound, 0);
        }
    }

    /**
     * Exports a producer's series at zero before its first message, so that a dashboard's rate() and an
     * alert rule's absent() see the producer from the first scrape, not from its first event.
     */
    public void producerKnown(String producer) {
        produced(producer, 0, 0);
        produceFailed(producer, FAILED, 0);
        produceFailed(producer, UNKNOWN, 0);
    }

    /** The same for a consumer group: deliveries, acks, releases, dead letters, operators' re-deliveries. */
    public void consumerKnown(String consumer) {
        delivered(consumer, 0, 0);
        acked(consumer, 0, SETTLED);
        released(consumer, 0, SETTLED);
        deadLettered(consumer, 0);
        redeliveredByOperator(consumer, REDELIVER, 0);
        redeliveredByOperator(consumer, REDRIVE, 0);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    /** An HTTP request answered, by route and envelope status. */
    public void httpRequest(String route, int status, long nanos) {
        cached(httpTimers, new HttpKey(route, status), k -> Timer.builder("mqproxy.http.requests")
            .description("HTTP requests by route and envelope status")
            .tag("route", k.route())
            .tag("status", Integer.toString(k.status()))
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(60))
            .register(registry))
            .record(nanos, TimeUnit.NANOSECONDS);
    }

    public void produced(String producer, int messages, long bytes) {
        ProducedMeters m = cached(producedMeters, producer, p -> new ProducedMeters(
            Counter.builder("mqproxy.produce.messages").description("messages stored by the broker")
                .tag("producer", p).register(registry),
            Counter.builder("mqproxy.produce.bytes").description("message body bytes stored by the broker")
                .baseUnit("bytes").tag("producer", p).register(registry)));
        m.messages().increment(messages);
        m.bytes().increment(bytes);
    }

    /** A send that did not succeed: {@code outcome} is "failed" (500) or "unknown" (300, time-out). */
    public void produceFailed(String producer, String outcome, int messages) {
        cached(failureCounters, new FailureKey(producer, outcome), k -> Counter.builder("mqproxy.produce.failures")
            .description("messages not confirmed stored")
            .tag("producer", k.producer()).tag("outcome", k.outcome()).register(registry))
            .increment(messages);
    }

    public void delivered(String consumer, int fresh, int retried) {
        DeliveredMeters m = cached(deliveredMeters, consumer, c -> new DeliveredMeters(
            Counter.builder("mqproxy.consume.messages").description("messages delivered to consumers")
                .tag("consumer", c).tag("delivery", "first").register(registry),
            Counter.builder("mqproxy.consume.messages").description("messages delivered to consumers")
                .tag("consumer", c).tag("delivery", "retry").register(registry)));
        m.first().increment(fresh);
        m.retry().increment(retried);
    }

    /** Messages acked; {@code status} EXPIRED when the ack came after consumeTimeout. */
    public void acked(String consumer, int messages, String status) {
        cached(ackCounters, new AckKey(consumer, status), k -> Counter.builder("mqproxy.consume.acks")
            .description("messages acknowledged by consumers")
            .tag("consumer", k.consumer()).tag("status", k.status()).register(registry))
            .increment(messages);
    }

    /** Messages given back by unlock, nack or a client that left, by outcome (OK, EXPIRED, ALREADY_ACKED...). */
    public void released(String consumer, int messages, String status) {
        cached(releaseCounters, new AckKey(consumer, status), k -> Counter.builder("mqproxy.consume.releases")
            .description("messages given back to be delivered again (unlock, nack, client gone)")
            .tag("consumer", k.consumer()).tag("status", k.status()).register(registry))
            .increment(messages);
    }

    /** Messages moved to the group's dead-letter topic, past its maxRetries. */
    public void deadLettered(String consumer, int messages) {
        cached(deadLetterCounters, consumer, c -> Counter.builder("mqproxy.consume.dead.letters")
            .description("messages moved to the dead-letter topic after maxRetries deliveries")
            .tag("consumer", c).register(registry))
            .increment(messages);
    }

    /** Messages an operator had delivered again: {@code action} redeliver (by id) or redrive (dead letters). */
    public void redeliveredByOperator(String consumer, String action, int messages) {
        cached(redeliveryCounters, new AckKey(consumer, action), k -> Counter.builder("mqproxy.control.redelivered")
            .description("messages delivered again by an operator (redeliver by id, redrive of dead letters)")
            .tag("consumer", k.consumer()).tag("action", k.status()).register(registry))
            .increment(messages);
    }

    /** Long polls waiting now: at the broker (one of the group's slots) or in the proxy for a turn. */
    public void waitingPolls(Supplier<Number> atBroker, Supplier<Number> inProxy) {
        Gauge.builder("mqproxy.consume.polls.waiting", atBroker).description("long polls waiting for messages")
            .tag("where", "broker").strongReference(true).register(registry);
        Gauge.builder("mqproxy.consume.polls.waiting", inProxy).description("long polls waiting for messages")
            .tag("where", "proxy").strongReference(true).register(registry);
    }

    /** A value read when scraped, e.g. a size kept by another component. */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).strongReference(true).register(registry);
    }

    /** A count kept by another component, read when scraped. */
    public void counter(String name, String description, Supplier<Number> value) {
        // A function counter holds its object weakly: a method reference would be collected, then read as NaN.
        countedBy.add(value);
        FunctionCounter.builder(name, value, v -> v.get().doubleValue()).description(description).register(registry);
    }

    /** Bytes of request bodies being read now, held against {@code http.maxBodyBytesInFlight}. */
    public void bodyBytesReserved(Supplier<Number> reserved) {
        Gauge.builder("mqproxy.http.body.reserved", reserved)
            .description("bytes of request bodies being read now, held against http.maxBodyBytesInFlight")
            .baseUnit("bytes")
            .strongReference(true)
            .register(registry);
    }

    /** A request whose HTTP could not be read (broken head or chunking): answered 400 and closed. */
    public void malformedHttp() {
        malformed.increment();
    }

    /** A request refused because a bound was reached: what is at its bound. */
    public void overloaded(String bound) {
        overloaded(bound, 1);
    }

    private void overloaded(String bound, int refusals) {
        cached(overloadCounters, bound, b -> Counter.builder("mqproxy.overload.refusals")
            .description("requests refused at a bound")
            .tag("bound", b).register(registry))
            .increment(refusals);
    }

    /** The cached meter, else a new one, kept while the cache is under its bound. */
    private static <K, M> M cached(ConcurrentHashMap<K, M> cache, K key, Function<K, M> register) {
        M meter = cache.get(key);
        if (meter != null) {
            return meter;
        }
        if (cache.size() >= MAX_CACHED) {
            return register.apply(key);
        }
        return cache.computeIfAbsent(key, register);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
