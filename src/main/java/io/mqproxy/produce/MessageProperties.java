package io.mqproxy.produce;

import io.mqproxy.broker.ReservedProperties;
import io.mqproxy.error.Errors;
import io.mqproxy.log.LogSafe;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules for a producer's own message properties. The broker caps all of a message's properties at
 * 32 KiB and refuses a larger message as illegal (after the proxy has answered nothing useful), and
 * keys (24 KiB) and tags (4 KiB) already take most of that: so properties get their own bounds, and
 * keys, tags and properties together one more, each refused with the parameter named.
 */
final class MessageProperties {
    static final int MAX_COUNT = 64;
    static final int MAX_NAME_LENGTH = 128;
    static final int MAX_BYTES = 16 * 1024;
    /** keys + tags + properties: under the broker's 32 KiB, leaving room for RocketMQ's own and clientIp. */
    static final int MAX_TOGETHER_BYTES = 30 * 1024;
    /** Names usable in a SQL92 subscription filter, plus '-' for header-like names (x-request-id). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\-]*");

    private MessageProperties() {
    }

    /** Checks {@code properties} (given as parameter {@code param}); answers their size in bytes (UTF-8). */
    static int check(String param, Map<String, String> properties) {
        if (properties == null || properties.isEmpty()) {
            return 0;
        }
        if (properties.size() > MAX_COUNT) {
            throw Errors.badParam(param, "at most " + MAX_COUNT + " properties, got " + properties.size());
        }
        int bytes = 0;
        for (Map.Entry<String, String> e : properties.entrySet()) {
            String name = e.getKey();
            if (name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
                throw Errors.badParam(param + "." + LogSafe.escape(name), "a property name is a letter or '_' followed by letters, "
                    + "digits, '_', '.' or '-', at most " + MAX_NAME_LENGTH + " characters");
            }
            String reserved = ReservedProperties.refusal(name);
            if (reserved != null) {
                throw Errors.badParam(param + "." + name, reserved + "; choose another name");
            }
            String value = e.getValue();
            if (value == null) {
                throw Errors.badParam(param + "." + name, "must be a string");
            }
            if (value.indexOf('\u0001') >= 0 || value.indexOf('\u0002') >= 0) {
                throw Errors.badParam(param + "." + name, "must not contain the control characters U+0001 or U+0002");
            }
            bytes += name.length() + value.getBytes(StandardCharsets.UTF_8).length + 2;
        }
        if (bytes > MAX_BYTES) {
            throw Errors.badParam(param, "at most " + MAX_BYTES + " bytes in all (names and values, UTF-8), got "
                + bytes);
        }
        return bytes;
    }

    static void checkTogether(String param, int propertyBytes, String keys, String tags) {
        int total = propertyBytes + utf8(keys) + utf8(tags);
        if (propertyBytes > 0 && total > MAX_TOGETHER_BYTES) {
            throw Errors.badParam(param, "keys, tags and properties together at most " + MAX_TOGETHER_BYTES
                + " bytes (the broker's limit on a message's properties), got " + total);
        }
    }

    private static int utf8(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }
}
