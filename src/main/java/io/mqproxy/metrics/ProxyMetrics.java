package io.mqproxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * Every meter the proxy keeps, in one Prometheus registry. Tag values are bounded: routes and
 * statuses are fixed sets, producer and consumer names come from the registry of known groups.
 */
public final class ProxyMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public ProxyMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gc.bindTo(registry);
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
        Timer.builder("mqproxy.http.requests")
            .description("HTTP requests by route and envelope status")
            .tag("route", route)
            .tag("status", Integer.toString(status))
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(60))
            .register(registry)
            .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public void produced(String producer, int messages, long bytes) {
        Counter.builder("mqproxy.produce.messages").description("messages stored by the broker")
            .tag("producer", producer).register(registry).increment(messages);
        Counter.builder("mqproxy.produce.bytes").description("message body bytes stored by the broker")
            .baseUnit("bytes").tag("producer", producer).register(registry).increment(bytes);
    }

    /** A send that did not succeed: {@code outcome} is "failed" (500) or "unknown" (300, time-out). */
    public void produceFailed(String producer, String outcome, int messages) {
        Counter.builder("mqproxy.produce.failures").description("messages not confirmed stored")
            .tag("producer", producer).tag("outcome", outcome).register(registry).increment(messages);
    }

    public void delivered(String consumer, int fresh, int retried) {
        Counter.builder("mqproxy.consume.messages").description("messages delivered to consumers")
            .tag("consumer", consumer).tag("delivery", "first").register(registry).increment(fresh);
        Counter.builder("mqproxy.consume.messages").description("messages delivered to consumers")
            .tag("consumer", consumer).tag("delivery", "retry").register(registry).increment(retried);
    }

    /** Messages acked; {@code status} EXPIRED when the ack came after consumeTimeout. */
    public void acked(String consumer, int messages, String status) {
        Counter.builder("mqproxy.consume.acks").description("messages acknowledged by consumers")
            .tag("consumer", consumer).tag("status", status).register(registry).increment(messages);
    }

    /** A request refused because a bound was reached: what is at its bound. */
    public void overloaded(String bound) {
        Counter.builder("mqproxy.overload.refusals").description("requests refused at a bound")
            .tag("bound", bound).register(registry).increment();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
