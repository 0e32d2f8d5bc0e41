package io.mqproxy.control;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Who asks for a control action, for the audit: the authenticated operator, and the request's id
 * (the caller's {@code X-Request-Id}, or one the proxy made), which the answer carries too.
 *
 * @param failureAudited whether the control service recorded a failure of the request's change: the
 *                       HTTP edge then records no refusal of its own for it
 */
public record Actor(String operator, String requestId, AtomicBoolean failureAudited) {
    public Actor(String operator, String requestId) {
        this(operator, requestId, new AtomicBoolean());
    }

    void markFailureAudited() {
        failureAudited.set(true);
    }

    public boolean wasFailureAudited() {
        return failureAudited.get();
    }
}
