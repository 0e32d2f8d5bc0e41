package io.mqproxy.config;

import java.util.regex.Pattern;

/** RocketMQ's rules for topic and group names, checked before anything reaches the broker. */
public final class ResourceNames {
    public static final int MAX_TOPIC_LENGTH = 127;
    /** Groups are shorter than topics: the broker derives %RETRY% and %DLQ% topics from them. */
    public static final int MAX_GROUP_LENGTH = 120;
    private static final Pattern LEGAL = Pattern.compile("[%|a-zA-Z0-9_-]+");

    private ResourceNames() {
    }

    /** @return null when legal, else the rule it breaks */
    public static String check(String name, int maxLength) {
        if (name == null || name.isEmpty()) {
            return "must not be empty";
        }
        if (name.length() > maxLength || !LEGAL.matcher(name).matches()) {
            return "must be 1.." + maxLength + " of letters, digits, %, |, _ and -, got '" + abbreviate(name) + "'";
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
