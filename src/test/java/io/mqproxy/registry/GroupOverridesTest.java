package io.mqproxy.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.config.ProxyConfig;
import org.junit.jupiter.api.Test;

/** The persisted overrides over a group: what they set replaces the group's value, the rest stays. */
class GroupOverridesTest {
    private static final PushSubscription HOOK = new PushSubscription("http://h/x", "s3cret-s3cret-s3cret", null, 4,
        0, 16, 100, 1000, 5000);
    private static final ConsumerGroup FILE = new ConsumerGroup("g", "t", new ProxyConfig.GroupSettings(
        ProxyConfig.ConsumeMode.CLUSTERING, true, 32, 30, 1, 0, 10, 16, ProxyConfig.StartPosition.EARLIEST, 3600, 100),
        false, 0, false, HOOK, null);

    @Test
    void none_leavesTheGroupAsItIs() {
        assertThat(GroupOverrides.NONE.applyTo(FILE, false)).isEqualTo(FILE);
        assertThat(GroupOverrides.NONE.asMap()).isEmpty();
    }

    @Test
    void whatIsSet_replacesTheGroupsValue_andNamesItself() {
        GroupOverrides o = GroupChange.maxPullSize(3).and(GroupChange.pause(true)).and(GroupChange.rateLimit(20))
            .and(GroupChange.broadcastStart(ProxyConfig.StartPosition.LATEST)).overrides();
        ConsumerGroup g = o.applyTo(FILE, true);
        assertThat(g.settings().maxPullSize()).isEqualTo(3);
        assertThat(g.paused()).isTrue();
        assertThat(g.rateLimit()).isEqualTo(20);
        assertThat(g.settings().broadcastStart()).isEqualTo(ProxyConfig.StartPosition.LATEST);
        assertThat(g.settings().consumeTimeoutSeconds()).isEqualTo(30);
        assertThat(g.runtime()).isTrue();
        assertThat(g.push()).isEqualTo(HOOK);
        assertThat(g.topic()).isEqualTo("t");
        assertThat(o.asMap()).containsOnlyKeys("maxPullSize", "paused", "rateLimit", "broadcastStart");
        assertThat(GroupOverrides.SETTINGS).containsAll(o.asMap().keySet());
    }

    @Test
    void aRemovedWebhook_removesTheFilesOne() {
        assertThat(GroupChange.push(PushChange.REMOVED).overrides().applyTo(FILE, false).push()).isNull();
    }
}
