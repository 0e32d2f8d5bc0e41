package io.mqproxy.monitor;

/** What an alert watches in a consumer group, and in which unit its value and threshold are. */
public enum AlertRule {
    /** Messages not yet consumed: waiting, handed out and not acked, and waiting in the retry topic. */
    BACKLOG("backlog", "messages"),
    /** Age of the oldest message waiting for delivery, from its store time. */
    OLDEST_AGE("oldestAge", "seconds"),
    /** Seconds since the group last consumed anything while its backlog grew. */
    STUCK("stuck", "seconds"),
    /** Messages dead-lettered within the rule's window. */
    DEAD_LETTERS("deadLetters", "messages");

    private final String id;
    private final String unit;

    AlertRule(String id, String unit) {
        this.id = id;
        this.unit = unit;
    }

    /** The name used in configuration, notifications, the admin port and metric labels. */
    public String id() {
        return id;
    }

    public String unit() {
        return unit;
    }

    /** The threshold this rule takes from a group's thresholds; 0: the rule is off. */
    long threshold(AlertThresholds t) {
        return switch (this) {
            case BACKLOG -> t.backlog();
            case OLDEST_AGE -> t.oldestAgeSeconds();
            case STUCK -> t.stuckSeconds();
            case DEAD_LETTERS -> t.deadLetters();
        };
    }

    public static AlertRule of(String id) {
        for (AlertRule r : values()) {
            if (r.id.equals(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException("no alert rule '" + id + "'");
    }
}
