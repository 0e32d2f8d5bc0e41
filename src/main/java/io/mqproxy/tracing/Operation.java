package io.mqproxy.tracing;

/**
 * What a span does, as OpenTelemetry's messaging conventions name it: {@code messaging.operation.name} (the
 * proxy's word) and {@code messaging.operation.type} (the conventions' kind of operation).
 */
public enum Operation {
    SEND("send", "send"),
    RECEIVE("receive", "receive"),
    ACK("ack", "settle"),
    NACK("nack", "settle"),
    UNLOCK("unlock", "settle"),
    /** A webhook request carrying messages to their consumer (push-based delivery). */
    PUSH("push", "process"),
    /** A batch of messages written as server-sent events on a client's stream (push-based delivery). */
    STREAM("stream", "process");

    private final String operationName;
    private final String type;

    Operation(String operationName, String type) {
        this.operationName = operationName;
        this.type = type;
    }

    public String operationName() {
        return operationName;
    }

    public String type() {
        return type;
    }
}
