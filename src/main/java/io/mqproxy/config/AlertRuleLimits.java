package io.mqproxy.config;

/**
 * The ranges alert thresholds keep, wherever they come from: the configuration file (checked at
 * start-up) or an operator's change at run time (checked before it is kept). 0 turns a rule off; a
 * null threshold is inherited from the layer below.
 */
public final class AlertRuleLimits {
    /** Ten years: far past any useful age, far below an overflow in milliseconds. */
    static final long MAX_SECONDS = 10L * 365 * 86_400;
    static final long MAX_MESSAGES = 1_000_000_000_000L;
    /** A week: dead letters are counted per collection, and a window is held in memory per group. */
    static final long MAX_WINDOW_SECONDS = 7L * 86_400;

    private AlertRuleLimits() {
    }

    /** The first threshold out of its range, or null. */
    public static GroupRules.Violation check(Long backlog, Long oldestAgeSeconds, Long stuckSeconds, Long deadLetters,
                                             Long deadLettersWindowSeconds) {
        GroupRules.Violation v = range("backlog", backlog, 0, MAX_MESSAGES);
        if (v == null) {
            v = range("oldestAgeSeconds", oldestAgeSeconds, 0, MAX_SECONDS);
        }
        if (v == null) {
            v = range("stuckSeconds", stuckSeconds, 0, MAX_SECONDS);
        }
        if (v == null) {
            v = range("deadLetters", deadLetters, 0, MAX_MESSAGES);
        }
        if (v == null) {
            v = range("deadLettersWindowSeconds", deadLettersWindowSeconds, 1, MAX_WINDOW_SECONDS);
        }
        return v;
    }

    private static GroupRules.Violation range(String setting, Long value, long min, long max) {
        return value != null && (value < min || value > max)
            ? new GroupRules.Violation(setting, "must be " + min + ".." + max + (min == 0 ? " (0: off)" : "")
                + ", got " + value)
            : null;
    }
}
