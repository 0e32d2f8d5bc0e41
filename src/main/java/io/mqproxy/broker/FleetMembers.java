package io.mqproxy.broker;

import java.util.Set;

/**
 * The proxy instances alive now, as the brokers list them: what the fleet is, not who leads it (that
 * policy belongs to the work that needs a single instance, such as {@code monitor/Leadership}).
 */
public interface FleetMembers {
    /** This instance's client id, as the brokers list it. */
    String self();

    /** The client ids of the instances alive ({@code ip@instanceName}); may lag the fleet by one read. */
    Set<String> instances();

    /** How often the list is read from the brokers: two instances' lists may differ for up to two reads. */
    long readMillis();

    /** How many instances are alive: at least this one. */
    default int size() {
        return Math.max(1, instances().size());
    }
}
