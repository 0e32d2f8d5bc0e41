package io.mqproxy.registry;

/**
 * Told when the registry changes, after the change is visible. Anything kept per group or producer
 * (sweeps, limiters, meters) follows these, so that nothing outlives what it was made for.
 */
public interface RegistryListener {
    /**
     * @param before null when the group was added
     * @param after  null when the group was removed
     */
    default void consumerChanged(ConsumerGroup before, ConsumerGroup after) {
    }

    /**
     * @param before null when the producer was added
     * @param after  null when the producer was removed
     */
    default void producerChanged(Producer before, Producer after) {
    }
}
