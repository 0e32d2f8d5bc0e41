package io.mqproxy.tracing;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.threads.ThreadPools;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Spans exported over OTLP/HTTP (protobuf) by the OpenTelemetry SDK: a batch processor whose queue holds
 * {@code tracing.maxQueueSize} spans and drops (and counts) new ones when full, never blocking the thread that
 * ends a span. The SDK's processor runs one thread of its own ({@code BatchSpanProcessor_WorkerThread}); the
 * exporter's blocking sends run on the pool {@code mqproxy-tracing-export}; the JDK's HttpClient keeps its own
 * selector and worker threads ({@code HttpClient-*}).
 */
public final class OtelTracing implements Tracing {
    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
    static final AttributeKey<Long> COUNT = AttributeKey.longKey("messaging.batch.message_count");
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<Boolean> ACKED_PREVIOUS = AttributeKey.booleanKey("mqproxy.acked_previous");
    static final AttributeKey<String> PREVIOUS_ACK = AttributeKey.stringKey("mqproxy.previous_ack");
    static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final SdkTracerProvider provider;
    private final SdkMeterProvider selfMetrics;
    private final ExecutorService exports;
    private final Tracer tracer;
    private final long closeMillis;

    private OtelTracing(ProxyConfig.Tracing config, MeterRegistry registry, ThreadPools pools) {
        // The processor's own counters (spans processed, dropped) are read into Micrometer on each scrape.
        DroppedSpans dropped = new DroppedSpans();
        this.selfMetrics = SdkMeterProvider.builder().registerMetricReader(dropped).build();
        FunctionCounter.builder("mqproxy.tracing.spans.dropped", dropped, DroppedSpans::count)
            .description("spans dropped because tracing.maxQueueSize spans were already waiting for export")
            .register(registry);
        this.exports = pools.fixed("tracing-export", 1, 4);
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
            .setEndpoint(config.otlpEndpoint())
            .setTimeout(Duration.ofSeconds(config.exportTimeoutSeconds()))
            .setExecutorService(exports)
            .build();
        BatchSpanProcessor processor = BatchSpanProcessor.builder(exporter)
            .setMaxQueueSize(config.maxQueueSize())
            .setMaxExportBatchSize(Math.min(512, config.maxQueueSize()))
            .setExporterTimeout(Duration.ofSeconds(config.exportTimeoutSeconds()))
            .setScheduleDelay(Duration.ofMillis(config.exportDelayMillis()))
            .setMeterProvider(selfMetrics)
            .build();
        this.provider = SdkTracerProvider.builder()
            .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), config.serviceName()))))
            // A caller's traceparent decides for its trace (sampled or not); the ratio decides for new traces.
            .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRatio())))
            // The SDK's default, named here so the links a batch's span builds (MessageLinks) are all kept.
            .setSpanLimits(SpanLimits.builder().setMaxNumberOfLinks(MessageLinks.MAX).build())
            .addSpanProcessor(processor)
            .build();
        this.tracer = provider.get("io.mqproxy");
        this.closeMillis = TimeUnit.SECONDS.toMillis(config.exportTimeoutSeconds());
    }

    /** The SDK when {@code tracing.otlpEndpoint} names a collector; {@link Tracing#OFF} otherwise. */
    public static Tracing start(ProxyConfig.Tracing config, MeterRegistry registry, ThreadPools pools) {
        return config.enabled() ? new OtelTracing(config, registry, pools) : Tracing.OFF;
    }

    @Override
    public TraceSpan serve(Operation operation, String traceparent, String tracestate) {
        return start(operation, SpanKind.SERVER, traceparent, tracestate);
    }

    @Override
    public TraceSpan push(String traceparent, String tracestate) {
        return start(Operation.PUSH, SpanKind.CLIENT, traceparent, tracestate);
    }

    @Override
    public TraceSpan stream(String traceparent, String tracestate) {
        return start(Operation.STREAM, SpanKind.SERVER, traceparent, tracestate);
    }

    private TraceSpan start(Operation operation, SpanKind kind, String traceparent, String tracestate) {
        Context parent = Context.root();
        if (traceparent != null) {
            Map<String, String> carrier = new HashMap<>(4);
            carrier.put("traceparent", traceparent);
            if (tracestate != null) {
                carrier.put("tracestate", tracestate);
            }
            parent = W3CTraceContextPropagator.getInstance().extract(parent, carrier, GETTER);
        }
        Span span = tracer.spanBuilder(operation.operationName())
            .setParent(parent)
            .setSpanKind(kind)
            .setAttribute(SYSTEM, "rocketmq")
            .setAttribute(OPERATION_NAME, operation.operationName())
            .setAttribute(OPERATION_TYPE, operation.type())
            .startSpan();
        return new OtelSpan(span, operation, parent);
    }

    @Override
    public void close() {
        provider.shutdown().join(closeMillis, TimeUnit.MILLISECONDS);
        selfMetrics.shutdown().join(closeMillis, TimeUnit.MILLISECONDS);
        exports.shutdown();
    }
}
