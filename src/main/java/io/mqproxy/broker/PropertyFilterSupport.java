package io.mqproxy.broker;

import java.util.List;

/**
 * Whether the brokers of a topic filter by message property, which SQL92 subscriptions need: RocketMQ
 * documents them for brokers started with {@code enablePropertyFilter=true}, and its pull and heartbeat
 * paths refuse them elsewhere. (5.5.0's POP path does not look at the setting, but a group's other
 * readers and other broker versions do: the proxy holds SQL92 filters to the documented rule.)
 * The embedded broker turns the setting on; an external cluster's operator must.
 */
public interface PropertyFilterSupport {
    /** The broker setting SQL92 filters need, as an operator writes it in broker.conf. */
    String SETTING = "enablePropertyFilter";

    /**
     * What the masters holding {@code topic} say: those whose {@value #SETTING} is not {@code true}, and
     * those that could not be asked. Blocks.
     */
    Answer of(String topic);

    /**
     * @param without    brokers of the topic whose {@value #SETTING} is off
     * @param unreadable brokers (or the route) that could not be read, each with why
     */
    record Answer(List<String> without, List<String> unreadable) {
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
