package io.mqproxy.broker;

import java.util.List;

/** What one pop brought: messages, or why none. */
public record PopOutcome(Kind kind, List<PoppedMessage> messages) {
    public enum Kind {
        FOUND,
        NO_NEW_MSG,
        /** The broker holds too many waiting pops; try again shortly. */
        POLLING_FULL
    }

    public static PopOutcome none(Kind kind) {
        return new PopOutcome(kind, List.of());
    }
}
