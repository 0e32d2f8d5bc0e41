package io.mqproxy.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** {@link PropertyFilterSupport} read from the masters' broker configuration, one admin call per master. */
final class RocketMqPropertyFilters implements PropertyFilterSupport {
    private final AdminClient admin;

    RocketMqPropertyFilters(AdminClient admin) {
        this.admin = admin;
    }

    /**
     * What the masters holding {@code topic} say: those whose {@value #SETTING} is not {@code true}, and
     * those that could not be asked. Blocks (one admin call per master).
     */
    @Override
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
}
