package io.mqproxy.produce;

import java.util.Optional;

/** Which topic a producer group writes to. Today from configuration; later the runtime registry. */
public interface ProducerRegistry {
    Optional<String> topicOf(String producer);
}
