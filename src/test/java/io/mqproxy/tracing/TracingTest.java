package io.mqproxy.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqproxy.config.ConfigException;
import io.mqproxy.config.ConfigLoader;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.testing.FreePorts;
import io.mqproxy.threads.ThreadPools;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tracing off costs nothing (no SDK, no thread, no meter); on, its queue is bounded and drops are counted. */
class TracingTest {

    @Test
    void off_byDefault_isTheNoopTracing_withNoExporterThread_andNoMeter() {
        ProxyConfig config = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(config.tracing().enabled()).isFalse();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Tracing tracing = OtelTracing.start(config.tracing(), registry, ThreadPools.unmetered());

        assertThat(tracing).isSameAs(Tracing.OFF);
        TraceSpan span = tracing.serve(Operation.SEND, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", null);
        assertThat(span).isSameAs(TraceSpan.NONE);
        assertThat(span.destination("t").messageCount(3).failed("x")).isSameAs(TraceSpan.NONE);
        assertThat(span.traceparent()).isNull();
        assertThat(span.traceId()).isNull();
        assertThat(tracing.push(null, null)).isSameAs(TraceSpan.NONE);
        assertThat(tracing.stream(null, null)).isSameAs(TraceSpan.NONE);
        assertThat(span.previousAck(true, "OK")).isSameAs(TraceSpan.NONE);
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
            .noneMatch(name -> name.startsWith("BatchSpanProcessor") || name.startsWith("mqproxy-tracing"));
        assertThat(registry.find("mqproxy.tracing.spans.dropped").meter()).isNull();
        tracing.close();
    }

    @Test
    void on_aFullQueueDropsNewSpans_andCountsThem_neverWaiting() {
        // A collector that is not there: exports fail (after their time-out) while spans keep coming.
        ProxyConfig.Tracing settings = new ProxyConfig.Tracing("http://127.0.0.1:" + FreePorts.any() + "/v1/traces",
            "mq-proxy", 1.0, 1, 4);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Tracing tracing = OtelTracing.start(settings, registry, ThreadPools.unmetered());
        try {
            long began = System.nanoTime();
            for (int i = 0; i < 1_000; i++) {
                tracing.serve(Operation.SEND, null, null).destination("t").end();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - began)).as("ending spans never waits for the export")
                .isLessThan(Duration.ofSeconds(1));
            await().atMost(Duration.ofSeconds(10)).until(() ->
                registry.get("mqproxy.tracing.spans.dropped").functionCounter().count() > 0);
        } finally {
            tracing.close();
        }
    }

    @Test
    void settings_areValidated_namingTheKey() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("tracing.otlpEndpoint", "grpc://x:4317")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("tracing.otlpEndpoint");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("MQPROXY_TRACING_SAMPLE_RATIO", "1.5"), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("tracing.sampleRatio");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("tracing.maxQueueSize", "0")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("tracing.maxQueueSize");
        ProxyConfig on = ConfigLoader.load(null, Map.of(), Map.of("tracing.otlpEndpoint",
            "http://collector:4318/v1/traces", "tracing.sampleRatio", "0.25"));
        assertThat(on.tracing().enabled()).isTrue();
        assertThat(on.tracing().sampleRatio()).isEqualTo(0.25);
    }
}
