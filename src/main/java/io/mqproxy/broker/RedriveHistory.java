package io.mqproxy.broker;

import java.util.Map;

/**
 * What redrives leave on a message: properties of the proxy's own (none of RocketMQ's reserved names),
 * carried by the redriven copy, by its redeliveries and, when it is dead-lettered again, by the new
 * dead letter. The broker keeps counting {@code reconsumeTimes} across a redrive; the copy records
 * where the count stood ({@link #BUDGET_BASE}), so the proxy counts deliveries since the last redrive
 * against the group's {@code maxRetries} and a redriven message gets the whole retry budget again.
 *
 * @param redrives   how many times the message was redriven (so dead-lettered at least as often)
 * @param lastBy     the operator of the last redrive, or null
 * @param lastAt     when the last redrive ran (epoch ms), or 0
 * @param budgetBase the {@code reconsumeTimes} the redriven copy started with, or -1 when never redriven
 */
public record RedriveHistory(int redrives, String lastBy, long lastAt, int budgetBase) {
    public static final String REDRIVES = "MQPROXY_REDRIVES";
    public static final String LAST_BY = "MQPROXY_LAST_REDRIVE_BY";
    public static final String LAST_AT = "MQPROXY_LAST_REDRIVE_AT";
    public static final String BUDGET_BASE = "MQPROXY_REDRIVE_BASE";

    public static final RedriveHistory NONE = new RedriveHistory(0, null, 0, -1);

    /** The history a message's (user) properties carry; {@link #NONE} when they carry none or garbage. */
    public static RedriveHistory of(Map<String, String> properties) {
        int redrives = number(properties.get(REDRIVES));
        if (redrives <= 0) {
            return NONE;
        }
        String at = properties.get(LAST_AT);
        long lastAt;
        try {
            lastAt = at == null ? 0 : Long.parseLong(at);
        } catch (NumberFormatException e) {
            lastAt = 0;
        }
        return new RedriveHistory(redrives, properties.get(LAST_BY), lastAt, number(properties.get(BUDGET_BASE)));
    }

    public boolean redriven() {
        return redrives > 0;
    }

    /** The history after one more redrive of a copy that starts at {@code reconsumeTimes}. */
    RedriveHistory next(String operator, long at, int reconsumeTimes) {
        return new RedriveHistory(redrives + 1, operator, at, reconsumeTimes);
    }

    /** As message properties (all four are written together). */
    Map<String, String> properties() {
        return Map.of(REDRIVES, Integer.toString(redrives), LAST_BY, lastBy == null ? "" : lastBy,
            LAST_AT, Long.toString(lastAt), BUDGET_BASE, Integer.toString(budgetBase));
    }

    /**
     * The deliveries that count against {@code maxRetries}: those since the last redrive. A base above the
     * count (not one a redrive wrote) is ignored, so the property can only give back what a redrive gave.
     */
    public static int countedRetries(int reconsumeTimes, String budgetBase) {
        int base = number(budgetBase);
        return base >= 0 && base <= reconsumeTimes ? reconsumeTimes - base : reconsumeTimes;
    }

    private static int number(String s) {
        if (s == null) {
            return -1;
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
