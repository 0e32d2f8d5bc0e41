package io.mqproxy.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.testing.MutableClock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** An endpoint's rate, shared by the fleet, against a clock moved by hand. */
class RateGateTest {
    private final MutableClock clock = MutableClock.at(1_700_000_000_000L);
    private final AtomicInteger instances = new AtomicInteger(1);

    @Test
    void noRate_neverWaits() {
        RateGate gate = new RateGate(0, instances::get, clock);
        for (int i = 0; i < 1_000; i++) {
            gate.take();
        }
        assertThat(gate.waitMillis()).isZero();
    }

    @Test
    void aSecondOfTheRate_goesAtOnce_thenOneRequestPerTick() {
        RateGate gate = new RateGate(4, instances::get, clock);
        for (int i = 0; i < 4; i++) {
            assertThat(gate.waitMillis()).as("request %d", i).isZero();
            gate.take();
        }
        assertThat(gate.waitMillis()).isEqualTo(250);
        clock.advanceMillis(125);
        assertThat(gate.waitMillis()).as("half a token refilled").isEqualTo(125);
        clock.advanceMillis(125);
        assertThat(gate.waitMillis()).isZero();
    }

    @Test
    void theBucketHoldsOneSecond_soAQuietHourBuysNoBurst() {
        RateGate gate = new RateGate(2, instances::get, clock);
        gate.take();
        gate.take();
        clock.advanceMillis(3_600_000);
        gate.take();
        gate.take();
        assertThat(gate.waitMillis()).isEqualTo(500);
    }

    @Test
    void eachInstanceTakesItsShare_ofTheEndpointsRate() {
        instances.set(4);
        RateGate gate = new RateGate(8, instances::get, clock);
        gate.take();
        gate.take();
        assertThat(gate.waitMillis()).as("8/s over 4 instances: 2/s here").isEqualTo(500);
    }

    @Test
    void aClockSetBack_takesNoTokensAway() {
        RateGate gate = new RateGate(1, instances::get, clock);
        clock.advanceMillis(-60_000);
        assertThat(gate.waitMillis()).isZero();
    }
}
