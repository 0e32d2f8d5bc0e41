package io.mqproxy.monitor;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.mqproxy.config.ProxyConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Thresholds set at one layer (the file's defaults or a group's entry, an operator's run-time
 * defaults or group entry); a null field is left to the layer below.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AlertOverrides(Long backlog, Long oldestAgeSeconds, Long stuckSeconds, Long deadLetters,
                             Long deadLettersWindowSeconds) {
    public static final AlertOverrides NONE = new AlertOverrides(null, null, null, null, null);

    /** The names of the thresholds, as fields of configuration entries and of the admin routes' bodies. */
    public static final List<String> FIELDS = List.of("backlog", "oldestAgeSeconds", "stuckSeconds", "deadLetters",
        "deadLettersWindowSeconds");

    static AlertOverrides of(ProxyConfig.GroupAlertRules g) {
        return new AlertOverrides(g.backlog(), g.oldestAgeSeconds(), g.stuckSeconds(), g.deadLetters(),
            g.deadLettersWindowSeconds());
    }

    /** These over {@code base}. */
    AlertThresholds applyTo(AlertThresholds base) {
        return new AlertThresholds(or(backlog, base.backlog()), or(oldestAgeSeconds, base.oldestAgeSeconds()),
            or(stuckSeconds, base.stuckSeconds()), or(deadLetters, base.deadLetters()),
            or(deadLettersWindowSeconds, base.deadLettersWindowSeconds()));
    }

    /** The fields set, by name. */
    public Map<String, Long> asMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        put(m, "backlog", backlog);
        put(m, "oldestAgeSeconds", oldestAgeSeconds);
        put(m, "stuckSeconds", stuckSeconds);
        put(m, "deadLetters", deadLetters);
        put(m, "deadLettersWindowSeconds", deadLettersWindowSeconds);
        return m;
    }

    private static void put(Map<String, Long> m, String key, Long value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static long or(Long value, long fallback) {
        return value != null ? value : fallback;
    }
}
