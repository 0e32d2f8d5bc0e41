package io.mqproxy.push;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Push delivery's meters. Tag values are bounded: consumers come from the registry (and are removed
 * with their group), outcomes and kinds are fixed sets.
 */
public final class PushMetrics {
    /** How a push request ended. */
    enum Outcome { OK, STATUS, TIMEOUT, CONNECTION }

    private final MeterRegistry registry;

    public PushMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A push request answered (or not) after {@code nanos}. */
    void pushed(String consumer, Outcome outcome, int statusCode, int messages, long nanos) {
        Timer.builder("mqproxy.push.requests")
            .description("webhook requests by consumer and outcome (ok: 2xx, status: another answer, timeout, "
                + "connection: refused or broken), with their latency")
            .tag("consumer", consumer).tag("outcome", outcome.name().toLowerCase())
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(60))
            .register(registry)
            .record(nanos, TimeUnit.NANOSECONDS);
        Counter.builder("mqproxy.push.messages")
            .description("messages pushed, by consumer and result: acked (2xx) or retried (pushed again after a back-off)")
            .tag("consumer", consumer).tag("result", outcome == Outcome.OK ? "acked" : "retried")
            .register(registry)
            .increment(messages);
        if (outcome != Outcome.OK) {
            Counter.builder("mqproxy.push.endpoint.errors")
                .description("webhook endpoint errors by consumer and kind: http_4xx, http_5xx, http_other, timeout, "
                    + "connection")
                .tag("consumer", consumer).tag("kind", kind(outcome, statusCode))
                .register(registry)
                .increment();
        }
    }

    /** Streams open now, and events written. */
    void streams(Supplier<Number> open) {
        io.micrometer.core.instrument.Gauge.builder("mqproxy.stream.open", open)
            .description("server-sent event streams open on this instance").strongReference(true).register(registry);
    }

    void streamed(String consumer, int events) {
        Counter.builder("mqproxy.stream.events")
            .description("messages written to server-sent event streams, by consumer")
            .tag("consumer", consumer).register(registry).increment(events);
    }

    /** A group went away: its series go too. */
    void forget(String consumer) {
        List<Meter> mine = registry.getMeters().stream()
            .filter(m -> m.getId().getName().startsWith("mqproxy.push.") || m.getId().getName().startsWith("mqproxy.stream."))
            .filter(m -> consumer.equals(m.getId().getTag("consumer")))
            .toList();
        mine.forEach(registry::remove);
    }

    private static String kind(Outcome outcome, int statusCode) {
        return switch (outcome) {
            case TIMEOUT -> "timeout";
            case CONNECTION -> "connection";
            default -> statusCode >= 500 && statusCode < 600 ? "http_5xx"
                : statusCode >= 400 && statusCode < 500 ? "http_4xx" : "http_other";
        };
    }
}
