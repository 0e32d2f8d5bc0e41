package io.mqproxy.registry;

/**
 * A producer group and the topic it writes to.
 *
 * @param runtime registered at run time, not in the configuration file (so it may be unregistered)
 */
public record Producer(String name, String topic, boolean runtime) {
}
