package io.mqproxy.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqproxy.config.GroupRules;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.config.SubscriptionFilter;
import io.mqproxy.error.ProxyError;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.GroupChange;
import org.junit.jupiter.api.Test;

/**
 * The control commands' own rules, without a broker (issue 23): what the audit calls a change, which broker
 * group an operation reaches, and the checks every group change passes before anything is written.
 */
class CommandRulesTest {

    private static ConsumerGroup group(ProxyConfig.ConsumeMode mode, boolean pop, int rateLimit,
                                       SubscriptionFilter filter) {
        return ConsumerGroup.registered("g", "t", new ProxyConfig.GroupSettings(mode, pop, 32, 300, 10, 0, 0, 16,
            ProxyConfig.StartPosition.LATEST, 0, 100), null, null).withRateLimit(rateLimit).withFilter(filter);
    }

    private static ConsumerGroup clustering() {
        return group(ProxyConfig.ConsumeMode.CLUSTERING, true, 0, null);
    }

    @Test
    void theAuditNamesAChange_byWhatItChanges() {
        assertThat(GroupCommands.groupAction(GroupChange.pause(true))).isEqualTo("pause");
        assertThat(GroupCommands.groupAction(GroupChange.pause(false))).isEqualTo("resume");
        assertThat(GroupCommands.groupAction(GroupChange.rateLimit(50))).isEqualTo("rate-limit");
        assertThat(GroupCommands.groupAction(GroupChange.filter(new SubscriptionFilter(SubscriptionFilter.Type.TAG,
            "paid")))).isEqualTo("filter");
        assertThat(GroupCommands.groupAction(GroupChange.clearFilter())).isEqualTo("filter");
        assertThat(GroupCommands.groupAction(GroupChange.rateLimit(50).and(GroupChange.pause(true)))).isEqualTo("set");
        assertThat(GroupCommands.groupAction(GroupChange.maxPullSize(8))).isEqualTo("set");
    }

    @Test
    void aBroadcastGroup_needsAClientId_andOnlyIt() {
        ConsumerGroup broadcast = group(ProxyConfig.ConsumeMode.BROADCAST, true, 0, null);
        assertThat(CommandChecks.brokerGroup(clustering(), null)).isEqualTo("g");
        assertThat(CommandChecks.brokerGroup(broadcast, "c1")).isEqualTo(io.mqproxy.registry.BrokerGroups.forClient("g", "c1"))
            .isNotEqualTo(CommandChecks.brokerGroup(broadcast, "c2")).startsWith("g");
        assertThatThrownBy(() -> CommandChecks.brokerGroup(broadcast, null))
            .isInstanceOf(ProxyError.class).hasMessageStartingWith("clientId: is required");
        assertThatThrownBy(() -> CommandChecks.brokerGroup(clustering(), "c1"))
            .isInstanceOf(ProxyError.class).hasMessageStartingWith("clientId: only for broadcast groups");
    }

    @Test
    void aQueueHeldGroup_hasNoSideDoorForOneMessage() {
        CommandChecks.requireConcurrent(clustering(), "redelivery");
        assertThatThrownBy(() -> CommandChecks.requireConcurrent(group(ProxyConfig.ConsumeMode.CLUSTERING, false, 0,
            null), "redelivery"))
            .isInstanceOf(ProxyError.class).hasMessageContaining("queue-held").hasMessageContaining("redelivery");
    }

    @Test
    void aChangedGroup_isCheckedWhole_namingTheSetting() {
        CommandChecks.check(clustering());
        assertThatThrownBy(() -> CommandChecks.check(group(ProxyConfig.ConsumeMode.CLUSTERING, true,
            GroupRules.MAX_RATE_LIMIT + 1, null)))
            .isInstanceOfSatisfying(ProxyError.class, e -> assertThat(e.status()).isEqualTo(400))
            .hasMessageStartingWith("rateLimit:");
        assertThatThrownBy(() -> CommandChecks.check(group(ProxyConfig.ConsumeMode.CLUSTERING, true, 0,
            new SubscriptionFilter(SubscriptionFilter.Type.SQL92, "amount >"))))
            .isInstanceOf(ProxyError.class).hasMessageStartingWith("filter.expression:");
        CommandChecks.check(group(ProxyConfig.ConsumeMode.CLUSTERING, true, 0,
            new SubscriptionFilter(SubscriptionFilter.Type.SQL92, "region = 'eu' AND amount > 100")));
    }

    @Test
    void aNameTheProxyOrRocketMqKeeps_isRefused() {
        CommandChecks.checkOwnName("name", "orders-g", 120, true);
        assertThatThrownBy(() -> CommandChecks.checkOwnName("topic", "MQPROXY_AUDIT", 120, false))
            .isInstanceOf(ProxyError.class).hasMessageStartingWith("topic:");
        assertThatThrownBy(() -> CommandChecks.checkOwnName("name", "bad name!", 120, true))
            .isInstanceOf(ProxyError.class).hasMessageStartingWith("name:");
    }
}
