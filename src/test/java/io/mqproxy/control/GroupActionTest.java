package io.mqproxy.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.registry.GroupChange;
import org.junit.jupiter.api.Test;

/** The audit names a change of group settings by what it does (issue 22), not a generic "change-group". */
class GroupActionTest {

    private static GroupChange change(Integer maxPullSize, Boolean paused, Integer rateLimit) {
        return GroupChange.NOTHING.and(maxPullSize, GroupChange::maxPullSize).and(paused, GroupChange::pause)
            .and(rateLimit, GroupChange::rateLimit);
    }

    @Test
    void pausedAlone_isPauseOrResume() {
        assertThat(GroupCommands.groupAction(change(null, true, null))).isEqualTo("pause");
        assertThat(GroupCommands.groupAction(change(null, false, null))).isEqualTo("resume");
    }

    @Test
    void rateLimitAlone_isRateLimit_evenTurnedOff() {
        assertThat(GroupCommands.groupAction(change(null, null, 50))).isEqualTo("rate-limit");
        assertThat(GroupCommands.groupAction(change(null, null, 0))).isEqualTo("rate-limit");
    }

    @Test
    void otherSettings_orSeveralAtOnce_areSet() {
        assertThat(GroupCommands.groupAction(change(7, null, null))).isEqualTo("set");
        assertThat(GroupCommands.groupAction(change(null, true, 50))).isEqualTo("set");
        assertThat(GroupCommands.groupAction(change(7, false, null))).isEqualTo("set");
    }
}
