package io.mqproxy.monitor;

import io.mqproxy.broker.FleetMembers;
import java.time.Clock;
import java.util.Set;

/**
 * Which instance does the fleet's single-instance work (lag collection, alert notifications), and from when.
 * The fleet picks the instance the brokers list alive with the smallest client id: every instance reads the
 * same list from the same brokers, so they agree once their reads have seen the same fleet. Until then two
 * instances may each believe they are first, so a newly picked instance holds the lead only once it has been
 * picked for as long as two instances may disagree (two reads of the fleet); losing the pick ends it at once.
 *
 * <p>Asked from one thread (the monitor's tick): not safe for concurrent {@link #holds()} calls.
 */
final class Leadership {
    private final FleetMembers fleet;
    private final Clock clock;
    private long pickedSince = -1;

    Leadership(FleetMembers fleet, Clock clock) {
        this.fleet = fleet;
        this.clock = clock;
    }

    /** Whether the fleet picks this instance now: listed alive, and the smallest client id listed. */
    boolean picked() {
        Set<String> now = fleet.instances();
        return now.contains(fleet.self()) && now.stream().min(String::compareTo).orElseThrow().equals(fleet.self());
    }

    /** Whether this instance leads now: picked, without a break, for at least {@link #agreementMillis()}. */
    boolean holds() {
        if (!picked()) {
            pickedSince = -1;
            return false;
        }
        long now = clock.millis();
        if (pickedSince < 0) {
            pickedSince = now;
        }
        return now - pickedSince >= agreementMillis();
    }

    /** How long two instances may disagree on the fleet: two reads of it. */
    long agreementMillis() {
        return 2 * fleet.readMillis();
    }
}
