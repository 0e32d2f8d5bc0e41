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
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Tracing off costs nothing (no SDK, no thread, no meter); on, its queue is bounded and drops are counted, and a
 * batch's span links each message's context, at most 128 of them.
 */
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
            "mq-proxy", 1.0, 1, 4, 5_000);
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
    void batchLinks_atMost128PerSpan_neverReadingPast_evenForAThousandMessages() {
        List<SpanData> exported = new CopyOnWriteArrayList<>();
        try (SdkTracerProvider sdk = collecting(exported)) {
            List<Map<String, String>> batch = new ArrayList<>();
            for (int i = 1; i <= 1_000; i++) {
                batch.add(Map.of("traceparent", parent(i)));
            }
            AtomicInteger read = new AtomicInteger();
            TraceSpan span = new OtelSpan(sdk.get("t").spanBuilder("stream").startSpan(), Operation.STREAM,
                Context.root());
            span.linkEach(batch, m -> {
                read.incrementAndGet();
                return m;
            }).linkEach(batch, m -> {
                read.incrementAndGet();
                return m;
            }).end();

            SpanData data = exported.get(0);
            assertThat(data.getLinks()).hasSize(MessageLinks.MAX);
            assertThat(data.getTotalRecordedLinks()).as("no link built past the bound for the SDK to drop")
                .isEqualTo(128);
            assertThat(data.getLinks().get(0).getSpanContext().getTraceId()).isEqualTo("%032x".formatted(1));
            assertThat(read.get()).as("no message looked at once the bound is reached").isEqualTo(128);
        }
    }

    @Test
    void batchLinks_oneForEachDistinctValidContext_noneForMessagesWithout() {
        List<SpanData> exported = new CopyOnWriteArrayList<>();
        try (SdkTracerProvider sdk = collecting(exported)) {
            List<Map<String, String>> batch = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                // Two producers' contexts over and over, and messages with none, an empty one or a broken one.
                batch.add(i % 5 == 0 ? Map.of() : i % 5 == 1 ? Map.of("traceparent", "not-a-traceparent")
                    : i % 5 == 2 ? Map.of("traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01")
                    : Map.of("traceparent", parent(i % 2 + 1), "tracestate", "vendor=" + (i % 2)));
            }
            batch.add(null);
            new OtelSpan(sdk.get("t").spanBuilder("receive").startSpan(), Operation.RECEIVE, Context.root())
                .linkEach(batch, m -> m).linkEach(batch.subList(0, 10), m -> m).end();

            assertThat(exported.get(0).getLinks()).extracting(l -> l.getSpanContext().getTraceId())
                .containsExactlyInAnyOrder("%032x".formatted(1), "%032x".formatted(2));
        }
    }

    @Test
    void batchLinks_tracingOffOrSampledOut_readNoMessage() {
        Function<Map<String, String>, Map<String, String>> never = m -> {
            throw new AssertionError("a message's properties were read");
        };
        List<Map<String, String>> batch = List.of(Map.of("traceparent", parent(1)));
        assertThat(Tracing.OFF.stream(parent(1), null).linkEach(batch, never)).isSameAs(TraceSpan.NONE);
        new OtelSpan(Span.getInvalid(), Operation.PUSH, Context.root()).linkEach(batch, never).end();
    }

    private static SdkTracerProvider collecting(List<SpanData> into) {
        SpanExporter exporter = new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                into.addAll(spans);
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        return SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    }

    private static String parent(int n) {
        return "00-%032x-%016x-01".formatted(n, n);
    }

    @Test
    void settings_areValidated_namingTheKey() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("tracing.otlpEndpoint", "grpc://x:4317")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("tracing.otlpEndpoint");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("MQPROXY_TRACING_SAMPLE_RATIO", "1.5"), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("tracing.sampleRatio");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("tracing.maxQueueSize", "0")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("tracing.maxQueueSize");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("tracing.exportDelayMillis", "0")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("tracing.exportDelayMillis");
        ProxyConfig on = ConfigLoader.load(null, Map.of(), Map.of("tracing.otlpEndpoint",
            "http://collector:4318/v1/traces", "tracing.sampleRatio", "0.25"));
        assertThat(on.tracing().enabled()).isTrue();
        assertThat(on.tracing().sampleRatio()).isEqualTo(0.25);
        assertThat(on.tracing().exportDelayMillis()).as("the SDK's default").isEqualTo(5_000);
    }
}
