package io.mqproxy.registry;

import io.mqproxy.config.MessageSchema;

/**
 * A producer group and the topic it writes to.
 *
 * @param runtime      registered at run time, not in the configuration file (so it may be unregistered)
 * @param schema       what every body must match, or null
 * @param schemaSource where the schema comes from: "config" (the file), "runtime" (set by an operator), or null
 */
public record Producer(String name, String topic, boolean runtime, MessageSchema schema, String schemaSource) {
    public Producer(String name, String topic, boolean runtime) {
        this(name, topic, runtime, null);
    }

    /** A schema from where the producer itself comes from (a file producer's from the file). */
    public Producer(String name, String topic, boolean runtime, MessageSchema schema) {
        this(name, topic, runtime, schema, schema == null ? null : runtime ? "runtime" : "config");
    }
}
