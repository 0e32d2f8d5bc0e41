package io.mqproxy.monitor;

import io.mqproxy.log.LogSafe;
import io.mqproxy.registry.RegistrySync;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' alert rules as run-time entries of the registry's namespace: {@code alert.defaults}
 * and {@code alert.group.<group>}, each the thresholds that layer sets. Every instance applies them
 * to its {@link AlertRuleBook} within a second of a change, and at start. Set and removed by
 * compare-and-set ({@link RegistrySync#changeEntry}). Beside the book rather than in {@code registry}:
 * {@code monitor} reads the registry, so the registry cannot know the monitor's types.
 */
public final class AlertRuleEntries implements RegistrySync.Section {
    private static final Logger log = LoggerFactory.getLogger(AlertRuleEntries.class);
    static final String DEFAULTS = "defaults";
    static final String GROUP = "group.";

    private final AlertRuleBook book;

    public AlertRuleEntries(AlertRuleBook book) {
        this.book = book;
    }

    @Override
    public String prefix() {
        return RegistrySync.ALERT_RULES;
    }

    /** The key of the defaults' entry (null group) or of a group's. */
    public static String key(String group) {
        return group == null ? DEFAULTS : GROUP + group;
    }

    @Override
    public void apply(Map<String, String> entries) {
        AlertOverrides defaults = null;
        Map<String, AlertOverrides> groups = new HashMap<>();
        for (Map.Entry<String, String> e : entries.entrySet()) {
            try {
                AlertOverrides rules = RegistrySync.JSON.readValue(e.getValue(), AlertOverrides.class);
                if (e.getKey().equals(DEFAULTS)) {
                    defaults = rules;
                } else if (e.getKey().startsWith(GROUP)) {
                    groups.put(e.getKey().substring(GROUP.length()), rules);
                }
            } catch (Exception damaged) {
                log.warn("run-time alert rules {} ignored: {}", LogSafe.of(e.getKey()), LogSafe.of(damaged.getMessage()));
            }
        }
        book.applyRuntime(defaults, groups);
    }
}
