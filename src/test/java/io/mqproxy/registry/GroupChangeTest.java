package io.mqproxy.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.mqproxy.config.ProxyConfig;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Group changes built by name: each command sets its one setting, compositions keep the later value, a
 * change merges over the operators' earlier ones, and the persisted JSON is the one entries always had.
 */
class GroupChangeTest {
    /** As the registry sync reads and writes entries. */
    private static final ObjectMapper JSON = JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    @Test
    void eachNamedCommand_setsItsOneSetting() {
        assertThat(GroupChange.pause(true).overrides().asMap()).containsExactlyEntriesOf(
            java.util.Map.of("paused", true));
        assertThat(GroupChange.rateLimit(50).settings()).containsExactly("rateLimit");
        assertThat(GroupChange.maxPullSize(3).overrides().maxPullSize()).isEqualTo(3);
        assertThat(GroupChange.consumeTimeoutSeconds(30).overrides().consumeTimeoutSeconds()).isEqualTo(30);
        assertThat(GroupChange.minConsumeTimeoutSeconds(2).overrides().minConsumeTimeoutSeconds()).isEqualTo(2);
        assertThat(GroupChange.maxConsumeTimeoutSeconds(90).overrides().maxConsumeTimeoutSeconds()).isEqualTo(90);
        assertThat(GroupChange.pullTimeoutSeconds(5).overrides().pullTimeoutSeconds()).isEqualTo(5);
        assertThat(GroupChange.maxRetries(7).overrides().maxRetries()).isEqualTo(7);
        assertThat(GroupChange.broadcastStart(ProxyConfig.StartPosition.LATEST).overrides().broadcastStart())
            .isEqualTo(ProxyConfig.StartPosition.LATEST);
        assertThat(GroupChange.clientTtlSeconds(60).overrides().clientTtlSeconds()).isEqualTo(60);
        assertThat(GroupChange.maxClientIds(9).overrides().maxClientIds()).isEqualTo(9);
        assertThat(GroupChange.push(PushChange.REMOVED).overrides().push()).isEqualTo(PushChange.REMOVED);
        assertThat(GroupChange.push(PushChange.REMOVED).settings()).as("the webhook is not a setting").isEmpty();
        assertThat(GroupChange.NOTHING.isEmpty()).isTrue();
        assertThat(GroupChange.pause(false).isEmpty()).isFalse();
    }

    @Test
    void aComposition_setsEveryPart_theLaterWinning() {
        GroupChange c = GroupChange.pause(true).and(GroupChange.rateLimit(5)).and(GroupChange.pause(false));
        assertThat(c.settings()).isEqualTo(Set.of("paused", "rateLimit"));
        assertThat(c.overrides().paused()).isFalse();
        assertThat(c.overrides().rateLimit()).isEqualTo(5);
        assertThat(c).isEqualTo(GroupChange.rateLimit(5).and(GroupChange.pause(false)));
    }

    @Test
    void optionalFields_leftOut_changeNothing() {
        Integer absent = null;
        GroupChange c = GroupChange.NOTHING.and(absent, GroupChange::maxPullSize).and(4, GroupChange::maxRetries);
        assertThat(c).isEqualTo(GroupChange.maxRetries(4));
        assertThat(GroupChange.NOTHING.and(absent, GroupChange::rateLimit)).isSameAs(GroupChange.NOTHING);
    }

    @Test
    void aChangeOverEarlierOnes_keepsWhatItLeavesOut() {
        GroupOverrides earlier = GroupChange.pause(true).and(GroupChange.maxPullSize(3)).overrides();
        GroupOverrides merged = GroupChange.rateLimit(10).and(GroupChange.maxPullSize(8)).over(earlier);
        assertThat(merged.paused()).isTrue();
        assertThat(merged.maxPullSize()).isEqualTo(8);
        assertThat(merged.rateLimit()).isEqualTo(10);
        assertThat(GroupChange.NOTHING.over(earlier)).isEqualTo(earlier);
        assertThat(GroupChange.pause(false).over(GroupOverrides.NONE)).isEqualTo(GroupChange.pause(false).overrides());
    }

    @Test
    void theWebhook_isKeptAcrossSettingChanges_untilRemoved() {
        PushSubscription hook = new PushSubscription("http://h/x", "s3cret-s3cret-s3cret", null, 4, 0, 16, 100,
            1000, 5000);
        GroupOverrides withHook = GroupChange.push(PushChange.set(hook)).over(GroupOverrides.NONE);
        GroupOverrides paused = GroupChange.pause(true).over(withHook);
        assertThat(paused.push().subscription()).isEqualTo(hook);
        assertThat(GroupChange.push(PushChange.REMOVED).over(paused).push().subscription()).isNull();
    }

    @Test
    void thePersistedJson_isTheOneEntriesAlwaysHad() throws Exception {
        GroupOverrides o = GroupChange.pause(true).and(GroupChange.rateLimit(5)).over(GroupOverrides.NONE);
        assertThat(JSON.writeValueAsString(o)).isEqualTo("{\"paused\":true,\"rateLimit\":5}");

        // An entry as an earlier version wrote it (with a field this one does not know) still reads.
        String older = "{\"maxPullSize\":3,\"broadcastStart\":\"LATEST\",\"paused\":false,\"someOldField\":1,"
            + "\"push\":{\"removed\":true}}";
        GroupOverrides read = JSON.readValue(older, GroupOverrides.class);
        assertThat(read.maxPullSize()).isEqualTo(3);
        assertThat(read.broadcastStart()).isEqualTo(ProxyConfig.StartPosition.LATEST);
        assertThat(read.paused()).isFalse();
        assertThat(read.push().removed()).isTrue();
        assertThat(GroupChange.rateLimit(1).over(read).maxPullSize()).isEqualTo(3);
    }
}
