package io.mqproxy.error;

/**
 * A failure as the user sees it: a contract status and a message that says what to do.
 *
 * <p>It is an exception only so that it can travel through futures; nothing catches it by type
 * except {@link ErrorMapper}, the one place that turns failures into responses.
 */
public final class ProxyError extends RuntimeException {
    private final int status;

    public ProxyError(int status, String message) {
        this(status, message, null);
    }

    public ProxyError(int status, String message, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
