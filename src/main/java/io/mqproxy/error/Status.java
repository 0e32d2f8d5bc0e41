package io.mqproxy.error;

/** The envelope's status codes: the contract's, and the extensions this proxy adds. */
public final class Status {
    public static final int OK = 200;
    /** Success with nothing to return. */
    public static final int OK_EMPTY = 201;
    /** The broker may or may not have stored the message: a client that needs it stored retries. */
    public static final int UNKNOWN = 300;
    public static final int BAD_REQUEST = 400;
    public static final int UNAUTHORIZED = 401;
    public static final int FORBIDDEN = 403;
    public static final int NOT_FOUND = 404;
    /** The path exists, not for this method; the answer lists the methods it takes. */
    public static final int METHOD_NOT_ALLOWED = 405;
    /** The request body did not arrive whole in time. */
    public static final int REQUEST_TIMEOUT = 408;
    /** The request body is larger than the configured limit. */
    public static final int TOO_LARGE = 413;
    /** The resource is busy with an earlier request of the same kind (a redrive already running). */
    public static final int CONFLICT = 409;
    public static final int RATE_LIMITED = 429;
    public static final int INTERNAL = 500;
    /** The proxy is at a configured bound (sends, polls or body bytes in flight): retry later. */
    public static final int OVERLOADED = 503;

    private Status() {
    }
}
