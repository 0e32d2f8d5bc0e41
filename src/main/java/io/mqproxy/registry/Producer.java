package io.mqproxy.registry;

import io.mqproxy.config.MessageSchema;

/**
 * A producer group and the topic it writes to.
 *
 * @param runtime registered at run time, not in the configuration file (so it may be unregistered)
 * @param schema  what every body must match, or null
 */
public record Producer(String name, String topic, boolean runtime, MessageSchema schema) {
    public Producer(String name, String topic, boolean runtime) {
        this(name, topic, runtime, null);
    }
}
