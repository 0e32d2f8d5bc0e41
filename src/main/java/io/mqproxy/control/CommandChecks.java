package io.mqproxy.control;

import io.mqproxy.config.GroupRules;
import io.mqproxy.config.ResourceNames;
import io.mqproxy.error.Errors;
import io.mqproxy.registry.BrokerGroups;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.Registry;

/** The checks the control commands share: a group that exists, a clientId where one is needed, legal names. */
final class CommandChecks {
    private CommandChecks() {
    }

    static ConsumerGroup consumer(Registry registry, String name) {
        return registry.consumer(name).orElseThrow(() -> Errors.notFound("consumer group '" + name + "'"));
    }

    static String brokerGroup(ConsumerGroup g, String clientId) {
        if (g.broadcast() == (clientId == null)) {
            throw Errors.badParam("clientId", g.broadcast()
                ? "is required: '" + g.name() + "' is a broadcast group, each clientId has its own progress"
                : "only for broadcast groups");
        }
        return BrokerGroups.forClient(g.name(), clientId);
    }

    /** Queue-held groups read their topic's queues in order and nothing else: no side door for one message. */
    static void requireConcurrent(ConsumerGroup g, String action) {
        if (!g.pop()) {
            throw Errors.badParam("group", "'" + g.name() + "' is queue-held (pop=false): it reads its queues in "
                + "order and nothing else, so " + action + " of single messages is not possible; reset its offset "
                + "to read them again");
        }
    }

    static void check(ConsumerGroup g) {
        GroupRules.Violation v = GroupRules.check(g.settings());
        if (v != null) {
            throw Errors.badParam(v.setting(), v.rule());
        }
        GroupRules.Violation rate = GroupRules.rateLimit(g.rateLimit());
        if (rate != null) {
            throw Errors.badParam(rate.setting(), rate.rule());
        }
        FilterSupport.check(g.filter());
    }

    /** A name a producer, group or topic would take: legal, and not the proxy's or RocketMQ's own. */
    static void checkOwnName(String param, String value, int max, boolean group) {
        String broken = ResourceNames.checkOwn(value, max, group);
        if (broken != null) {
            throw Errors.badParam(param, broken);
        }
    }
}
