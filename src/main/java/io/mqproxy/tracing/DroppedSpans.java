package io.mqproxy.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;

/**
 * Reads the batch span processor's own counter of spans it processed, on demand (a scrape), and sums those it
 * dropped because its queue was full: {@code processedSpans{dropped=true}}, or in the SDK's newer naming
 * {@code otel.sdk.processor.span.processed} with an {@code error.type}.
 */
final class DroppedSpans implements MetricReader {
    private static final AttributeKey<Boolean> DROPPED = AttributeKey.booleanKey("dropped");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private volatile CollectionRegistration registration = CollectionRegistration.noop();

    double count() {
        long dropped = 0;
        for (MetricData metric : registration.collectAllMetrics()) {
            if (metric.getType() != MetricDataType.LONG_SUM) {
                continue;
            }
            boolean legacy = metric.getName().equals("processedSpans");
            if (!legacy && !metric.getName().equals("otel.sdk.processor.span.processed")) {
                continue;
            }
            for (LongPointData point : metric.getLongSumData().getPoints()) {
                if (legacy ? Boolean.TRUE.equals(point.getAttributes().get(DROPPED))
                    : point.getAttributes().get(ERROR_TYPE) != null) {
                    dropped += point.getValue();
                }
            }
        }
        return dropped;
    }

    @Override
    public void register(CollectionRegistration registration) {
        this.registration = registration;
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode forceFlush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
