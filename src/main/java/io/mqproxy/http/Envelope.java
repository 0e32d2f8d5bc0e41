package io.mqproxy.http;

/** The contract's response body: {@code {"status":..., "message":..., "result":...}}. */
record Envelope(int status, String message, Object result) {
    static Envelope ok(Object result) {
        return new Envelope(200, null, result);
    }
}
