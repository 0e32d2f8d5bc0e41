package io.mqproxy.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LagHistoryTest {
    private static GroupLag lag(String group, long backlog, long consumed) {
        return new GroupLag(group, "t", false, List.of(new ClientLag(null, group, backlog, 0, 0, 0, 1.5, consumed,
            List.of())));
    }

    @Test
    void keepsOneSamplePerSpacing_andAnHourAtMost() {
        LagHistory h = new LagHistory(1);
        assertThat(h.spacingMillis()).isEqualTo(15_000);
        long t = 0;
        for (int i = 0; i < 4_000; i++) {
            h.record(List.of(lag("g", i, i)), t);
            t += 1_000;
        }
        List<LagHistory.Sample> all = h.samples("g", 0);
        assertThat(all).hasSize(LagHistory.CAPACITY);
        assertThat(all.get(all.size() - 1).at() - all.get(0).at()).isLessThanOrEqualTo(3_600_000);
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).at() - all.get(i - 1).at()).isEqualTo(15_000);
        }
        assertThat(h.latest("g").orElseThrow().backlog()).isEqualTo(3_999);
    }

    @Test
    void theConsumeRate_isPerSecondBetweenSamples_andNeverNegative() {
        LagHistory h = new LagHistory(15);
        h.record(List.of(lag("g", 100, 0)), 0);
        h.record(List.of(lag("g", 70, 30)), 15_000);
        h.record(List.of(lag("g", 100, 0)), 30_000); // an offset reset to earliest
        List<LagHistory.Sample> s = h.samples("g", 0);
        assertThat(s).extracting(LagHistory.Sample::consumeRate).containsExactly(null, 2.0, 0.0);
        assertThat(h.samples("g", 15_000)).hasSize(2);
    }

    @Test
    void aRemovedGroup_isForgotten_andAnotherCollectorsTurn_endsWhatIsCurrent() {
        LagHistory h = new LagHistory(15);
        h.record(List.of(lag("a", 1, 0), lag("b", 2, 0)), 0);
        h.forget("a");
        assertThat(h.samples("a", 0)).isEmpty();
        assertThat(h.latest()).containsOnlyKeys("b");
        h.notCurrent();
        assertThat(h.latest()).isEmpty();
        assertThat(h.latestAt()).isZero();
        assertThat(h.samples("b", 0)).hasSize(1);
    }
}
