package io.mqproxy.error;

/** The catalogue: every failure the proxy reports, each with a message a user can act on. */
public final class Errors {
    private Errors() {
    }

    /** A parameter is missing or breaks a rule; the message names both. */
    public static ProxyError badParam(String param, String rule) {
        return new ProxyError(Status.BAD_REQUEST, param + ": " + rule);
    }

    public static ProxyError missing(String param) {
        return badParam(param, "is required");
    }

    public static ProxyError unknownProducer(String producer) {
        return badParam("producer", "unknown producer '" + producer + "': it must be registered with its topic");
    }

    /** Something the operator named does not exist. */
    public static ProxyError notFound(String what) {
        return new ProxyError(Status.NOT_FOUND, what + " does not exist");
    }

    /** Refused because an earlier request of the same kind is still at work on it. */
    public static ProxyError conflict(String why) {
        return new ProxyError(Status.CONFLICT, why);
    }

    /** A control call without a valid operator credential. */
    public static ProxyError unauthenticated(String why) {
        return new ProxyError(Status.UNAUTHORIZED, why);
    }

    /** A valid credential that does not grant what the request asks for. */
    public static ProxyError forbidden(String why) {
        return new ProxyError(Status.FORBIDDEN, why);
    }

    /** A query string that cannot be decoded: the rule it breaks, and where. */
    public static ProxyError malformedQuery(String detail) {
        return badParam("query string", detail);
    }

    /** Bytes that are not the HTTP they claim to be (bad chunking, a broken head). */
    public static ProxyError malformedRequest(String detail) {
        String shown = detail == null || detail.length() <= 160 ? detail : detail.substring(0, 160) + "...";
        return new ProxyError(Status.BAD_REQUEST, "request: malformed HTTP request or body"
            + (shown == null || shown.isBlank() ? "" : " (" + shown + ")"));
    }

    public static ProxyError noSuchEndpoint(String method, String path) {
        return new ProxyError(Status.NOT_FOUND, "no such endpoint: " + method + " " + path);
    }

    public static ProxyError methodNotAllowed(String method, String path, String allowed) {
        return new ProxyError(Status.METHOD_NOT_ALLOWED,
            "method " + method + " not allowed on " + path + ": allowed " + allowed);
    }

    public static ProxyError bodyTimeout(int seconds) {
        return new ProxyError(Status.REQUEST_TIMEOUT, "request body: not complete within " + seconds
            + " s of the request head (http.requestBodyTimeoutSeconds)");
    }

    /** The bodies being read at once already hold the budget's bytes. */
    public static ProxyError bodyBudgetSpent(long budget) {
        return new ProxyError(Status.OVERLOADED, "proxy overloaded: request bodies being read already hold "
            + budget + " bytes (http.maxBodyBytesInFlight); retry later");
    }

    public static ProxyError bodyTooLarge(long limit) {
        return new ProxyError(Status.TOO_LARGE, "request body: larger than the limit of " + limit + " bytes");
    }

    /** Signed requests are remembered to refuse replays; a full memory refuses new ones rather than forget. */
    public static ProxyError signatureMemoryFull(long retryAfterSeconds) {
        return new ProxyError(Status.OVERLOADED, "proxy overloaded: too many signed requests within the signature "
            + "window to remember them all (security.maxRememberedSignatures); retry in " + retryAfterSeconds
            + " s, signed anew");
    }

    public static ProxyError overloaded(String what, int limit) {
        return overloaded(limit + " " + what + " already in flight");
    }

    /** A bound of this proxy is full, as {@code detail} says ("N things already in flight"). */
    public static ProxyError overloaded(String detail) {
        return new ProxyError(Status.OVERLOADED, "proxy overloaded: " + detail + "; retry later");
    }

    /** The broker turned a message away for load: it was not stored. */
    public static ProxyError brokerBusy(String detail, Throwable cause) {
        return new ProxyError(Status.OVERLOADED, "broker busy, the message was not stored; retry later ("
            + detail + ")", cause);
    }

    /** The broker did not answer in time: the message may or may not be stored. */
    public static ProxyError outcomeUnknown(String detail) {
        return new ProxyError(Status.UNKNOWN,
            "outcome unknown (" + detail + "): the message may or may not be stored; retry if it must be");
    }

    /** A message the proxy did not send at all, for the reason given. */
    public static ProxyError notSent(String reason) {
        return new ProxyError(Status.INTERNAL, "not sent: " + reason);
    }

    public static ProxyError brokerFailure(String detail, Throwable cause) {
        return new ProxyError(Status.INTERNAL, "broker error: " + detail, cause);
    }

    public static ProxyError internal(String detail, Throwable cause) {
        return new ProxyError(Status.INTERNAL, "internal error: " + detail, cause);
    }
}
