package io.mqproxy.consume;

import io.mqproxy.registry.ConsumerGroup;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A request checked against its group: what to pop, from which broker group, how. */
record Poll(ConsumerGroup group, String brokerGroup, String clientId, int maxMessages,
            int consumeTimeoutSeconds, int pullSeconds, BooleanSupplier clientGone) {
    long invisibleMillis() {
        return TimeUnit.SECONDS.toMillis(consumeTimeoutSeconds);
    }

    Poll limitedTo(int messages) {
        return messages >= maxMessages ? this : new Poll(group, brokerGroup, clientId, messages,
            consumeTimeoutSeconds, pullSeconds, clientGone);
    }
}
