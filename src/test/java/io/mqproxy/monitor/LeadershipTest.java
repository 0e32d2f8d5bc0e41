package io.mqproxy.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.broker.FleetMembers;
import io.mqproxy.testing.MutableClock;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Who leads the fleet and from when, against a fleet list set by hand and a clock moved by hand. */
class LeadershipTest {
    private static final long READ_MILLIS = 5_000;

    /** The brokers' list as the test sets it. */
    private static final class Fleet implements FleetMembers {
        private final String self;
        private volatile Set<String> listed;

        Fleet(String self, String... listed) {
            this.self = self;
            this.listed = Set.of(listed);
        }

        @Override
        public String self() {
            return self;
        }

        @Override
        public Set<String> instances() {
            return listed;
        }

        @Override
        public long readMillis() {
            return READ_MILLIS;
        }
    }

    private final MutableClock clock = MutableClock.at(1_000_000);

    @Test
    void theSmallestClientIdListedIsPicked_theOthersAreNot() {
        assertThat(new Leadership(new Fleet("10.0.0.1@a", "10.0.0.1@a", "10.0.0.2@b"), clock).picked()).isTrue();
        assertThat(new Leadership(new Fleet("10.0.0.2@b", "10.0.0.1@a", "10.0.0.2@b"), clock).picked()).isFalse();
    }

    @Test
    void anInstanceTheBrokersDoNotList_isNotPicked_evenIfItsIdWouldBeSmallest() {
        Leadership l = new Leadership(new Fleet("10.0.0.0@z", "10.0.0.1@a"), clock);
        assertThat(l.picked()).isFalse();
        assertThat(new Leadership(new Fleet("10.0.0.0@z"), clock).picked()).as("an empty list").isFalse();
    }

    @Test
    void picked_holdsOnlyAfterTwoReadsOfTheFleet() {
        Leadership l = new Leadership(new Fleet("a", "a", "b"), clock);
        assertThat(l.agreementMillis()).isEqualTo(2 * READ_MILLIS);
        assertThat(l.holds()).isFalse();
        clock.advanceMillis(2 * READ_MILLIS - 1);
        assertThat(l.holds()).as("one millisecond short of the agreement time").isFalse();
        clock.advanceMillis(1);
        assertThat(l.holds()).isTrue();
        clock.advanceMillis(60_000);
        assertThat(l.holds()).as("kept while picked").isTrue();
    }

    @Test
    void losingThePick_endsTheLeadAtOnce_andAReturnWaitsTheAgreementTimeAgain() {
        Fleet fleet = new Fleet("b", "b", "c");
        Leadership l = new Leadership(fleet, clock);
        l.holds();
        clock.advanceMillis(2 * READ_MILLIS);
        assertThat(l.holds()).isTrue();

        fleet.listed = Set.of("a", "b", "c"); // a smaller id joins
        assertThat(l.holds()).isFalse();

        fleet.listed = Set.of("b", "c"); // it leaves again
        assertThat(l.holds()).as("picked again, not yet agreed").isFalse();
        clock.advanceMillis(2 * READ_MILLIS - 1);
        assertThat(l.holds()).isFalse();
        clock.advanceMillis(1);
        assertThat(l.holds()).isTrue();
    }

    @Test
    void theInstanceThatDropsOutOfTheList_losesTheLead_andTheNextSmallestTakesItAfterAgreement() {
        Fleet first = new Fleet("a", "a", "b");
        Fleet second = new Fleet("b", "a", "b");
        Leadership la = new Leadership(first, clock);
        Leadership lb = new Leadership(second, clock);
        la.holds();
        lb.holds();
        clock.advanceMillis(2 * READ_MILLIS);
        assertThat(la.holds()).isTrue();
        assertThat(lb.holds()).isFalse();

        // The brokers stop listing "a" (its connection went quiet); "b" reads it first.
        second.listed = Set.of("b");
        assertThat(lb.holds()).isFalse();
        clock.advanceMillis(READ_MILLIS);
        first.listed = Set.of("b");
        assertThat(la.holds()).isFalse();
        assertThat(lb.holds()).as("never two at once: b waits out the agreement time").isFalse();
        clock.advanceMillis(READ_MILLIS);
        assertThat(lb.holds()).isTrue();
    }
}
