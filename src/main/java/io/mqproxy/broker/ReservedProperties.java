package io.mqproxy.broker;

import org.apache.rocketmq.common.message.MessageConst;

/**
 * Message property names a producer may not set: RocketMQ's system properties (a user value would change
 * how the broker stores, delays, routes or retries the message, or forge its id) and the proxy's own
 * ({@code clientIp}, which the proxy sets from the request, and {@code MQPROXY_*}, the redrive history).
 */
public final class ReservedProperties {
    private ReservedProperties() {
    }

    /** Why {@code name} is reserved, or null when a producer may use it. */
    public static String refusal(String name) {
        if (MessageConst.STRING_HASH_SET.contains(name)) {
            return "is a RocketMQ system property";
        }
        if (name.equals("clientIp")) {
            return "is set by the proxy (the producer's address): pass it as the clientIp parameter";
        }
        if (name.startsWith("MQPROXY_")) {
            return "is reserved for the proxy's own properties (MQPROXY_*)";
        }
        return null;
    }
}
