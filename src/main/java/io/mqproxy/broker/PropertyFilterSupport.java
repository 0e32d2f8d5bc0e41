package io.mqproxy.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Whether the brokers of a topic filter by message property, which SQL92 subscriptions need: RocketMQ
 * documents them for brokers started with {@code enablePropertyFilter=true}, and its pull and heartbeat
 * paths refuse them elsewhere. (5.5.0's POP path does not look at the setting, but a group's other
 * readers and other broker versions do: the proxy holds SQL92 filters to the documented rule.)
 * The embedded broker turns the setting on; an external cluster's operator must.
 */
public final class PropertyFilterSupport {
    /** The broker setting SQL92 filters need, as an operator writes it in broker.conf. */
    public static final String SETTING = "enablePropertyFilter";

    private final AdminClient admin;

    PropertyFilterSupport(AdminClient admin) {
        this.admin = admin;
    }

    /**
     * What the masters holding {@code topic} say: those whose {@value #SETTING} is not {@code true}, and
     * those that could not be asked. Blocks (one admin call per master).
     */
    public Answer of(String topic) {
        List<AdminClient.Master> masters;
        try {
            masters = admin.mastersOf(topic);
        } catch (Exception e) {
            return new Answer(List.of(), List.of("topic '" + topic + "' has no route: " + e.getMessage()));
        }
        List<String> without = new ArrayList<>();
        List<String> unread = new ArrayList<>();
        for (AdminClient.Master m : masters) {
            try {
                Properties config = admin.admin().getBrokerConfig(m.addr());
                if (!Boolean.parseBoolean(config.getProperty(SETTING, "false").trim())) {
                    without.add(m.brokerName());
                }
            } catch (Exception e) {
                unread.add(m.brokerName() + ": " + e.getMessage());
            }
        }
        return new Answer(List.copyOf(without), List.copyOf(unread));
    }

    /**
     * @param without    brokers of the topic whose {@value #SETTING} is off
     * @param unreadable brokers (or the route) that could not be read, each with why
     */
    public record Answer(List<String> without, List<String> unreadable) {
        /** Every broker of the topic said it filters by property. */
        public boolean supported() {
            return without.isEmpty() && unreadable.isEmpty();
        }

        /** What an operator reads when an SQL92 filter is refused for topic {@code topic}. */
        public String problem(String topic) {
            if (!without.isEmpty()) {
                return "SQL92 filters need " + SETTING + "=true on every broker of topic '" + topic + "' (in their "
                    + "broker.conf, then a broker restart, or mqadmin updateBrokerConfig -k " + SETTING
                    + " -v true); not set on: " + String.join(", ", without);
            }
            return "could not check " + SETTING + " on the brokers of topic '" + topic + "': "
                + String.join("; ", unreadable);
        }
    }
}
