package io.mqproxy.monitor;

import io.mqproxy.config.ProxyConfig;

/**
 * A group's alert thresholds as they apply now; 0 turns a rule off.
 *
 * @param deadLettersWindowSeconds the window in which {@code deadLetters} dead letters fire the rule
 */
public record AlertThresholds(long backlog, long oldestAgeSeconds, long stuckSeconds, long deadLetters,
                              long deadLettersWindowSeconds) {
    static AlertThresholds of(ProxyConfig.AlertRules r) {
        return new AlertThresholds(r.backlog(), r.oldestAgeSeconds(), r.stuckSeconds(), r.deadLetters(),
            r.deadLettersWindowSeconds());
    }
}
