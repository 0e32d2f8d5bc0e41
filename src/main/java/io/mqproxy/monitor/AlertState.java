package io.mqproxy.monitor;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One alert as the admin port shows it and the broker side keeps it: a rule of a group, firing or
 * resolved, and what became of its last notification at each webhook.
 *
 * @param since      when it began firing (epoch ms)
 * @param resolvedAt when it stopped (epoch ms), or null while firing
 * @param value      the value that fired it, then the latest while it fires
 * @param clientId   for a broadcast group, the clientId that fired it (the worst one)
 * @param seq        counts the alert's events (firing, resolved), so late results cannot overwrite newer ones
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AlertState(String group, String rule, String status, long since, Long resolvedAt, double value,
                         long threshold, String unit, String clientId, long seq,
                         List<NotificationResult> notifications) {
    public static final String FIRING = "firing";
    public static final String RESOLVED = "resolved";

    public AlertState {
        notifications = notifications == null ? List.of() : List.copyOf(notifications);
    }

    public boolean firing() {
        return FIRING.equals(status);
    }

    /** The key of the alert: one per group and rule. */
    public String key() {
        return key(group, rule);
    }

    static String key(String group, String rule) {
        return group + "/" + rule;
    }

    /**
     * What became of the notification of the alert's last event at one webhook.
     *
     * @param outcome {@code pending} (being sent or waiting for a retry), {@code ok}, {@code failed},
     *                {@code dropped} (the notification queue was full)
     * @param at      when the outcome was known (epoch ms)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NotificationResult(String webhook, String event, String outcome, int attempts, Long at,
                                     String error) {
    }
}
