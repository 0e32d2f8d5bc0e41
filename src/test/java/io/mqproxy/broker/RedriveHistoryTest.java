package io.mqproxy.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.rocketmq.common.message.MessageConst;
import org.junit.jupiter.api.Test;

/** The redrive history a redriven copy carries, and how it gives a redriven message its retry budget back. */
class RedriveHistoryTest {
    @Test
    void propertyNames_areNoneOfRocketMqsReservedOnes() {
        assertThat(RedriveHistory.NONE.next("ops", 1L, 3).properties().keySet()).hasSize(4)
            .allSatisfy(name -> assertThat(MessageConst.STRING_HASH_SET).doesNotContain(name));
    }

    @Test
    void deliveriesSinceTheLastRedrive_countAgainstTheLimit() {
        // Never redriven: every earlier delivery counts.
        assertThat(RedriveHistory.countedRetries(3, null)).isEqualTo(3);
        // Redriven when the broker's count stood at 3: the copy starts afresh.
        assertThat(RedriveHistory.countedRetries(3, "3")).isZero();
        assertThat(RedriveHistory.countedRetries(5, "3")).isEqualTo(2);
        // A base no redrive wrote (above the count, or garbage) gives nothing back.
        assertThat(RedriveHistory.countedRetries(2, "9")).isEqualTo(2);
        assertThat(RedriveHistory.countedRetries(2, "x")).isEqualTo(2);
        assertThat(RedriveHistory.countedRetries(2, "-1")).isEqualTo(2);
    }

    @Test
    void history_growsByOneRedriveEachTime_andReadsBackFromProperties() {
        RedriveHistory first = RedriveHistory.of(Map.of()).next("alice", 1_000L, 2);
        RedriveHistory read = RedriveHistory.of(first.properties());
        assertThat(read).isEqualTo(new RedriveHistory(1, "alice", 1_000L, 2));
        RedriveHistory second = RedriveHistory.of(read.next("bob", 2_000L, 4).properties());
        assertThat(second).isEqualTo(new RedriveHistory(2, "bob", 2_000L, 4));
        assertThat(RedriveHistory.of(Map.of(RedriveHistory.REDRIVES, "garbage"))).isEqualTo(RedriveHistory.NONE);
        assertThat(RedriveHistory.NONE.redriven()).isFalse();
    }
}
