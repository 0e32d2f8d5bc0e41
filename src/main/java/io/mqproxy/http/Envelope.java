package io.mqproxy.http;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The contract's response body: {@code {"status":..., "message":..., "result":...}}.
 *
 * @param page where a paged answer whose result is a list stands (the audit log: its cursor and counts),
 *             beside the result so that the list keeps its shape; absent elsewhere
 */
record Envelope(int status, String message, Object result, @JsonInclude(JsonInclude.Include.NON_NULL) Object page) {
    Envelope(int status, String message, Object result) {
        this(status, message, result, null);
    }

    static Envelope ok(Object result) {
        return new Envelope(200, null, result);
    }
}
