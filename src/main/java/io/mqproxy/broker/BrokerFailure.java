package io.mqproxy.broker;

/**
 * What went wrong with a broker call, in the broker's own terms: a kind and a message that says what, never
 * a protocol's status. It is an exception only so that it can travel through futures; the edge
 * ({@code io.mqproxy.error.ErrorMapper}) is the one place that says which status each kind is.
 */
public final class BrokerFailure extends RuntimeException {
    /** The distinctions a caller can act on; the message carries the rest. */
    public enum Kind {
        /** No answer in time: what was asked may or may not have been done. */
        OUTCOME_UNKNOWN,
        /** The broker is too busy to take the request: nothing was stored; a retry later may pass. */
        BUSY,
        /** This proxy's own bound on calls of this kind is full: nothing was asked; a retry later may pass. */
        CALLS_FULL,
        /** No connection to the broker. */
        UNREACHABLE,
        /** The broker answered, and said no (its response code is in the message). */
        REFUSED,
        /** Anything else on the way to the broker and back. */
        FAILED
    }

    private final Kind kind;

    private BrokerFailure(Kind kind, String message, Throwable cause) {
        super(message, cause, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static BrokerFailure outcomeUnknown(String detail) {
        return new BrokerFailure(Kind.OUTCOME_UNKNOWN, detail, null);
    }

    public static BrokerFailure busy(String detail, Throwable cause) {
        return new BrokerFailure(Kind.BUSY, detail, cause);
    }

    /** {@code limit} calls of {@code what} are already waiting for the broker. */
    public static BrokerFailure callsFull(String what, int limit) {
        return new BrokerFailure(Kind.CALLS_FULL, limit + " " + what + " already in flight", null);
    }

    public static BrokerFailure unreachable(String detail, Throwable cause) {
        return new BrokerFailure(Kind.UNREACHABLE, detail, cause);
    }

    public static BrokerFailure refused(String detail, Throwable cause) {
        return new BrokerFailure(Kind.REFUSED, detail, cause);
    }

    public static BrokerFailure failed(String detail, Throwable cause) {
        return new BrokerFailure(Kind.FAILED, detail, cause);
    }
}
