package io.mqproxy.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The rules a push subscription meets, wherever it comes from: the configuration file (checked at
 * start-up) or an operator's change at run time (checked before it is kept).
 */
public final class PushRules {
    /** Shortest secret: an HMAC key a receiver relies on to refuse forgeries. */
    public static final int MIN_SECRET_LENGTH = 16;
    /** Room for a push's own time-out before the broker would hand its messages to someone else. */
    public static final int RESERVATION_MARGIN_SECONDS = 10;

    private PushRules() {
    }

    /** The first violation (the field and its rule), or null when the subscription is valid. */
    public static GroupRules.Violation check(String url, String secret, String clientId, boolean broadcast,
                                             int maxInFlight, int ratePerSecond, int batchSize, long minBackoffMillis,
                                             long maxBackoffMillis, long timeoutMillis, int consumeTimeoutCap) {
        String bad = url(url);
        if (bad != null) {
            return new GroupRules.Violation("url", bad);
        }
        if (secret == null || secret.length() < MIN_SECRET_LENGTH) {
            return new GroupRules.Violation("secret", "must be at least " + MIN_SECRET_LENGTH + " characters: the "
                + "receiver checks the signature with it");
        }
        if (broadcast && (clientId == null || clientId.isEmpty() || clientId.length() > 256)) {
            return new GroupRules.Violation("clientId", "is required for a broadcast group (1..256 characters): the "
                + "clientId whose messages are pushed");
        }
        if (!broadcast && clientId != null && !clientId.isEmpty()) {
            return new GroupRules.Violation("clientId", "only for broadcast groups");
        }
        GroupRules.Violation v = range("maxInFlight", maxInFlight, 1, 1024);
        if (v == null) {
            v = range("ratePerSecond", ratePerSecond, 0, 1_000_000);
        }
        if (v == null) {
            v = range("batchSize", batchSize, 1, 32);
        }
        if (v == null) {
            v = range("minBackoffMillis", minBackoffMillis, 1000, 3_600_000);
        }
        if (v == null) {
            v = range("maxBackoffMillis", maxBackoffMillis, minBackoffMillis, 86_400_000);
        }
        if (v == null) {
            v = range("timeoutMillis", timeoutMillis, 100, 600_000);
        }
        if (v == null && reservationSeconds(timeoutMillis, 0) > consumeTimeoutCap) {
            v = new GroupRules.Violation("timeoutMillis", "a push is reserved for its time-out plus "
                + RESERVATION_MARGIN_SECONDS + " s, which must be within the group's consumeTimeout cap ("
                + consumeTimeoutCap + " s)");
        }
        return v;
    }

    /**
     * How long pushed messages are reserved: the request's time-out and a margin, so the broker does not
     * hand them to another instance while the answer may still come; at least the group's minimum.
     */
    public static int reservationSeconds(long timeoutMillis, int minConsumeTimeoutSeconds) {
        return Math.max(minConsumeTimeoutSeconds, (int) ((timeoutMillis + 999) / 1000) + RESERVATION_MARGIN_SECONDS);
    }

    /** Why the text is not an http(s) URL the proxy can POST to, or null. */
    static String url(String url) {
        if (url == null || url.isEmpty()) {
            return "is required: the http(s) URL messages are POSTed to";
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "not a URL: " + e.getReason();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "must be an http:// or https:// URL, got " + (scheme.isEmpty() ? "none" : "'" + scheme + "'");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return "must name a host";
        }
        if (uri.getUserInfo() != null) {
            return "must not carry credentials (user:password@): the signature proves the origin";
        }
        if (uri.getFragment() != null) {
            return "must not have a #fragment";
        }
        return null;
    }

    private static GroupRules.Violation range(String field, long value, long min, long max) {
        return value < min || value > max ? new GroupRules.Violation(field, "must be " + min + ".." + max + ", got "
            + value) : null;
    }
}
