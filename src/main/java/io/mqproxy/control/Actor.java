package io.mqproxy.control;

/**
 * Who asks for a control action, for the audit: the authenticated operator, and the request's id
 * (the caller's {@code X-Request-Id}, or one the proxy made), which the answer carries too.
 */
public record Actor(String operator, String requestId) {
}
