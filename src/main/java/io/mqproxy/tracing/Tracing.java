package io.mqproxy.tracing;

/**
 * What the proxy's produce, consume and push code asks of tracing. OpenTelemetry stays behind it (only this
 * package imports it): with {@code tracing.otlpEndpoint} empty, {@link #OFF} is all there is, no SDK is built
 * and every span is {@link TraceSpan#NONE}, one shared object whose methods do nothing.
 */
public interface Tracing extends AutoCloseable {
    Tracing OFF = new Tracing() {
        @Override
        public TraceSpan serve(Operation operation, String traceparent, String tracestate) {
            return TraceSpan.NONE;
        }

        @Override
        public TraceSpan push(String traceparent, String tracestate) {
            return TraceSpan.NONE;
        }

        @Override
        public TraceSpan stream(String traceparent, String tracestate) {
            return TraceSpan.NONE;
        }

        @Override
        public void close() {
        }
    };

    /**
     * A span (kind SERVER) for a data request the proxy serves, a child of the caller's W3C context.
     *
     * @param traceparent the request's {@code traceparent}, or null (a new trace)
     * @param tracestate  its {@code tracestate}, or null
     */
    TraceSpan serve(Operation operation, String traceparent, String tracestate);

    /** A span (kind CLIENT) for one webhook request, a child of the (first) pushed message's context. */
    TraceSpan push(String traceparent, String tracestate);

    /**
     * A span (kind SERVER: the proxy answers the client's stream request) for one batch of messages written as
     * server-sent events, a child of the (first) message's context.
     */
    TraceSpan stream(String traceparent, String tracestate);

    /** Exports what is still queued (bounded by the export time-out) and stops. */
    @Override
    void close();
}
