package io.mqproxy.config;

/**
 * The rules a consumer group's settings meet, wherever they come from: the configuration file
 * (checked at start-up) or an operator's change at run time (checked before it is kept).
 */
public final class GroupRules {
    /**
     * The largest rate limit, in messages per second for a group: far above what one group is consumed at, and
     * far below what the limiter takes (Bucket4j refuses more than one token a nanosecond and 2^31-1 overflowed
     * it, which failed every later poll of the group).
     */
    public static final int MAX_RATE_LIMIT = 1_000_000;

    /** The first setting that breaks a rule, and the rule. */
    public record Violation(String setting, String rule) {
    }

    private GroupRules() {
    }

    /** The first violation, or null when the settings are valid. */
    public static Violation check(ProxyConfig.GroupSettings g) {
        if (g.mode() == null) {
            return new Violation("mode", "must be clustering or broadcast");
        }
        Violation v = range("maxPullSize", g.maxPullSize(), 1, 128);
        if (v == null) {
            v = range("minConsumeTimeoutSeconds", g.minConsumeTimeoutSeconds(), 1,
                ProxyConfig.MAX_CONSUME_TIMEOUT_SECONDS);
        }
        if (v == null) {
            v = range("consumeTimeoutSeconds", g.consumeTimeoutSeconds(), g.minConsumeTimeoutSeconds(),
                ProxyConfig.MAX_CONSUME_TIMEOUT_SECONDS);
        }
        if (v == null) {
            v = range("maxConsumeTimeoutSeconds", g.maxConsumeTimeoutSeconds(), 0,
                ProxyConfig.MAX_CONSUME_TIMEOUT_SECONDS);
        }
        if (v == null && (g.consumeTimeoutCap() < g.consumeTimeoutSeconds()
            || g.consumeTimeoutCap() < g.minConsumeTimeoutSeconds())) {
            v = new Violation("maxConsumeTimeoutSeconds", "the cap (" + g.consumeTimeoutCap() + " s"
                + (g.maxConsumeTimeoutSeconds() == 0 ? ", the default for a " + (g.pop() ? "concurrent" : "queue-held")
                + " group" : "") + ") must be at least consumeTimeoutSeconds (" + g.consumeTimeoutSeconds()
                + ") and minConsumeTimeoutSeconds (" + g.minConsumeTimeoutSeconds() + ")");
        }
        if (v == null) {
            v = range("pullTimeoutSeconds", g.pullTimeoutSeconds(), 0, 60);
        }
        if (v == null) {
            v = range("maxRetries", g.maxRetries(), 0, 1000);
        }
        if (v == null) {
            v = range("maxClientIds", g.maxClientIds(), 1, 100_000);
        }
        if (v == null && g.broadcastStart() == null) {
            v = new Violation("broadcastStart", "must be earliest or latest");
        }
        if (v == null && g.clientTtlSeconds() != 0 && g.clientTtlSeconds() <= g.consumeTimeoutSeconds()) {
            // Deleting a client's group while its messages are reserved lets the broker re-create it.
            v = new Violation("clientTtlSeconds", "must be 0 (never forget) or more than consumeTimeoutSeconds ("
                + g.consumeTimeoutSeconds() + "), got " + g.clientTtlSeconds());
        }
        return v;
    }

    /** A group's rate limit: 0 (none) to {@link #MAX_RATE_LIMIT} messages per second. */
    public static Violation rateLimit(int rateLimit) {
        return rateLimit < 0 || rateLimit > MAX_RATE_LIMIT ? new Violation("rateLimit", "must be 0 (no limit).."
            + MAX_RATE_LIMIT + " messages per second, got " + rateLimit) : null;
    }

    private static Violation range(String setting, long value, long min, long max) {
        return value < min || value > max ? new Violation(setting, "must be " + min + ".." + max + ", got " + value)
            : null;
    }
}
